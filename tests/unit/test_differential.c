/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_differential.c -- the two ways into the engine must agree.
 *
 * A source from the fleet goes through the indexed path: pooled strings
 * compared by pointer, the per-host type index, look-alike parents and
 * device classes evaluated once. The same devices spelled out as
 * {"descriptors": ...} go through the plain path: strcmp and a scan of
 * every device. For random fleets (fixed seeds, so a failure can be
 * replayed) both must give every destination the same verdict, score,
 * reasons and warnings. The look-alike index reads its field list from
 * the policy (policy_fields_alike()); a field one of them forgot shows
 * up here as a verdict the other does not give.
 *
 * A check against every host of a fleet big enough to run in parts on
 * several threads (parallel.c) must write, byte for byte, the answer
 * of the same check run serially; and each result in it, whose text is
 * mostly copied from what an earlier result rendered (answer.c's
 * fragments), is what a check of that destination alone writes.
 *
 * The generator mixes what decides verdicts: shared and differing
 * driver versions, null keys and null policy fields, types with and
 * without capacity, devices in use by VMs, flags from every source,
 * attributes, platforms that differ in arch and QEMU.
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

#define ROUNDS		150
#define NHOSTS		12

static unsigned int	 rnd(unsigned int *, unsigned int);
static const char	*pick(unsigned int *, const char *const *, size_t);
static json_t		*maybe_null(unsigned int *, const char *, unsigned int);
static json_t		*gen_flags(unsigned int *, json_t **);
static json_t		*gen_gpu(unsigned int *, unsigned int);
static json_t		*gen_vf(unsigned int *, unsigned int);
static json_t		*gen_host(unsigned int *, const char *);
static json_t		*descriptor(const json_t *, const char *);
static void		 compare(const json_t *, const json_t *, unsigned int);
static int		 same_alone(struct fleet *, const struct compat_config *,
			    const json_t *, const json_t *);

#define PICK(s, a)	pick((s), (a), sizeof(a) / sizeof((a)[0]))

static const char *const gpu_ids[] = { "1eb8", "2331" };
static const char *const gpu_drv[] = { "550.90.05", "550.127.05" };
static const char *const type_ids[] = { "nvidia-222", "nvidia-230",
	"nvidia-231" };
static const char *const apis[] = { "vfio-pci", "vfio-pci", "vfio-ccw" };
static const char *const vf_drivers[] = { "mlx5_vfio_pci", "mlx5_vfio_pci",
	"hisi_acc_vfio_pci", "vfio-pci" };
static const char *const vf_versions[] = { "6.8.0", "6.9.0" };
static const char *const flag_names[] = { "stop_copy", "p2p", "pre_copy",
	"dirty_tracking" };
static const char *const qemus[] = { "9.2.0", "9.2.0", "8.2.0", "10.1.0" };
static const char *const arches[] = { "x86_64", "x86_64", "x86_64",
	"aarch64" };

/* A small LCG: the same seed, the same fleet, on every machine. */
static unsigned int
rnd(unsigned int *s, unsigned int n)
{
	*s = *s * 1103515245u + 12345u;
	return ((*s >> 16) % n);
}

static const char *
pick(unsigned int *s, const char *const *a, size_t n)
{
	return (a[rnd(s, (unsigned int)n)]);
}

/* v, or null once in `one_in` times. */
static json_t *
maybe_null(unsigned int *s, const char *v, unsigned int one_in)
{
	return (rnd(s, one_in) == 0 ? json_null() : json_string(v));
}

/* A migration object; the flags array also goes to *flagsp. */
static json_t *
gen_flags(unsigned int *s, json_t **flagsp)
{
	static const char *const sources[] = { "none", "probe", "builtin",
	    "kernel" };
	const char	*src = PICK(s, sources);
	json_t		*flags = json_array();
	size_t		 i;

	for (i = 0; strcmp(src, "none") != 0 && i < 4; i++)
		if (rnd(s, 3) != 0)
			json_array_append_new(flags,
			    json_string(flag_names[i]));
	*flagsp = flags;
	return (json_pack("{s:b,s:O,s:s,s:n}", "capable", 1, "flags", flags,
	    "flags_source", src, "version"));
}

