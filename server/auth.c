/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth.c -- bearer tokens from the tokens file, roles and host globs.
 *
 * The file never holds a token, only its SHA-256; a presented token is
 * hashed and compared with every entry without an early exit, so the
 * time taken says nothing about which digest came close. The token and
 * its digest are wiped from the stack after use.
 *
 * Host globs restrict collectors only: a collector may write the hosts
 * its glob matches. Readers and admins see the whole fleet (a list, a
 * check against every host), so their lines must say "*"; a narrower
 * glob would only have looked like a restriction. The file itself must
 * be a regular file nobody but its owner can write, and a digest may
 * appear once: a line that a second role could shadow is refused.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "auth.h"
#include "util/digest.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#define AUTH_MAX_ENTRIES	4096
#define AUTH_MAX_TOKEN		512
#define AUTH_MAX_GLOB		255

enum auth_role {
	ROLE_COLLECTOR,
	ROLE_READER,
	ROLE_ADMIN
};

static const char *const role_names[] = { "collector", "reader", "admin" };

struct auth_entry {
	char		digest[SHA256_HEX_LEN + 1];
	enum auth_role	role;
	char		glob[AUTH_MAX_GLOB + 1];
};

struct auth {
	struct auth_entry	*entries;
	size_t			 n;
};

static int	parse_line(char *, struct auth_entry *, const char **);
static int	role_allows(enum auth_role, enum http_access);
static FILE	*open_tokens(const char *);
static int	digest_cmp(const void *, const void *);
static int	check_duplicates(const struct auth *, const char *);

static int
parse_line(char *line, struct auth_entry *e, const char **why)
{
	char	*digest, *role, *glob, *extra, *save = NULL;

	digest = strtok_r(line, " \t", &save);
	role = strtok_r(NULL, " \t", &save);
	glob = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (digest == NULL || role == NULL || glob == NULL || extra != NULL) {
		*why = "expected <sha256 hex> <role> <host glob>";
		return (-1);
	}
	if (!str_is_lhex(digest, SHA256_HEX_LEN)) {
		*why = "the digest must be 64 lower-case hex digits";
		return (-1);
	}
	if (strcmp(role, "collector") == 0)
		e->role = ROLE_COLLECTOR;
	else if (strcmp(role, "reader") == 0)
		e->role = ROLE_READER;
	else if (strcmp(role, "admin") == 0)
		e->role = ROLE_ADMIN;
	else {
		*why = "the role must be collector, reader or admin";
		return (-1);
	}
	if (strlen(glob) > AUTH_MAX_GLOB) {
		*why = "the host glob is too long";
		return (-1);
	}
	if (e->role != ROLE_COLLECTOR && strcmp(glob, "*") != 0) {
		*why = "reader and admin tokens see every host: their glob "
		    "must be \"*\" (globs restrict collectors only)";
		return (-1);
	}
	memcpy(e->digest, digest, SHA256_HEX_LEN + 1);
	snprintf(e->glob, sizeof(e->glob), "%s", glob);
	return (0);
}

struct auth *
auth_load(const char *path)
{
	struct auth	*a;
	FILE		*f;
	char		*line = NULL;
	size_t		 cap = 0, lineno = 0;
	ssize_t		 len;
	const char	*why;
	char		*p;

	if ((f = open_tokens(path)) == NULL)
		return (NULL);
	a = xcalloc(1, sizeof(*a));
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (strlen(line) != (size_t)len) {
			log_warnx("%s: %s:%zu: a NUL byte inside the line",
			    __func__, path, lineno);
			goto fail;
		}
		str_rtrim(line);
		p = (char *)str_ltrim(line);
		if (*p == '\0' || *p == '#')
			continue;
		if (a->n >= AUTH_MAX_ENTRIES) {
			log_warnx("%s: %s: more than %d tokens", __func__, path,
			    AUTH_MAX_ENTRIES);
			goto fail;
		}
		a->entries = xreallocarray(a->entries, a->n + 1,
		    sizeof(*a->entries));
		if (parse_line(p, &a->entries[a->n], &why) == -1) {
			log_warnx("%s: %s:%zu: %s", __func__, path, lineno,
			    why);
			goto fail;
		}
		a->n++;
	}
	if (ferror(f)) {
		log_warn("%s: %s", __func__, path);
		goto fail;
	}
	if (a->n == 0) {
		log_warnx("%s: %s: no tokens", __func__, path);
		goto fail;
	}
	if (check_duplicates(a, path) == -1)
		goto fail;
	if (line != NULL)
		explicit_bzero(line, cap);
	free(line);
	fclose(f);
	return (a);

