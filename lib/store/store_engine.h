/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_engine.h -- what an engine implements for store.c.
 *
 * store.c owns what every engine must decide the same way: which
 * engine a --db value names, whether a document is new content (a new
 * generation) or a heartbeat, and that a late retry of an older report
 * changes nothing. An engine owns only its connection, its schema and
 * its transactions: a second engine is one file beside store_sqlite.c
 * and its schema/<engine>/ migrations folder.
 *
 * Every operation returns 0 on success, -1 on failure with a message in
 * error(); lookups that find nothing return 1. A transaction from
 * begin() ends with exactly one commit() or rollback(); an engine may
 * hold a lock or a connection for its duration.
 */
#ifndef VC_STORE_ENGINE_H
#define VC_STORE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

struct inventory;
struct store_host_meta;
struct store_txn;

struct store_ops {
	const char	*name;
	/* Several servers may share one store; it has a change feed. */
	bool		 shared;
	/* NULL with *errp (malloc'd) on failure. */
	void		*(*open)(const char *target, unsigned int flags,
			    char **errp);
	void		 (*close)(void *);
	const char	*(*error)(const void *);
	/* The last failure was the database not answering. */
	bool		 (*unavailable)(const void *);
	int		 (*schema_version)(void *);

	struct store_txn *(*begin)(void *);
	/* The stored meta of host, inside the transaction. */
	int		 (*meta)(struct store_txn *, const char *host,
			    struct store_host_meta *);
	/* Replace everything stored for inv->host. */
	int		 (*replace)(struct store_txn *, const struct inventory *,
			    const char *json, const char *digest,
			    int64_t generation, int64_t received_at);
	/* Same content seen again: new times and document text only.
	 * json NULL keeps the stored document as it is (a heartbeat the
	 * server took without parsing): the row's collected_at is then
	 * the newer one, and what a reader believes. */
	int		 (*seen)(struct store_txn *, const char *host,
			    const char *collected_at, const char *json,
			    int64_t received_at);
	int		 (*commit)(struct store_txn *);
	void		 (*rollback)(struct store_txn *);

	int		 (*get)(void *, const char *host, char **json,
			    struct store_host_meta *);
	int		 (*remove)(void *, const char *host);
	/* Over one snapshot whose feed position goes to *seq (may be
	 * NULL). */
	int		 (*foreach)(void *, int (*)(void *,
			    const struct store_host_meta *, const char *),
			    void *, int64_t *seq);
	int		 (*ping)(void *);
	/* A cheap check that a write would land now (the file is still
	 * the one opened, the last write did not fail): 0 or -1. An engine
	 * without it (NULL) takes no heartbeats behind. */
	int		 (*writable)(void *);
	/* The change feed (store.h); an engine without one reports
	 * position 0 and no changes, and its wait only waits. */
	int		 (*sequence)(void *, int64_t *);
	/* The calling thread's last committed write's position. */
	int64_t		 (*last_seq)(const void *);
	int		 (*changes)(void *, int64_t since,
			    int (*)(void *, const struct store_host_meta *,
			    const char *), void *, int64_t *last);
	int		 (*wait)(void *, int stopfd, int timeout_ms);
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

#endif
