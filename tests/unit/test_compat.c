/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_compat.c -- the engine driven the way the server drives it: a
 * fleet loaded from fixture inventories (tests/unit/data/engine/), a
 * request as JSON, the answer checked for verdicts, reason codes and
 * their fields, assignments, scores and order.
 *
 * Requests are written with single quotes for readability; req()
 * turns them into JSON.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "check_util.h"
#include "engine_util.h"
#include <jansson.h>

#include "engine/compat.h"
#include "fleet/fleet.h"
#include "model/inventory.h"
#include "policy/policy.h"


#define U1	"83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"
#define U2	"83b8f4f2-509f-382f-3c1e-e6bfe0fa1002"
#define U3	"83b8f4f2-509f-382f-3c1e-e6bfe0fa1003"
#define GA	"83b8f4f2-509f-382f-3c1e-e6bfe0fa10aa"
#define GB	"83b8f4f2-509f-382f-3c1e-e6bfe0fa10bb"
#define VM1	"6f3b1c2d-0000-4000-8000-000000000001"
#define VM2	"6f3b1c2d-0000-4000-8000-000000000002"
#define VM3	"6f3b1c2d-0000-4000-8000-000000000003"
#define VM4	"6f3b1c2d-0000-4000-8000-000000000004"
#define VM5	"6f3b1c2d-0000-4000-8000-000000000005"

static void		 expect_invalid(const char *, const char *);
static void		*worker_run(void *);

static const char *const main_fleet[] = { "src-a", "dst-ok", "dst-big",
	"dst-newer", "dst-notype", "dst-api", "dst-full", "dst-zero",
	"dst-oldkernel", "dst-arm", "dst-oldqemu", "dst-nullplat",
	"dst-nomlx", "dst-mlxbusy", "dst-mlxnop2p", "dst-ecc", "dst-split",
	"dst-mlxhalf", "dst-nullkernel", NULL };

static void
expect_invalid(const char *text, const char *field)
{
	struct fleet		*f = load(main_fleet);
	struct compat_status	 st;
	json_t			*out;

	out = run(f, NULL, text, &st);
	ck_assert_msg(out == NULL, "accepted: %s", text);
	ck_assert_int_eq(st.error, COMPAT_EINVAL);
	ck_assert_msg(strcmp(st.field, field) == 0, "field %s, want %s (%s)",
	    st.field, field, st.message);
	ck_assert(st.message[0] != '\0');
	fleet_free(f);
}

START_TEST(vgpu_compatible)
{
	struct fleet		*f = load(main_fleet);
	struct compat_status	 st;
	json_t			*out;
	const json_t		*r, *a, *d;

	out = run(f, NULL, "{'source':{'host':'src-a','devices':['" U1 "']},"
	    "'destinations':['dst-ok']}", &st);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(st.error, COMPAT_OK);
	r = result_for(out, "dst-ok");
	expect(r, "compatible", NULL, NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "reasons")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "warnings")), 0);
	a = json_array_get(json_object_get(r, "assignments"), 0);
	ck_assert_str_eq(sget(a, "source"), U1);
	ck_assert_str_eq(sget(a, "parent"), "0000:3b:00.0");
	ck_assert_str_eq(sget(a, "type"), "nvidia-222");
	/* Two parents with 4 free each, one taken. */
	ck_assert_int_eq(json_integer_value(json_object_get(r, "score")), 7);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "data_age_s")),
	    10);
	d = json_array_get(json_object_get(json_object_get(out, "source"),
	    "devices"), 0);
	ck_assert_str_eq(sget(json_object_get(out, "source"), "host"),
	    "src-a");
	ck_assert_str_eq(sget(d, "kind"), "mdev");
	ck_assert_str_eq(sget(d, "type"), "nvidia-222");
	ck_assert_str_eq(sget(d, "device_api"), "vfio-pci");
	ck_assert_str_eq(sget(d, "parent"), "0000:3b:00.0");
	ck_assert_str_eq(sget(d, "driver_version"), "550.90.05");
	ck_assert_str_eq(sget(d, "policy"), "nvidia");
	ck_assert(json_is_null(json_object_get(d, "flags")));
	json_decref(out);
	fleet_free(f);
}
END_TEST

START_TEST(version_mismatch_and_comparators)
{
	struct fleet	*f = load(main_fleet);
	struct policy	*ge, *tab, *major, *ecc;
	const char	*rq = "{'source':{'host':'src-a','devices':['" U1
	    "']},'destinations':['dst-newer','dst-ecc']}";
	json_t		*out;
	const json_t	*r, *rs;

	out = run(f, NULL, rq, NULL);
	r = result_for(out, "dst-newer");
	expect(r, "incompatible", "VERSION_MISMATCH", "driver_version");
	rs = find_reason(r, "VERSION_MISMATCH", U1);
	ck_assert_ptr_nonnull(rs);
	ck_assert_str_eq(sget(rs, "source_value"), "550.90.05");
	ck_assert_str_eq(sget(rs, "destination_value"), "550.127.05");
	/* The default policy does not compare attributes. */
	expect(result_for(out, "dst-ecc"), "compatible", NULL, NULL);
	json_decref(out);

	ge = policy_text("{'rules':[{'name':'ge','match':{},"
	    "'compare':{'driver_version':'dst-ge'}}]}");
	out = run(f, ge, rq, NULL);
	expect(result_for(out, "dst-newer"), "compatible", NULL, NULL);
	json_decref(out);

	major = policy_text("{'rules':[{'name':'m','match':{'vendor_id':"
	    "'10de'},'compare':{'driver_version':'same-major-dst-ge'}}]}");
	out = run(f, major, rq, NULL);
	expect(result_for(out, "dst-newer"), "compatible", NULL, NULL);
	json_decref(out);

	tab = policy_text("{'rules':[{'name':'t','match':{},'compare':"
	    "{'driver_version':'table:nv'}}],'tables':{'nv':"
	    "[['550.127.05','550.90.05']]}}");
	out = run(f, tab, rq, NULL);
	/* Only the downgrade is listed; the upgrade is refused. */
	expect(result_for(out, "dst-newer"), "incompatible",
	    "VERSION_MISMATCH", "driver_version");
	json_decref(out);
	policy_free(tab);
	tab = policy_text("{'rules':[{'name':'t','match':{},'compare':"
	    "{'driver_version':'table:nv'}}],'tables':{'nv':"
	    "[['550.90.05','550.127.05']]}}");
	out = run(f, tab, rq, NULL);
	expect(result_for(out, "dst-newer"), "compatible", NULL, NULL);
	json_decref(out);

	ecc = policy_text("{'rules':[{'name':'nvidia','match':{'vendor_id':"
	    "'10de'},'compare':{'driver_version':'exact',"
	    "'attributes.nvidia.ecc':'exact'}}]}");
	out = run(f, ecc, rq, NULL);
	r = result_for(out, "dst-ecc");
	expect(r, "incompatible", "VERSION_MISMATCH",
	    "attributes.nvidia.ecc");
	rs = find_reason(r, "VERSION_MISMATCH", U1);
	ck_assert_str_eq(sget(rs, "source_value"), "enabled");
	ck_assert_str_eq(sget(rs, "destination_value"), "disabled");
	json_decref(out);

	policy_free(ge);
	policy_free(major);
	policy_free(tab);
	policy_free(ecc);
	fleet_free(f);
}
END_TEST

