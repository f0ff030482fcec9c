/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysfs.h -- bounded, suspicious reads of sysfs (and /proc) files.
 *
 * Missing files are normal (NULL, no noise). Everything else that keeps a
 * value from being trusted -- unreadable, oversize, garbage, non-UTF-8,
 * control characters, dangling links -- is NULL plus one warning naming
 * the path, so a hostile tree yields nulls instead of a bad document.
 */
#ifndef VC_SYSFS_H
#define VC_SYSFS_H

#include <stddef.h>
#include <stdint.h>

#define SYSFS_MAX_READ	(64 * 1024)
#define SYSFS_ONE_READ	4096	/* an attribute's most: a page */
#define SYSFS_PATH_MAX	4096

/* sysfs_read flags. */
#define SYSFS_MULTILINE	0x1	/* fold line breaks into ", " */
#define SYSFS_QUIET	0x2	/* no warning when the value is bad */
#define SYSFS_LINES	0x4	/* keep line breaks, check each line */
#define SYSFS_RAW	0x8	/* no text check: the caller checks */
#define SYSFS_OPTIONAL	0x10	/* usually absent: skip the dangling check */

/*
 * A directory's entry names, listed once so that absent attributes cost
 * no system call each (under umockdev every call is trapped and slow).
 * When the listing fails, sysfs_has answers yes to everything and the
 * reads themselves find out.
 */
struct sysfs_dir {
	char	**names;
	size_t	  n;
	int	  unlisted;
};
#define SYSFS_MAX_ENTRIES	4096

/* snprintf into a path buffer; -1 and a warning when it does not fit. */
int	 sysfs_path(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* dir "/" name into a path buffer, as sysfs_path(buf, size, "%s/%s", dir,
 * name) but without printf: the scan joins some 1,700 paths. */
int	 sysfs_join(char *, size_t, const char *dir, const char *name);
/* Trimmed contents as a malloc'd string, or NULL. */
char	*sysfs_read(const char *path, int flags);
/* "0x10de" -> "10de": exactly ndigits lower-case hex in out. Returns 0,
 * 1 when missing, -1 when garbage (warned). out holds ndigits + 1. */
int	 sysfs_read_hex(const char *path, size_t ndigits, char *out);
/* Decimal integer in [min, max], or INV_NULL (garbage warned). */
int64_t	 sysfs_read_int(const char *path, int64_t min, int64_t max);
/* Last component of a symlink's target as a malloc'd string, or NULL.
 * Dangling links and odd names are NULL with a warning. */
char	*sysfs_link_base(const char *path);
/* The same, but when the target's parent directory is named parent (or
 * parent is NULL) and targets lists it, membership there replaces the
 * stat(2) that proves the link is not dangling. */
char	*sysfs_link_base_in(const char *path, const char *parent,
	    const struct sysfs_dir *targets);
/* Raw symlink target (malloc'd), NULL if missing or not a link. */
/* 1 if path exists (following links), 0 if not. */
int	 sysfs_exists(const char *path);
/* 1 if path exists, even as a dangling link; 0 if not. */
int	 sysfs_lexists(const char *path);

int	 sysfs_list(const char *path, struct sysfs_dir *);
int	 sysfs_has(const struct sysfs_dir *, const char *name);
void	 sysfs_list_free(struct sysfs_dir *);

#endif
