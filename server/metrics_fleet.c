/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metrics_fleet.c -- the fleet series of /metrics, kept up to date by
 * the writers and read by a scrape without waiting for them (see
 * metrics_fleet.h).
 *
 * What a scrape must not do is build the fleet's text under a lock a
 * PUT or a check waits for, and what the server must not do is hold a
 * fleet's worth of prepared text it does not need: v1 kept 50-70 KB of
 * per-host series text per host (most of a 10,000-host server's RSS).
 * So, per host, only what the series need is kept:
 *
 * - A slot: name and last report time, which scrapes read with no lock
 *   at all. Slots sit in fixed chunks that never move (a chunk table of
 *   fixed size, so a reader never meets a realloc), and are reused
 *   after a DELETE. A name or detail block that a writer unlinks may
 *   still be in a scrape's hands, so it is "buried" and freed only when
 *   no scrape is reading (mf_readers is 0): a writer that unlinks first
 *   and then sees no reader knows no reader can hold it (every access
 *   is sequentially consistent). A reader reloads the name after the
 *   time and skips the slot when it changed, so a slot reused during a
 *   scrape never pairs one host's name with another's time.
 * - Its part in each type's totals (kind, type, free and used
 *   instances: 16 bytes a type), so that a report or a DELETE updates
 *   the totals by difference without the inventory it replaced.
 * - With --metrics-detail only: its v1 series text, prepared before
 *   any lock is taken, in one exact-size block.
 *
 * Staleness changes with time, not only at a PUT. Fresh hosts (not
 * pinned) are in a min-heap by report time; a scrape pops the ones
 * whose report is now older than --stale-after and takes them out of
 * hosts{state="fresh"} and their types' type_hosts. Each host leaves
 * the heap once per report, so the work is the number of hosts that
 * went stale since the last scrape, never a walk over the fleet; a
 * report puts the host back. A bucketed count by report time would
 * need a bucket per second of --stale-after (up to ten years) or
 * coarse buckets that blur the edge; the heap is exact and small (4
 * bytes a host). The one thing it does not follow is the clock going
 * back: a host already counted stale stays so until it reports.
 *
 * mf_lock serialises the writers' bookkeeping; a scrape holds it for
 * the pops above and a copy of the type totals (a few hundred entries),
 * and writes every per-host line after releasing it.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/promtext.h"
#include "metrics_fleet.h"
#include "model/inventory.h"
#include "server.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define PREFIX		"vfio_compat_"
#define CHUNK		1024		/* slots per chunk */
#define MAX_CHUNKS	1024		/* so at most 1,048,576 hosts */
#define MAX_TYPES	4096		/* distinct (kind, type id) */
#define NONE		UINT32_MAX
#define PINNED		INT64_MAX	/* received_at of a demo host */

enum { FAM_AVAIL, FAM_INSTANCES, FAM_DEVICE, NFAM };	/* detail */
enum { TOT_AVAIL, TOT_INSTANCES, TOT_HOSTS };		/* totals */

/* A host's part in one type's totals, over all its parents. */
struct contrib {
	uint32_t	 type;		/* index into mf_types */
	uint32_t	 instances;
	int64_t		 avail;		/* -1: no parent knows */
};

/* --metrics-detail: the host's v1 series, immutable once published;
 * family k is text[off[k] .. off[k + 1]). */
struct detail {
	size_t		 off[NFAM + 1];
	char		 text[];
};

struct slot {
	/* Read by scrapes with no lock. */
	_Atomic(char *)		  name;		/* NULL: a free slot */
	_Atomic int64_t		  received_at;	/* or PINNED */
	_Atomic(struct detail *)  detail;
	/* The writers', under mf_lock. */
	struct contrib		 *contrib;
	uint32_t		  ncontrib;
	uint32_t		  heap;		/* position in mf_heap, or NONE */
	bool			  fresh;
	bool			  pinned;
};

struct mtype {
	char		*id;
	enum inv_kind	 kind;
	int64_t		 avail;		/* over hosts that know it */
	uint64_t	 instances;
	uint32_t	 hosts;		/* offering it, fresh or not */
	uint32_t	 fresh;		/* fresh hosts offering it */
	uint32_t	 avail_hosts;	/* hosts that know its availability */
};

