/* SPDX-License-Identifier: GPL-2.0-or-later */
/* repl-order.c - being written */
#include "config.h"
