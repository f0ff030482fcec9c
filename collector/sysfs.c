/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sysfs.c -- bounded reads of sysfs attributes and links.
 *
 * sysfs files are tiny, but a recorded or corrupted tree may hold
 * anything, so every read is capped and every value checked before it
 * can reach the inventory.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/inventory.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#include "sysfs.h"

static char	*sysfs_readlink(const char *);
static char	*fold_lines(char *);
static int	text_ok(const char *, int);

int
sysfs_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		log_warnx("%s: path too long", __func__);
		buf[0] = '\0';
		return (-1);
	}
	return (0);
}

int
sysfs_join(char *buf, size_t size, const char *dir, const char *name)
{
	size_t	 dlen = strlen(dir), nlen = strlen(name);

	if (dlen + 1 + nlen >= size) {
		log_warnx("%s: path too long", __func__);
		buf[0] = '\0';
		return (-1);
	}
	memcpy(buf, dir, dlen);
	buf[dlen] = '/';
	memcpy(buf + dlen + 1, name, nlen + 1);
	return (0);
}

/*
 * Turn "a\nb\n\nc" into "a, b, c" (multi-line sysfs text on one line,
 * as mdevctl shows it). Each line break becomes two bytes, so the result
 * goes to a new buffer.
 */
static char *
fold_lines(char *s)
{
	char	*out, *w, *line, *next;

	out = w = xmalloc(strlen(s) * 2 + 1);
	for (line = s; line != NULL; line = next) {
		if ((next = strpbrk(line, "\r\n")) != NULL)
			*next++ = '\0';
		line = str_rtrim((char *)str_ltrim(line));
		if (*line == '\0')
			continue;
		if (w != out) {
			*w++ = ',';
			*w++ = ' ';
		}
		memcpy(w, line, strlen(line));
		w += strlen(line);
	}
	*w = '\0';
	free(s);
	return (out);
}

/* Clean UTF-8 without control characters; per line for SYSFS_LINES. */
static int
text_ok(const char *s, int flags)
{
	const char	*nl;
	size_t		 len;

	if (!(flags & SYSFS_LINES))
		return (strlen(s) <= INV_MAX_STRING &&
		    str_is_clean_utf8(s, strlen(s)));
	for (;;) {
		nl = strchr(s, '\n');
		len = nl == NULL ? strlen(s) : (size_t)(nl - s);
		if (len > 0 && s[len - 1] == '\r')
			len--;
		if (len > INV_MAX_STRING || !str_is_clean_utf8(s, len))
			return (0);
		if (nl == NULL)
			return (1);
		s = nl + 1;
	}
}

/*
 * One open and one read for an attribute: sysfs hands out an attribute
 * (at most a page) in one read, so a short read that returned something
 * is the whole of a regular file. Only an empty, failed or full read asks
 * fstat(2) what the file is, which is when a FIFO (empty, O_NONBLOCK), a
 * device (full or empty) or a directory (EISDIR) shows itself.
 */
char *
sysfs_read(const char *path, int flags)
{
	struct stat	 sb;
	char		 first[SYSFS_ONE_READ + 1], *buf = NULL;
	size_t		 len = 0, want;
	ssize_t		 n;
	int		 fd, rerrno;

	/* O_NONBLOCK: a FIFO planted where an attribute belongs must not
	 * block the open; it is then refused as not a regular file. */
	errno = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1) {
		if (errno == ENOENT && !(flags & SYSFS_OPTIONAL) &&
		    lstat(path, &sb) == 0)
			log_warnx("%s: %s: dangling link", __func__, path);
		else if (errno != ENOENT && errno != ENOTDIR)
			log_warn("%s: %s", __func__, path);
		return (NULL);
	}
	while ((n = read(fd, first, sizeof(first))) == -1 && errno == EINTR)
		;
	if (n > 0 && (size_t)n < sizeof(first)) {
		len = (size_t)n;
		buf = xmalloc(len + 1);
		memcpy(buf, first, len);
		goto done;
	}
	rerrno = n == -1 ? errno : 0;
	errno = 0;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		if (errno == 0 && S_ISDIR(sb.st_mode))
			errno = EISDIR;
		if (errno != 0)
			log_warn("%s: %s", __func__, path);
		else
			log_warnx("%s: %s: not a regular file", __func__,
			    path);
		goto fail;
	}
	if ((errno = rerrno) != 0) {
		/* Write-only or vanished attributes are not data. */
		if (errno != ENODEV && errno != ENXIO)
			log_warn("%s: %s", __func__, path);
		goto fail;
	}
	buf = xmalloc(SYSFS_MAX_READ + 1);
	memcpy(buf, first, (size_t)n);
	len = (size_t)n;
	/* Full: a regular file larger than an attribute. The rest of the
	 * cap in one more read; a file hands out up to its end, so filling
	 * it means too large. */
	if (n > 0) {
		want = SYSFS_MAX_READ + 1 - len;
		while ((n = read(fd, buf + len, want)) == -1 && errno == EINTR)
			;
		if (n == -1) {
			log_warn("%s: %s", __func__, path);
			goto fail;
		}
		len += (size_t)n;
		if (len > SYSFS_MAX_READ) {
			log_warnx("%s: %s: larger than %u bytes", __func__,
			    path, SYSFS_MAX_READ);
			goto fail;
		}
	}
done:
	close(fd);
	fd = -1;
	buf[len] = '\0';
	if (strlen(buf) != len) {
		if (!(flags & SYSFS_QUIET))
			log_warnx("%s: %s: contains NUL bytes", __func__, path);
		goto fail;
	}
	str_rtrim(buf);
	if (flags & SYSFS_MULTILINE)
		buf = fold_lines(buf);
	if (!(flags & SYSFS_RAW) && !text_ok(buf, flags)) {
		if (!(flags & SYSFS_QUIET))
			log_warnx("%s: %s: not clean UTF-8 text", __func__,
			    path);
		goto fail;
	}
	return (buf);

