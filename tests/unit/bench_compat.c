/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_compat.c -- micro-benchmark of the engine at the SPEC 10 size:
 * 10,000 hosts of 8 GPUs with 16 mdev types each and 64 mlx5 VFs, and
 * a check for a 2-vGPU VM against all of them. Prints build time and
 * p50/p99 of compat_check_text(), the answer as the server sends it,
 * for all results and for the compatible ones only. A third argument "vf" adds an mlx5 VF to the
 * VM, to time the passthrough path too; "named" lists every host as a
 * destination instead of relying on the default; "one" names a single
 * host, which leaves what a check costs whatever its destinations
 * (finding the VM's host among all of them, resolving the source). Not
 * a test: timing assertions flake on shared machines; run it by hand
 * (tests/unit/bench_compat [hosts] [runs] [vf|named|one]).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "engine/compat.h"
#include "fleet/fleet.h"
#include "model/inventory.h"
#include "policy/policy.h"
#include "util/strpool.h"

#define VM_UUID	"6f3b1c2d-0000-4000-8000-0000000000aa"

static double			 now_ms(void);
static double			 cpu_ms(void);
static struct inventory		*make_host(struct fleet *, size_t, int);
static void	 set_ids(struct inventory *, struct inv_device *,
		    const char *, const char *, const char *, const char *,
		    const char *, const char *);

static int	 with_vf;	/* the VM also holds an mlx5 VF */
static int	 named;		/* destinations listed by name */
static int	 one;		/* a single destination */
static int			 cmp_double(const void *, const void *);
static long			 rss_kb(void);

static long
rss_kb(void)
{
	FILE	*f = fopen("/proc/self/statm", "r");
	long	 pages = 0, res = 0;

	if (f == NULL)
		return (-1);
	if (fscanf(f, "%ld %ld", &pages, &res) != 2)
		res = -1;
	fclose(f);
	return (res * 4);
}

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6);
}

/* CPU time of this thread: what a check costs when the machine is
 * shared, as the benchmark's host usually is. */
static double
cpu_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ((double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6);
}

/* A device's PCI ids, driver and driver version, pooled. */
static void
set_ids(struct inventory *inv, struct inv_device *d, const char *vendor,
    const char *device, const char *subvendor, const char *subdevice,
    const char *driver, const char *version)
{
	d->p->vendor_id = inv_istr(inv, vendor);
	d->p->device_id = inv_istr(inv, device);
	d->p->subsystem_vendor_id = inv_istr(inv, subvendor);
	d->p->subsystem_device_id = inv_istr(inv, subdevice);
	d->p->driver = inv_istr(inv, driver);
	d->p->driver_version = inv_istr(inv, version);
}

