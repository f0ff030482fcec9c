/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe.c -- vendor facts from drop-in executables (run by run.c).
 *
 * A probe prints {"<address>": {"key": "value", ...}, ...}. Values merge
 * into that device's attributes; the key "migration.flags" instead sets
 * the device's migration flags from a comma list ("stop_copy,p2p") with
 * flags_source "probe", unless the kernel's debugfs already gave them. A probe that fails, hangs, floods or prints
 * anything else is ignored as a whole, with a warning.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "model/inventory.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#include "collector.h"
#include "sysfs.h"

#define PROBE_TIMEOUT_MS	5000
#define PROBE_MAX_OUTPUT	(1024 * 1024)
#define PROBE_FLAGS_KEY		"migration.flags"

static int	 probe_open(int, const char *, const char *);
static int	 dir_trusted(int, const char *);
static int	 parse_flags(const char *, unsigned int *);
static int	 check_output(const char *, const json_t *);
static void	 apply_output(struct collect *, const char *, const json_t *);
static void	 run_probe(struct collect *, int, const char *);
static int	 trusted(const struct stat *);

static int
parse_flags(const char *list, unsigned int *flags)
{
	char		*copy, *p, *tok;
	unsigned int	 bit;
	int		 rc = 0;

	*flags = 0;
	copy = p = xstrdup(list);
	while ((tok = strsep(&p, ",")) != NULL) {
		tok = str_rtrim((char *)str_ltrim(tok));
		if (*tok == '\0')
			continue;
		if (inv_flag_parse(tok, &bit) == -1) {
			rc = -1;
			break;
		}
		*flags |= bit;
	}
	free(copy);
	return (rc);
}

/* Check the whole output before any of it is applied. */
static int
check_output(const char *path, const json_t *root)
{
	const char	*addr, *key, *s;
	const json_t	*attrs, *v;
	unsigned int	 flags;

	if (!json_is_object(root)) {
		log_warnx("%s: %s: output is not a JSON object, ignored",
		    __func__, path);
		return (-1);
	}
	json_object_foreach((json_t *)root, addr, attrs) {
		if (!str_is_device_id(addr) || !json_is_object(attrs)) {
			log_warnx("%s: %s: want {\"<address>\": {...}}, "
			    "ignored", __func__, path);
			return (-1);
		}
		if (json_object_size(attrs) > INV_MAX_ATTRS) {
			log_warnx("%s: %s: more than %u attributes, ignored",
			    __func__, path, INV_MAX_ATTRS);
			return (-1);
		}
		json_object_foreach((json_t *)attrs, key, v) {
			if (!str_is_attr_key(key) || !json_is_string(v)) {
				log_warnx("%s: %s: %s: bad attribute key or "
				    "non-string value, ignored", __func__,
				    path, addr);
				return (-1);
			}
			s = json_string_value(v);
			if (json_string_length(v) > INV_MAX_STRING ||
			    strlen(s) != json_string_length(v) ||
			    !str_is_clean_utf8(s, strlen(s))) {
				log_warnx("%s: %s: %s.%s: bad value, ignored",
				    __func__, path, addr, key);
				return (-1);
			}
			if (strcmp(key, PROBE_FLAGS_KEY) == 0 &&
			    parse_flags(s, &flags) == -1) {
				log_warnx("%s: %s: %s: unknown migration flag "
				    "in \"%s\", ignored", __func__, path, addr,
				    s);
				return (-1);
			}
		}
	}
	return (0);
}

static void
apply_output(struct collect *c, const char *path, const json_t *root)
{
	const char		*addr, *key;
	const json_t		*attrs, *v;
	struct inv_device	*d;
	unsigned int		 flags;

	json_object_foreach((json_t *)root, addr, attrs) {
		if ((d = inv_find_device(c->inv, addr)) == NULL) {
			log_warnx("%s: %s: no device %s on this host", __func__,
			    path, addr);
			continue;
		}
		json_object_foreach((json_t *)attrs, key, v) {
			if (strcmp(key, PROBE_FLAGS_KEY) != 0) {
				if (d->p->nattrs >= INV_MAX_ATTRS &&
				    inv_get_attr(d, key) == NULL) {
					log_warnx("%s: %s: %s: attribute "
					    "limit reached", __func__, path,
					    addr);
					continue;
				}
				inv_set_attr(c->inv, d, key,
				    json_string_value(v));
				continue;
			}
			/* The kernel's own word outranks a vendor's. */
			if (d->p->migration.flags_source == INV_FLAGS_KERNEL)
				continue;
			parse_flags(json_string_value(v), &flags);
			d->p->migration.flags = flags;
			d->p->migration.flags_source = INV_FLAGS_PROBE;
			/* stop_copy is what VFIO migration means. */
			if (flags & MIG_STOP_COPY)
				d->p->migration.capable = true;
		}
	}
}

