/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server.h -- what every part of vfio-compatd shares: the one server
 * context handed to each request handler, and the handlers themselves.
 *
 * The context is filled in by main.c before the HTTP daemon starts and
 * is read-only afterwards, except through the locks its members carry
 * (the store's mutex, the fleet's rwlock, ingest_lock for writers).
 */
#ifndef VC_SERVER_H
#define VC_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct auth;
struct fleet;
struct fleet_host;
struct http_reply;
struct http_request;
struct policy;
struct replica;
struct store;
struct store_host_meta;

struct server {
	struct store		*store;
	struct fleet		*fleet;
	struct policy		*policy;
	struct auth		*auth;		/* NULL: no tokens file */
	int64_t			 stale_after;	/* seconds */
	unsigned int		 check_threads;	/* per fleet check */
	/* Serialises store_put()+fleet_put() so that the fleet never ends
	 * up with an older generation than the store. */
	pthread_mutex_t		 ingest_lock;
	/* Under ingest_lock: the feed position each host's fleet entry
	 * reflects, on a shared store (hosts.c). */
	void			*applied;
	struct replica		*replica;	/* NULL: the store is ours */
	/* The fleet is still being loaded from the store (load.c); while
	 * it is, store is not to be touched by request handlers. */
	atomic_bool		 loading;
};

/* Outcome of storing one inventory (hosts.c, also used by --demo). */
struct ingest_result {
	int64_t		generation;
	bool		changed;
};

/* clock.c */
int64_t	server_now(void);
/* Older than --stale-after; a demo host never is. */
bool	server_is_stale(const struct server *, const struct fleet_host *,
	    int64_t now);
/* RFC 3339 UTC of a unix time; buf holds at least 21 bytes. */
void	server_fmt_time(int64_t, char *, size_t);

/* hosts.c; received_at 0 is "now", as the report is stored. */
int	hosts_ingest(struct server *, const char *buf, size_t len,
	    const char *expect_host, int64_t received_at,
	    struct ingest_result *, struct http_reply *);
int	hosts_ready(struct server *);
/* A change the follower read from the feed (store_change_fn) into the
 * fleet, unless it already holds that state or a newer one; a document
 * the feed did not send and the fleet does not hold is read from the
 * store. Non-zero when that read failed: read the feed again from it. */
int	hosts_apply_change(struct server *, const struct store_host_meta *,
	    const char *json);
/* Free what hosts.c keeps beside the fleet. */
void	hosts_free(struct server *);
int	hosts_list(struct server *, struct http_request *, struct http_reply *);
int	hosts_get(struct server *, struct http_request *, struct http_reply *);
int	hosts_put(struct server *, struct http_request *, struct http_reply *);
int	hosts_delete(struct server *, struct http_request *,
	    struct http_reply *);

/* check.c */
int	check_post(struct server *, struct http_request *, struct http_reply *);
int	check_get(struct server *, struct http_request *, struct http_reply *);
int	check_vm_destinations(struct server *, struct http_request *,
	    struct http_reply *);
int	check_policy(struct server *, struct http_request *,
	    struct http_reply *);

/* metrics.c */
int	metrics_get(struct server *, struct http_request *, struct http_reply *);
/* One answer: route index, method as asked, status, seconds taken. */
void	metrics_http(size_t route, const char *method, unsigned int status,
	    double seconds);
void	metrics_checks(size_t compatible, size_t incompatible,
	    size_t unknown);
void	metrics_update(const char *result);
/* A change the follower applied: "document", "report_time", "delete". */
void	metrics_replica_change(const char *kind);
/* One check request answered: mode as asked (NULL: live), HTTP status. */
void	metrics_check_request(const char *mode, unsigned int status);

/* openapi.c */
int	openapi_get(struct server *, struct http_request *,
	    struct http_reply *);

/* demo.c */
int	demo_load(struct server *, const char *dir);

#endif
