/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_verdicts.c -- SPEC v1.1 section 6, one test per rule: what the
 * source says about itself (SOURCE_STALE, SOURCE_INCOMPLETE,
 * MIGRATION_BLOCKED and the FACTS_UNKNOWN and SOURCE_DATA_OLD
 * warnings), null matching keys, the cold mode, the refined cpr rules
 * and destination names.
 *
 * Each test changes one fact of the src-a fixture (tests/unit/data/
 * engine/) as a collector would report it and checks the verdict and
 * reason that fact must give; before v1.1 every one of these answered
 * compatible, or refused a move that is fine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "check_util.h"
#include "engine/compat.h"
#include "engine_util.h"
#include "fleet/fleet.h"
#include "policy/policy.h"

#define U1	"83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"
#define VM1	"6f3b1c2d-0000-4000-8000-000000000001"
#define VM3	"6f3b1c2d-0000-4000-8000-000000000003"
#define VM4	"6f3b1c2d-0000-4000-8000-000000000004"
#define HISI	"0000:af:00.1"

static json_t		*vm_of(json_t *, size_t);
static struct fleet	*with_source(json_t *, int64_t);
static json_t		*check_vm(struct fleet *, const char *, const char *);
static void		 expect_warning(const json_t *, const char *,
			    const char *);
static void		 expect_no(const json_t *, const char *);
static void		 put_nullapi(struct fleet *);

/* The idx-th VM of a fixture document. */
static json_t *
vm_of(json_t *doc, size_t idx)
{
	json_t	*vm = json_array_get(json_object_get(doc, "vms"), idx);

	ck_assert_ptr_nonnull(vm);
	return (vm);
}

/* A fleet of a few destinations and src (consumed), age s old. */
static struct fleet *
with_source(json_t *src, int64_t age)
{
	static const char *const dsts[] = { "dst-ok", "dst-arm", "dst-newer",
	    "dst-oldqemu", NULL };
	struct fleet	*f = load(dsts);

	put_json(f, src, age);
	json_decref(src);
	return (f);
}

/* A check of VM uuid in mode against dst-ok. */
static json_t *
check_vm(struct fleet *f, const char *mode, const char *uuid)
{
	char	 text[256];
	json_t	*out;

	snprintf(text, sizeof(text), "{'mode':'%s','source':{'host':'src-a',"
	    "'vm':'%s'},'destinations':['dst-ok']}", mode, uuid);
	out = run(f, NULL, text, NULL);
	ck_assert_ptr_nonnull(out);
	return (out);
}

static void
expect_warning(const json_t *res, const char *code, const char *field)
{
	const json_t	*w;
	size_t		 i;

	json_array_foreach(json_object_get(res, "warnings"), i, w)
		if (strcmp(sget(w, "code"), code) == 0 && (field == NULL ||
		    (sget(w, "field") != NULL &&
		    strcmp(sget(w, "field"), field) == 0)))
			return;
	ck_abort_msg("no warning %s (%s)", code, field ? field : "-");
}

static void
expect_no(const json_t *res, const char *code)
{
	ck_assert_msg(find_reason(res, code, NULL) == NULL, "unexpected %s",
	    code);
}

/* dst-ok as dst-nullapi, its GPUs' first type with a null device_api. */
static void
put_nullapi(struct fleet *f)
{
	json_t	*dst = fixture_json("dst-ok");
	size_t	 i;

	json_object_set_new(dst, "host", json_string("dst-nullapi"));
	for (i = 0; i < 2; i++)
		json_object_set_new(json_array_get(json_object_get(
		    json_array_get(json_object_get(dst, "devices"), i),
		    "types"), 0), "device_api", json_null());
	put_json(f, dst, 10);
	json_decref(dst);
}