fail:
	if (fd != -1)
		close(fd);
	free(buf);
	return (NULL);
}

int
sysfs_read_hex(const char *path, size_t ndigits, char *out)
{
	struct stat	 sb;
	char		*s, *p;
	size_t		 len, i;

	out[0] = '\0';
	if ((s = sysfs_read(path, 0)) == NULL)
		return (lstat(path, &sb) == 0 ? -1 : 1);
	p = s;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	len = strlen(p);
	if (len == 0 || len > ndigits)
		goto bad;
	for (i = 0; i < len; i++) {
		if (p[i] >= 'A' && p[i] <= 'F')
			p[i] = p[i] - 'A' + 'a';
		if (!((p[i] >= '0' && p[i] <= '9') ||
		    (p[i] >= 'a' && p[i] <= 'f')))
			goto bad;
	}
	/* Zero-pad: the kernel prints class as 0x030200 but be lenient. */
	memset(out, '0', ndigits - len);
	memcpy(out + ndigits - len, p, len + 1);
	free(s);
	return (0);

bad:
	log_warnx("%s: %s: not a %zu-digit hex number", __func__, path,
	    ndigits);
	free(s);
	return (-1);
}

int64_t
sysfs_read_int(const char *path, int64_t min, int64_t max)
{
	const char	*errstr;
	char		*s;
	long long	 v;

	if ((s = sysfs_read(path, 0)) == NULL)
		return (INV_NULL);
	v = vc_strtonum(s, min, max, &errstr);
	if (errstr != NULL) {
		log_warnx("%s: %s: number is %s", __func__, path, errstr);
		free(s);
		return (INV_NULL);
	}
	free(s);
	return (v);
}

static char *
sysfs_readlink(const char *path)
{
	char	 buf[SYSFS_PATH_MAX];
	ssize_t	 n;

	if ((n = readlink(path, buf, sizeof(buf) - 1)) == -1) {
		if (errno == EINVAL)
			log_warnx("%s: %s: not a symbolic link", __func__,
			    path);
		else if (errno != ENOENT && errno != ENOTDIR)
			log_warn("%s: %s", __func__, path);
		return (NULL);
	}
	buf[n] = '\0';
	return (xstrdup(buf));
}

char *
sysfs_link_base(const char *path)
{
	return (sysfs_link_base_in(path, NULL, NULL));
}

char *
sysfs_link_base_in(const char *path, const char *parent,
    const struct sysfs_dir *targets)
{
	char		*target, *base, *out, *up;
	struct stat	 sb;
	int		 dangling;

	if ((target = sysfs_readlink(path)) == NULL)
		return (NULL);
	str_rtrim(target);
	while (strlen(target) > 1 && target[strlen(target) - 1] == '/')
		target[strlen(target) - 1] = '\0';
	base = strrchr(target, '/');
	base = base == NULL ? target : base + 1;
	if (*base == '\0' || !str_is_device_id(base)) {
		log_warnx("%s: %s: odd link target", __func__, path);
		free(target);
		return (NULL);
	}
	up = NULL;
	if (parent != NULL && base > target + 1) {
		base[-1] = '\0';
		up = strrchr(target, '/');
		up = up == NULL ? target : up + 1;
	}
	if (targets != NULL && !targets->unlisted &&
	    (parent == NULL || (up != NULL && strcmp(up, parent) == 0)))
		dangling = !sysfs_has(targets, base);
	else
		dangling = stat(path, &sb) == -1;
	if (up != NULL)
		base[-1] = '/';
	if (dangling) {
		log_warnx("%s: %s: dangling link to %s", __func__, path,
		    str_is_clean_utf8(target, strlen(target)) ? target : "?");
		free(target);
		return (NULL);
	}
	out = xstrdup(base);
	free(target);
	return (out);
}

static int
cmp_name(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

int
sysfs_list(const char *path, struct sysfs_dir *sd)
{
	DIR		*dp;
	struct dirent	*de;
	size_t		 cap = 0;

	memset(sd, 0, sizeof(*sd));
	if ((dp = opendir(path)) == NULL) {
		if (errno != ENOENT && errno != ENOTDIR)
			log_warn("%s: %s", __func__, path);
		sd->unlisted = 1;
		return (-1);
	}
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (sd->n >= SYSFS_MAX_ENTRIES) {
			log_warnx("%s: %s: more than %d entries", __func__,
			    path, SYSFS_MAX_ENTRIES);
			break;
		}
		if (sd->n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			sd->names = xreallocarray(sd->names, cap,
			    sizeof(*sd->names));
		}
		sd->names[sd->n++] = xstrdup(de->d_name);
	}
	closedir(dp);
	if (sd->n > 0)
		qsort(sd->names, sd->n, sizeof(*sd->names), cmp_name);
	return (0);
}

int
sysfs_has(const struct sysfs_dir *sd, const char *name)
{
	if (sd->unlisted)
		return (1);
	if (sd->n == 0)
		return (0);
	return (bsearch(&name, sd->names, sd->n, sizeof(*sd->names),
	    cmp_name) != NULL);
}

void
sysfs_list_free(struct sysfs_dir *sd)
{
	size_t	 i;

	for (i = 0; i < sd->n; i++)
		free(sd->names[i]);
	free(sd->names);
	memset(sd, 0, sizeof(*sd));
}

int
sysfs_lexists(const char *path)
{
	struct stat	 sb;

	return (lstat(path, &sb) == 0);
}

int
sysfs_exists(const char *path)
{
	struct stat	 sb;

	return (stat(path, &sb) == 0);
}
