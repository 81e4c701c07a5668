/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "plugin.h"

#ifndef PMMHA_PLUGINDIR
#error "PMMHA_PLUGINDIR must be defined by the build"
#endif

const void *
ra_plugin_sym(const char *name, const char *sym, char *why, size_t len)
{
    char path[512];
    void *h, *s;

    snprintf(path, sizeof path, "%s/%s.so", PMMHA_PLUGINDIR, name);
    /* RTLD_NOLOAD first: a second call must not open it again */
    h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    if (!h)
        h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();

        snprintf(why, len, "cannot load %s: %s", path, e ? e : "?");
        return NULL;
    }
    s = dlsym(h, sym);
    if (!s)
        snprintf(why, len, "%s has no symbol %s", path, sym);
    return s;
}
