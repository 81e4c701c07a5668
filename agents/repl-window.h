/* SPDX-License-Identifier: GPL-2.0-or-later */
/* repl-window.h - being written */
#ifndef PMMHA_REPL_WINDOW_H
#define PMMHA_REPL_WINDOW_H
#endif
