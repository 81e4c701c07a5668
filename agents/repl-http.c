/* SPDX-License-Identifier: GPL-2.0-or-later */
/* repl-http.c - being written */
#include "config.h"