/* A (parent, type) of an inventory, before its type is looked up. */
struct offer {
	const char	*id;
	enum inv_kind	 kind;
	uint32_t	 instances;
	int64_t		 avail;
};

/* What a report brings, made from its inventory before any lock. */
struct metrics_host_prep {
	struct offer	*offers;
	size_t		 noffers;
	struct detail	*det;		/* --metrics-detail only */
};

static int64_t			 mf_stale_after = 300;
static bool			 mf_detail;
static _Atomic(struct slot *)	 mf_chunks[MAX_CHUNKS];
static _Atomic uint32_t		 mf_nslots;	/* slots ever handed out */
static atomic_uint		 mf_readers;	/* scrapes reading slots */

/* All below under mf_lock. */
static pthread_mutex_t		 mf_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t			*mf_byname;	/* slot indices, by name */
static size_t			 mf_nhosts, mf_byname_cap;
static uint32_t			*mf_free;	/* reusable slot indices */
static size_t			 mf_nfree, mf_free_cap;
static uint32_t			*mf_heap;	/* fresh unpinned, by time */
static size_t			 mf_nheap, mf_heap_cap;
static size_t			 mf_nfresh;
static struct mtype		*mf_types;
static uint32_t			*mf_torder;	/* type indices, by kind, id */
static size_t			 mf_ntypes, mf_types_cap;
static void			**mf_grave;	/* unlinked, freed at reap() */
static size_t			 mf_ngrave, mf_grave_cap;
static bool			 mf_full_told, mf_types_told;

static struct slot	*slot_at(uint32_t);
static const char	*slot_name(uint32_t);
static size_t		 host_find(const char *, bool *);
static uint32_t		 slot_new(void);
static int64_t		 heap_key(size_t);
static void		 heap_swap(size_t, size_t);
static void		 heap_fix(size_t);
static void		 heap_push(uint32_t);
static void		 heap_remove(struct slot *);
static uint32_t		 type_find(enum inv_kind, const char *);
static int		 contrib_cmp(const void *, const void *);
static struct offer	*offers_of(const struct inventory *, size_t *);
static void		 contribs_set(struct slot *, const struct offer *,
			    size_t);
static void		 count(struct slot *, int);
static void		 set_fresh(struct slot *, bool);
static bool		 is_fresh(int64_t received_at, int64_t now);
static void		 expire(int64_t);
static void		 device_series(struct promtext *,
			    const struct inventory *);
static struct detail	*detail_of(const struct inventory *);
static void		 bury(void *);
static void		 reap(void);
static void		 type_family(struct promtext *, const struct mtype *,
			    size_t, int);
static void		 detail_family(struct promtext *, uint32_t, int);

static struct slot *
slot_at(uint32_t i)
{
	return (&atomic_load(&mf_chunks[i / CHUNK])[i % CHUNK]);
}

static const char *
slot_name(uint32_t i)
{
	return (atomic_load(&slot_at(i)->name));
}

