/* SPDX-License-Identifier: GPL-2.0-or-later */
/* repl-pg.h - being written */
#ifndef PMMHA_REPL_PG_H
#define PMMHA_REPL_PG_H
#endif
