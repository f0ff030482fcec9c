/* SPDX-License-Identifier: Apache-2.0 */
/*
 * file.c -- bounded whole-file reads (PEM files, demo inventories).
 *
 * The cap is checked against fstat before anything is allocated, so a
 * huge or endless file costs nothing; a file that changes size while it
 * is read is reported as a short read rather than trusted.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>

#include "file.h"
#include "log.h"
#include "xmalloc.h"

char *
file_read(const char *path, size_t max, size_t *lenp)
{
	FILE		*f;
	struct stat	 sb;
	char		*buf = NULL;
	size_t		 len;

	if ((f = fopen(path, "r")) == NULL) {
		log_warn("%s", path);
		return (NULL);
	}
	if (fstat(fileno(f), &sb) == -1) {
		log_warn("%s", path);
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		log_warnx("%s: not a regular file", path);
		goto fail;
	}
	if ((unsigned long long)sb.st_size > max) {
		log_warnx("%s: larger than %zu bytes", path, max);
		goto fail;
	}
	len = (size_t)sb.st_size;
	buf = xmalloc(len + 1);
	if (fread(buf, 1, len, f) != len || fgetc(f) != EOF) {
		log_warnx("%s: changed while being read", path);
		goto fail;
	}
	buf[len] = '\0';
	fclose(f);
	if (lenp != NULL)
		*lenp = len;
	return (buf);

fail:
	free(buf);
	fclose(f);
	return (NULL);
}