/* Position of host in mf_byname, or where it would go. */
static size_t
host_find(const char *host, bool *found)
{
	size_t	 lo = 0, hi = mf_nhosts, mid;
	int	 c;

	*found = false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(slot_name(mf_byname[mid]), host)) == 0) {
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

/* A free slot's index, its writer fields reset; NONE when full. */
static uint32_t
slot_new(void)
{
	struct slot	*chunk, *s;
	uint32_t	 i, k;

	if (mf_nfree > 0)
		i = mf_free[--mf_nfree];
	else {
		i = atomic_load(&mf_nslots);
		if (i / CHUNK >= MAX_CHUNKS)
			return (NONE);
		if (i % CHUNK == 0) {
			chunk = xcalloc(CHUNK, sizeof(*chunk));
			for (k = 0; k < CHUNK; k++) {
				atomic_init(&chunk[k].name, NULL);
				atomic_init(&chunk[k].received_at, 0);
				atomic_init(&chunk[k].detail, NULL);
			}
			atomic_store(&mf_chunks[i / CHUNK], chunk);
		}
		/* Published after the chunk: a reader below mf_nslots
		 * always finds its chunk. */
		atomic_store(&mf_nslots, i + 1);
	}
	s = slot_at(i);
	s->contrib = NULL;
	s->ncontrib = 0;
	s->heap = NONE;
	s->fresh = false;
	s->pinned = false;
	return (i);
}

static int64_t
heap_key(size_t pos)
{
	return (atomic_load_explicit(&slot_at(mf_heap[pos])->received_at,
	    memory_order_relaxed));
}

static void
heap_swap(size_t a, size_t b)
{
	uint32_t	 t = mf_heap[a];

	mf_heap[a] = mf_heap[b];
	mf_heap[b] = t;
	slot_at(mf_heap[a])->heap = (uint32_t)a;
	slot_at(mf_heap[b])->heap = (uint32_t)b;
}

/* Restore the heap order around pos after its key changed. */
static void
heap_fix(size_t pos)
{
	size_t	 c, m;

	while (pos > 0 && heap_key((pos - 1) / 2) > heap_key(pos)) {
		heap_swap(pos, (pos - 1) / 2);
		pos = (pos - 1) / 2;
	}
	for (;;) {
		m = pos;
		c = 2 * pos + 1;
		if (c < mf_nheap && heap_key(c) < heap_key(m))
			m = c;
		if (c + 1 < mf_nheap && heap_key(c + 1) < heap_key(m))
			m = c + 1;
		if (m == pos)
			break;
		heap_swap(pos, m);
		pos = m;
	}
}

static void
heap_push(uint32_t i)
{
	if (mf_nheap == mf_heap_cap) {
		mf_heap_cap = mf_heap_cap < 64 ? 64 : mf_heap_cap * 2;
		mf_heap = xreallocarray(mf_heap, mf_heap_cap, sizeof(*mf_heap));
	}
	mf_heap[mf_nheap] = i;
	slot_at(i)->heap = (uint32_t)mf_nheap;
	heap_fix(mf_nheap++);
}

static void
heap_remove(struct slot *s)
{
	size_t	 pos = s->heap;

	if (pos == NONE)
		return;
	s->heap = NONE;
	if (pos != --mf_nheap) {
		mf_heap[pos] = mf_heap[mf_nheap];
		slot_at(mf_heap[pos])->heap = (uint32_t)pos;
		heap_fix(pos);
	}
}

/* The index of (kind, id) in mf_types, added when new; NONE past
 * MAX_TYPES. */
static uint32_t
type_find(enum inv_kind kind, const char *id)
{
	struct mtype	*t;
	size_t		 lo = 0, hi = mf_ntypes, mid;
	int		 c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		t = &mf_types[mf_torder[mid]];
		c = t->kind != kind ? (t->kind < kind ? -1 : 1) :
		    strcmp(t->id, id);
		if (c == 0)
			return (mf_torder[mid]);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (mf_ntypes == MAX_TYPES) {
		if (!mf_types_told)
			log_warnx("%s: more than %d distinct types: type %s "
			    "and any later new one are left out of the type "
			    "totals", __func__, MAX_TYPES, id);
		mf_types_told = true;
		return (NONE);
	}
	if (mf_ntypes == mf_types_cap) {
		mf_types_cap = mf_types_cap < 32 ? 32 : mf_types_cap * 2;
		mf_types = xreallocarray(mf_types, mf_types_cap,
		    sizeof(*mf_types));
		mf_torder = xreallocarray(mf_torder, mf_types_cap,
		    sizeof(*mf_torder));
	}
	memmove(&mf_torder[lo + 1], &mf_torder[lo],
	    (mf_ntypes - lo) * sizeof(*mf_torder));
	mf_torder[lo] = (uint32_t)mf_ntypes;
	t = &mf_types[mf_ntypes];
	memset(t, 0, sizeof(*t));
	t->id = xstrdup(id);
	t->kind = kind;
	return ((uint32_t)mf_ntypes++);
}

static int
contrib_cmp(const void *a, const void *b)
{
	const struct contrib	*x = a, *y = b;

	return (x->type < y->type ? -1 : x->type > y->type);
}

/* Every (parent, type) of inv with its counts; no lock needed. */
static struct offer *
offers_of(const struct inventory *inv, size_t *np)
{
	const struct inv_device	*d;
	const struct inv_type	*t;
	struct offer		*v;
	size_t			 i, j, n = 0;

	for (i = 0; i < inv->ndevices; i++)
		n += inv->devices[i].p->ntypes;
	v = xreallocarray(NULL, n > 0 ? n : 1, sizeof(*v));
	n = 0;
	for (i = 0; i < inv->ndevices; i++) {
		d = &inv->devices[i];
		for (j = 0; j < d->p->ntypes; j++) {
			t = &d->p->types[j];
			v[n].id = t->id;
			v[n].kind = t->kind;
			v[n].instances = (uint32_t)inv_count_instances(inv, d,
			    t);
			v[n].avail = d->avail[j] == INV_NULL ? -1 :
			    d->avail[j];
			n++;
		}
	}
	*np = n;
	return (v);
}

/* s's contributions from offers, one per type (not yet counted). */
static void
contribs_set(struct slot *s, const struct offer *o, size_t n)
{
	struct contrib	*c;
	size_t		 i, k = 0;
	uint32_t	 type;

	free(s->contrib);
	s->contrib = NULL;
	s->ncontrib = 0;
	if (n == 0)
		return;
	c = xreallocarray(NULL, n, sizeof(*c));
	for (i = 0; i < n; i++) {
		if ((type = type_find(o[i].kind, o[i].id)) == NONE)
			continue;
		c[k].type = type;
		c[k].instances = o[i].instances;
		c[k].avail = o[i].avail;
		k++;
	}
	qsort(c, k, sizeof(*c), contrib_cmp);
	/* One entry per type: type_hosts counts a host once. */
	for (n = k, k = 0, i = 0; i < n; i++) {
		if (k > 0 && c[k - 1].type == c[i].type) {
			c[k - 1].instances += c[i].instances;
			if (c[i].avail >= 0)
				c[k - 1].avail = (c[k - 1].avail < 0 ? 0 :
				    c[k - 1].avail) + c[i].avail;
		} else
			c[k++] = c[i];
	}
	if (k == 0) {
		free(c);
		return;
	}
	s->contrib = xreallocarray(c, k, sizeof(*c));
	s->ncontrib = (uint32_t)k;
}

/* Add (sign 1) or take away (-1) s's part in the type totals. */
static void
count(struct slot *s, int sign)
{
	struct contrib	*c;
	struct mtype	*t;
	size_t		 i;

	for (i = 0; i < s->ncontrib; i++) {
		c = &s->contrib[i];
		t = &mf_types[c->type];
		t->hosts += sign;
		t->instances += (int64_t)sign * c->instances;
		if (c->avail >= 0) {
			t->avail += sign * c->avail;
			t->avail_hosts += sign;
		}
		if (s->fresh)
			t->fresh += sign;
	}
}

static void
set_fresh(struct slot *s, bool fresh)
{
	size_t	 i;

	if (s->fresh == fresh)
		return;
	s->fresh = fresh;
	if (fresh)
		mf_nfresh++;
	else
		mf_nfresh--;
	for (i = 0; i < s->ncontrib; i++)
		mf_types[s->contrib[i].type].fresh += fresh ? 1 : -1;
}

/* As server_is_stale() decides it. */
static bool
is_fresh(int64_t received_at, int64_t now)
{
	return (now - received_at <= mf_stale_after);
}

/* Count stale the hosts whose report has aged past --stale-after. */
static void
expire(int64_t now)
{
	struct slot	*s;

	while (mf_nheap > 0 && !is_fresh(heap_key(0), now)) {
		s = slot_at(mf_heap[0]);
		heap_remove(s);
		set_fresh(s, false);
	}
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
		prom_label(b, "vendor_id", d->p->vendor_id, false);
		prom_label(b, "device_id", d->p->device_id, false);
		prom_label(b, "driver", d->p->driver, false);
		prom_label(b, "driver_version", d->p->driver_version, false);
		prom_label(b, "migration_capable",
		    d->p->migration.capable ? "true" : "false", false);
		prom_printf(b, "} 1\n");
	}
}

