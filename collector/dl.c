/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dl.c -- a library the collector needs only for one option, loaded
 * when that option is used: libcurl for --push (push.c), libpq for a
 * PostgreSQL --db (pq.c). Each pulls in some twenty libraries whose
 * loading and relocation cost more than a scan of a large host, which
 * every run would otherwise pay, with or without the option.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "collector.h"

/* POSIX lets dlsym's void * carry a function pointer. */
int
dl_load(const char *soname, const struct dl_sym *syms, size_t nsyms,
    void *api, char *err, size_t errlen)
{
	void	*h, *sym;
	size_t	 i;

	if ((h = dlopen(soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(err, errlen, "cannot load %s: %s", soname,
		    dlerror());
		return (-1);
	}
	for (i = 0; i < nsyms; i++) {
		if ((sym = dlsym(h, syms[i].name)) == NULL) {
			snprintf(err, errlen, "%s: no %s", soname,
			    syms[i].name);
			dlclose(h);
			return (-1);
		}
		memcpy((char *)api + syms[i].offset, &sym, sizeof(sym));
	}
	return (0);
}