START_TEST(null_version_never_matches)
{
	struct fleet	*f = load(main_fleet);
	struct policy	*p;
	json_t		*out;
	const json_t	*rs;

	/* migration_version: null on the source, "2.0" nowhere: both null
	 * is equal, so ask for a field that is null on one side only. */
	p = policy_text("{'rules':[{'name':'r','match':{},'compare':"
	    "{'revision':'dst-ge','class':'exact'}}]}");
	out = run(f, p, "{'source':{'descriptors':[{'device':{'vendor_id':"
	    "'10de','device_id':'1eb8','driver':'nvidia','class':'030200'},"
	    "'type':{'kind':'mdev','id':'nvidia-222','device_api':"
	    "'vfio-pci'}}]},'destinations':['dst-ok']}", NULL);
	rs = find_reason(result_for(out, "dst-ok"), "VERSION_MISMATCH", NULL);
	ck_assert_ptr_nonnull(rs);
	ck_assert_str_eq(sget(rs, "field"), "revision");
	ck_assert(json_is_null(json_object_get(rs, "source_value")));
	ck_assert_str_eq(sget(rs, "destination_value"), "a1");
	json_decref(out);
	policy_free(p);
	fleet_free(f);
}
END_TEST

START_TEST(type_missing_api_capacity)
{
	struct fleet	*f = load(main_fleet);
	json_t		*out;
	const json_t	*r, *rs;

	out = run(f, NULL, "{'source':{'host':'src-a','devices':['" U1 "','"
	    U2 "']},'destinations':['dst-notype','dst-api','dst-full',"
	    "'dst-zero','dst-split']}", NULL);
	r = result_for(out, "dst-notype");
	expect(r, "incompatible", "TYPE_MISSING", NULL);
	ck_assert_ptr_nonnull(find_reason(r, "TYPE_MISSING", U1));
	ck_assert_ptr_nonnull(find_reason(r, "TYPE_MISSING", U2));
	r = result_for(out, "dst-api");
	expect(r, "incompatible", "DEVICE_API_MISMATCH", "device_api");
	rs = find_reason(r, "DEVICE_API_MISMATCH", U1);
	ck_assert_str_eq(sget(rs, "source_value"), "vfio-pci");
	ck_assert_str_eq(sget(rs, "destination_value"), "vfio-ccw");
	/* One slot for two: exactly one requirement is left over. */
	r = result_for(out, "dst-full");
	expect(r, "incompatible", "NO_CAPACITY", NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "reasons")), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "assignments")),
	    0);
	r = result_for(out, "dst-zero");
	ck_assert_ptr_nonnull(find_reason(r, "NO_CAPACITY", U1));
	ck_assert_ptr_nonnull(find_reason(r, "NO_CAPACITY", U2));
	/* Two parents with one free slot each take one each. */
	r = result_for(out, "dst-split");
	expect(r, "compatible", NULL, NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "assignments")),
	    2);
	ck_assert_str_ne(sget(json_array_get(json_object_get(r,
	    "assignments"), 0), "parent"), sget(json_array_get(
	    json_object_get(r, "assignments"), 1), "parent"));
	ck_assert_int_eq(json_integer_value(json_object_get(r, "score")), 0);
	json_decref(out);
	fleet_free(f);
}
END_TEST

START_TEST(greedy_fails_matching_succeeds)
{
	const char *const hosts[] = { "g-src", "g-dst", NULL };
	struct fleet	*f = load(hosts);
	struct policy	*ge;
	json_t		*out;
	const json_t	*r, *a;
	size_t		 i, j;
	const char	*order[2] = {
	    "{'source':{'host':'g-src','devices':['" GA "','" GB "']}}",
	    "{'source':{'host':'g-src','devices':['" GB "','" GA "']}}" };

	/*
	 * GA (driver 1.0) fits P1 (2.0) or P2 (1.0); GB (2.0) fits only
	 * P1. First-fit in address order gives P1 to GA and strands GB.
	 */
	ge = policy_text("{'rules':[{'name':'ge','match':{},"
	    "'compare':{'driver_version':'dst-ge'}}]}");
	for (i = 0; i < 2; i++) {
		out = run(f, ge, order[i], NULL);
		r = result_for(out, "g-dst");
		expect(r, "compatible", NULL, NULL);
		json_array_foreach(json_object_get(r, "assignments"), j, a) {
			if (strcmp(sget(a, "source"), GB) == 0)
				ck_assert_str_eq(sget(a, "parent"),
				    "0000:01:00.0");
			else
				ck_assert_str_eq(sget(a, "parent"),
				    "0000:02:00.0");
		}
		ck_assert_uint_eq(json_array_size(json_object_get(r,
		    "assignments")), 2);
		json_decref(out);
	}
	policy_free(ge);
	fleet_free(f);
}
END_TEST

START_TEST(pci_passthrough)
{
	struct fleet	*f = load(main_fleet);
	json_t		*out;
	const json_t	*r, *a, *rs;

	out = run(f, NULL, "{'source':{'host':'src-a','devices':"
	    "['0000:5e:00.3']},'destinations':['dst-ok','dst-nomlx',"
	    "'dst-mlxbusy','dst-mlxnop2p']}", NULL);
	r = result_for(out, "dst-ok");
	expect(r, "compatible", NULL, NULL);
	a = json_array_get(json_object_get(r, "assignments"), 0);
	ck_assert_str_eq(sget(a, "source"), "0000:5e:00.3");
	ck_assert_str_eq(sget(a, "device"), "0000:5e:00.3");
	ck_assert_ptr_null(json_object_get(a, "parent"));
	ck_assert_int_eq(json_integer_value(json_object_get(r, "score")), 1);
	expect(result_for(out, "dst-nomlx"), "incompatible", "DEVICE_MISSING",
	    NULL);
	/* The only matching VF is held by a VM there. */
	expect(result_for(out, "dst-mlxbusy"), "incompatible", "NO_CAPACITY",
	    NULL);
	r = result_for(out, "dst-mlxnop2p");
	expect(r, "incompatible", "VERSION_MISMATCH", "migration.flags");
	rs = find_reason(r, "VERSION_MISMATCH", "0000:5e:00.3");
	ck_assert_str_eq(sget(rs, "source_value"),
	    "stop_copy,p2p,pre_copy,dirty_tracking");
	ck_assert_str_eq(sget(rs, "destination_value"), "stop_copy");
	json_decref(out);
	fleet_free(f);
}
END_TEST

