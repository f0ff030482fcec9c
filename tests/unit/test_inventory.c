/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_inventory.c -- the v1 codec: round trips, determinism, and that
 * every kind of bad field is rejected with its path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_util.h"
#include <jansson.h>

#include "model/inventory.h"
#include "codec/fingerprint.h"
#include "codec/inventory_json.h"
#include "util/digest.h"
#include "util/sha256_lanes.h"
#include "util/strpool.h"
#include "util/strutil.h"

static char	*read_sample(size_t *);
static json_t	*sample_json(void);
static void	 expect_reject(json_t *, const char *);

static char *
read_sample(size_t *lenp)
{
	return (fixture_read("tests/unit/data/sample.json", lenp));
}

static json_t *
sample_json(void)
{
	size_t	 len;
	char	*buf = read_sample(&len);
	json_t	*j = json_loadb(buf, len, 0, NULL);

	free(buf);
	ck_assert(j != NULL);
	return (j);
}

/* Parse a mutated document and require rejection naming field. */
static void
expect_reject(json_t *doc, const char *field)
{
	struct inv_error	 err;
	struct inventory	*inv;
	char			*s = json_dumps(doc, JSON_COMPACT);

	memset(&err, 0, sizeof(err));
	inv = inventory_parse(s, strlen(s), NULL, &err);
	ck_assert_msg(inv == NULL, "accepted a document with bad %s", field);
	ck_assert_str_eq(err.field, field);
	ck_assert(err.message[0] != '\0');
	free(s);
	json_decref(doc);
}

