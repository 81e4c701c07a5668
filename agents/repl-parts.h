/* SPDX-License-Identifier: GPL-2.0-or-later */
/* repl-parts.h - being written */
#ifndef PMMHA_REPL_PARTS_H
#define PMMHA_REPL_PARTS_H
#endif