/* Two look-alike VFs: distinct devices, and the one in use skipped. */
START_TEST(pci_two_alike)
{
	struct fleet	*f = load(main_fleet);
	json_t		*out;
	const json_t	*r, *as;

	out = run(f, NULL, "{'source':{'host':'src-a','devices':"
	    "['0000:5e:00.3','0000:5e:00.4']},'destinations':['dst-ok',"
	    "'dst-mlxhalf','dst-mlxbusy']}", NULL);
	r = result_for(out, "dst-ok");
	expect(r, "compatible", NULL, NULL);
	as = json_object_get(r, "assignments");
	ck_assert_uint_eq(json_array_size(as), 2);
	ck_assert_str_eq(sget(json_array_get(as, 0), "device"),
	    "0000:5e:00.3");
	ck_assert_str_eq(sget(json_array_get(as, 1), "device"),
	    "0000:5e:00.4");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "score")), 0);
	r = result_for(out, "dst-mlxhalf");
	expect(r, "incompatible", "NO_CAPACITY", NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "reasons")), 1);
	r = result_for(out, "dst-mlxbusy");
	ck_assert_ptr_nonnull(find_reason(r, "NO_CAPACITY", "0000:5e:00.3"));
	ck_assert_ptr_nonnull(find_reason(r, "NO_CAPACITY", "0000:5e:00.4"));
	json_decref(out);

	out = run(f, NULL, "{'source':{'host':'src-a','devices':"
	    "['0000:5e:00.3']},'destinations':['dst-mlxhalf']}", NULL);
	r = result_for(out, "dst-mlxhalf");
	expect(r, "compatible", NULL, NULL);
	ck_assert_str_eq(sget(json_array_get(json_object_get(r,
	    "assignments"), 0), "device"), "0000:5e:00.4");
	json_decref(out);
	fleet_free(f);
}
END_TEST

START_TEST(vm_p2p_and_flags)
{
	struct fleet	*f = load(main_fleet);
	json_t		*out;
	const json_t	*r, *rs;

	/* hisi_acc (no p2p) together with an mlx5 VF. */
	out = run(f, NULL, "{'source':{'host':'src-a','vm':'" VM3 "'},"
	    "'destinations':['dst-ok']}", NULL);
	r = result_for(out, "dst-ok");
	expect(r, "incompatible", "P2P_REQUIRED", "migration.flags");
	rs = find_reason(r, "P2P_REQUIRED", "0000:af:00.1");
	ck_assert_ptr_nonnull(rs);
	ck_assert_str_eq(sget(rs, "source_value"), "stop_copy,pre_copy");
	ck_assert_ptr_null(find_reason(r, "P2P_REQUIRED", "0000:5e:00.4"));
	ck_assert_str_eq(sget(json_object_get(out, "source"), "vm"), VM3);
	json_decref(out);

	/* The same hisi device alone migrates: p2p only matters for two. */
	out = run(f, NULL, "{'source':{'host':'src-a','devices':"
	    "['0000:af:00.1']},'destinations':['dst-ok']}", NULL);
	expect(result_for(out, "dst-ok"), "compatible", NULL, NULL);
	json_decref(out);

	/* vGPU (flags unknown) plus mlx5: a warning, not a refusal. */
	out = run(f, NULL, "{'source':{'vm':'" VM2 "'},"
	    "'destinations':['dst-ok']}", NULL);
	ck_assert_str_eq(sget(json_object_get(out, "source"), "host"),
	    "src-a");
	r = result_for(out, "dst-ok");
	expect(r, "compatible", "FLAGS_UNKNOWN", NULL);
	ck_assert_ptr_nonnull(find_reason(r, "FLAGS_UNKNOWN", U2));
	ck_assert_uint_eq(json_array_size(json_object_get(r, "warnings")), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "assignments")),
	    2);
	json_decref(out);
	fleet_free(f);
}
END_TEST

START_TEST(nvidia_vgpu_instance)
{
	struct fleet	*f = load(main_fleet);
	json_t		*out;
	const json_t	*r, *a;

	out = run(f, NULL, "{'source':{'host':'src-a','vm':'" VM5 "'},"
	    "'destinations':['dst-ok','dst-big']}", NULL);
	r = result_for(out, "dst-ok");
	expect(r, "compatible", NULL, NULL);
	a = json_array_get(json_object_get(r, "assignments"), 0);
	ck_assert_str_eq(sget(a, "type"), "877");
	ck_assert_str_eq(sget(a, "parent"), "0000:e1:00.4");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "score")), 1);
	expect(result_for(out, "dst-big"), "incompatible", "TYPE_MISSING",
	    NULL);
	ck_assert_str_eq(sget(json_array_get(json_object_get(json_object_get(
	    out, "source"), "devices"), 0), "kind"), "nvidia-vgpu");
	json_decref(out);
	fleet_free(f);
}
END_TEST

START_TEST(not_migratable)
{
	struct fleet	*f = load(main_fleet);
	json_t		*out;
	const json_t	*d;

	out = run(f, NULL, "{'source':{'host':'src-a','vm':'" VM4 "'},"
	    "'destinations':['dst-ok']}", NULL);
	expect(result_for(out, "dst-ok"), "incompatible",
	    "SOURCE_NOT_MIGRATABLE", NULL);
	d = json_array_get(json_object_get(json_object_get(out, "source"),
	    "devices"), 0);
	ck_assert_str_eq(sget(d, "state"), "not_migratable");
	json_decref(out);
	/* A parent of mdevs is not itself something that migrates. */
	out = run(f, NULL, "{'source':{'host':'src-a','devices':"
	    "['0000:3b:00.0']},'destinations':['dst-ok']}", NULL);
	expect(result_for(out, "dst-ok"), "incompatible",
	    "SOURCE_NOT_MIGRATABLE", NULL);
	json_decref(out);
	fleet_free(f);
}
END_TEST