START_TEST(test_roundtrip)
{
	size_t			 len;
	char			*buf = read_sample(&len), *out, *out2;
	struct inv_error	 err;
	struct inventory	*inv, *inv2;
	json_t			*a, *b;

	inv = inventory_parse(buf, len, NULL, &err);
	ck_assert_msg(inv != NULL, "%s: %s", err.field, err.message);
	ck_assert_uint_eq(inv->ndevices, 2);
	ck_assert_uint_eq(inv->devices[0].p->ntypes, 2);
	ck_assert_int_eq(inv->devices[0].avail[0], 15);
	ck_assert_int_eq(inv->devices[1].numa_node, INV_NULL);
	ck_assert_uint_eq(inv->devices[1].p->migration.flags, MIG_ALL_FLAGS);
	ck_assert_str_eq(inv_get_attr(&inv->devices[0], "nvidia.ecc"),
	    "enabled");
	ck_assert_int_eq(inv->platform.iommufd, INV_TRI_TRUE);
	ck_assert(inv->platform.libvirt_version == NULL);

	/* Printing is a fixed point and equal to the input as JSON. */
	inventory_sort(inv);
	out = inventory_dump(inv, true);
	inv2 = inventory_parse(out, strlen(out), NULL, &err);
	ck_assert(inv2 != NULL);
	out2 = inventory_dump(inv2, true);
	ck_assert_str_eq(out, out2);
	a = json_loads(buf, 0, NULL);
	b = json_loads(out, 0, NULL);
	ck_assert(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	free(out);
	free(out2);
	inventory_free(inv);
	inventory_free(inv2);
	free(buf);
}
END_TEST

/* A v1 document (no v1.1 fields) is still valid: its facts read null. */
START_TEST(test_v1_document)
{
	struct inv_error	 err;
	struct inventory	*inv;
	json_t			*d = sample_json(), *vm;
	char			*s;

	json_object_del(json_object_get(d, "platform"),
	    "iommu_dirty_tracking");
	vm = json_array_get(json_object_get(d, "vms"), 0);
	json_object_del(vm, "complete");
	json_object_del(vm, "qemu_version");
	json_object_del(vm, "backend");
	json_object_del(vm, "viommu");
	json_object_del(vm, "ram_shared");
	json_object_set_new(d, "host", json_string("Compute_01.Example.ORG"));
	s = json_dumps(d, JSON_COMPACT);
	inv = inventory_parse(s, strlen(s), NULL, &err);
	ck_assert_msg(inv != NULL, "%s: %s", err.field, err.message);
	ck_assert_str_eq(inv->host, "compute_01.example.org");
	ck_assert_int_eq(inv->platform.iommu_dirty_tracking, INV_TRI_NULL);
	ck_assert_int_eq(inv->vms[0].complete, INV_TRI_NULL);
	ck_assert_int_eq(inv->vms[0].viommu, INV_TRI_NULL);
	ck_assert_int_eq(inv->vms[0].ram_shared, INV_TRI_NULL);
	ck_assert_int_eq(inv->vms[0].backend, INV_BACKEND_NULL);
	ck_assert(inv->vms[0].qemu_version == NULL);
	inventory_free(inv);
	free(s);
	json_decref(d);
}
END_TEST

/* One print gives the stored document and its digest, and both are
 * what inventory_dump() and inventory_digest() say. */
START_TEST(test_encode)
{
	struct inv_error	 err;
	struct inventory	*inv;
	size_t			 len, dlen;
	char			*buf, *doc, *dump, d1[65], d2[65];

	buf = read_sample(&len);
	inv = inventory_parse(buf, len, NULL, &err);
	ck_assert(inv != NULL);
	inventory_sort(inv);
	ck_assert_int_eq(inventory_encode(inv, &doc, &dlen, d1), 0);
	dump = inventory_dump(inv, false);
	ck_assert_str_eq(doc, dump);
	ck_assert_uint_eq(dlen, strlen(dump));
	ck_assert_int_eq(inventory_digest(inv, d2), 0);
	ck_assert_str_eq(d1, d2);
	/* A null collected_at still has a digest, the same text's. */
	inv->collected_at = NULL;
	ck_assert_int_eq(inventory_digest(inv, d2), 0);
	ck_assert_str_eq(d1, d2);
	free(doc);
	free(dump);
	inventory_free(inv);
	free(buf);
}
END_TEST

/* inventory_encode() against what jansson prints from the same model,
 * the form every stored digest was made of: doc and digest alike. */
static void
same_as_jansson(const struct inventory *inv)
{
	json_t	*o;
	char	*doc, *want, d[65], wd[65];
	size_t	 len;

	ck_assert_int_eq(inventory_encode(inv, &doc, &len, d), 0);
	o = inventory_to_json(inv);
	want = json_dumps(o, JSON_COMPACT);
	ck_assert_str_eq(doc, want);
	ck_assert_uint_eq(len, strlen(want));
	free(want);
	json_object_del(o, "collected_at");
	want = json_dumps(o, JSON_COMPACT);
	ck_assert_int_eq(sha256_hex(want, strlen(want), wd), 0);
	ck_assert_str_eq(d, wd);
	free(want);
	json_decref(o);
	free(doc);
}

START_TEST(test_encode_like_jansson)
{
	static const char *const files[] = { "tests/unit/data/sample.json",
	    "tests/server/data/gpu-b.json", "tests/server/data/gpu-c.json",
	    "deploy/demo/gpu-a1.json", "deploy/demo/gpu-a2.json",
	    "tests/unit/data/engine/cpr-ok.json" };
	struct inv_error	 err;
	struct inventory	*inv;
	struct inv_device	*d;
	struct inv_type		*t;
	struct inv_vm		*vm;
	size_t			 i, len;
	char			*buf;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		buf = fixture_read(files[i], &len);
		inv = inventory_parse(buf, len, NULL, &err);
		ck_assert_msg(inv != NULL, "%s: %s", files[i], err.message);
		inventory_sort(inv);
		same_as_jansson(inv);
		inventory_free(inv);
		free(buf);
	}
	/* What a collector may build: every escape, UTF-8, a string that
	 * is not UTF-8 (jansson leaves the member out), nulls, negatives. */
	inv = inventory_new(NULL);
	inv->host = "h\"q\\b\x01\x1f\x7f/";
	inv->collector_version = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80";
	inv->platform.kernel_release = "bad \xc3\x28";
	inv->platform.iommufd = INV_TRI_TRUE;
	d = inv_add_device(inv);
	d->address = "0000:01:00.0";
	d->p->driver = "tab\there\nnl\rcr\bbs\fff";
	d->p->device_name = "\xed\xa0\x80 surrogate";
	d->iommu_group = -7;
	d->numa_node = INT32_MAX;
	d->p->migration.capable = true;
	d->p->migration.flags = MIG_STOP_COPY | MIG_DIRTY_TRACKING;
	d->p->migration.flags_source = INV_FLAGS_KERNEL;
	d->p->migration.version = "v\"1";
	d->p->types_truncated = true;
	inv_set_attr(inv, d, "z.key", "last");
	inv_set_attr(inv, d, "a.key", "fi\"rst");
	t = inv_add_type(inv, d);
	t->id = "nvidia-1";
	t->kind = INV_KIND_NVIDIA_VGPU;
	inv_set_avail(d, t, 0);
	vm = inv_add_vm(inv);
	vm->uuid = "6f3b0000-0000-4000-8000-000000000000";
	vm->complete = INV_TRI_FALSE;
	vm->backend = INV_BACKEND_IOMMUFD;
	inv_vm_add_device(inv, vm, "0000:01:00.0");
	inv_vm_add_device(inv, vm, "\xff");
	inv_add_instance(inv)->id = "i";
	same_as_jansson(inv);
	inv->collected_at = "2026-11-22T10:00:00Z";
	same_as_jansson(inv);
	inv->collected_at = "\xc3";
	same_as_jansson(inv);
	inventory_free(inv);
}
END_TEST