/* The v1 per-host series of inv, in one block of exactly its size. */
static struct detail *
detail_of(const struct inventory *inv)
{
	struct promtext	 b;
	struct detail	*d;
	size_t		 off[NFAM + 1];
	int		 k;

	prom_init(&b, PREFIX);
	for (k = 0; k < NFAM; k++) {
		off[k] = b.out.len;
		if (k == FAM_DEVICE)
			device_series(&b, inv);
		else
			prom_type_series(&b, inv, k == FAM_AVAIL, inv->host);
	}
	off[NFAM] = b.out.len;
	d = xmalloc(sizeof(*d) + off[NFAM] + 1);
	memcpy(d->off, off, sizeof(off));
	memcpy(d->text, b.out.data, off[NFAM]);
	d->text[off[NFAM]] = '\0';
	buf_free(&b.out);
	return (d);
}

/* p was unlinked from every slot: free it once no scrape reads. */
static void
bury(void *p)
{
	if (p == NULL)
		return;
	if (mf_ngrave == mf_grave_cap) {
		mf_grave_cap = mf_grave_cap < 16 ? 16 : mf_grave_cap * 2;
		mf_grave = xreallocarray(mf_grave, mf_grave_cap,
		    sizeof(*mf_grave));
	}
	mf_grave[mf_ngrave++] = p;
}

