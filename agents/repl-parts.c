/* SPDX-License-Identifier: GPL-2.0-or-later */
/* repl-parts.c - being written */
#include "config.h"