START_TEST(test_digest_ignores_collected_at)
{
	size_t			 len;
	char			*buf = read_sample(&len);
	char			 d1[65], d2[65], d3[65];
	struct inventory	*inv = inventory_parse(buf, len, NULL, NULL);

	ck_assert(inv != NULL);
	ck_assert_int_eq(inventory_digest(inv, d1), 0);
	inv->collected_at = "2030-01-01T00:00:00Z";
	ck_assert_int_eq(inventory_digest(inv, d2), 0);
	ck_assert_str_eq(d1, d2);
	inv->devices[0].avail[0] = 14;
	ck_assert_int_eq(inventory_digest(inv, d3), 0);
	ck_assert_str_ne(d1, d3);
	inventory_free(inv);
	free(buf);
}
END_TEST

START_TEST(test_pool_interns)
{
	size_t			 len;
	char			*buf = read_sample(&len);
	struct strpool		*pool = strpool_new();
	struct inventory	*a = inventory_parse(buf, len, pool, NULL);
	struct inventory	*b = inventory_parse(buf, len, pool, NULL);

	ck_assert(a != NULL && b != NULL);
	/* Repeating strings are shared; unique ones (uuids) are not. */
	ck_assert_ptr_eq(a->devices[0].p->types[0].name,
	    b->devices[0].p->types[0].name);
	ck_assert_ptr_eq(a->devices[0].p->driver_version,
	    b->devices[0].p->driver_version);
	ck_assert_ptr_ne(a->vms[0].uuid, b->vms[0].uuid);
	inventory_free(a);
	inventory_free(b);
	strpool_free(pool);
	free(buf);
}
END_TEST

