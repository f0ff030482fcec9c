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
 * by searching for its text. A body whose collected_at is expected at
 * a known offset is hashed there without the scan (inv_fingerprint_at).
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
 * NUL-terminated in at, in hash the SHA-256 of buf with the value cut
 * out at its offset (sha256_cut), and in *cut that offset (the value's
 * opening quote). Else -1: the body has no fingerprint and is parsed in
 * full. Two bodies with equal hashes are byte for byte the same outside
 * that one string.
 */
int	inv_fingerprint(const char *buf, size_t len,
	    unsigned char hash[SHA256_LEN], char at[INV_FP_TIME_MAX],
	    size_t *cut);
/* inv_fingerprint()'s scan alone: 0 and *cut, or -1. */
int	inv_fingerprint_cut(const char *buf, size_t len, size_t *cut);
/*
 * inv_fingerprint()'s hash and at for a collected_at value taken to
 * start at cut, without the scan: 0 when buf[cut] is '"' and the next
 * '"' closes a string without '\' of fewer than INV_FP_TIME_MAX bytes,
 * else -1. The hash says nothing about buf's structure by itself, but
 * it covers cut: equal to the fingerprint of a body that had its one
 * top-level collected_at at cut, it proves buf is that body with
 * another such string there, which is what the scan would have found
 * (a heartbeat is checked at its host's last offset for the price of
 * the hash alone).
 */
int	inv_fingerprint_at(const char *buf, size_t len, size_t cut,
	    unsigned char hash[SHA256_LEN], char at[INV_FP_TIME_MAX]);

#endif