static json_t *
gen_gpu(unsigned int *s, unsigned int bus)
{
	json_t		*d, *types, *flags;
	char		 addr[16];
	unsigned int	 i, n = 1 + rnd(s, 2);

	snprintf(addr, sizeof(addr), "0000:%02x:00.0", bus);
	types = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(types, json_pack("{s:s,s:s,s:s,s:o,s:n,"
		    "s:o,s:o}", "kind", "mdev", "id", type_ids[(i +
		    rnd(s, 2)) % 3], "name", "GRID", "device_api",
		    maybe_null(s, PICK(s, apis), 8), "description",
		    "available_instances", rnd(s, 6) == 0 ? json_null() :
		    json_integer(rnd(s, 4)), "migration_version",
		    maybe_null(s, "1", 2)));
	/* Two types of one id on one device are refused by the codec. */
	if (n == 2 && strcmp(json_string_value(json_object_get(
	    json_array_get(types, 0), "id")), json_string_value(
	    json_object_get(json_array_get(types, 1), "id"))) == 0)
		json_array_remove(types, 1);
	d = json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:n,s:n,s:s,s:o,s:n,"
	    "s:n,s:n,s:i,s:i,s:o,s:o,s:o}", "address", addr, "vendor_id",
	    "10de", "device_id", PICK(s, gpu_ids), "subsystem_vendor_id",
	    "10de", "subsystem_device_id", maybe_null(s, "12a2", 10),
	    "class", "030200", "revision", "a1", "vendor_name",
	    "device_name", "driver", "nvidia", "driver_version",
	    maybe_null(s, PICK(s, gpu_drv), 10), "iommu_group", "numa_node",
	    "physfn", "sriov_totalvfs", 0, "sriov_numvfs", 0, "migration",
	    gen_flags(s, &flags), "types", types, "attributes",
	    rnd(s, 2) ? json_pack("{s:s}", "nvidia.ecc", rnd(s, 2) ? "on" :
	    "off") : json_object());
	json_decref(flags);
	return (d);
}

static json_t *
gen_vf(unsigned int *s, unsigned int bus)
{
	const char	*drv = PICK(s, vf_drivers);
	json_t		*m, *flags;
	char		 addr[16];

	snprintf(addr, sizeof(addr), "0000:%02x:00.%u", 0x80 + bus / 8,
	    bus % 8);
	m = gen_flags(s, &flags);
	json_decref(flags);
	if (strcmp(drv, "vfio-pci") == 0)
		m = (json_decref(m), json_pack("{s:b,s:[],s:s,s:n}",
		    "capable", 0, "flags", "flags_source", "none", "version"));
	return (json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:n,s:n,s:s,s:s,"
	    "s:n,s:n,s:n,s:i,s:i,s:o,s:[],s:{}}", "address", addr,
	    "vendor_id", "15b3", "device_id", "101e", "subsystem_vendor_id",
	    "15b3", "subsystem_device_id", maybe_null(s, "0047", 12),
	    "class", "020000", "revision", "00", "vendor_name",
	    "device_name", "driver", drv, "driver_version",
	    PICK(s, vf_versions), "iommu_group", "numa_node", "physfn",
	    "sriov_totalvfs", 0, "sriov_numvfs", 0, "migration", m, "types",
	    "attributes"));
}

/* A host; its VMs (one per in-use VF) carry complete, clean facts. */
static json_t *
gen_host(unsigned int *s, const char *name)
{
	json_t		*devs = json_array(), *insts = json_array();
	json_t		*vms = json_array(), *d, *t;
	const char	*qemu = PICK(s, qemus);
	char		 uuid[40];
	unsigned int	 i, n;

	n = rnd(s, 4);
	for (i = 0; i < n; i++) {
		d = gen_gpu(s, 0x10 + i);
		t = json_array_get(json_object_get(d, "types"), 0);
		if (rnd(s, 2)) {
			snprintf(uuid, sizeof(uuid), "83b8f4f2-509f-382f-3c1e-"
			    "e6bfe0fa%04x", 0x100 + i);
			json_array_append_new(insts, json_pack("{s:s,s:s,s:O,"
			    "s:O}", "kind", "mdev", "id", uuid, "type",
			    json_object_get(t, "id"), "parent",
			    json_object_get(d, "address")));
		}
		json_array_append_new(devs, d);
	}
	n = rnd(s, 6);
	for (i = 0; i < n; i++) {
		d = gen_vf(s, i);
		if (rnd(s, 4) == 0) {
			snprintf(uuid, sizeof(uuid), "6f3b1c2d-0000-4000-8000-"
			    "%012x", i + 1);
			json_array_append_new(vms, json_pack("{s:s,s:s,s:i,"
			    "s:[O],s:b,s:s,s:s,s:b,s:b}", "uuid", uuid, "name",
			    "vm", "pid", 100 + i, "devices", json_object_get(d,
			    "address"), "complete", 1, "qemu_version", qemu,
			    "backend", "container", "viommu", 0, "ram_shared",
			    0));
		}
		json_array_append_new(devs, d);
	}
	return (json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:b,s:b,s:s,s:n,s:n},"
	    "s:o,s:o,s:o}", "schema", "vfio-compat/inventory/v1", "host", name,
	    "collected_at", "2026-11-22T10:00:00Z", "collector_version", "t",
	    "platform", "kernel_release", "6.8.0", "arch", PICK(s, arches),
	    "iommufd", 1, "vfio_container", 1, "qemu_version", qemu,
	    "libvirt_version", "iommu_dirty_tracking", "devices", devs,
	    "instances", insts, "vms", vms));
}