START_TEST(test_reject_fields)
{
	json_t	*d, *dev, *t;

	d = sample_json();
	json_object_set_new(d, "surprise", json_true());
	expect_reject(d, "surprise");

	d = sample_json();
	json_object_set_new(d, "schema", json_string("vfio-compat/v2"));
	expect_reject(d, "schema");

	d = sample_json();
	json_object_set_new(d, "host", json_string("Bad_Host!"));
	expect_reject(d, "host");

	d = sample_json();
	json_object_set_new(json_array_get(json_object_get(d, "vms"), 0),
	    "backend", json_string("vhost"));
	expect_reject(d, "vms[0].backend");

	d = sample_json();
	json_object_set_new(json_array_get(json_object_get(d, "vms"), 0),
	    "complete", json_string("yes"));
	expect_reject(d, "vms[0].complete");

	d = sample_json();
	json_object_set_new(json_object_get(d, "platform"),
	    "iommu_dirty_tracking", json_integer(1));
	expect_reject(d, "platform.iommu_dirty_tracking");

	d = sample_json();
	json_object_del(d, "collected_at");
	expect_reject(d, "collected_at");

	d = sample_json();
	json_object_set_new(d, "collected_at", json_string("yesterday"));
	expect_reject(d, "collected_at");

	d = sample_json();
	json_object_set_new(json_object_get(d, "platform"), "iommufd",
	    json_string("yes"));
	expect_reject(d, "platform.iommufd");

	d = sample_json();
	json_object_set_new(d, "devices", json_object());
	expect_reject(d, "devices");

	d = sample_json();
	dev = json_array_get(json_object_get(d, "devices"), 1);
	json_object_set_new(dev, "vendor_id", json_string("15B3"));
	expect_reject(d, "devices[1].vendor_id");

	d = sample_json();
	dev = json_array_get(json_object_get(d, "devices"), 1);
	json_object_set_new(dev, "vendor_id", json_string("0x15b3"));
	expect_reject(d, "devices[1].vendor_id");

	d = sample_json();
	dev = json_array_get(json_object_get(d, "devices"), 0);
	json_object_set_new(dev, "class", json_string("0302"));
	expect_reject(d, "devices[0].class");

	d = sample_json();
	dev = json_array_get(json_object_get(d, "devices"), 0);
	json_object_set_new(dev, "address", json_string("3b:00.0 x"));
	expect_reject(d, "devices[0].address");

	d = sample_json();
	dev = json_array_get(json_object_get(d, "devices"), 1);
	json_object_set_new(dev, "physfn", json_string("5e:00.0"));
	expect_reject(d, "devices[1].physfn");

	d = sample_json();
	dev = json_array_get(json_object_get(d, "devices"), 0);
	json_object_set_new(dev, "iommu_group", json_string("42"));
	expect_reject(d, "devices[0].iommu_group");

	d = sample_json();
	dev = json_array_get(json_object_get(d, "devices"), 0);
	json_object_set_new(dev, "iommu_group", json_integer(-3));
	expect_reject(d, "devices[0].iommu_group");

	d = sample_json();
	dev = json_array_get(json_object_get(d, "devices"), 0);
	json_object_set_new(json_object_get(dev, "migration"), "flags",
	    json_pack("[s]", "teleport"));
	expect_reject(d, "devices[0].migration.flags[0]");

	d = sample_json();
	dev = json_array_get(json_object_get(d, "devices"), 1);
	json_object_set_new(json_object_get(dev, "migration"), "flags_source",
	    json_string("none"));
	expect_reject(d, "devices[1].migration.flags_source");

	d = sample_json();
	dev = json_array_get(json_object_get(d, "devices"), 0);
	t = json_array_get(json_object_get(dev, "types"), 1);
	json_object_set_new(t, "available_instances", json_real(1.5));
	expect_reject(d, "devices[0].types[1].available_instances");

	d = sample_json();
	dev = json_array_get(json_object_get(d, "devices"), 0);
	t = json_array_get(json_object_get(dev, "types"), 1);
	json_object_set_new(t, "id", json_string("nvidia-222"));
	expect_reject(d, "devices[0].types[1]");

	d = sample_json();
	dev = json_array_get(json_object_get(d, "devices"), 0);
	t = json_array_get(json_object_get(dev, "types"), 0);
	json_object_set_new(t, "kind", json_string("vgpu"));
	expect_reject(d, "devices[0].types[0].kind");

	d = sample_json();
	dev = json_array_get(json_object_get(d, "devices"), 0);
	json_object_set_new(json_object_get(dev, "attributes"), "bad key",
	    json_string("x"));
	expect_reject(d, "devices[0].attributes.bad key");

	d = sample_json();
	dev = json_array_get(json_object_get(d, "devices"), 0);
	json_object_set_new(json_object_get(dev, "attributes"), "fw",
	    json_integer(3));
	expect_reject(d, "devices[0].attributes.fw");

	d = sample_json();
	json_array_append(json_object_get(d, "devices"),
	    json_array_get(json_object_get(d, "devices"), 0));
	expect_reject(d, "devices[2].address");

	d = sample_json();
	t = json_array_get(json_object_get(d, "instances"), 0);
	json_object_set_new(t, "id", json_string("not-a-uuid"));
	expect_reject(d, "instances[0].id");

	d = sample_json();
	t = json_array_get(json_object_get(d, "vms"), 0);
	json_object_set_new(t, "pid", json_integer(0));
	expect_reject(d, "vms[0].pid");

	d = sample_json();
	t = json_array_get(json_object_get(d, "vms"), 0);
	json_object_set_new(t, "devices", json_pack("[i]", 7));
	expect_reject(d, "vms[0].devices[0]");
}
END_TEST

