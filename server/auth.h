/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auth.h -- bearer tokens and roles (SPEC section 9).
 *
 * The tokens file holds one "<sha256 hex of token> <role> <host glob>"
 * per line; blank lines and lines starting with '#' are skipped. Only
 * digests are kept in memory; a presented token is hashed and compared
 * with every entry in constant time.
 */
#ifndef VC_AUTH_H
#define VC_AUTH_H

#include "http.h"

struct auth;

enum auth_result {
	AUTH_OK,
	AUTH_UNAUTHENTICATED,	/* 401: no or unknown token */
	AUTH_FORBIDDEN		/* 403: outside role or host glob */
};

struct auth	*auth_load(const char *path);
void		 auth_free(struct auth *);
/*
 * Decide a request from its Authorization header (may be NULL), the
 * access its route needs and the host it names (NULL when none).
 */
enum auth_result auth_check(const struct auth *, const char *authorization,
		    enum http_access, const char *host);

#endif
