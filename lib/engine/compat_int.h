/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compat_int.h -- what the engine's files share and nobody else sees.
 *
 * compat.c validates the request and runs the check over the
 * destinations; requirement.c turns the request's source into resolved
 * requirements; evaluate.c judges one destination; match.c assigns
 * requirements to capacitated slots; answer.c and jsonw.c write the
 * answer's text.
 */
#ifndef VC_COMPAT_INT_H
#define VC_COMPAT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "engine/compat.h"
#include "model/inventory.h"
#include "util/buf.h"

struct compat_status;
struct fleet;
struct fleet_host;
struct policy;
struct policy_rule;
struct slot;
struct strpool;

#define COMPAT_MAX_DEVICES	64
#define COMPAT_MAX_DESTS	10000
#define COMPAT_MAX_DEPTH	12

/* SPEC 6 (v1.1): what moves. */
enum mode {
	MODE_LIVE,		/* device state moves to another host */
	MODE_COLD,		/* nothing moves: resize, cold migration,
				 * evacuation */
	MODE_CPR		/* QEMU replaced in place on the same host */
};

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
	/* A matching key (type id, device_api, PCI ids) that is null on
	 * the source: nothing can be matched on it (SOURCE_INCOMPLETE). */
	const char			*null_key;
	/* Pool of the source strings, NULL if none: against a destination
	 * from the same pool, strings are equal only when pointer-equal. */
	const struct strpool		*pool;
};

struct source {
	const char		*host;		/* NULL for descriptors */
	char			 host_buf[254];	/* host, folded */
	const struct fleet_host	*fh;		/* NULL for descriptors */
	const char		*vm;		/* uuid when a VM was asked */
	const struct inv_platform *platform;	/* NULL: not known */
	struct inventory	*scratch;	/* owns descriptor strings */
	struct requirement	*reqs;		/* req1, or allocated */
	size_t			 nreqs;
	struct requirement	 req1;		/* a single requirement */
	/* VMs whose own facts apply: the VM asked about, or the VMs that
	 * hold the devices asked about. */
	const struct inv_vm	*vms[COMPAT_MAX_DEVICES];
	size_t			 nvms;
	bool			 vm_asked;	/* source named a VM */
	/* The host or VM itself is not in the fleet. */
	bool			 unknown;
	bool			 any_unknown;	/* some requirement is */
	char			 unknown_field[128];
};

/* requirement.c */
int	 source_resolve(const struct fleet *, const struct policy *,
	    const json_t *, enum mode, struct source *,
	    struct compat_status *);
/* The same from the parts of a source {host, devices: [device]} or
 * {host?, vm} (device or vm NULL), validated alike. */
int	 source_resolve_one(const struct fleet *, const struct policy *,
	    const char *host, const char *vm, const char *device,
	    struct source *, struct compat_status *);
void	 source_free(struct source *);
json_t	*source_to_json(const struct source *);

/* match.c: left nodes 0..nleft-1 each want one unit of a right node
 * listed in adj[off[u]..off[u+1]); right node v offers cap[v] units.
 * Fills assign[u] (SIZE_MAX when unplaced) and used[v]; returns the
 * number placed, which is the maximum possible. */
size_t	 match_run(size_t nleft, size_t nright, const size_t *off,
	    const size_t *adj, const int64_t *cap, size_t *assign,
	    int64_t *used, unsigned char *seen);

/* jsonw.c: JSON text into a buffer (util/buf.h). */
#define jw_lit(w, s)	jw_raw((w), (s), sizeof(s) - 1)
void	 jw_raw(struct buf *, const char *, size_t);
void	 jw_str(struct buf *, const char *);	/* NULL writes null */
void	 jw_int(struct buf *, int64_t);
void	 jw_json(struct buf *, const json_t *);

/*
 * The check in progress. A result is one destination's verdict; its
 * reasons and assignments live in arrays shared by the whole check
 * (index ranges r0/nr, a0/na), so evaluating ten thousand hosts
 * allocates nothing per host.
 */