START_TEST(test_reject_text)
{
	struct inv_error	 err;
	char			*big;
	json_t			*d, *dev;
	char			*s;
	size_t			 n;

	ck_assert(inventory_parse("{", 1, NULL, &err) == NULL);
	ck_assert_str_eq(err.field, "(document)");
	ck_assert(inventory_parse("[]", 2, NULL, &err) == NULL);
	ck_assert(inventory_parse("{\"a\":1,\"a\":2}", 13, NULL, &err) ==
	    NULL);
	/* Found by the fuzzer: an empty key once gave an empty path. */
	ck_assert(inventory_parse("{\"\": []}", 8, NULL, &err) == NULL);
	ck_assert_str_eq(err.field, "(document)");

	/* Oversize strings and control characters. */
	big = malloc(INV_MAX_STRING + 2);
	memset(big, 'x', INV_MAX_STRING + 1);
	big[INV_MAX_STRING + 1] = '\0';
	d = sample_json();
	dev = json_array_get(json_object_get(d, "devices"), 0);
	json_object_set_new(dev, "device_name", json_string(big));
	expect_reject(d, "devices[0].device_name");
	free(big);

	d = sample_json();
	dev = json_array_get(json_object_get(d, "devices"), 0);
	json_object_set_new(dev, "device_name", json_string("a\x01" "b"));
	expect_reject(d, "devices[0].device_name");

	/* Deep nesting is refused before any field is looked at. */
	n = 10000;
	s = malloc(2 * n + 1);
	memset(s, '[', n);
	memset(s + n, ']', n);
	s[2 * n] = '\0';
	ck_assert(inventory_parse(s, 2 * n, NULL, &err) == NULL);
	free(s);
}
END_TEST

START_TEST(test_strutil)
{
	const char	*e;

	ck_assert(str_is_pci_address("0000:3b:00.0"));
	ck_assert(!str_is_pci_address("0000:3b:00.8"));
	ck_assert(!str_is_pci_address("0000:3B:00.0"));
	ck_assert(str_is_uuid("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"));
	ck_assert(!str_is_uuid("83b8f4f2-509f-382f-3c1e-e6bfe0fa100"));
	ck_assert(str_is_hostname("gpu-a1.example.org"));
	ck_assert(str_is_hostname("compute_01"));
	ck_assert(!str_is_hostname("Compute_01"));	/* not canonical */
	ck_assert(!str_is_hostname(""));
	ck_assert(!str_is_hostname("gpu a"));
	ck_assert(!str_is_hostname("a/b"));
	ck_assert(str_is_clean_utf8("\xc3\xa9t\xc3\xa9", 5));
	ck_assert(!str_is_clean_utf8("\xc3", 1));
	ck_assert(!str_is_clean_utf8("\xed\xa0\x80", 3));
	ck_assert(!str_is_clean_utf8("\xc0\xaf", 2));
	ck_assert_int_eq(vc_strtonum("42", 0, 100, &e), 42);
	ck_assert(e == NULL);
	vc_strtonum("0x2a", 0, 100, &e);
	ck_assert_str_eq(e, "invalid");
	vc_strtonum("101", 0, 100, &e);
	ck_assert_str_eq(e, "too large");
	vc_strtonum("99999999999999999999", 0, 100, &e);
	ck_assert_str_eq(e, "too large");
}
END_TEST