static struct inventory *
make_host(struct fleet *f, size_t n, int source)
{
	struct inventory	*inv = inventory_new(fleet_pool(f));
	struct inv_device	*d;
	struct inv_type		*t;
	struct inv_instance	*in;
	struct inv_vm		*vm;
	char			 buf[64];
	size_t			 g, k;

	snprintf(buf, sizeof(buf), "host-%05zu.example.org", n);
	inv->host = inv_str(inv, buf);
	inv->platform.arch = inv_istr(inv, "x86_64");
	inv->platform.kernel_release = inv_istr(inv, "6.8.0-45-generic");
	inv->platform.qemu_version = inv_istr(inv, "9.2.0");
	inv->platform.iommufd = INV_TRI_TRUE;
	for (g = 0; g < 8 + 64; g++) {
		d = inv_add_device(inv);
		snprintf(buf, sizeof(buf), "0000:%02zx:00.%zu", 0x10 + g / 8,
		    g % 8);
		d->address = inv_istr(inv, buf);
		d->p->migration.capable = true;
		if (g < 8) {
			set_ids(inv, d, "10de", "1eb8", "10de", "12a2",
			    "nvidia", "550.90.05");
			for (k = 0; k < 16; k++) {
				t = inv_add_type(inv, d);
				t->kind = INV_KIND_MDEV;
				snprintf(buf, sizeof(buf), "nvidia-%zu",
				    222 + k);
				t->id = inv_istr(inv, buf);
				t->device_api = inv_istr(inv, "vfio-pci");
				inv_set_avail(d, t, (int32_t)(n % 5));
			}
		} else {
			set_ids(inv, d, "15b3", "101e", "15b3", "0022",
			    "mlx5_vfio_pci", "6.8.0-45-generic");
			d->p->migration.flags = MIG_ALL_FLAGS;
			d->p->migration.flags_source = INV_FLAGS_BUILTIN;
		}
	}
	if (source) {
		vm = inv_add_vm(inv);
		vm->uuid = inv_str(inv, VM_UUID);
		/* What a v1.1 collector reports; null facts are unknown. */
		vm->complete = INV_TRI_TRUE;
		vm->viommu = INV_TRI_FALSE;
		vm->ram_shared = INV_TRI_FALSE;
		vm->backend = INV_BACKEND_CONTAINER;
		vm->qemu_version = inv->platform.qemu_version;
		for (k = 0; k < 2; k++) {
			in = inv_add_instance(inv);
			in->kind = INV_KIND_MDEV;
			snprintf(buf, sizeof(buf),
			    "83b8f4f2-509f-382f-3c1e-e6bfe0fa100%zu", k);
			in->id = inv_str(inv, buf);
			in->type = inv_istr(inv, "nvidia-222");
			in->parent = inv->devices[k].address;
			inv_vm_add_device(inv, vm, buf);
		}
		if (with_vf)
			inv_vm_add_device(inv, vm, inv->devices[8].address);
	}
	/* Built in canonical order: addresses and type ids ascend. */
	return (inv);
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

int
main(int argc, char **argv)
{
	struct fleet		*f = fleet_new();
	struct policy		*pol = policy_default();
	struct compat_config	 cfg;
	struct compat_status	 st;
	json_t			*rq, *resp, *r;
	size_t			 hosts = 10000, runs = 50, i, ncompat = 0;
	double			 t0, c0, *tc, *td, *tu;
	char			*s;
	size_t			 bytes = 0, len2 = 0, nstrings, strbytes;

	if (argc > 1)
		hosts = (size_t)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		runs = (size_t)strtoul(argv[2], NULL, 10);
	if (argc > 3 && strcmp(argv[3], "vf") == 0)
		with_vf = 1;
	if (argc > 3 && strcmp(argv[3], "named") == 0)
		named = 1;
	if (argc > 3 && strcmp(argv[3], "one") == 0)
		one = 1;
	if (runs == 0)
		runs = 1;
	t0 = now_ms();
	for (i = 0; i < hosts; i++)
		fleet_put(f, make_host(f, i, i == 0), 1000, 1);
	strpool_stats(fleet_pool(f), &nstrings, &strbytes);
	printf("built %zu hosts in %.0f ms (pool %zu strings, %zu KiB), "
	    "RSS %ld MiB\n", hosts, now_ms() - t0, nstrings, strbytes / 1024,
	    rss_kb() / 1024);

	cfg.policy = pol;
	cfg.now = 1010;
	cfg.stale_after = 300;
	cfg.threads = 1;
	rq = json_pack("{s:{s:s}}", "source", "vm", VM_UUID);
	if (named) {
		json_t	*d = json_array();

		/* As a scheduler would: candidates in no particular order. */
		for (i = hosts; i > 1; i--)
			json_array_append_new(d, json_string(fleet_at(f,
			    i - 1)->inv->host));
		json_object_set_new(rq, "destinations", d);
	}
	if (one)
		json_object_set_new(rq, "destinations", json_pack("[s]",
		    fleet_at(f, hosts / 2)->inv->host));
	tc = calloc(runs, sizeof(*tc));
	td = calloc(runs, sizeof(*td));
	tu = calloc(runs, sizeof(*tu));
	for (i = 0; i < runs; i++) {
		t0 = now_ms();
		c0 = cpu_ms();
		s = compat_check_text(f, &cfg, rq, false, &bytes, &st);
		tc[i] = now_ms() - t0;
		tu[i] = cpu_ms() - c0;
		free(s);
		t0 = now_ms();
		s = compat_check_text(f, &cfg, rq, true, &len2, &st);
		td[i] = now_ms() - t0;
		free(s);
	}
	s = compat_check_text(f, &cfg, rq, false, &bytes, &st);
	resp = json_loads(s, 0, NULL);
	free(s);
	json_array_foreach(json_object_get(resp, "results"), i, r)
		if (strcmp(json_string_value(json_object_get(r, "verdict")),
		    "compatible") == 0)
			ncompat++;
	json_decref(resp);
	qsort(tc, runs, sizeof(*tc), cmp_double);
	qsort(td, runs, sizeof(*td), cmp_double);
	qsort(tu, runs, sizeof(*tu), cmp_double);
	printf("2-vGPU%s VM against %zu hosts, %zu runs: %zu compatible, "
	    "response %zu bytes\n", with_vf ? " + VF" : "", hosts - 1, runs,
	    ncompat, bytes);
	printf("compat_check_text, all results:   p50 %.2f ms  p99 %.2f ms\n",
	    tc[runs / 2], tc[(runs * 99) / 100]);
	printf("compat_check_text, all results, CPU time: p50 %.2f ms  "
	    "p99 %.2f ms\n", tu[runs / 2], tu[(runs * 99) / 100]);
	printf("compat_check_text, compatible only (%zu bytes): p50 %.2f ms  "
	    "p99 %.2f ms\n", len2, td[runs / 2], td[(runs * 99) / 100]);
	json_decref(rq);
	free(tc);
	free(td);
	free(tu);
	policy_free(pol);
	fleet_free(f);
	return (0);
}
