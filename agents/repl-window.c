/* SPDX-License-Identifier: GPL-2.0-or-later */
/* repl-window.c - being written */
#include "config.h"