/* Called with mf_lock held, after the unlinks of what was buried. */
static void
reap(void)
{
	size_t	 i;

	if (mf_ngrave == 0 || atomic_load(&mf_readers) != 0)
		return;
	for (i = 0; i < mf_ngrave; i++)
		free(mf_grave[i]);
	mf_ngrave = 0;
}

void
metrics_fleet_init(int64_t stale_after, bool detail)
{
	mf_stale_after = stale_after;
	mf_detail = detail;
}

struct metrics_host_prep *
metrics_host_prepare(const struct inventory *inv)
{
	struct metrics_host_prep	*p = xcalloc(1, sizeof(*p));

	p->offers = offers_of(inv, &p->noffers);
	if (mf_detail)
		p->det = detail_of(inv);
	return (p);
}

void
metrics_host_discard(struct metrics_host_prep *p)
{
	if (p == NULL)
		return;
	free(p->det);
	free(p->offers);
	free(p);
}

void
metrics_host_changed(const char *host, const struct inventory *inv,
    int64_t received_at)
{
	metrics_host_commit(host, inv != NULL ? metrics_host_prepare(inv) :
	    NULL, received_at);
}

void
metrics_host_commit(const char *host, struct metrics_host_prep *prep,
    int64_t received_at)
{
	struct slot	*s;
	size_t		 pos;
	uint32_t	 i;
	bool		 found, fresh;

	fresh = is_fresh(received_at, server_now());
	pthread_mutex_lock(&mf_lock);
	pos = host_find(host, &found);
	if (found)
		s = slot_at(i = mf_byname[pos]);
	else {
		if ((i = slot_new()) == NONE) {
			if (!mf_full_told)
				log_warnx("%s: more than %d hosts: %s and any "
				    "later new host are left out of /metrics",
				    __func__, CHUNK * MAX_CHUNKS, host);
			mf_full_told = true;
			goto done;
		}
		if (prep == NULL)
			log_warnx("%s: %s: a report time for a host never "
			    "reported: counted without its types", __func__,
			    host);
		s = slot_at(i);
		/* The time before the name: a reader that sees the name
		 * sees this host's time. */
		atomic_store(&s->received_at, received_at);
		atomic_store(&s->name, xstrdup(host));
		if (mf_nhosts == mf_byname_cap) {
			mf_byname_cap = mf_byname_cap < 64 ? 64 :
			    mf_byname_cap * 2;
			mf_byname = xreallocarray(mf_byname, mf_byname_cap,
			    sizeof(*mf_byname));
		}
		memmove(&mf_byname[pos + 1], &mf_byname[pos],
		    (mf_nhosts - pos) * sizeof(*mf_byname));
		mf_byname[pos] = i;
		mf_nhosts++;
	}
	if (prep != NULL) {
		count(s, -1);
		contribs_set(s, prep->offers, prep->noffers);
		count(s, 1);
		if (mf_detail)
			bury(atomic_exchange(&s->detail, prep->det));
		prep->det = NULL;
	}
	s->pinned = false;
	atomic_store(&s->received_at, received_at);
	set_fresh(s, fresh);
	if (!fresh)
		heap_remove(s);
	else if (s->heap == NONE)
		heap_push(i);
	else
		heap_fix(s->heap);
	reap();
done:
	pthread_mutex_unlock(&mf_lock);
	metrics_host_discard(prep);
}