/* A VM whose devices the collector could not all name. */
START_TEST(incomplete_vm)
{
	json_t		*src, *out;
	struct fleet	*f;
	const json_t	*r;

	src = fixture_json("src-a");
	json_object_set_new(vm_of(src, 0), "complete", json_false());
	f = with_source(src, 10);
	out = check_vm(f, "live", VM1);
	r = result_for(out, "dst-ok");
	expect(r, "unknown", "SOURCE_INCOMPLETE", "complete");
	ck_assert_str_eq(sget(find_reason(r, "SOURCE_INCOMPLETE", NULL),
	    "source_value"), "false");
	json_decref(out);
	/* Cold too: the device nobody named would be left behind. */
	out = check_vm(f, "cold", VM1);
	expect(result_for(out, "dst-ok"), "unknown", "SOURCE_INCOMPLETE",
	    "complete");
	json_decref(out);
	fleet_free(f);

	/* A v1 collector never said: null is not true. */
	src = fixture_json("src-a");
	json_object_del(vm_of(src, 0), "complete");
	f = with_source(src, 10);
	out = check_vm(f, "live", VM1);
	r = result_for(out, "dst-ok");
	expect(r, "unknown", "SOURCE_INCOMPLETE", "complete");
	expect_warning(r, "FACTS_UNKNOWN", "complete");
	json_decref(out);
	fleet_free(f);
}
END_TEST

/* A hot-plugged or vfio-ap device: the VM holds VFIO but names none. */
START_TEST(zero_device_vm)
{
	json_t		*src, *out;
	struct fleet	*f;

	src = fixture_json("src-a");
	json_object_set_new(vm_of(src, 0), "devices", json_array());
	f = with_source(src, 10);
	out = check_vm(f, "live", VM1);
	expect(result_for(out, "dst-ok"), "unknown", "SOURCE_INCOMPLETE",
	    "devices");
	json_decref(out);
	fleet_free(f);
}
END_TEST

/* Null keys never match, null on both sides included. */
START_TEST(null_matching_keys)
{
	json_t		*src, *types, *out;
	struct fleet	*f;
	const json_t	*r;

	/* The source type's device_api unknown, the destination's too. */
	src = fixture_json("src-a");
	types = json_object_get(json_array_get(json_object_get(src,
	    "devices"), 0), "types");
	json_object_set_new(json_array_get(types, 0), "device_api",
	    json_null());
	f = with_source(src, 10);
	put_nullapi(f);
	out = run(f, NULL, "{'source':{'host':'src-a','devices':['" U1 "']},"
	    "'destinations':['dst-nullapi','dst-ok']}", NULL);
	r = result_for(out, "dst-nullapi");
	expect(r, "unknown", "SOURCE_INCOMPLETE", "device_api");
	ck_assert_str_eq(sget(json_array_get(json_object_get(json_object_get(
	    out, "source"), "devices"), 0), "state"), "incomplete");
	json_decref(out);
	fleet_free(f);

	/* A known source device_api: a null destination one is no
	 * candidate, and what it would have been is not known. */
	f = with_source(fixture_json("src-a"), 10);
	put_nullapi(f);
	out = run(f, NULL, "{'source':{'host':'src-a','devices':['" U1 "']},"
	    "'destinations':['dst-nullapi']}", NULL);
	r = result_for(out, "dst-nullapi");
	expect(r, "unknown", "DEVICE_API_MISMATCH", "device_api");
	json_decref(out);
	fleet_free(f);

	/* A passed-through device with null PCI ids. */
	src = fixture_json("src-a");
	json_object_set_new(json_array_get(json_object_get(src, "devices"), 2),
	    "subsystem_device_id", json_null());
	f = with_source(src, 10);
	out = run(f, NULL, "{'source':{'host':'src-a','devices':"
	    "['0000:5e:00.3']},'destinations':['dst-ok']}", NULL);
	expect(result_for(out, "dst-ok"), "unknown", "SOURCE_INCOMPLETE",
	    "subsystem_device_id");
	json_decref(out);
	fleet_free(f);
}
END_TEST

/* A policy file that names only NVIDIA: others get the default rule. */
START_TEST(policy_without_catch_all)
{
	struct fleet	*f = with_source(fixture_json("src-a"), 10);
	struct policy	*pol;
	json_t		*dst, *out;

	pol = policy_text("{'rules':[{'name':'nv','match':{'vendor_id':"
	    "'10de'},'compare':{'driver_version':'exact'}}]}");
	dst = fixture_json("dst-ok");
	json_object_set_new(dst, "host", json_string("dst-mlxnewer"));
	json_object_set_new(json_array_get(json_object_get(dst, "devices"), 2),
	    "driver_version", json_string("6.9.0"));
	json_object_set_new(json_array_get(json_object_get(dst, "devices"), 3),
	    "driver_version", json_string("6.9.0"));
	put_json(f, dst, 10);
	json_decref(dst);
	out = run(f, pol, "{'source':{'host':'src-a','devices':"
	    "['0000:5e:00.3']},'destinations':['dst-mlxnewer','dst-ok']}",
	    NULL);
	expect(result_for(out, "dst-mlxnewer"), "incompatible",
	    "VERSION_MISMATCH", "driver_version");
	expect(result_for(out, "dst-ok"), "compatible", NULL, NULL);
	ck_assert_str_eq(sget(json_array_get(json_object_get(json_object_get(
	    out, "source"), "devices"), 0), "policy"), "default");
	json_decref(out);
	policy_free(pol);
	fleet_free(f);
}
END_TEST