static void
run_probe(struct collect *c, int fd, const char *path)
{
	char		*argv[2], *out;
	size_t		 len;
	json_t		*root;
	json_error_t	 jerr;

	argv[0] = (char *)path;
	argv[1] = NULL;
	if (run_capture_fd(fd, argv, PROBE_TIMEOUT_MS, PROBE_MAX_OUTPUT, &out,
	    &len) != 0) {
		log_warnx("%s: %s: probe failed, ignored", __func__, path);
		return;
	}
	root = json_loadb(out, len, JSON_REJECT_DUPLICATES, &jerr);
	free(out);
	if (root == NULL) {
		log_warnx("%s: %s: invalid JSON (line %d: %s), ignored",
		    __func__, path, jerr.line, jerr.text);
		return;
	}
	if (check_output(path, root) == 0)
		apply_output(c, path, root);
	json_decref(root);
}

/*
 * Probes run as the collector, usually root, so a probe anyone else
 * could have written is code execution for them: the directory and each
 * file must belong to root or to the collector's user and be writable by
 * nobody else. The file is opened once, without following a symbolic
 * link, checked on that descriptor and run from it (fexecve), so a file
 * swapped in after the check is never what runs.
 */
static int
trusted(const struct stat *st)
{
	return ((st->st_uid == 0 || st->st_uid == geteuid()) &&
	    (st->st_mode & (S_IWGRP | S_IWOTH)) == 0);
}

static int
dir_trusted(int dfd, const char *dir)
{
	struct stat	sb;

	if (fstat(dfd, &sb) == -1) {
		log_warn("%s: %s", __func__, dir);
		return (0);
	}
	if (!trusted(&sb)) {
		log_warnx("%s: %s: owned by uid %u or writable by group or "
		    "others (mode %04o); no probe run", __func__, dir,
		    (unsigned int)sb.st_uid,
		    (unsigned int)(sb.st_mode & 07777));
		return (0);
	}
	return (1);
}

/* An open descriptor of a probe fit to run, or -1 (with the reason). */
static int
probe_open(int dfd, const char *name, const char *path)
{
	struct stat	sb;
	int		fd;

	/* Not O_CLOEXEC: a script is read by its interpreter through
	 * /dev/fd after fexecve. O_NONBLOCK: a FIFO must not hang us. */
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY);
	if (fd == -1) {
		if (errno == ELOOP)
			log_warnx("%s: %s: a symbolic link, skipped", __func__,
			    path);
		else if (errno == EISDIR)
			log_warnx("%s: %s: not a regular file, skipped",
			    __func__, path);
		else
			log_warn("%s: %s", __func__, path);
		return (-1);
	}
	if (fstat(fd, &sb) == -1) {
		log_warn("%s: %s", __func__, path);
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		log_warnx("%s: %s: not a regular file, skipped", __func__,
		    path);
		goto fail;
	}
	if (!trusted(&sb)) {
		log_warnx("%s: %s: owned by uid %u or writable by group or "
		    "others (mode %04o), skipped", __func__, path,
		    (unsigned int)sb.st_uid,
		    (unsigned int)(sb.st_mode & 07777));
		goto fail;
	}
	if ((sb.st_mode & S_IXUSR) == 0 || faccessat(dfd, name, X_OK,
	    AT_EACCESS | AT_SYMLINK_NOFOLLOW) == -1) {
		log_warnx("%s: %s: not executable, skipped", __func__, path);
		goto fail;
	}
	return (fd);

fail:
	close(fd);
	return (-1);
}

int
probe_run_dir(struct collect *c, const char *dir)
{
	struct dirent	**names = NULL;
	char		  path[SYSFS_PATH_MAX];
	int		  n = 0, i, dfd, fd;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1) {
		if (errno != ENOENT)
			log_warn("%s: %s", __func__, dir);
		return (0);
	}
	if (!dir_trusted(dfd, dir))
		goto done;
	if ((n = scandirat(dfd, ".", &names, NULL, alphasort)) == -1) {
		log_warn("%s: %s", __func__, dir);
		n = 0;
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] == '.' ||
		    sysfs_path(path, sizeof(path), "%s/%s", dir,
		    names[i]->d_name) == -1)
			continue;
		if ((fd = probe_open(dfd, names[i]->d_name, path)) == -1)
			continue;
		run_probe(c, fd, path);
		close(fd);
	}
done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	close(dfd);
	return (0);
}
