/*
 * compat_int.h -- what the engine's files share and nobody else sees.
 *
 * compat.c parses the request, evaluates every destination and writes
 * the answer; requirement.c turns the request's source into resolved
 * requirements; match.c assigns requirements to capacitated slots;
 * jsonw.c writes the answer's text.
 */
#ifndef VC_COMPAT_INT_H
#define VC_COMPAT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "inventory.h"

struct compat_status;
struct fleet;
struct fleet_host;
struct policy;
struct policy_rule;
struct strpool;

#define COMPAT_MAX_DEVICES	64
#define COMPAT_MAX_DESTS	10000
#define COMPAT_MAX_DEPTH	12

enum req_kind {
	REQ_INSTANCE,		/* an mdev or NVIDIA vGPU: needs a free slot */
	REQ_PCI			/* a passed-through device: needs a device */
};

enum req_state {
	REQ_OK,
	REQ_UNKNOWN,		/* not in the source inventory */
	REQ_NOT_MIGRATABLE	/* no migration path on the source */
};

struct requirement {
	const char			*id;	/* as the request named it */
	enum req_kind			 kind;
	enum req_state			 state;
	const char			*why;	/* for the non-OK states */
	const struct inv_device		*dev;	/* the device, or the parent */
	const struct inv_type		*type;	/* NULL for PCI */
	struct inv_type			 tbuf;	/* type when the parent no
						 * longer lists it */
	enum inv_kind			 tkind;
	const char			*tid;
	const char			*device_api;
	const char			*parent;	/* instance's parent */
	const struct policy_rule	*rule;
	unsigned int			 flags;		/* MIG_* */
	bool				 flags_known;
	/* Pool of the source strings, NULL if none: against a destination
	 * from the same pool, strings are equal only when pointer-equal. */
	const struct strpool		*pool;
};

struct source {
	const char		*host;		/* NULL for descriptors */
	const struct fleet_host	*fh;		/* NULL for descriptors */
	const char		*vm;		/* uuid when a VM was asked */
	const struct inv_platform *platform;	/* NULL: not known */
	struct inventory	*scratch;	/* owns descriptor strings */
	struct requirement	*reqs;
	size_t			 nreqs;
	/* The host or VM itself is not in the fleet. */
	bool			 unknown;
	bool			 any_unknown;	/* some requirement is */
	char			 unknown_field[128];
};

/* requirement.c */
int	 source_resolve(const struct fleet *, const struct policy *,
	    const json_t *, bool cpr, struct source *, struct compat_status *);
void	 source_free(struct source *);
json_t	*source_to_json(const struct source *);

/* match.c: left nodes 0..nleft-1 each want one unit of a right node
 * listed in adj[off[u]..off[u+1]); right node v offers cap[v] units.
 * Fills assign[u] (SIZE_MAX when unplaced) and used[v]; returns the
 * number placed, which is the maximum possible. */
size_t	 match_run(size_t nleft, size_t nright, const size_t *off,
	    const size_t *adj, const int64_t *cap, size_t *assign,
	    int64_t *used, unsigned char *seen);

/* jsonw.c: a growing buffer of JSON text; buf is NUL-terminated. */
struct jsonw {
	char	*buf;
	size_t	 len, cap;
};
#define jw_lit(w, s)	jw_raw((w), (s), sizeof(s) - 1)
void	 jw_raw(struct jsonw *, const char *, size_t);
void	 jw_str(struct jsonw *, const char *);	/* NULL writes null */
void	 jw_int(struct jsonw *, int64_t);
void	 jw_json(struct jsonw *, const json_t *);

/* compat.c */
void	 compat_fail(struct compat_status *, int, const char *, const char *,
	    const char *, ...) __attribute__((format(printf, 5, 6)));

#endif