void
metrics_host_removed(const char *host)
{
	struct slot	*s;
	size_t		 pos;
	uint32_t	 i;
	bool		 found;

	pthread_mutex_lock(&mf_lock);
	pos = host_find(host, &found);
	if (!found)
		goto done;
	s = slot_at(i = mf_byname[pos]);
	set_fresh(s, false);
	count(s, -1);
	free(s->contrib);
	s->contrib = NULL;
	s->ncontrib = 0;
	heap_remove(s);
	bury(atomic_exchange(&s->name, NULL));
	bury(atomic_exchange(&s->detail, NULL));
	memmove(&mf_byname[pos], &mf_byname[pos + 1],
	    (mf_nhosts - pos - 1) * sizeof(*mf_byname));
	mf_nhosts--;
	if (mf_nfree == mf_free_cap) {
		mf_free_cap = mf_free_cap < 64 ? 64 : mf_free_cap * 2;
		mf_free = xreallocarray(mf_free, mf_free_cap, sizeof(*mf_free));
	}
	mf_free[mf_nfree++] = i;
	reap();
done:
	pthread_mutex_unlock(&mf_lock);
}

void
metrics_host_pinned(const char *host)
{
	struct slot	*s;
	size_t		 pos;
	bool		 found;

	pthread_mutex_lock(&mf_lock);
	pos = host_find(host, &found);
	if (found) {
		s = slot_at(mf_byname[pos]);
		s->pinned = true;
		heap_remove(s);
		set_fresh(s, true);
		/* Its data counts as current (fleet_host_age() is 0): a
		 * scrape reports it as received now. */
		atomic_store(&s->received_at, PINNED);
	}
	pthread_mutex_unlock(&mf_lock);
}

/* The header and the per-type totals of one family. */
static void
type_family(struct promtext *b, const struct mtype *t, size_t n, int which)
{
	static const char *const fam[][2] = {
		{ "type_available_instances", "Instances of a type that can "
		    "still be created, summed over the parents of every known "
		    "host that report it (per host and parent with "
		    "--metrics-detail)." },
		{ "type_instances", "Instances of a type that exist, summed "
		    "over every known host (per host and parent with "
		    "--metrics-detail)." },
		{ "type_hosts", "Fresh hosts offering a type on at least one "
		    "parent." },
	};
	size_t		 k;
	long long	 v;

	prom_header(b, fam[which][0], "gauge", fam[which][1]);
	for (k = 0; k < n; k++) {
		/* Unknown everywhere is no sample, never a 0. */
		if (t[k].hosts == 0 ||
		    (which == TOT_AVAIL && t[k].avail_hosts == 0))
			continue;
		v = which == TOT_AVAIL ? (long long)t[k].avail :
		    which == TOT_INSTANCES ? (long long)t[k].instances :
		    (long long)t[k].fresh;
		prom_printf(b, PREFIX "%s{", fam[which][0]);
		prom_label(b, "kind", inv_kind_name(t[k].kind), true);
		prom_label(b, "type", t[k].id, false);
		prom_printf(b, "} %lld\n", v);
	}
}

/* Family k of every host's detail block, in slot order. */
static void
detail_family(struct promtext *b, uint32_t nslots, int k)
{
	struct detail	*d;
	uint32_t	 i;

	for (i = 0; i < nslots; i++) {
		d = atomic_load(&slot_at(i)->detail);
		if (d != NULL && d->off[k + 1] > d->off[k])
			buf_add(&b->out, d->text + d->off[k],
			    d->off[k + 1] - d->off[k]);
	}
}