fail:
	if (line != NULL)
		explicit_bzero(line, cap);
	free(line);
	fclose(f);
	auth_free(a);
	return (NULL);
}

/* Opened without blocking (a FIFO would hang the start), then refused
 * unless it is a regular file that only its owner may write. */
static FILE *
open_tokens(const char *path)
{
	struct stat	 st;
	FILE		*f;
	int		 fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		log_warn("%s: %s", __func__, path);
		return (NULL);
	}
	if (fstat(fd, &st) == -1) {
		log_warn("%s: %s", __func__, path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		log_warnx("%s: %s: not a regular file", __func__, path);
		goto fail;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		log_warnx("%s: %s: writable by group or others (mode %04o); "
		    "chmod go-w it", __func__, path,
		    (unsigned int)(st.st_mode & 07777));
		goto fail;
	}
	if (fcntl(fd, F_SETFL, 0) == -1 || (f = fdopen(fd, "r")) == NULL) {
		log_warn("%s: %s", __func__, path);
		goto fail;
	}
	return (f);

fail:
	close(fd);
	return (NULL);
}

static int
digest_cmp(const void *a, const void *b)
{
	const struct auth_entry	*x = *(const struct auth_entry *const *)a;
	const struct auth_entry	*y = *(const struct auth_entry *const *)b;

	return (memcmp(x->digest, y->digest, SHA256_HEX_LEN));
}

/* A digest twice, with one role or two, is a mistake the first match
 * would hide: refused, sorted so that 4,096 lines stay cheap. */
static int
check_duplicates(const struct auth *a, const char *path)
{
	const struct auth_entry	**v;
	size_t			  i;
	int			  rv = 0;

	v = xreallocarray(NULL, a->n, sizeof(*v));
	for (i = 0; i < a->n; i++)
		v[i] = &a->entries[i];
	qsort(v, a->n, sizeof(*v), digest_cmp);
	for (i = 1; i < a->n; i++) {
		if (digest_cmp(&v[i - 1], &v[i]) == 0) {
			log_warnx("%s: %s: a digest appears more than once "
			    "(as %s and as %s)", __func__, path,
			    role_names[v[i - 1]->role], role_names[v[i]->role]);
			rv = -1;
			break;
		}
	}
	free(v);
	return (rv);
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	if (a->entries != NULL)
		explicit_bzero(a->entries, a->n * sizeof(*a->entries));
	free(a->entries);
	free(a);
}

static int
role_allows(enum auth_role role, enum http_access access)
{
	switch (access) {
	case ACCESS_OPEN:
		return (1);
	case ACCESS_READ:
		return (role == ROLE_READER || role == ROLE_ADMIN);
	case ACCESS_WRITE:
		return (role == ROLE_COLLECTOR || role == ROLE_ADMIN);
	case ACCESS_ADMIN:
		return (role == ROLE_ADMIN);
	}
	return (0);
}

enum auth_result
auth_check(const struct auth *a, const char *authorization,
    enum http_access access, const char *host)
{
	char			 token[AUTH_MAX_TOKEN + 1];
	char			 digest[SHA256_HEX_LEN + 1];
	const struct auth_entry	*match = NULL;
	const char		*p;
	size_t			 i, len;
	enum auth_result	 res = AUTH_UNAUTHENTICATED;

	if (authorization == NULL ||
	    strncasecmp(authorization, "Bearer ", 7) != 0)
		return (AUTH_UNAUTHENTICATED);
	p = authorization + 7;
	while (*p == ' ')
		p++;
	len = strlen(p);
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	if (len == 0 || len > AUTH_MAX_TOKEN)
		return (AUTH_UNAUTHENTICATED);
	memcpy(token, p, len);
	token[len] = '\0';
	if (sha256_hex(token, len, digest) == -1)
		goto done;
	for (i = 0; i < a->n; i++) {
		if (timingsafe_memeq(digest, a->entries[i].digest,
		    SHA256_HEX_LEN) && match == NULL)
			match = &a->entries[i];
	}
	if (match == NULL)
		goto done;
	res = AUTH_FORBIDDEN;
	if (!role_allows(match->role, access))
		goto done;
	if (host != NULL && fnmatch(match->glob, host, 0) != 0)
		goto done;
	res = AUTH_OK;

done:
	explicit_bzero(token, sizeof(token));
	explicit_bzero(digest, sizeof(digest));
	return (res);
}
