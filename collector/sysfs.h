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
#define SYSFS_PATH_MAX	4096

/* sysfs_read flags. */
#define SYSFS_MULTILINE	0x1	/* fold line breaks into ", " */
#define SYSFS_QUIET	0x2	/* no warning when the value is bad */
#define SYSFS_LINES	0x4	/* keep line breaks, check each line */
#define SYSFS_RAW	0x8	/* no text check: the caller checks */

/* snprintf into a path buffer; -1 and a warning when it does not fit. */
int	 sysfs_path(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
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
/* Raw symlink target (malloc'd), NULL if missing or not a link. */
char	*sysfs_readlink(const char *path);
/* 1 if path exists (following links), 0 if not. */
int	 sysfs_exists(const char *path);

#endif
