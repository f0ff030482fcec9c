/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.h -- persistence of host inventories behind one interface.
 *
 * lib/store/ owns durable storage: store.c decides what every engine
 * must decide alike (generations, heartbeats, late retries) and picks
 * the engine from the --db value; each engine (store_sqlite.c,
 * store_pg.c) is one struct store_ops (store_engine.h) with its
 * schema/<engine>/ migrations.
 * It may use lib/codec/, lib/model/ and lib/util/; nothing above it.
 *
 * The collector's --db and the server's --db share this interface and
 * the schema: whole-host writes in one transaction, reads by host, a
 * full scan for start-up, and a liveness probe.
 *
 * A shared store (PostgreSQL) also keeps a change feed: a database-wide
 * sequence that every write (PUT, heartbeat, DELETE) advances in its own
 * transaction, so that replicas on one database can follow each other's
 * writes (store_changes, store_wait). A store for one process (SQLite)
 * has no feed: its sequence stays 0 and it has no changes to report.
 *
 * All functions return 0 on success and -1 on failure with a message in
 * store_error(); lookups that find nothing return 1.
 */
#ifndef VC_STORE_H
#define VC_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct inventory;
struct store;

struct store_host_meta {
	char		host[256];
	char		collected_at[32];
	int64_t		received_at;	/* unix seconds */
	int64_t		generation;
	char		digest[65];
	int64_t		seq;		/* change feed position of its last
					   write; 0 without a feed */
	bool		deleted;	/* a change: the host was deleted */
};

/*
 * A change from the feed: a host deleted (meta->deleted; meta then
 * holds only host and seq, json is NULL), or a host's stored state. Its
 * json is NULL when the document has not changed since the position the
 * follower asked from (a heartbeat: the times alone moved); the
 * follower holds that document, of meta->generation, unless it failed
 * to apply it.
 */
typedef int	(*store_change_fn)(void *, const struct store_host_meta *,
		    const char *json);

/* Open the store a --db value names (creating and migrating as needed).
 * NULL with *errp set on error; free *errp with free(). */
struct store	*store_open(const char *target, char **errp);
/*
 * store_open with options, for a server that owns its store:
 * STORE_EXCLUSIVE refuses a file another process opened the same way
 * (one server per SQLite file); STORE_VERIFY runs PRAGMA quick_check and
 * refuses a damaged file. Either way the open file is remembered, and a
 * path that no longer names it (deleted, replaced) fails every write and
 * store_ping().
 */
#define STORE_EXCLUSIVE	0x1
#define STORE_VERIFY	0x2
/*
 * STORE_SEEN_LATER: store_seen_later() takes heartbeats behind, on an
 * engine without a feed (one writer; a shared engine ignores the flag).
 * They reach the database within STORE_SEEN_DELAY_MS (plus the time
 * of that one transaction), and at store_close().
 */
#define STORE_SEEN_LATER	0x4
#define STORE_SEEN_DELAY_MS	1000
struct store	*store_open_opts(const char *target, unsigned int flags,
		    char **errp);
void		 store_close(struct store *);
const char	*store_error(const struct store *);
/* "sqlite", "postgresql": the engine the --db value chose. */
const char	*store_engine_name(const struct store *);
/* True for an engine several servers may share (it has a change feed). */
bool		 store_shared(const struct store *);
/* True when the last failure was the database not answering (a lost
 * connection, a refused one), as opposed to a write it refused. */
bool		 store_unavailable(const struct store *);
/* Schema version the store is at (PRAGMA user_version for SQLite). */
int		 store_schema_version(struct store *);

/*
 * Replace everything stored for inv->host with inv, in one transaction.
 * digest identifies the content: an equal digest keeps the generation and
 * reports *changed = false, and still stores received_at, collected_at
 * and the document as given (a heartbeat). A document collected before
 * the stored one (a late retry) changes nothing and returns 1, with the
 * stored collected_at in store_error().
 */
int	 store_put(struct store *, const struct inventory *, const char *json,
	    const char *digest, int64_t received_at,
	    int64_t *generation, bool *changed);
/*
 * A heartbeat taken without its document: host's content is known to
 * be unchanged since generation, so only collected_at and received_at
 * move and the stored document stays as it was (readers take
 * collected_at from the metadata). Refused like store_put(), 1 with
 * the stored collected_at in store_error(), when collected_at is older
 * than the stored one; 2 when the host is not stored or no longer at
 * that generation (the caller then stores the whole document).
 */
int	 store_seen(struct store *, const char *host, const char *collected_at,
	    int64_t generation, int64_t received_at);
/*
 * store_seen() written behind, for a store opened STORE_SEEN_LATER: 0,
 * host's times queued (a newer heartbeat of host replaces them), or -1
 * with nothing done when this store writes heartbeats at once, or
 * does since its last write behind failed (then call store_seen(),
 * which reports the failure). Nothing is checked now: the caller, the store's
 * one writer, vouches that host is stored at generation and that
 * collected_at is not before the stored one. The write re-checks both
 * and drops a heartbeat the host has moved past; store_put() of the
 * host writes its pending times first in its own transaction, so a late
 * retry behind it is still refused. Until written, a crash loses them:
 * the host reads older after a restart, never fresher.
 */
int	 store_seen_later(struct store *, const char *host,
	    const char *collected_at, int64_t generation, int64_t received_at);
/* True when store_seen_later() takes heartbeats behind. */
bool	 store_seen_behind(const struct store *);
/* The stored document and its metadata (with STORE_SEEN_LATER, the
 * times of a pending heartbeat). *json is malloc'd. */
int	 store_get(struct store *, const char *host, char **json,
	    struct store_host_meta *);
int	 store_delete(struct store *, const char *host);
/* Call fn for every host, in host order; a non-zero return stops. */
int	 store_foreach(struct store *,
	    int (*fn)(void *, const struct store_host_meta *, const char *json),
	    void *arg);
/* store_foreach over one snapshot, and *seq the change feed position of
 * that snapshot: following the feed from *seq misses nothing and
 * repeats nothing the scan saw. */
int	 store_foreach_seq(struct store *,
	    int (*fn)(void *, const struct store_host_meta *, const char *json),
	    void *arg, int64_t *seq);
/* The feed position of the calling thread's last successful write
 * (store_put, store_delete); 0 without a feed. */
int64_t	 store_last_seq(const struct store *);
/* The feed's position now (0 without a feed). */
int	 store_sequence(struct store *, int64_t *seq);
/*
 * Call fn for every change after since, in feed order, and set *last to
 * the position of the last one reported (since when there is none). A
 * non-zero return from fn stops, *last then naming the change before.
 * With store_wait, for one thread at a time: a follower's own
 * connection, reopened here when it was lost.
 */
int	 store_changes(struct store *, int64_t since, store_change_fn fn,
	    void *arg, int64_t *last);
/* Sleep until the feed may have moved (a notification), stopfd is
 * readable, or timeout_ms passed: 1 woken, 0 timed out, -1 the
 * follower's connection is lost (store_changes reopens it). A store
 * without a feed just waits. */
int	 store_wait(struct store *, int stopfd, int timeout_ms);
/*
 * Copy every host of src into dst as stored (generation, digest, times,
 * document): the one-shot move from SQLite to PostgreSQL. A host dst
 * already holds is left as it is and counted in *kept, so an import
 * that stopped half-way can be run again.
 */
int	 store_copy(struct store *dst, struct store *src, size_t *copied,
	    size_t *kept);
/* Cheap query proving the store answers (readiness); after a failed
 * write it also proves a write commits again. */
int	 store_ping(struct store *);

#endif