START_TEST(viommu)
{
	json_t		*src, *out;
	struct fleet	*f;
	const json_t	*r;

	src = fixture_json("src-a");
	json_object_set_new(vm_of(src, 0), "viommu", json_true());
	f = with_source(src, 10);
	out = check_vm(f, "live", VM1);
	r = result_for(out, "dst-ok");
	expect(r, "incompatible", "MIGRATION_BLOCKED", "viommu");
	ck_assert_str_eq(sget(find_reason(r, "MIGRATION_BLOCKED", NULL),
	    "source_value"), "true");
	json_decref(out);
	/* Asked by device, the VM holding it still has the vIOMMU. */
	out = run(f, NULL, "{'source':{'host':'src-a','devices':['" U1 "']},"
	    "'destinations':['dst-ok']}", NULL);
	expect(result_for(out, "dst-ok"), "incompatible", "MIGRATION_BLOCKED",
	    "viommu");
	json_decref(out);
	/* A cold move starts a new QEMU: nothing is blocked. */
	out = check_vm(f, "cold", VM1);
	expect(result_for(out, "dst-ok"), "compatible", NULL, NULL);
	json_decref(out);
	fleet_free(f);

	src = fixture_json("src-a");
	json_object_set_new(vm_of(src, 0), "viommu", json_null());
	f = with_source(src, 10);
	out = check_vm(f, "live", VM1);
	r = result_for(out, "dst-ok");
	expect(r, "unknown", "MIGRATION_BLOCKED", "viommu");
	expect_warning(r, "FACTS_UNKNOWN", "viommu");
	json_decref(out);
	fleet_free(f);
}
END_TEST

/*
 * QEMU's enable-migration=auto: a device without dirty tracking of its
 * own (hisi_acc: stop_copy,pre_copy) in a VM on iommufd, on a host whose
 * IOMMU tracks no dirty pages, is blocked; the legacy container always
 * tracks, and so does an IOMMU with dirty tracking.
 */
START_TEST(dirty_tracking)
{
	static const struct {
		const char	*backend;	/* NULL: null */
		int		 hw;		/* -1 null, 0, 1 */
		const char	*verdict;
		const char	*unknown;	/* FACTS_UNKNOWN field */
	} cases[] = {
		{ "iommufd", 0, "incompatible", NULL },
		{ "iommufd", 1, "compatible", NULL },
		{ "iommufd", -1, "unknown", "iommu_dirty_tracking" },
		{ "container", 0, "compatible", NULL },
		{ NULL, 0, "unknown", "backend" },
	};
	json_t		*src, *vm, *out;
	struct fleet	*f;
	const json_t	*r;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		src = fixture_json("src-a");
		vm = vm_of(src, 2);
		json_object_set_new(vm, "devices", json_pack("[s]", HISI));
		json_object_set_new(vm, "backend", cases[i].backend != NULL ?
		    json_string(cases[i].backend) : json_null());
		json_object_set_new(json_object_get(src, "platform"),
		    "iommu_dirty_tracking", cases[i].hw < 0 ? json_null() :
		    json_boolean(cases[i].hw));
		f = with_source(src, 10);
		out = check_vm(f, "live", VM3);
		r = result_for(out, "dst-ok");
		expect(r, cases[i].verdict, strcmp(cases[i].verdict,
		    "compatible") == 0 ? NULL : "MIGRATION_BLOCKED",
		    "dirty_tracking");
		if (strcmp(cases[i].verdict, "compatible") == 0)
			expect_no(r, "MIGRATION_BLOCKED");
		if (cases[i].unknown != NULL)
			expect_warning(r, "FACTS_UNKNOWN", cases[i].unknown);
		json_decref(out);
		out = check_vm(f, "cold", VM3);
		expect(result_for(out, "dst-ok"), "compatible", NULL, NULL);
		json_decref(out);
		fleet_free(f);
	}
}
END_TEST