/* Fingerprints: equal exactly when only collected_at's value differs. */
static int
fp(const char *body, unsigned char *h, char *at)
{
	size_t	 cut;

	return (inv_fingerprint(body, strlen(body), h, at, &cut));
}

/* inv_fingerprint_at(): the scan's hash at the scan's offset, nothing
 * for a value it would not take, another hash at another offset. */
START_TEST(test_fingerprint_at)
{
	static const char	 a[] = "{\"host\":\"h\",\"collected_at\":"
	    "\"2026-11-22T10:00:00Z\",\"v\":[1]}";
	static const char	 b[] = "{\"host\":\"h\",\"collected_at\":"
	    "\"2026-11-22T10:09:00Z\",\"v\":[1]}";
	unsigned char		 ha[SHA256_LEN], hb[SHA256_LEN];
	char			 at[INV_FP_TIME_MAX];
	static const char *const bad[] = {
		"{\"collected_at\":\"a\\\"b\"}",
		"{\"collected_at\":\"a\\u0032\"}",
		"{\"collected_at\":\"0123456789012345678901234567890123\"}",
		"{\"collected_at\":\"2026-11-22T10:09:00Z",
	};
	size_t			 cut, c2, i;

	ck_assert_int_eq(inv_fingerprint(a, strlen(a), ha, at, &cut), 0);
	ck_assert_uint_eq(cut, strchr(a, '2') - 1 - a);
	ck_assert_int_eq(inv_fingerprint_cut(b, strlen(b), &c2), 0);
	ck_assert_uint_eq(cut, c2);
	ck_assert_int_eq(inv_fingerprint_at(b, strlen(b), cut, hb, at), 0);
	ck_assert_str_eq(at, "2026-11-22T10:09:00Z");
	ck_assert(memcmp(ha, hb, sizeof(ha)) == 0);
	/* Another offset: another hash, or no string there at all. */
	ck_assert_int_eq(inv_fingerprint_at(b, strlen(b), 8, hb, at), 0);
	ck_assert_str_eq(at, "h");
	ck_assert(memcmp(ha, hb, sizeof(ha)) != 0);
	ck_assert_int_eq(inv_fingerprint_at(b, strlen(b), cut + 1, hb, at),
	    -1);
	ck_assert_int_eq(inv_fingerprint_at(b, strlen(b), strlen(b), hb, at),
	    -1);
	/* Escaped, too long, unterminated: what the scan refuses. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(inv_fingerprint_at(bad[i], strlen(bad[i]), 16,
		    hb, at), -1);
	ck_assert_int_eq(inv_fingerprint_at(bad[0], strlen(bad[0]) - 4, 16,
	    hb, at), -1);
}
END_TEST

START_TEST(test_fingerprint)
{
	unsigned char	 a[SHA256_LEN], b[SHA256_LEN];
	char		 at[INV_FP_TIME_MAX];

	ck_assert_int_eq(fp("{\"host\":\"h\", \"collected_at\": "
	    "\"2026-11-22T10:00:00Z\", \"v\":[1,{\"x\":\"}\\\"\"}]}",
	    a, at), 0);
	ck_assert_str_eq(at, "2026-11-22T10:00:00Z");
	ck_assert_int_eq(fp("{\"host\":\"h\", \"collected_at\": "
	    "\"2026-11-22T10:09:00Z\", \"v\":[1,{\"x\":\"}\\\"\"}]}",
	    b, at), 0);
	ck_assert_str_eq(at, "2026-11-22T10:09:00Z");
	ck_assert(memcmp(a, b, sizeof(a)) == 0);
	/* One byte elsewhere, or the cut moved: another fingerprint. */
	ck_assert_int_eq(fp("{\"host\":\"h\", \"collected_at\": "
	    "\"2026-11-22T10:09:00Z\", \"v\":[2,{\"x\":\"}\\\"\"}]}",
	    b, at), 0);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	ck_assert_int_eq(fp("{\"host\":\"h\",  \"collected_at\": "
	    "\"2026-11-22T10:09:00Z\", \"v\":[1,{\"x\":\"}\\\"\"}]}",
	    b, at), 0);
	ck_assert(memcmp(a, b, sizeof(a)) != 0);
	/* No fingerprint: twice, escaped, only nested, inside a string,
	 * not a string, not an object, trailing bytes, cut short. */
	ck_assert_int_eq(fp("{\"collected_at\":\"a\",\"collected_at\":"
	    "\"b\"}", a, at), -1);
	ck_assert_int_eq(fp("{\"collected_at\":\"2026\\u002d\"}", a, at),
	    -1);
	ck_assert_int_eq(fp("{\"p\":{\"collected_at\":\"x\"}}", a, at), -1);
	ck_assert_int_eq(fp("{\"p\":\"\\\"collected_at\\\":\\\"x\"}",
	    a, at), -1);
	ck_assert_int_eq(fp("{\"collected_at\":null}", a, at), -1);
	ck_assert_int_eq(fp("[\"collected_at\",\"x\"]", a, at), -1);
	ck_assert_int_eq(fp("{\"collected_at\":\"x\"} x", a, at), -1);
	ck_assert_int_eq(fp("{\"collected_at\":\"x\",\"v\":[1", a, at),
	    -1);
	ck_assert_int_eq(fp("{\"collected_at\":\"x", a, at), -1);
}
END_TEST

