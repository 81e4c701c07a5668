/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plugin.h - heavy libraries (libcurl, json-c, libqb) live in small plugins
 * of ours that are dlopen()ed only on the code paths that need them: every
 * library a process links is paid at every start, and monitors start every
 * few seconds on every node, forever.
 */
#ifndef PMMHA_PLUGIN_H
#define PMMHA_PLUGIN_H

#include <stddef.h>

/**
 * Loads PMMHA_PLUGINDIR/@name.so (once) and returns its symbol @sym, or NULL
 * with a reason in @why.
 */
const void *ra_plugin_sym(const char *name, const char *sym, char *why,
                          size_t len);

#endif
