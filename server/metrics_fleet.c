/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics_fleet.c -- per-host /metrics series prepared at write time
 * (see metrics_fleet.h).
 *
 * Published hosts are a sorted array of reference-counted records under
 * one mutex. A record is immutable once prepared: a scrape takes a
 * reference to each (under the mutex, a pointer copy per host), writes
 * its text with the mutex released, and drops the references; a record
 * replaced or deleted meanwhile is freed by whoever drops it last.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "model/inventory.h"
#include "metrics_fleet.h"
#include "metrics/promtext.h"
#include "server.h"
#include "util/xmalloc.h"

#define PREFIX	"vfio_compat_"

enum { FAM_AVAIL, FAM_INSTANCES, FAM_DEVICE, NFAM };

struct mfleet_host {
	atomic_uint	 refs;
	char		*host;
	int64_t		 received_at;
	bool		 pinned;	/* a demo host: never stale */
	char		*text[NFAM];
	size_t		 len[NFAM];
};

static pthread_mutex_t		  mf_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mfleet_host	**mf_hosts;
static size_t			  mf_n, mf_cap;

static void	 unref(struct mfleet_host *);
static size_t	 lookup(const char *, bool *);
static void	 device_series(struct promtext *, const struct inventory *);

static void
unref(struct mfleet_host *h)
{
	size_t	 k;

	if (h == NULL || atomic_fetch_sub(&h->refs, 1) != 1)
		return;
	for (k = 0; k < NFAM; k++)
		free(h->text[k]);
	free(h->host);
	free(h);
}

/* Called with mf_lock held. */
static size_t
lookup(const char *host, bool *found)
{
	size_t	 lo = 0, hi = mf_n, mid;
	int	 c;

	*found = false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(mf_hosts[mid]->host, host)) == 0) {
			*found = true;
			return (mid);
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

static void
device_series(struct promtext *b, const struct inventory *inv)
{
	const struct inv_device	*d;
	size_t			 j;

	for (j = 0; j < inv->ndevices; j++) {
		d = &inv->devices[j];
		prom_printf(b, PREFIX "device_info{");
		prom_label(b, "host", inv->host, true);
		prom_label(b, "address", d->address, false);
		prom_label(b, "vendor_id", d->vendor_id, false);
		prom_label(b, "device_id", d->device_id, false);
		prom_label(b, "driver", d->driver, false);
		prom_label(b, "driver_version", d->driver_version, false);
		prom_label(b, "migration_capable",
		    d->migration.capable ? "true" : "false", false);
		prom_printf(b, "} 1\n");
	}
}

struct mfleet_host *
mfleet_prepare(const struct inventory *inv)
{
	struct mfleet_host	*h = xcalloc(1, sizeof(*h));
	struct promtext		 b;
	size_t			 k;

	atomic_init(&h->refs, 1);
	h->host = xstrdup(inv->host);
	for (k = 0; k < NFAM; k++) {
		prom_init(&b, PREFIX);
		if (k == FAM_DEVICE)
			device_series(&b, inv);
		else
			prom_type_series(&b, inv, k == FAM_AVAIL, inv->host);
		h->text[k] = buf_release(&b.out, &h->len[k]);
	}
	return (h);
}

void
mfleet_commit(struct mfleet_host *h, int64_t received_at)
{
	struct mfleet_host	*old = NULL;
	size_t			 i;
	bool			 found;

	h->received_at = received_at;
	pthread_mutex_lock(&mf_lock);
	i = lookup(h->host, &found);
	if (found) {
		old = mf_hosts[i];
		mf_hosts[i] = h;
	} else {
		if (mf_n == mf_cap) {
			mf_cap = mf_cap < 16 ? 16 : mf_cap * 2;
			mf_hosts = xreallocarray(mf_hosts, mf_cap,
			    sizeof(*mf_hosts));
		}
		memmove(&mf_hosts[i + 1], &mf_hosts[i],
		    (mf_n - i) * sizeof(*mf_hosts));
		mf_hosts[i] = h;
		mf_n++;
	}
	pthread_mutex_unlock(&mf_lock);
	unref(old);
}

void
mfleet_discard(struct mfleet_host *h)
{
	unref(h);
}

void
mfleet_pin(const char *host)
{
	size_t	 i;
	bool	 found;

	pthread_mutex_lock(&mf_lock);
	i = lookup(host, &found);
	if (found)
		mf_hosts[i]->pinned = true;
	pthread_mutex_unlock(&mf_lock);
}

void
mfleet_delete(const char *host)
{
	struct mfleet_host	*old = NULL;
	size_t			 i;
	bool			 found;

	pthread_mutex_lock(&mf_lock);
	i = lookup(host, &found);
	if (found) {
		old = mf_hosts[i];
		memmove(&mf_hosts[i], &mf_hosts[i + 1],
		    (mf_n - i - 1) * sizeof(*mf_hosts));
		mf_n--;
	}
	pthread_mutex_unlock(&mf_lock);
	unref(old);
}

void
mfleet_clear(void)
{
	size_t	 i;

	pthread_mutex_lock(&mf_lock);
	for (i = 0; i < mf_n; i++)
		unref(mf_hosts[i]);
	free(mf_hosts);
	mf_hosts = NULL;
	mf_n = mf_cap = 0;
	pthread_mutex_unlock(&mf_lock);
}

void
mfleet_render(const struct server *srv, struct promtext *b)
{
	static const char *const help[NFAM][2] = {
		{ "type_available_instances", "Instances of a type that can "
		    "still be created on a parent." },
		{ "type_instances", "Instances of a type that exist on a "
		    "parent." },
		{ "device_info", "One series per device, with its identity "
		    "as labels." },
	};
	struct mfleet_host	**v;
	size_t			  i, k, n, fresh = 0, stale = 0;
	int64_t			  now = server_now();

	pthread_mutex_lock(&mf_lock);
	n = mf_n;
	v = xreallocarray(NULL, n > 0 ? n : 1, sizeof(*v));
	for (i = 0; i < n; i++) {
		v[i] = mf_hosts[i];
		atomic_fetch_add(&v[i]->refs, 1);
	}
	pthread_mutex_unlock(&mf_lock);

	for (i = 0; i < n; i++) {
		if (!v[i]->pinned &&
		    now - v[i]->received_at > srv->stale_after)
			stale++;
		else
			fresh++;
	}
	prom_header(b, "hosts", "gauge", "Known hosts by freshness of their "
	    "last report.");
	prom_printf(b, PREFIX "hosts{state=\"fresh\"} %zu\n", fresh);
	prom_printf(b, PREFIX "hosts{state=\"stale\"} %zu\n", stale);
	prom_header(b, "host_last_report_timestamp_seconds", "gauge",
	    "Unix time the host's last inventory was received.");
	for (i = 0; i < n; i++) {
		prom_printf(b, PREFIX "host_last_report_timestamp_seconds{");
		prom_label(b, "host", v[i]->host, true);
		prom_printf(b, "} %lld\n", (long long)v[i]->received_at);
	}
	for (k = 0; k < NFAM; k++) {
		prom_header(b, help[k][0], "gauge", help[k][1]);
		for (i = 0; i < n; i++)
			if (v[i]->len[k] > 0)
				prom_printf(b, "%s", v[i]->text[k]);
	}
	for (i = 0; i < n; i++)
		unref(v[i]);
	free(v);
}