START_TEST(source_unknown)
{
	struct fleet		*f = load(main_fleet);
	struct compat_status	 st;
	json_t			*out;
	const json_t		*r;

	out = run(f, NULL, "{'source':{'host':'src-a','devices':['" U1
	    "','0000:99:00.0']},'destinations':['dst-ok','nowhere']}", &st);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(st.error, COMPAT_ENOSOURCE);
	ck_assert_str_eq(st.field, "source.devices[1]");
	r = result_for(out, "dst-ok");
	expect(r, "unknown", "SOURCE_UNKNOWN", NULL);
	ck_assert_ptr_nonnull(find_reason(r, "SOURCE_UNKNOWN",
	    "0000:99:00.0"));
	ck_assert_ptr_null(find_reason(r, "SOURCE_UNKNOWN", U1));
	/* Even an unknown destination says the source is unknown. */
	expect(result_for(out, "nowhere"), "unknown", "SOURCE_UNKNOWN", NULL);
	json_decref(out);

	out = run(f, NULL, "{'source':{'host':'no-such-host','devices':['"
	    U1 "']}}", &st);
	ck_assert_int_eq(st.error, COMPAT_ENOSOURCE);
	ck_assert_str_eq(st.field, "source.host");
	/* Every known host is a destination, all unknown. */
	ck_assert_uint_eq(json_array_size(json_object_get(out, "results")),
	    fleet_count(f));
	expect(result_for(out, "dst-ok"), "unknown", "SOURCE_UNKNOWN", NULL);
	json_decref(out);

	out = run(f, NULL, "{'source':{'vm':"
	    "'6f3b1c2d-0000-4000-8000-0000000000ee'}}", &st);
	ck_assert_int_eq(st.error, COMPAT_ENOSOURCE);
	ck_assert_str_eq(st.field, "source.vm");
	expect(result_for(out, "dst-ok"), "unknown", "SOURCE_UNKNOWN", NULL);
	json_decref(out);

	out = run(f, NULL, "{'source':{'host':'src-a','vm':"
	    "'6f3b1c2d-0000-4000-8000-0000000000ee'}}", &st);
	ck_assert_int_eq(st.error, COMPAT_ENOSOURCE);
	ck_assert_str_eq(st.field, "source.vm");
	json_decref(out);
	fleet_free(f);
}
END_TEST

START_TEST(host_unknown_stale_old)
{
	struct fleet	*f = load(main_fleet);
	json_t		*out;
	const json_t	*r;

	put(f, "dst-stale", STALE + 1);
	put(f, "dst-old", STALE / 2 + 1);
	out = run(f, NULL, "{'source':{'host':'src-a','devices':['" U1
	    "']},'destinations':['nowhere','dst-stale','dst-old']}", NULL);
	r = result_for(out, "nowhere");
	expect(r, "unknown", "HOST_UNKNOWN", NULL);
	ck_assert(json_is_null(json_object_get(r, "data_age_s")));
	ck_assert(json_is_null(json_object_get(r, "score")));
	/* Stale data that would fit is still not compatible. */
	r = result_for(out, "dst-stale");
	expect(r, "unknown", "HOST_STALE", NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "data_age_s")),
	    STALE + 1);
	r = result_for(out, "dst-old");
	expect(r, "compatible", "DATA_OLD", NULL);
	ck_assert_ptr_null(find_reason(r, "HOST_STALE", NULL));
	json_decref(out);

	/* Enough names for the merge walk, unknown ones at both ends. */
	out = run(f, NULL, "{'source':{'host':'src-a','devices':['" U1
	    "']},'destinations':['zzz','dst-ok','aaa','dst-big','dst-split',"
	    "'dst-newer','dst-zero']}", NULL);
	expect(result_for(out, "aaa"), "unknown", "HOST_UNKNOWN", NULL);
	expect(result_for(out, "zzz"), "unknown", "HOST_UNKNOWN", NULL);
	expect(result_for(out, "dst-ok"), "compatible", NULL, NULL);
	expect(result_for(out, "dst-big"), "compatible", NULL, NULL);
	expect(result_for(out, "dst-newer"), "incompatible",
	    "VERSION_MISMATCH", NULL);
	expect(result_for(out, "dst-zero"), "incompatible", "NO_CAPACITY",
	    NULL);
	json_decref(out);

	/* Stale and against: still unknown, the reasons kept for people. */
	put(f, "dst-notype", STALE * 10);
	out = run(f, NULL, "{'source':{'host':'src-a','devices':['" U1
	    "']},'destinations':['dst-notype']}", NULL);
	r = result_for(out, "dst-notype");
	expect(r, "unknown", "HOST_STALE", NULL);
	ck_assert_ptr_nonnull(find_reason(r, "TYPE_MISSING", U1));
	json_decref(out);
	fleet_free(f);
}
END_TEST

START_TEST(platform)
{
	struct fleet	*f = load(main_fleet);
	json_t		*out;
	const json_t	*rs;

	out = run(f, NULL, "{'source':{'host':'src-a','devices':['" U1
	    "']},'destinations':['dst-oldkernel','dst-arm','dst-oldqemu',"
	    "'dst-nullplat','src-a']}", NULL);
	expect(result_for(out, "dst-oldkernel"), "incompatible",
	    "PLATFORM_MISMATCH", "kernel_release");
	expect(result_for(out, "dst-arm"), "incompatible",
	    "PLATFORM_MISMATCH", "arch");
	rs = find_reason(result_for(out, "dst-oldqemu"), "PLATFORM_MISMATCH",
	    NULL);
	ck_assert_str_eq(sget(rs, "field"), "qemu_version");
	ck_assert_str_eq(sget(rs, "source_value"), "9.2.0");
	ck_assert_str_eq(sget(rs, "destination_value"), "8.2.0");
	/* Null platform facts: never compatible. */
	expect(result_for(out, "dst-nullplat"), "unknown",
	    "PLATFORM_MISMATCH", NULL);
	expect(result_for(out, "src-a"), "incompatible", "SAME_HOST", NULL);
	json_decref(out);

	/* An unknown kernel, first and alone: unknown, not compatible. */
	out = run(f, NULL, "{'source':{'host':'src-a','devices':['" U1
	    "']},'destinations':['dst-nullkernel']}", NULL);
	expect(result_for(out, "dst-nullkernel"), "unknown",
	    "PLATFORM_MISMATCH", "kernel_release");
	json_decref(out);
	fleet_free(f);
}
END_TEST

START_TEST(cpr)
{
	const char *const h1[] = { "cpr-ok", "dst-ok", NULL };
	const char *const h2[] = { "cpr-noiommufd", NULL };
	const char *const h3[] = { "cpr-oldqemu", NULL };
	struct fleet	*f = load(h1);
	json_t		*out;
	const json_t	*r, *a;

	out = run(f, NULL, "{'mode':'cpr','source':{'vm':'" VM1 "'}}", NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(out, "results")), 1);
	r = result_for(out, "cpr-ok");
	expect(r, "compatible", NULL, NULL);
	a = json_array_get(json_object_get(r, "assignments"), 0);
	ck_assert_str_eq(sget(a, "source"), U3);
	ck_assert_str_eq(sget(a, "parent"), "0000:3b:00.0");
	json_decref(out);
	out = run(f, NULL, "{'mode':'cpr','source':{'vm':'" VM1 "'},"
	    "'destinations':['dst-ok','cpr-ok']}", NULL);
	expect(result_for(out, "dst-ok"), "incompatible", "CPR_UNSUPPORTED",
	    NULL);
	expect(result_for(out, "cpr-ok"), "compatible", NULL, NULL);
	json_decref(out);
	fleet_free(f);

	f = load(h2);
	out = run(f, NULL, "{'mode':'cpr','source':{'host':'cpr-noiommufd',"
	    "'vm':'" VM1 "'}}", NULL);
	expect(result_for(out, "cpr-noiommufd"), "incompatible",
	    "CPR_UNSUPPORTED", "backend");
	json_decref(out);
	fleet_free(f);

	f = load(h3);
	out = run(f, NULL, "{'mode':'cpr','source':{'host':'cpr-oldqemu',"
	    "'devices':['" U3 "']}}", NULL);
	expect(result_for(out, "cpr-oldqemu"), "incompatible",
	    "CPR_UNSUPPORTED", "qemu_version");
	json_decref(out);
	fleet_free(f);
}
END_TEST