enum verdict {
	V_COMPATIBLE,
	V_UNKNOWN,
	V_INCOMPATIBLE
};

enum rcode {
	R_HOST_UNKNOWN,
	R_HOST_STALE,
	R_SOURCE_UNKNOWN,
	R_SOURCE_NOT_MIGRATABLE,
	R_TYPE_MISSING,
	R_DEVICE_API_MISMATCH,
	R_DEVICE_MISSING,
	R_VERSION_MISMATCH,
	R_NO_CAPACITY,
	R_P2P_REQUIRED,
	R_PLATFORM_MISMATCH,
	R_SAME_HOST,
	R_CPR_UNSUPPORTED,
	R_SOURCE_STALE,
	R_SOURCE_INCOMPLETE,
	R_MIGRATION_BLOCKED,
	W_FLAGS_UNKNOWN,
	W_DATA_OLD,
	W_SOURCE_DATA_OLD,
	W_FACTS_UNKNOWN
};

enum rvalues {
	RV_NONE,
	RV_BOTH,
	RV_SRC,		/* source_value only: a property of the source */
	RV_DST		/* destination_value only: a fixed minimum */
};

struct reason {
	enum rcode			 code;
	enum verdict			 sev;	/* V_COMPATIBLE: a warning */
	const struct requirement	*req;
	const char			*field;
	enum rvalues			 values;
	const char			*sval;
	const char			*dval;
	const char			*msg;	/* fixed text, or NULL */
	int64_t				 n1, n2;
};

/* Strings copied while the records are in cache; written much later. */
struct assignment {
	const char	*source;
	const char	*device;	/* parent, or the PCI device */
	const char	*type;		/* NULL: a PCI device */
};

struct result {
	const char		*host;
	const struct fleet_host	*fh;		/* NULL: never reported */
	enum verdict		 verdict;
	int64_t			 score;
	size_t			 r0, nr;	/* into ctx reasons */
	size_t			 a0, na;	/* into ctx assignments */
	size_t			 seq;		/* position in name order */
	/* parallel.c: the part that made it, whose context holds its
	 * reasons and assignments. */
	unsigned int		 part;
};

/*
 * Answer text already written once in this check (answer.c): most hosts
 * of a fleet give the same reasons and assignments, so each distinct
 * one is rendered once and copied after, and so is each distinct whole
 * result from its verdict to its score, made of them. A key names what
 * the text was made from (pointers into the fleet's pooled strings,
 * numbers) in at most FRAG_KEY_MAX words, kept in frags.keys; an
 * open-addressed table of at most FRAG_MAX entries, beyond which the
 * rest is rendered in place.
 */
#define AHEAD		8	/* hosts eval_prefetch() looks ahead */
#define FRAG_KEY_MAX	128
#define FRAG_MAX	1024

struct frag {
	size_t		 hash;
	size_t		 koff, klen;	/* in frags.keys */
	size_t		 off, len;	/* in frags.text */
	bool		 used;
};

struct frags {
	struct frag	*tab;
	size_t		 cap, n;
	struct buf	 keys;
	struct buf	 text;
};

struct ctx {
	const struct fleet		*fleet;
	const struct compat_config	*cfg;
	const struct policy		*policy;
	struct source			*src;
	enum mode			 mode;
	/* What the source itself says, the same for every destination:
	 * its staleness, its VMs' facts. Copied into each result. */
	struct reason			*sreasons;
	size_t				 nsreasons, sreasons_cap;
	bool				 src_stale;	/* live/cpr only */
	const char			*src_qemu;	/* the VM's running
							 * QEMU, if known */
	const struct inv_device		*src_dbase;	/* source devices */
	bool				 pci_doubt;	/* a device placed on a
							 * host whose VMs may
							 * hold unnamed ones */

	struct reason			*reasons;
	size_t				 nreasons, reasons_cap;
	struct assignment		*asg;
	size_t				 nasg, asg_cap;