/* A source host that stopped reporting: live no, cold (evacuate) yes. */
START_TEST(source_staleness)
{
	struct fleet	*f = with_source(fixture_json("src-a"), STALE + 60);
	json_t		*out;
	const json_t	*r;

	out = check_vm(f, "live", VM1);
	r = result_for(out, "dst-ok");
	expect(r, "unknown", "SOURCE_STALE", NULL);
	json_decref(out);
	/* Even what the stale data says against a host is not trusted. */
	out = run(f, NULL, "{'source':{'host':'src-a','vm':'" VM1 "'},"
	    "'destinations':['dst-newer']}", NULL);
	expect(result_for(out, "dst-newer"), "unknown", "VERSION_MISMATCH",
	    NULL);
	json_decref(out);
	out = check_vm(f, "cpr", VM1);
	expect(result_for(out, "dst-ok"), "unknown", "SOURCE_STALE", NULL);
	json_decref(out);
	out = check_vm(f, "cold", VM1);
	r = result_for(out, "dst-ok");
	expect(r, "compatible", NULL, NULL);
	expect_no(r, "SOURCE_STALE");
	expect_warning(r, "SOURCE_DATA_OLD", NULL);
	json_decref(out);
	fleet_free(f);

	f = with_source(fixture_json("src-a"), STALE / 2 + 10);
	out = check_vm(f, "live", VM1);
	r = result_for(out, "dst-ok");
	expect(r, "compatible", NULL, NULL);
	expect_warning(r, "SOURCE_DATA_OLD", NULL);
	json_decref(out);
	fleet_free(f);
}
END_TEST

/*
 * cold: no device state moves, so versions, flags, p2p and QEMU order do
 * not count; the type, the ids and arch do.
 */
START_TEST(cold_mode)
{
	struct fleet	*f = with_source(fixture_json("src-a"), 10);
	json_t		*out;

	out = run(f, NULL, "{'mode':'cold','source':{'host':'src-a','vm':'"
	    VM1 "'},'destinations':['dst-newer','dst-oldqemu','dst-arm']}",
	    NULL);
	expect(result_for(out, "dst-newer"), "compatible", NULL, NULL);
	expect(result_for(out, "dst-oldqemu"), "compatible", NULL, NULL);
	expect(result_for(out, "dst-arm"), "incompatible",
	    "PLATFORM_MISMATCH", "arch");
	json_decref(out);
	/* live says no to the first two. */
	out = run(f, NULL, "{'source':{'host':'src-a','vm':'" VM1 "'},"
	    "'destinations':['dst-newer','dst-oldqemu']}", NULL);
	expect(result_for(out, "dst-newer"), "incompatible",
	    "VERSION_MISMATCH", NULL);
	expect(result_for(out, "dst-oldqemu"), "incompatible",
	    "PLATFORM_MISMATCH", "qemu_version");
	json_decref(out);
	/* A plain vfio-pci device cannot live-migrate, but can move cold
	 * to a host with the same device free. */
	out = run(f, NULL, "{'mode':'cold','source':{'host':'src-a','vm':'"
	    VM4 "'},'destinations':['src-a','dst-ok']}", NULL);
	expect(result_for(out, "src-a"), "compatible", NULL, NULL);
	expect(result_for(out, "dst-ok"), "incompatible", "DEVICE_MISSING",
	    NULL);
	json_decref(out);
	out = check_vm(f, "live", VM4);
	expect(result_for(out, "dst-ok"), "incompatible",
	    "SOURCE_NOT_MIGRATABLE", NULL);
	json_decref(out);
	fleet_free(f);
}
END_TEST

