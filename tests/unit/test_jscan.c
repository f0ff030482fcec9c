/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_jscan.c -- the scanner the inventory codec reads bodies with
 * (lib/codec/jscan.c) refuses and accepts what jansson did, and the
 * codec tells INVALID_JSON from VALIDATION_FAILED as the server did.
 *
 * Differential: every case, the fixtures and a fixed set of mutations
 * of them (bytes replaced, removed, inserted, texts cut short) go
 * through json_loadb() and jscan_parse() (tests/fuzz/jscan_diff.c),
 * which must agree on the verdict and on every value.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "../fuzz/jscan_diff.h"
#include "codec/inventory_json.h"
#include "model/inventory.h"

static void	 diff_str(const char *);
static uint32_t	 rnd(uint32_t *);
static void	 mutate(const char *, size_t, uint32_t);
static void	 expect_read(const char *, bool, const char *);

/* Texts where a JSON reader may go wrong; jansson is the reference. */
static const char *const cases[] = {
	"", " ", "{", "}", "[", "]", "[]", "{}", " {} ", "{} x", "[],",
	"null", "true", "false", "nul", "tru", "truex", "[true false]",
	"0", "-0", "01", "-", "-a", "1.", "1.5", ".5", "1e5", "1E+5",
	"1e-5", "1e", "1e+", "[1.5e308]", "[1e309]", "[-1e309]", "[1e-400]",
	"9223372036854775807", "9223372036854775808",
	"-9223372036854775808", "-9223372036854775809",
	"[99999999999999999999999]", "[1,]", "[,1]", "[1 2]",
	"{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}", "{\"a\" 1}", "{1:2}",
	"{\"a\":1,\"a\":2}", "{\"a\":1,\"b\":{\"c\":1,\"c\":2}}",
	"{\"a\":1,\"\\u0061\":2}", "{\"\":1}", "{\"\":1,\"\":2}",
	"{\"a\":[{\"x\":1},{\"x\":1}]}",
	"\"\"", "\"abc\"", "\"a\\\"b\"", "\"\\/\\\\\\b\\f\\n\\r\\t\"",
	"\"\\x\"", "\"\\u\"", "\"\\u12\"", "\"\\u12g4\"", "\"\\u0041\"",
	"\"\\u00e9\"", "\"\\u20AC\"", "\"\\uD83D\\uDE00\"", "\"\\ud83d\"",
	"\"\\udE00\"", "\"\\uD83D\\u0041\"", "\"\\uD83Dx\"", "\"\\u0000\"",
	"{\"\\u0000\":1}", "\"a\tb\"", "\"a\nb\"", "\"a\x01\"", "\"\x7f\"",
	"\"\xc3\xa9\"", "\"\xc3\"", "\"\xc0\xaf\"", "\"\xe0\x80\xaf\"",
	"\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xf0\x9f\x98\x80\"",
	"\"\xff\"", "\"\x80\"", "\"abc", "[\"a\" , \"b\"]", "\xef\xbb\xbf{}",
	"[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]", "[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]",
	"{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
	    "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}}}}}}}}}}}}",
	"{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
	    "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{}}}}}}}}}}}}}}}}}",
	"\r\n\t[ 1 ,\n 2 ]\r\n", "[1]\f", "\v[1]",
};

/* Texts with NUL bytes (json_loadb drops one after a number or a
 * literal, found by tests/fuzz/fuzz_jscan.c), their lengths. */
static const struct { const char *s; size_t len; } nul_cases[] = {
	{ "2.0\0", 4 }, { "2\0", 2 }, { "true\0", 5 }, { "[1\0]", 4 },
	{ "{\"a\":1\0}", 8 }, { "[1]\0", 4 }, { "2.0\0\0", 5 },
	{ "\"a\0\"", 4 }, { "\0", 1 }, { "[1] \0", 5 }, { "\"a\"\0", 4 },
	{ "tr\0e", 4 }, { "[null\0,1]", 10 }, { "[-\0]", 4 },
};

/* Interesting bytes and snippets for mutations. */
static const char *const snippets[] = {
	"{", "}", "[", "]", ",", ":", "\"", "\\", "0", "-", "e", ".", " ",
	"\\u0000", "\\ud800", "\\udc00", "1e999", "99999999999999999999",
	"\"x\":1,", "\x80", "\xc3", "\xed\xa0\x80", "\x01", "null", "[[[[",
	"\"schema\":1,", "\"devices\":[],", "\\\"",
};

