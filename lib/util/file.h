/* SPDX-License-Identifier: Apache-2.0 */
/*
 * file.h -- whole small files into memory, with a size cap.
 */
#ifndef VC_FILE_H
#define VC_FILE_H

#include <stddef.h>

/*
 * Read all of path (a regular file of at most max bytes) into a NUL-
 * terminated buffer; its length goes to *lenp when lenp is not NULL.
 * NULL on failure, after a warning that names the file and the reason.
 */
char	*file_read(const char *path, size_t max, size_t *lenp);

#endif