void
metrics_fleet_render(struct promtext *b, int64_t now)
{
	struct mtype	*t = NULL;
	size_t		 nhosts, nfresh, ntypes, k;
	uint32_t	 i, nslots;
	char		*name;
	int64_t		 at;

	/* Before any slot is read: from here on, nothing this scrape can
	 * reach is freed. */
	atomic_fetch_add(&mf_readers, 1);
	pthread_mutex_lock(&mf_lock);
	expire(now);
	nhosts = mf_nhosts;
	nfresh = mf_nfresh;
	ntypes = mf_ntypes;
	if (ntypes > 0) {
		t = xreallocarray(NULL, ntypes, sizeof(*t));
		for (k = 0; k < ntypes; k++)
			t[k] = mf_types[mf_torder[k]];
	}
	pthread_mutex_unlock(&mf_lock);
	nslots = atomic_load(&mf_nslots);

	prom_header(b, "hosts", "gauge", "Known hosts by freshness of their "
	    "last report (stale: older than stale_after_seconds; demo hosts "
	    "never are).");
	prom_printf(b, PREFIX "hosts{state=\"fresh\"} %zu\n", nfresh);
	prom_printf(b, PREFIX "hosts{state=\"stale\"} %zu\n",
	    nhosts - nfresh);
	prom_header(b, "stale_after_seconds", "gauge", "Report age after "
	    "which a host is stale (--stale-after).");
	prom_printf(b, PREFIX "stale_after_seconds %lld\n",
	    (long long)mf_stale_after);
	prom_header(b, "host_last_report_timestamp_seconds", "gauge",
	    "Unix time the host's last inventory or heartbeat was "
	    "received.");
	for (i = 0; i < nslots; i++) {
		if ((name = atomic_load(&slot_at(i)->name)) == NULL)
			continue;
		if ((at = atomic_load(&slot_at(i)->received_at)) == PINNED)
			at = now;
		/* Reused meanwhile: that time may be another host's. */
		if (atomic_load(&slot_at(i)->name) != name)
			continue;
		prom_printf(b, PREFIX "host_last_report_timestamp_seconds{");
		prom_label(b, "host", name, true);
		prom_printf(b, "} %lld\n", (long long)at);
	}

	type_family(b, t, ntypes, TOT_AVAIL);
	if (mf_detail)
		detail_family(b, nslots, FAM_AVAIL);
	type_family(b, t, ntypes, TOT_INSTANCES);
	if (mf_detail)
		detail_family(b, nslots, FAM_INSTANCES);
	type_family(b, t, ntypes, TOT_HOSTS);
	if (mf_detail) {
		prom_header(b, "device_info", "gauge", "One series per device, "
		    "with its identity as labels (--metrics-detail).");
		detail_family(b, nslots, FAM_DEVICE);
	}
	free(t);

	if (atomic_fetch_sub(&mf_readers, 1) == 1 &&
	    pthread_mutex_trylock(&mf_lock) == 0) {
		reap();
		pthread_mutex_unlock(&mf_lock);
	}
}

void
metrics_fleet_clear(void)
{
	struct slot	*s;
	uint32_t	 i, n = atomic_load(&mf_nslots);
	size_t		 k;

	pthread_mutex_lock(&mf_lock);
	for (i = 0; i < n; i++) {
		s = slot_at(i);
		free(atomic_exchange(&s->name, NULL));
		free(atomic_exchange(&s->detail, NULL));
		free(s->contrib);
	}
	for (k = 0; k < MAX_CHUNKS; k++)
		free(atomic_exchange(&mf_chunks[k], NULL));
	atomic_store(&mf_nslots, 0);
	for (k = 0; k < mf_ntypes; k++)
		free(mf_types[k].id);
	for (k = 0; k < mf_ngrave; k++)
		free(mf_grave[k]);
	free(mf_byname);
	free(mf_free);
	free(mf_heap);
	free(mf_types);
	free(mf_torder);
	free(mf_grave);
	mf_byname = mf_free = mf_heap = mf_torder = NULL;
	mf_types = NULL;
	mf_grave = NULL;
	mf_nhosts = mf_byname_cap = mf_nfree = mf_free_cap = 0;
	mf_nheap = mf_heap_cap = mf_nfresh = 0;
	mf_ntypes = mf_types_cap = mf_ngrave = mf_grave_cap = 0;
	pthread_mutex_unlock(&mf_lock);
}