/* sha256_lanes() gives the standard digests (sha256_hex, Nettle) of
 * both buffers, for lengths around every padding case and lanes of
 * unequal length, whichever way this CPU computes them. */
START_TEST(test_sha256_lanes)
{
	static const size_t	 lens[] = { 0, 1, 55, 56, 63, 64, 65, 119,
				    120, 127, 128, 1000, 34816, 34817 };
	static unsigned char	 buf[2][40000];
	unsigned char		 md[2][SHA256_LEN];
	char			 want[SHA256_HEX_LEN + 1];
	char			 got[SHA256_HEX_LEN + 1];
	size_t			 i, j, k, l;

	for (i = 0; i < sizeof(buf[0]); i++) {
		buf[0][i] = (unsigned char)(i * 131 + 7);
		buf[1][i] = (unsigned char)(i * 17 + 91);
	}
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			sha256_lanes(buf[0], lens[i], buf[1], lens[j], md[0],
			    md[1]);
			for (k = 0; k < 2; k++) {
				ck_assert_int_eq(sha256_hex(buf[k],
				    lens[k == 0 ? i : j], want), 0);
				for (l = 0; l < SHA256_LEN; l++)
					snprintf(got + 2 * l, 3, "%02x",
					    md[k][l]);
				ck_assert_msg(strcmp(got, want) == 0,
				    "lane %zu, lengths %zu and %zu", k,
				    lens[i], lens[j]);
			}
		}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("inventory");
	TCase	*tc = tcase_create("codec");

	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_v1_document);
	tcase_add_test(tc, test_encode);
	tcase_add_test(tc, test_encode_like_jansson);
	tcase_add_test(tc, test_digest_ignores_collected_at);
	tcase_add_test(tc, test_pool_interns);
	tcase_add_test(tc, test_reject_fields);
	tcase_add_test(tc, test_reject_text);
	tcase_add_test(tc, test_strutil);
	tcase_add_test(tc, test_fingerprint);
	tcase_add_test(tc, test_fingerprint_at);
	tcase_add_test(tc, test_sha256_lanes);
	suite_add_tcase(s, tc);
	return (check_run(s));
}