START_TEST(order_and_score)
{
	struct fleet	*f = load(main_fleet);
	json_t		*out, *res;
	const char	*want[] = { "dst-big", "dst-ok", "dst-split",
	    "dst-stale", "nowhere", "dst-newer" };
	size_t		 i;

	put(f, "dst-stale", STALE * 2);
	out = run(f, NULL, "{'source':{'host':'src-a','devices':['" U1
	    "']},'destinations':['dst-newer','nowhere','dst-ok','dst-stale',"
	    "'dst-split','dst-big']}", NULL);
	res = json_object_get(out, "results");
	ck_assert_uint_eq(json_array_size(res), 6);
	for (i = 0; i < 6; i++)
		ck_assert_str_eq(sget(json_array_get(res, i), "host"),
		    want[i]);
	ck_assert_int_eq(json_integer_value(json_object_get(
	    json_array_get(res, 0), "score")), 31);
	ck_assert_int_eq(json_integer_value(json_object_get(
	    json_array_get(res, 2), "score")), 1);

	/* The text form: same answer, or only the compatible results. */
	{
		struct compat_config	 cfg = { NULL, NOW, STALE, 1 };
		struct compat_status	 st;
		json_t			*rq, *t;
		char			*text;
		size_t			 len;

		rq = req("{'source':{'host':'src-a','devices':['" U1 "']},"
		    "'destinations':['dst-newer','nowhere','dst-ok',"
		    "'dst-stale','dst-split','dst-big']}");
		text = compat_check_text(f, &cfg, rq, false, &len, &st);
		ck_assert_ptr_nonnull(text);
		ck_assert_uint_eq(strlen(text), len);
		t = json_loads(text, 0, NULL);
		ck_assert(json_equal(t, out));
		ck_assert_uint_eq(st.n_compatible, 3);
		ck_assert_uint_eq(st.n_unknown, 2);
		ck_assert_uint_eq(st.n_incompatible, 1);
		json_decref(t);
		free(text);
		text = compat_check_text(f, &cfg, rq, true, &len, &st);
		t = json_loads(text, 0, NULL);
		ck_assert_uint_eq(json_array_size(json_object_get(t,
		    "results")), 3);
		ck_assert_uint_eq(st.n_incompatible, 1);
		json_decref(t);
		free(text);
		json_decref(rq);
	}

	json_decref(out);

	/* Default destinations: every host but the source. */
	out = run(f, NULL, "{'source':{'host':'src-a','devices':['" U1
	    "']}}", NULL);
	res = json_object_get(out, "results");
	ck_assert_uint_eq(json_array_size(res), fleet_count(f) - 1);
	for (i = 0; i < json_array_size(res); i++)
		ck_assert_str_ne(sget(json_array_get(res, i), "host"),
		    "src-a");
	json_decref(out);
	fleet_free(f);
}
END_TEST

START_TEST(several_failures)
{
	struct fleet	*f = load(main_fleet);
	json_t		*out;
	const json_t	*r;

	out = run(f, NULL, "{'source':{'host':'src-a','devices':['" U1
	    "','0000:5e:00.3']},'destinations':['dst-notype']}", NULL);
	r = result_for(out, "dst-notype");
	expect(r, "incompatible", NULL, NULL);
	ck_assert_ptr_nonnull(find_reason(r, "TYPE_MISSING", U1));
	ck_assert_ptr_nonnull(find_reason(r, "DEVICE_MISSING",
	    "0000:5e:00.3"));
	ck_assert_uint_eq(json_array_size(json_object_get(r, "reasons")), 2);
	json_decref(out);
	fleet_free(f);
}
END_TEST

START_TEST(descriptors)
{
	struct fleet	*f = load(main_fleet);
	json_t		*out;
	const json_t	*r, *a;

	out = run(f, NULL, "{'source':{'descriptors':["
	    "{'id':'my-vgpu','device':{'vendor_id':'10de','device_id':'1eb8',"
	    "'driver':'nvidia','driver_version':'550.90.05'},"
	    "'type':{'kind':'mdev','id':'nvidia-222','device_api':'vfio-pci'}},"
	    "{'device':{'vendor_id':'15b3','device_id':'101e',"
	    "'subsystem_vendor_id':'15b3','subsystem_device_id':'0022',"
	    "'driver':'mlx5_vfio_pci','driver_version':'6.8.0-45-generic'}}],"
	    "'platform':{'arch':'x86_64','qemu_version':'9.2.0'}},"
	    "'destinations':['dst-ok','dst-newer','dst-arm']}", NULL);
	ck_assert_ptr_nonnull(out);
	ck_assert(json_is_null(json_object_get(json_object_get(out, "source"),
	    "host")));
	r = result_for(out, "dst-ok");
	expect(r, "compatible", "FLAGS_UNKNOWN", NULL);
	a = json_array_get(json_object_get(r, "assignments"), 0);
	ck_assert_str_eq(sget(a, "source"), "my-vgpu");
	a = json_array_get(json_object_get(r, "assignments"), 1);
	ck_assert_str_eq(sget(a, "source"), "descriptor-1");
	ck_assert_str_eq(sget(a, "device"), "0000:5e:00.3");
	r = result_for(out, "dst-newer");
	expect(r, "incompatible", "VERSION_MISMATCH", "driver_version");
	ck_assert_ptr_nonnull(find_reason(r, "VERSION_MISMATCH", "my-vgpu"));
	expect(result_for(out, "dst-arm"), "incompatible",
	    "PLATFORM_MISMATCH", "arch");
	json_decref(out);

	/* Three of a type: 8 free on dst-ok, 1 + 1 on dst-split. */
#define VGPU_D	"{'device':{'vendor_id':'10de','device_id':'1eb8'," \
	    "'driver':'nvidia','driver_version':'550.90.05'},'type':" \
	    "{'kind':'mdev','id':'nvidia-222','device_api':'vfio-pci'}}"
	out = run(f, NULL, "{'source':{'descriptors':[" VGPU_D "," VGPU_D ","
	    VGPU_D "],'platform':{'arch':'x86_64','qemu_version':'9.2.0'}},"
	    "'destinations':['dst-ok','dst-split']}", NULL);
	r = result_for(out, "dst-ok");
	expect(r, "compatible", NULL, NULL);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "score")), 5);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "assignments")),
	    3);
	r = result_for(out, "dst-split");
	expect(r, "incompatible", "NO_CAPACITY", NULL);
	ck_assert_uint_eq(json_array_size(json_object_get(r, "reasons")), 1);
	ck_assert_ptr_nonnull(find_reason(r, "NO_CAPACITY", "descriptor-2"));
	json_decref(out);

	/* Without source.platform the platform rules cannot be judged:
	 * before, they were skipped and the answer was compatible. */
	out = run(f, NULL, "{'source':{'descriptors':[" VGPU_D "]},"
	    "'destinations':['dst-ok']}", NULL);
	r = result_for(out, "dst-ok");
	expect(r, "unknown", "PLATFORM_MISMATCH", "arch");
	json_decref(out);
	out = run(f, NULL, "{'source':{'descriptors':[" VGPU_D "],"
	    "'platform':{'arch':'x86_64'}},'destinations':['dst-ok']}", NULL);
	expect(result_for(out, "dst-ok"), "unknown", "PLATFORM_MISMATCH",
	    "qemu_version");
	json_decref(out);
