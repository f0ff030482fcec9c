/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fingerprint.h -- what a raw inventory body is, but for its
 * collected_at, without parsing it.
 *
 * A collector's heartbeat is the previous report's text with a new
 * collected_at (collector/watch.c). The server keeps each host's
 * fingerprint, so that a body whose fingerprint matches is known to be
 * the validated document it took before with another collected_at, and
 * needs no parse: only that value is checked. The scan finds the
 * top-level member by the JSON grammar (strings, escapes, nesting), not
 * by searching for its text.
 */
#ifndef VC_FINGERPRINT_H
#define VC_FINGERPRINT_H

#include <stddef.h>

#include "util/digest.h"

/* Longest collected_at value copied out (a timestamp has 20 bytes). */
#define INV_FP_TIME_MAX	32

/*
 * When buf is one JSON object with exactly one top-level "collected_at"
 * member (the key spelled without escapes) whose value is a string
 * without escapes of fewer than INV_FP_TIME_MAX bytes: 0, that value
 * NUL-terminated in at, and in hash the SHA-256 of buf with the value
 * cut out at its offset (sha256_cut). Else -1: the body has no
 * fingerprint and is parsed in full. Two bodies with equal hashes are
 * byte for byte the same outside that one string.
 */
int	inv_fingerprint(const char *buf, size_t len,
	    unsigned char hash[SHA256_LEN], char at[INV_FP_TIME_MAX]);

#endif