/* The descriptor that spells out source id on host doc; NULL for an
 * instance whose type has a null device_api, which a descriptor cannot
 * state (the request is refused: device_api is required there). */
static json_t *
descriptor(const json_t *doc, const char *id)
{
	const json_t	*v, *d, *t;
	size_t		 i, k;

	json_array_foreach(json_object_get(doc, "instances"), i, v) {
		if (strcmp(json_string_value(json_object_get(v, "id")),
		    id) != 0)
			continue;
		json_array_foreach(json_object_get(doc, "devices"), k, d) {
			if (!json_equal(json_object_get(d, "address"),
			    json_object_get(v, "parent")))
				continue;
			json_array_foreach(json_object_get(d, "types"), i, t)
				if (json_equal(json_object_get(t, "id"),
				    json_object_get(v, "type")))
					return (json_is_null(json_object_get(t,
					    "device_api")) ? NULL :
					    json_pack("{s:s,s:O,s:O}", "id", id,
					    "device", d, "type", t));
		}
	}
	json_array_foreach(json_object_get(doc, "devices"), i, d)
		if (strcmp(json_string_value(json_object_get(d, "address")),
		    id) == 0)
			return (json_pack("{s:s,s:O}", "id", id, "device", d));
	ck_abort_msg("%s not on the source", id);
	return (NULL);
}

/* Every destination: same verdict, score, reasons and warnings. */
static void
compare(const json_t *a, const json_t *b, unsigned int seed)
{
	static const char *const keys[] = { "host", "verdict", "score",
	    "reasons", "warnings" };
	const json_t	*ra, *rb;
	char		*da, *db;
	size_t		 i, k;

	ck_assert_uint_eq(json_array_size(json_object_get(a, "results")),
	    json_array_size(json_object_get(b, "results")));
	json_array_foreach(json_object_get(a, "results"), i, ra) {
		rb = json_array_get(json_object_get(b, "results"), i);
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			if (json_equal(json_object_get(ra, keys[k]),
			    json_object_get(rb, keys[k])))
				continue;
			da = json_dumps(ra, JSON_COMPACT);
			db = json_dumps(rb, JSON_COMPACT);
			ck_abort_msg("seed %u: %s differs:\nindexed     %s\n"
			    "descriptors %s", seed, keys[k], da, db);
		}
		ck_assert_uint_eq(json_array_size(json_object_get(ra,
		    "assignments")), json_array_size(json_object_get(rb,
		    "assignments")));
	}
}