/* A resize to the same host: cold, its own instance counting as free. */
START_TEST(cold_same_host)
{
	json_t		*src, *types, *out;
	struct fleet	*f;
	const json_t	*r, *a;

	/* No free nvidia-222 left on the VM's parent nor the other GPU. */
	src = fixture_json("src-a");
	types = json_object_get(json_array_get(json_object_get(src,
	    "devices"), 0), "types");
	json_object_set_new(json_array_get(types, 0), "available_instances",
	    json_integer(0));
	types = json_object_get(json_array_get(json_object_get(src,
	    "devices"), 1), "types");
	json_object_set_new(json_array_get(types, 0), "available_instances",
	    json_integer(0));
	f = with_source(src, 10);
	out = run(f, NULL, "{'mode':'cold','source':{'host':'src-a','vm':'"
	    VM1 "'},'destinations':['src-a']}", NULL);
	r = result_for(out, "src-a");
	expect(r, "compatible", NULL, NULL);
	a = json_array_get(json_object_get(r, "assignments"), 0);
	ck_assert_str_eq(sget(a, "parent"), "0000:3b:00.0");
	json_decref(out);
	out = run(f, NULL, "{'source':{'host':'src-a','vm':'" VM1 "'},"
	    "'destinations':['src-a']}", NULL);
	expect(result_for(out, "src-a"), "incompatible", "SAME_HOST", NULL);
	json_decref(out);
	/* Without destinations a cold check includes the source host. */
	out = run(f, NULL, "{'mode':'cold','source':{'host':'src-a','vm':'"
	    VM1 "'}}", NULL);
	expect(result_for(out, "src-a"), "compatible", NULL, NULL);
	json_decref(out);
	fleet_free(f);
}
END_TEST

/* cpr with each VM fact null, false and true. */
START_TEST(cpr_facts)
{
	static const struct {
		const char	*key;
		const char	*field;
	} facts[] = {
		{ "ram_shared", "ram_shared" },
		{ "backend", "backend" },
		{ "qemu_version", "vm.qemu_version" },
	};
	json_t		*doc, *vm, *v, *out;
	struct fleet	*f;
	const json_t	*r;
	size_t		 i;
	int		 state;	/* 0 null, 1 false, 2 true */

	for (i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		for (state = 0; state < 3; state++) {
			doc = fixture_json("cpr-ok");
			vm = vm_of(doc, 0);
			if (state == 0)
				v = json_null();
			else if (strcmp(facts[i].key, "ram_shared") == 0)
				v = json_boolean(state == 2);
			else if (strcmp(facts[i].key, "backend") == 0)
				v = json_string(state == 2 ? "iommufd" :
				    "container");
			else
				v = json_string(state == 2 ? "10.1.0" :
				    "10.0.2");
			json_object_set_new(vm, facts[i].key, v);
			f = fleet_new();
			put_json(f, doc, 10);
			json_decref(doc);
			out = run(f, NULL, "{'mode':'cpr','source':{'vm':'" VM1
			    "'}}", NULL);
			r = result_for(out, "cpr-ok");
			if (state == 2)
				expect(r, "compatible", NULL, NULL);
			else
				expect(r, state == 0 ? "unknown" :
				    "incompatible", "CPR_UNSUPPORTED",
				    facts[i].field);
			if (state == 0)
				expect_warning(r, "FACTS_UNKNOWN",
				    facts[i].field);
			json_decref(out);
			fleet_free(f);
		}
	}
	/* iommufd needs kernel 6.13 for cpr. */
	doc = fixture_json("cpr-ok");
	json_object_set_new(json_object_get(doc, "platform"),
	    "kernel_release", json_string("6.8.0-45-generic"));
	f = fleet_new();
	put_json(f, doc, 10);
	json_decref(doc);
	out = run(f, NULL, "{'mode':'cpr','source':{'vm':'" VM1 "'}}", NULL);
	expect(result_for(out, "cpr-ok"), "incompatible", "CPR_UNSUPPORTED",
	    "kernel_release");
	json_decref(out);
	fleet_free(f);
}
END_TEST