#undef VGPU_D
	fleet_free(f);
}
END_TEST

/* Values travel into the answer text escaped and come back intact. */
START_TEST(escaping)
{
	struct fleet	*f = load(main_fleet);
	struct policy	*ecc;
	json_t		*rq, *out, *dev, *attrs;
	const json_t	*rs;
	struct compat_config	 cfg = { NULL, NOW, STALE, 1 };
	struct compat_status	 st;
	const char	*odd = "on \"x\"\t\\ \xc3\xa9";

	ecc = policy_text("{'rules':[{'name':'e','match':{},'compare':"
	    "{'attributes.nvidia.ecc':'exact'}}]}");
	cfg.policy = ecc;
	rq = req("{'source':{'descriptors':[{'device':{'vendor_id':'10de',"
	    "'device_id':'1eb8','driver':'nvidia'},'type':{'kind':'mdev',"
	    "'id':'nvidia-222','device_api':'vfio-pci'}}]},"
	    "'destinations':['dst-ok']}");
	dev = json_object_get(json_array_get(json_object_get(json_object_get(
	    rq, "source"), "descriptors"), 0), "device");
	attrs = json_object();
	json_object_set_new(attrs, "nvidia.ecc", json_string(odd));
	json_object_set_new(dev, "attributes", attrs);
	out = check_tree(f, &cfg, rq, &st);
	ck_assert_ptr_nonnull(out);
	rs = find_reason(result_for(out, "dst-ok"), "VERSION_MISMATCH", NULL);
	ck_assert_ptr_nonnull(rs);
	ck_assert_str_eq(sget(rs, "source_value"), odd);
	ck_assert_str_eq(sget(rs, "destination_value"), "enabled");
	json_decref(out);
	json_decref(rq);
	policy_free(ecc);
	fleet_free(f);
}
END_TEST

struct worker {
	struct fleet	*fleet;
	const char	*want;
	int		 same;
};

static void *
worker_run(void *arg)
{
	struct worker		*wk = arg;
	struct compat_config	 cfg = { NULL, NOW, STALE, 1 };
	struct compat_status	 st;
	json_t			*rq;
	char			*text;
	size_t			 len;
	int			 i;

	rq = req("{'source':{'vm':'" VM2 "'}}");
	wk->same = 1;
	for (i = 0; i < 50; i++) {
		fleet_rdlock(wk->fleet);
		text = compat_check_text(wk->fleet, &cfg, rq, false, &len, &st);
		fleet_unlock(wk->fleet);
		if (text == NULL || strcmp(text, wk->want) != 0)
			wk->same = 0;
		free(text);
	}
	json_decref(rq);
	return (NULL);
}

/* The single-result form is results[0] of the full answer. */
START_TEST(one_result)
{
	struct fleet		*f = load(main_fleet);
	struct compat_config	 cfg = { NULL, NOW, STALE, 1 };
	struct compat_status	 st;
	const char		*rqs[] = {
	    "{'source':{'host':'src-a','devices':['" U1 "']},"
	    "'destinations':['dst-ok']}",
	    "{'source':{'host':'src-a','vm':'" VM3 "'},"
	    "'destinations':['dst-ok']}",
	    "{'source':{'host':'src-a','devices':['" U1 "']},"
	    "'destinations':['nowhere']}" };
	json_t			*rq, *full, *one;
	char			*text;
	size_t			 i, len;

	for (i = 0; i < 3; i++) {
		rq = req(rqs[i]);
		full = check_tree(f, &cfg, rq, &st);
		text = compat_check_one_text(f, &cfg, rq, &len, &st);
		ck_assert_ptr_nonnull(text);
		ck_assert_int_eq(st.error, COMPAT_OK);
		one = json_loads(text, 0, NULL);
		ck_assert(json_equal(one, json_array_get(json_object_get(full,
		    "results"), 0)));
		json_decref(one);
		json_decref(full);
		free(text);
		json_decref(rq);
	}
	rq = req("{'source':{'host':'src-a','devices':['0000:99:00.0']},"
	    "'destinations':['dst-ok']}");
	text = compat_check_one_text(f, &cfg, rq, &len, &st);
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(st.error, COMPAT_ENOSOURCE);
	ck_assert_str_eq(st.field, "source.devices[0]");
	free(text);
	json_decref(rq);
	rq = req("{'source':{'host':'src-a','devices':['" U1 "']},"
	    "'destinations':['dst-ok','dst-big']}");
	ck_assert_ptr_null(compat_check_one_text(f, &cfg, rq, &len, &st));
	ck_assert_int_eq(st.error, COMPAT_EINVAL);
	ck_assert_str_eq(st.field, "destinations");
	json_decref(rq);
	rq = req("{'source':{'host':'src-a','devices':['" U1 "']}}");
	ck_assert_ptr_null(compat_check_one_text(f, &cfg, rq, &len, &st));
	ck_assert_str_eq(st.field, "destinations");
	json_decref(rq);
	fleet_free(f);
}
END_TEST

/*
 * The GET form's question in parts (compat_check_one) is the JSON
 * request it stands for (compat_check_one_text): the same answer, and
 * the same refusal, field and message for every part that is missing
 * or bad -- it fails closed exactly where the JSON request does.
 */