START_TEST(indexed_equals_descriptors)
{
	static const char *const modes[] = { "live", "live", "cold" };
	struct compat_config	 cfg;
	struct compat_status	 st;
	struct policy		*pols[2];
	struct fleet		*f;
	json_t			*hosts[NHOSTS], *ids, *dests, *descs, *ra, *rb;
	json_t			*ans_a, *ans_b, *cand;
	const json_t		*v;
	const char		*mode;
	char			 name[16];
	unsigned int		 seed, s, i, p;
	size_t			 k, ncompat = 0, nincompat = 0;

	pols[0] = NULL;
	pols[1] = policy_text("{'rules':[{'name':'nv','match':{'vendor_id':"
	    "'10de'},'compare':{'driver_version':'dst-ge',"
	    "'attributes.nvidia.ecc':'exact','migration_version':"
	    "'ignore'}},{'name':'vf','match':{'kind':'pci'},'compare':"
	    "{'driver_version':'same-major-dst-ge','subsystem_device_id':"
	    "'exact'}}]}");
	for (seed = 1; seed <= ROUNDS; seed++) {
		s = seed;
		f = fleet_new();
		for (i = 0; i < NHOSTS; i++) {
			snprintf(name, sizeof(name), "h%02u", i);
			hosts[i] = gen_host(&s, name);
			put_json(f, hosts[i], 10);
		}
		/* Source ids: instances and VFs of host h00. */
		cand = json_array();
		json_array_foreach(json_object_get(hosts[0], "instances"), k,
		    v)
			json_array_append(cand, json_object_get(v, "id"));
		json_array_foreach(json_object_get(hosts[0], "devices"), k, v)
			if (json_array_size(json_object_get(v, "types")) == 0)
				json_array_append(cand, json_object_get(v,
				    "address"));
		ids = json_array();
		descs = json_array();
		for (k = 0; k < json_array_size(cand); k++) {
			json_t	*dj;

			if (rnd(&s, 2) == 0 && json_array_size(ids) > 0)
				continue;
			v = json_array_get(cand, k);
			if ((dj = descriptor(hosts[0],
			    json_string_value(v))) == NULL)
				continue;
			json_array_append(ids, (json_t *)v);
			json_array_append_new(descs, dj);
		}
		json_decref(cand);
		dests = json_array();
		for (i = 1; i < NHOSTS; i++)
			json_array_append(dests, json_object_get(hosts[i],
			    "host"));
		mode = PICK(&s, modes);
		p = rnd(&s, 2);
		if (json_array_size(ids) == 0) {
			json_decref(ids);
			json_decref(descs);
			json_decref(dests);
			goto next;
		}
		ra = json_pack("{s:s,s:{s:s,s:O},s:O}", "mode", mode, "source",
		    "host", "h00", "devices", ids, "destinations", dests);
		rb = json_pack("{s:s,s:{s:O,s:{s:O,s:O}},s:O}", "mode", mode,
		    "source", "descriptors", descs, "platform", "arch",
		    json_object_get(json_object_get(hosts[0], "platform"),
		    "arch"), "qemu_version", json_object_get(json_object_get(
		    hosts[0], "platform"), "qemu_version"), "destinations",
		    dests);
		cfg.policy = pols[p];
		cfg.now = NOW;
		cfg.stale_after = STALE;
		cfg.threads = 1;
		ans_a = check_tree(f, &cfg, ra, &st);
		ck_assert_msg(ans_a != NULL, "seed %u: %s", seed, st.message);
		ans_b = check_tree(f, &cfg, rb, &st);
		ck_assert_msg(ans_b != NULL, "seed %u: %s %s", seed, st.field,
		    st.message);
		compare(ans_a, ans_b, seed);
		json_array_foreach(json_object_get(ans_a, "results"), k, v) {
			if (strcmp(sget(v, "verdict"), "compatible") == 0)
				ncompat++;
			else if (strcmp(sget(v, "verdict"),
			    "incompatible") == 0)
				nincompat++;
		}
		json_decref(ans_a);
		json_decref(ans_b);
		json_decref(ra);
		json_decref(rb);
		json_decref(ids);
		json_decref(descs);
		json_decref(dests);
next:
		for (i = 0; i < NHOSTS; i++)
			json_decref(hosts[i]);
		fleet_free(f);
	}
	/* The generator must exercise both outcomes, not one. */
	ck_assert_msg(ncompat > 50 && nincompat > 50, "%zu compatible, %zu "
	    "incompatible: the generator does not mix verdicts", ncompat,
	    nincompat);
	policy_free(pols[1]);
}
END_TEST

/*
 * A result of a fleet-wide answer, whose text came mostly from
 * fragments another host's result rendered first, is the result a check
 * of that one destination alone writes afresh. Returns 1.
 */
static int
same_alone(struct fleet *f, const struct compat_config *cfg,
    const json_t *rq, const json_t *result)
{
	struct compat_status	 st;
	json_t			*one, *alone;
	char			*text;
	size_t			 len;

	one = json_deep_copy(rq);
	json_object_set_new(one, "destinations", json_pack("[O]",
	    json_object_get(result, "host")));
	text = compat_check_one_text(f, cfg, one, &len, &st);
	ck_assert_msg(text != NULL, "%s", st.message);
	alone = json_loads(text, 0, NULL);
	ck_assert(alone != NULL);
	ck_assert_msg(json_equal(alone, result), "%s: alone %s, in the "
	    "fleet's answer %s", sget(result, "host"), text,
	    json_dumps(result, JSON_COMPACT));
	json_decref(alone);
	json_decref(one);
	free(text);
	return (1);
}