/* Live: the source QEMU is the VM's running binary. */
START_TEST(running_qemu)
{
	json_t		*src, *out;
	struct fleet	*f;
	const json_t	*r;

	/* The host has 9.2.0 installed; the VM still runs 10.0. */
	src = fixture_json("src-a");
	json_object_set_new(vm_of(src, 0), "qemu_version",
	    json_string("10.0.0"));
	f = with_source(src, 10);
	out = check_vm(f, "live", VM1);
	r = result_for(out, "dst-ok");
	expect(r, "incompatible", "PLATFORM_MISMATCH", "qemu_version");
	ck_assert_str_eq(sget(find_reason(r, "PLATFORM_MISMATCH", NULL),
	    "source_value"), "10.0.0");
	json_decref(out);
	fleet_free(f);

	/* Its binary was deleted by an upgrade: the host's version bounds
	 * it, and the warning says so. */
	src = fixture_json("src-a");
	json_object_set_new(vm_of(src, 0), "qemu_version", json_null());
	f = with_source(src, 10);
	out = check_vm(f, "live", VM1);
	r = result_for(out, "dst-ok");
	expect(r, "compatible", NULL, NULL);
	expect_warning(r, "FACTS_UNKNOWN", "vm.qemu_version");
	json_decref(out);
	fleet_free(f);
}
END_TEST

/* A type list the collector had to cut may hold the missing type. */
START_TEST(types_truncated)
{
	struct fleet	*f = with_source(fixture_json("src-a"), 10);
	json_t		*dst, *dev, *out;
	const json_t	*r;
	int		 cut;

	for (cut = 0; cut < 2; cut++) {
		dst = fixture_json("dst-ok");
		json_object_set_new(dst, "host", json_string(cut ? "dst-cut" :
		    "dst-whole"));
		dev = json_array_get(json_object_get(dst, "devices"), 0);
		json_array_remove(json_object_get(dev, "types"), 0);
		dev = json_array_get(json_object_get(dst, "devices"), 1);
		json_array_remove(json_object_get(dev, "types"), 0);
		if (cut)
			json_object_set_new(dev, "types_truncated",
			    json_true());
		put_json(f, dst, 10);
		json_decref(dst);
	}
	out = run(f, NULL, "{'source':{'host':'src-a','devices':['" U1 "']},"
	    "'destinations':['dst-whole','dst-cut']}", NULL);
	expect(result_for(out, "dst-whole"), "incompatible", "TYPE_MISSING",
	    NULL);
	r = result_for(out, "dst-cut");
	expect(r, "unknown", "TYPE_MISSING", NULL);
	ck_assert_ptr_nonnull(strstr(sget(find_reason(r, "TYPE_MISSING",
	    NULL), "message"), "types_truncated"));
	json_decref(out);
	fleet_free(f);
}
END_TEST

/* Names are case-insensitive; a bad one is that host's unknown alone. */
START_TEST(destination_names)
{
	struct fleet		*f = with_source(fixture_json("src-a"), 10);
	struct compat_status	 st;
	json_t			*out;
	const json_t		*r;

	out = run(f, NULL, "{'source':{'host':'SRC-A','vm':'" VM1 "'},"
	    "'destinations':['DST-Ok','bad name!','Compute_01']}", &st);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(st.error, COMPAT_OK);
	expect(result_for(out, "dst-ok"), "compatible", NULL, NULL);
	r = result_for(out, "bad name!");
	expect(r, "unknown", "HOST_UNKNOWN", NULL);
	ck_assert_ptr_nonnull(strstr(sget(find_reason(r, "HOST_UNKNOWN",
	    NULL), "message"), "not a valid host name"));
	expect(result_for(out, "compute_01"), "unknown", "HOST_UNKNOWN",
	    NULL);
	ck_assert_str_eq(sget(json_object_get(out, "source"), "host"),
	    "src-a");
	json_decref(out);
	/* Only a duplicate after folding is refused. */
	out = run(f, NULL, "{'source':{'vm':'" VM1 "'},'destinations':"
	    "['dst-ok','DST-OK']}", &st);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(st.error, COMPAT_EINVAL);
	fleet_free(f);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("verdicts");
	TCase	*tc = tcase_create("v1.1");

	tcase_add_test(tc, incomplete_vm);
	tcase_add_test(tc, zero_device_vm);
	tcase_add_test(tc, null_matching_keys);
	tcase_add_test(tc, policy_without_catch_all);
	tcase_add_test(tc, viommu);
	tcase_add_test(tc, dirty_tracking);
	tcase_add_test(tc, source_staleness);
	tcase_add_test(tc, cold_mode);
	tcase_add_test(tc, cold_same_host);
	tcase_add_test(tc, cpr_facts);
	tcase_add_test(tc, running_qemu);
	tcase_add_test(tc, destination_names);
	tcase_add_test(tc, types_truncated);
	suite_add_tcase(s, tc);
	return (check_run(s));
}