START_TEST(one_parts)
{
	static const struct compat_one	 qs[] = {
	    { "live", "src-a", U1, NULL, "dst-ok" },
	    { "cold", "src-a", NULL, VM3, "dst-big" },
	    { "cpr", "src-a", U1, NULL, "src-a" },
	    { NULL, "SRC-A", U1, NULL, "DST-OK" },
	    { "live", "src-a", "0000:99:00.0", NULL, "dst-ok" },
	    { "live", "nowhere", U1, NULL, "dst-ok" },
	    { "live", NULL, NULL, VM3, "dst-ok" },
	    { "live", NULL, NULL, VM5, "dst-ok" },
	    { "live", "src-a", U1, NULL, "not a host!" },
	    { "live", "src-a", U1, NULL, "nowhere" },
	    { "warm", "src-a", U1, NULL, "dst-ok" },
	    { "", "src-a", U1, NULL, "dst-ok" },
	    { "live", "bad host!", U1, NULL, "dst-ok" },
	    { "live", "src-a", NULL, "NOT-A-UUID", "dst-ok" },
	    { "live", "src-a", "bad id!", NULL, "dst-ok" },
	    { "live", "src-a", U1, VM3, "dst-ok" },
	    { "live", "src-a", NULL, NULL, "dst-ok" },
	    { "live", NULL, U1, NULL, "dst-ok" },
	    { "live", NULL, NULL, NULL, "dst-ok" },
	    { "live", "src-a", U1, NULL, NULL },
	    { "warm", "bad host!", NULL, NULL, NULL } };
	struct fleet		*f = load(main_fleet);
	struct compat_config	 cfg = { NULL, NOW, STALE, 1 };
	struct compat_status	 st1, st2;
	json_t			*rq, *src;
	char			*t1, *t2;
	size_t			 i, l1, l2;

	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		rq = json_object();
		src = json_object();
		if (qs[i].mode != NULL)
			json_object_set_new(rq, "mode",
			    json_string(qs[i].mode));
		if (qs[i].host != NULL)
			json_object_set_new(src, "host",
			    json_string(qs[i].host));
		if (qs[i].device != NULL)
			json_object_set_new(src, "devices",
			    json_pack("[s]", qs[i].device));
		if (qs[i].vm != NULL)
			json_object_set_new(src, "vm", json_string(qs[i].vm));
		json_object_set_new(rq, "source", src);
		if (qs[i].destination != NULL)
			json_object_set_new(rq, "destinations",
			    json_pack("[s]", qs[i].destination));
		t1 = compat_check_one_text(f, &cfg, rq, &l1, &st1);
		t2 = compat_check_one(f, &cfg, &qs[i], &l2, &st2);
		ck_assert_msg((t1 == NULL) == (t2 == NULL), "case %zu", i);
		if (t1 != NULL) {
			ck_assert_uint_eq(l1, l2);
			ck_assert_str_eq(t1, t2);
		}
		ck_assert_int_eq(st1.error, st2.error);
		ck_assert_str_eq(st1.field, st2.field);
		ck_assert_str_eq(st1.message, st2.message);
		ck_assert_uint_eq(st1.n_compatible, st2.n_compatible);
		ck_assert_uint_eq(st1.n_unknown, st2.n_unknown);
		ck_assert_uint_eq(st1.n_incompatible, st2.n_incompatible);
		free(t1);
		free(t2);
		json_decref(rq);
	}
	/* Not vacuous: an answer and a refusal among them. */
	t2 = compat_check_one(f, &cfg, &qs[0], &l2, &st2);
	ck_assert_ptr_nonnull(strstr(t2, "\"verdict\":\"compatible\""));
	free(t2);
	ck_assert_ptr_null(compat_check_one(f, &cfg, &qs[15], &l2, &st2));
	ck_assert_int_eq(st2.error, COMPAT_EINVAL);
	ck_assert_str_eq(st2.field, "source");
	fleet_free(f);
}
END_TEST

