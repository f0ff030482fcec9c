/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jscan_diff.h -- compare lib/codec/jscan.c with jansson on one text,
 * for the differential fuzz target and the unit test.
 */
#ifndef VC_JSCAN_DIFF_H
#define VC_JSCAN_DIFF_H

#include <stddef.h>

/*
 * 0 when jscan_parse() and json_loadb(JSON_REJECT_DUPLICATES |
 * JSON_DECODE_ANY) plus json_depth_exceeds(INV_MAX_DEPTH) agree on
 * buf: both refuse it, or both accept it with the same values in the
 * same order. Else -1, the disagreement printed to stderr.
 */
int	jscan_diff(const char *buf, size_t len);

#endif