	/* Per-host matching scratch of evaluate.c, reused host to host. */
	struct slot			*slots;
	int64_t				*caps, *used;
	unsigned char			*seen;
	size_t				 nslots, slots_cap;
	size_t				*adj;
	size_t				 nadj, adj_cap;
	size_t				*off, *assign, *left;
	size_t				*snext;		/* slot chain */
	const struct inv_device		*dbase;		/* host's devices */
	size_t				*dslot, *dstamp;
	size_t				 dcap, stamp;
	const char			*hot_tid;	/* to prefetch */
	/* The hot type's index entry (or its absence) of the hosts
	 * eval_prefetch() looked at ahead, so that each host's index is
	 * searched once: entry k % AHEAD is host k's. */
	struct {
		const struct fleet_host	*fh;
		const struct fleet_type	*ft;
	}				 ahead[AHEAD];
	const char			*kernel_seen;
	bool				 kernel_old;
	unsigned char			*ostate;	/* per offer: ok */
	size_t				 ostate_cap;
};

/* evaluate.c: one destination at a time. */
void	 eval_init(struct ctx *, const struct fleet *,
	    const struct compat_config *, const struct policy *,
	    struct source *, enum mode);
void	 eval_host(struct ctx *, const char *, const struct fleet_host *,
	    struct result *);
void	 eval_prefetch(struct ctx *, const struct fleet *, size_t,
	    size_t);
void	 eval_free(struct ctx *);

/* answer.c: one result, made in context c, as JSON text appended to
 * the buffer; the text of its reasons and assignments is kept in the
 * writer's frags for the next results until answer_free(). A zeroed
 * struct frags is empty; c is only read, so writers on several threads
 * may share it, each with frags of its own. */
void	 answer_result(struct buf *, struct frags *, const struct ctx *,
	    const struct result *);
void	 answer_free(struct frags *);

/* A destination name and where the request listed it. A name that is
 * not a valid host name is answered on its own (HOST_UNKNOWN), as the
 * request gave it: one bad name among thousands must not refuse the
 * whole request (SPEC 5, v1.1). */
struct dname {
	const char	*name;		/* folded to lower case when valid */
	size_t		 idx;
	bool		 invalid;
};

/* destinations.c: the n named destinations (sorted by name) into res[0 ..
 * n), seq their index in names. */
void	 eval_named(struct ctx *, const struct fleet *,
	    const struct dname *, size_t, struct result *);

/* destinations.c: res's verdicts counted into st (NULL: not counted). */
void	 count_results(struct compat_status *, const struct result *,
	    size_t);

/* destinations.c: the answer's order of res (made in name order, seq
 * ascending) as malloc'd indices; may reorder res itself. */
size_t	*order_results(struct result *, size_t);

/*
 * parallel.c: how many parts a check against n destinations is worth
 * (1: run it serially), and that check in parts: the n named
 * destinations (names sorted by name), or with names NULL every host
 * (but the source's, except in a cold move) evaluated, and each
 * result (only the compatible ones with compatible_only) written in
 * the answer's order, comma-separated, counted into st when not NULL.
 * The text goes into out as up to nparts pieces, the first beginning
 * with what head held (head is empty after).
 */
unsigned int parallel_parts(const struct compat_config *, size_t n);
void	 parallel_check(const struct fleet *, const struct compat_config *,
	    const struct policy *, struct source *, enum mode,
	    const struct dname *names, size_t n, bool compatible_only,
	    unsigned int nparts, struct buf *head, struct buf_pieces *out,
	    struct compat_status *);

/* compat_error.c */
void	 compat_fail(struct compat_status *, enum compat_error, const char *,
	    const char *, ...) __attribute__((format(printf, 4, 5)));
/* json_check_keys, reported as COMPAT_EINVAL. */
int	 compat_check_keys(const json_t *, const char *path,
	    const char *const *keys, struct compat_status *);

#endif