/* Checks share nothing but the fleet: parallel answers are identical. */
START_TEST(concurrent)
{
	struct fleet		*f = load(main_fleet);
	struct compat_config	 cfg = { NULL, NOW, STALE, 1 };
	struct compat_status	 st;
	struct worker		 wk[4];
	pthread_t		 th[4];
	json_t			*rq;
	char			*want;
	size_t			 len, i;

	rq = req("{'source':{'vm':'" VM2 "'}}");
	want = compat_check_text(f, &cfg, rq, false, &len, &st);
	json_decref(rq);
	ck_assert_ptr_nonnull(want);
	for (i = 0; i < 4; i++) {
		wk[i].fleet = f;
		wk[i].want = want;
		ck_assert_int_eq(pthread_create(&th[i], NULL, worker_run,
		    &wk[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(wk[i].same, 1);
	}
	free(want);
	fleet_free(f);
}
END_TEST

START_TEST(validation)
{
	char	 big[4096];
	size_t	 i, n;

	expect_invalid("[]", "(document)");
	expect_invalid("{'source':{'host':'src-a','devices':['" U1 "']},"
	    "'colour':1}", "colour");
	expect_invalid("{'mode':'warp','source':{'vm':'" VM1 "'}}", "mode");
	expect_invalid("{'mode':1,'source':{'vm':'" VM1 "'}}", "mode");
	expect_invalid("{}", "source");
	expect_invalid("{'source':{}}", "source");
	expect_invalid("{'source':{'host':'src-a'}}", "source.devices");
	expect_invalid("{'source':{'host':'Bad Host','devices':['x']}}",
	    "source.host");
	expect_invalid("{'source':{'host':'src-a','devices':[]}}",
	    "source.devices");
	expect_invalid("{'source':{'host':'src-a','devices':'x'}}",
	    "source.devices");
	expect_invalid("{'source':{'host':'src-a','devices':['" U1 "',5]}}",
	    "source.devices[1]");
	expect_invalid("{'source':{'host':'src-a','devices':['" U1 "','a b']}}",
	    "source.devices[1]");
	expect_invalid("{'source':{'host':'src-a','devices':['" U1 "','" U1
	    "']}}", "source.devices[1]");
	expect_invalid("{'source':{'vm':'not-a-uuid'}}", "source.vm");
	expect_invalid("{'source':{'vm':'" VM1 "','devices':['" U1 "']}}",
	    "source");
	expect_invalid("{'source':{'vm':'" VM1 "','extra':1}}",
	    "source.extra");
	expect_invalid("{'source':{'vm':'" VM1 "'},'destinations':"
	    "['dst-ok','dst-ok']}", "destinations[1]");
	expect_invalid("{'source':{'vm':'" VM1 "'},'destinations':"
	    "['dst-ok',7]}", "destinations[1]");
	expect_invalid("{'source':{'vm':'" VM1 "'},'destinations':[]}",
	    "destinations");
	expect_invalid("{'source':{'vm':'" VM1 "'},'destinations':'dst-ok'}",
	    "destinations");
	expect_invalid("{'source':{'vm':'" VM1 "','platform':{}}}",
	    "source.platform");
	expect_invalid("{'source':{'vm':[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}}",
	    "(document)");
	/* 65 devices. */
	n = (size_t)snprintf(big, sizeof(big),
	    "{'source':{'host':'src-a','devices':[");
	for (i = 0; i < 65; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
		    "%s'0000:00:%02zx.0'", i ? "," : "", i);
	snprintf(big + n, sizeof(big) - n, "]}}");
	expect_invalid(big, "source.devices");
}
END_TEST

/* Every value slot of a request replaced by every JSON type: each is
 * either answered or refused with 400 naming a field, never a crash. */
START_TEST(hostile_values)
{
	struct fleet		*f = load(main_fleet);
	struct compat_config	 cfg = { NULL, NOW, STALE, 1 };
	struct compat_status	 st;
	const char		*base[] = {
	    "{'mode':'live','source':{'host':'src-a','devices':['" U1 "']},"
	    "'destinations':['dst-ok']}",
	    "{'source':{'host':'src-a','vm':'" VM2 "'}}",
	    "{'source':{'descriptors':[{'id':'x','device':{'vendor_id':'10de',"
	    "'migration':{'capable':true,'flags':['p2p'],'flags_source':"
	    "'probe','version':null},'attributes':{'a':'b'}},'type':{'kind':"
	    "'mdev','id':'nvidia-222','device_api':'vfio-pci'}}],"
	    "'platform':{'arch':'x86_64','qemu_version':'9.2'}}}" };
	const char		*vals[] = { "null", "true", "0", "-1", "1.5",
	    "\"\"", "\"0000:3b:00.0\"", "[]", "[null]", "{}",
	    "{\"a\":1}", "[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]" };
	json_t			*v, *out;
	char			*text;
	size_t			 b, k, tried = 0;

	for (b = 0; b < 3; b++) {
		json_t	*orig = req(base[b]);
		json_t	*stack[32];
		size_t	 top = 0;

		/* Depth-first over every object member and array element. */
		stack[top++] = orig;
		while (top > 0) {
			json_t		*node = stack[--top];
			const char	*key;
			json_t		*child;
			void		*iter;
			size_t		 i;

			if (json_is_object(node)) {
				json_object_foreach_safe(node, iter, key,
				    child) {
					for (k = 0; k < 12; k++) {
						json_t	*saved = json_incref(
						    child);

						v = json_loads(vals[k],
						    JSON_DECODE_ANY, NULL);
						json_object_set_new(node, key,
						    v);
						out = check_tree(f, &cfg,
						    orig, &st);
						if (out == NULL)
							ck_assert_int_eq(
							    st.error,
							    COMPAT_EINVAL);
						json_decref(out);
						json_object_set_new(node, key,
						    saved);
						tried++;
					}
					if ((json_is_object(child) ||
					    json_is_array(child)) && top < 32)
						stack[top++] = child;
				}
			} else if (json_is_array(node)) {
				json_array_foreach(node, i, child) {
					for (k = 0; k < 12; k++) {
						json_t	*saved = json_incref(
						    child);

						v = json_loads(vals[k],
						    JSON_DECODE_ANY, NULL);
						json_array_set_new(node, i, v);
						out = check_tree(f, &cfg,
						    orig, &st);
						if (out == NULL)
							ck_assert_int_eq(
							    st.error,
							    COMPAT_EINVAL);
						json_decref(out);
						json_array_set_new(node, i,
						    saved);
						tried++;
					}
					if ((json_is_object(child) ||
					    json_is_array(child)) && top < 32)
						stack[top++] = child;
				}
			}
		}
		/* And the original still answers. */
		text = compat_check_text(f, &cfg, orig, false, NULL, &st);
		ck_assert_ptr_nonnull(text);
		free(text);
		json_decref(orig);
	}
	ck_assert_uint_gt(tried, 300);
	fleet_free(f);
}
END_TEST

START_TEST(descriptor_validation)
{
	expect_invalid("{'source':{'descriptors':[]}}", "source.descriptors");
	expect_invalid("{'source':{'descriptors':[{'device':{'vendor_id':"
	    "'10DE'}}]}}", "source.descriptors[0].device.vendor_id");
	expect_invalid("{'source':{'descriptors':[{'device':{}},{'device':"
	    "{'colour':'red'}}]}}", "source.descriptors[1].device.colour");
	expect_invalid("{'source':{'descriptors':[{'device':{},'type':"
	    "{'kind':'mdev','id':'nvidia-222'}}]}}",
	    "source.descriptors[0].type.device_api");
	expect_invalid("{'source':{'descriptors':[{'device':{},'type':"
	    "{'kind':'bogus','id':'x','device_api':'vfio-pci'}}]}}",
	    "source.descriptors[0].type.kind");
	expect_invalid("{'source':{'descriptors':[{'type':{}}]}}",
	    "source.descriptors[0].device");
	expect_invalid("{'source':{'descriptors':[{'device':{},'x':1}]}}",
	    "source.descriptors[0].x");
	expect_invalid("{'source':{'descriptors':[{'id':'a','device':{}},"
	    "{'id':'a','device':{}}]}}", "source.descriptors[1].id");
	expect_invalid("{'source':{'descriptors':[{'device':{}}],"
	    "'host':'src-a'}}", "source");
	expect_invalid("{'mode':'cpr','source':{'descriptors':"
	    "[{'device':{}}]}}", "mode");
	expect_invalid("{'source':{'descriptors':[{'device':{}}],"
	    "'platform':{'arch':5}}}", "source.platform.arch");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("compat");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, vgpu_compatible);
	tcase_add_test(tc, version_mismatch_and_comparators);
	tcase_add_test(tc, null_version_never_matches);
	tcase_add_test(tc, type_missing_api_capacity);
	tcase_add_test(tc, greedy_fails_matching_succeeds);
	tcase_add_test(tc, pci_passthrough);
	tcase_add_test(tc, pci_two_alike);
	tcase_add_test(tc, vm_p2p_and_flags);
	tcase_add_test(tc, nvidia_vgpu_instance);
	tcase_add_test(tc, not_migratable);
	tcase_add_test(tc, source_unknown);
	tcase_add_test(tc, host_unknown_stale_old);
	tcase_add_test(tc, platform);
	tcase_add_test(tc, cpr);
	tcase_add_test(tc, order_and_score);
	tcase_add_test(tc, several_failures);
	tcase_add_test(tc, descriptors);
	tcase_add_test(tc, escaping);
	tcase_add_test(tc, one_result);
	tcase_add_test(tc, one_parts);
	tcase_add_test(tc, concurrent);
	tcase_add_test(tc, validation);
	tcase_add_test(tc, descriptor_validation);
	tcase_add_test(tc, hostile_values);
	suite_add_tcase(s, tc);
	return (check_run(s));
}