/* Every host of a 3,100-host fleet, and most of them named with some
 * unknown and some invalid names among them, serially and in three
 * parts. */
START_TEST(parallel_equals_serial)
{
	static const char *const modes[] = { "", "'mode':'cold'," };
	struct compat_config	 cfg;
	struct compat_status	 st;
	struct fleet		*f;
	json_t			*h0 = NULL, *h, *rq, *ans, *dests;
	const json_t		*v;
	char			 name[16], ids[512], rtext[768];
	char			*serial, *par;
	size_t			 k, r, ls, lp, ncompat = 0, nother = 0;
	size_t			 nalone = 0;
	unsigned int		 s = 7, i, only;

	f = fleet_new();
	for (i = 0; i < 3100; i++) {
		snprintf(name, sizeof(name), "h%04u", i);
		h = gen_host(&s, name);
		/* A source with instances to move. */
		if (i == 0)
			while (json_array_size(json_object_get(h,
			    "instances")) == 0) {
				json_decref(h);
				h = gen_host(&s, name);
			}
		put_json(f, h, 10 + i % 400);
		if (i == 0)
			h0 = h;
		else
			json_decref(h);
	}
	ids[0] = '\0';
	json_array_foreach(json_object_get(h0, "instances"), k, v)
		snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids),
		    "%s'%s'", k > 0 ? "," : "", sget(v, "id"));
	memset(&cfg, 0, sizeof(cfg));
	cfg.now = NOW;
	cfg.stale_after = STALE;
	/* Named backwards, so that the engine sorts them. */
	dests = json_array();
	for (i = 3099; i > 0; i--) {
		if (i % 7 == 0)
			continue;
		snprintf(name, sizeof(name), i % 501 == 0 ? "gone-%u" :
		    i % 499 == 0 ? "Not A Name %u" : "h%04u", i);
		json_array_append_new(dests, json_string(name));
	}
	for (r = 0; r < 2 * sizeof(modes) / sizeof(modes[0]); r++)
	for (only = 0; only < 2; only++) {
		snprintf(rtext, sizeof(rtext), "{%s'source':{'host':'h0000',"
		    "'devices':[%s]}}", modes[r / 2], ids);
		rq = req(rtext);
		if (r % 2 == 1)
			json_object_set(rq, "destinations", dests);
		cfg.threads = 1;
		serial = compat_check_text(f, &cfg, rq, only, &ls, &st);
		ck_assert_msg(serial != NULL, "%s", st.message);
		cfg.threads = 3;
		par = compat_check_text(f, &cfg, rq, only, &lp, &st);
		ck_assert_msg(par != NULL, "%s", st.message);
		ans = json_loads(serial, 0, NULL);
		ck_assert(ans != NULL);
		json_array_foreach(json_object_get(ans, "results"), k, v)
			if (k % 23 == 0)
				nalone += same_alone(f, &cfg, rq, v);
		json_decref(ans);
		ck_assert_msg(ls == lp && memcmp(serial, par, ls) == 0,
		    "%s%s: the answer in parts differs from the serial one",
		    rtext, only ? " (compatible only)" : "");
		ans = json_loads(par, 0, NULL);
		ck_assert(ans != NULL);
		json_array_foreach(json_object_get(ans, "results"), k, v) {
			if (strcmp(sget(v, "verdict"), "compatible") == 0)
				ncompat++;
			else
				nother++;
		}
		json_decref(ans);
		free(serial);
		free(par);
		json_decref(rq);
	}
	/* Both kinds of result, in the order the parts had to merge. */
	ck_assert_msg(ncompat > 100 && nother > 100, "%zu compatible, %zu "
	    "other: the fleet does not mix verdicts", ncompat, nother);
	ck_assert_uint_gt(nalone, 500);
	json_decref(dests);
	json_decref(h0);
	fleet_free(f);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("differential");
	TCase	*tc = tcase_create("paths");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, indexed_equals_descriptors);
	tcase_add_test(tc, parallel_equals_serial);
	suite_add_tcase(s, tc);
	return (check_run(s));
}