static void
diff_str(const char *s)
{
	ck_assert_msg(jscan_diff(s, strlen(s)) == 0, "disagree on <%s>", s);
}

/* xorshift32: the same mutations on every run. */
static uint32_t
rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return (*x);
}

static void
mutate(const char *doc, size_t len, uint32_t rounds)
{
	uint32_t	 seed = 0x9e3779b9u, i;
	char		*buf = malloc(len + 64);
	size_t		 at, n, k;
	const char	*sn;

	ck_assert_ptr_nonnull(buf);
	for (i = 0; i < rounds; i++) {
		memcpy(buf, doc, len);
		n = len;
		at = rnd(&seed) % len;
		sn = snippets[rnd(&seed) % (sizeof(snippets) /
		    sizeof(snippets[0]))];
		k = strlen(sn);
		switch (rnd(&seed) % 5) {
		case 0:		/* replace a byte */
			buf[at] = sn[0];
			break;
		case 1:		/* remove a byte */
			memmove(buf + at, buf + at + 1, n - at - 1);
			n--;
			break;
		case 2:		/* insert a snippet */
			memmove(buf + at + k, buf + at, n - at);
			memcpy(buf + at, sn, k);
			n += k;
			break;
		case 3:		/* cut short */
			n = at;
			break;
		default:	/* a byte of any value */
			buf[at] = (char)(rnd(&seed) & 0xff);
			break;
		}
		ck_assert_msg(jscan_diff(buf, n) == 0, "disagree on mutation "
		    "%u of the fixture", i);
	}
	free(buf);
}

START_TEST(test_cases)
{
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		diff_str(cases[i]);
	for (i = 0; i < sizeof(nul_cases) / sizeof(nul_cases[0]); i++)
		ck_assert_msg(jscan_diff(nul_cases[i].s, nul_cases[i].len) ==
		    0, "disagree on NUL case %zu", i);
}
END_TEST

START_TEST(test_fixtures)
{
	static const char *const files[] = { "tests/unit/data/sample.json",
	    "tests/server/data/gpu-b.json", "tests/server/data/gpu-c.json" };
	char	*buf;
	size_t	 i, len;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		buf = fixture_read(files[i], &len);
		ck_assert_msg(jscan_diff(buf, len) == 0, "%s", files[i]);
		mutate(buf, len, 4000);
		free(buf);
	}
}
END_TEST

static void
expect_read(const char *s, bool not_json, const char *field)
{
	struct inv_error	 err;
	bool			 nj = !not_json;

	memset(&err, 0, sizeof(err));
	ck_assert_ptr_null(inventory_read(s, strlen(s), NULL, &nj, &err));
	ck_assert_msg(nj == not_json, "<%s>: not_json %d: %s: %s", s, nj,
	    err.field, err.message);
	ck_assert_str_eq(err.field, field);
	ck_assert(err.message[0] != '\0');
}

/* What hosts_ingest answers: INVALID_JSON (not_json) or
 * VALIDATION_FAILED, and the field, as with json_loadb before. */
START_TEST(test_read_kinds)
{
	expect_read("{", true, "(document)");
	expect_read("{\"schema\":1} x", true, "(document)");
	/* A syntax error after a bad field still makes it not JSON. */
	expect_read("{\"bogus\":1,\"x\":[1,]}", true, "(document)");
	expect_read("{\"bogus\":{\"a\":1,\"a\":2}}", true, "(document)");
	expect_read("{\"bogus\":\"\\u0000\"}", true, "(document)");
	expect_read("{\"bogus\":1e999}", true, "(document)");
	expect_read("[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]", true, "(document)");
	/* JSON, but no document. */
	expect_read("3", false, "(document)");
	expect_read("[]", false, "(document)");
	expect_read("{\"bogus\":1}", false, "bogus");
	expect_read("{\"\":1}", false, "(document)");
	expect_read("{\"schema\":\"vfio-compat/inventory/v1\"}", false,
	    "host");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("jscan");
	TCase	*tc = tcase_create("jscan");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_cases);
	tcase_add_test(tc, test_fixtures);
	tcase_add_test(tc, test_read_kinds);
	suite_add_tcase(s, tc);
	return (check_run(s));
}
