/* SPDX-License-Identifier: Apache-2.0 */
/*
 * match.c -- assign requirements to destination slots, all at once.
 *
 * The problem is a bipartite b-matching: each requirement (left) needs
 * one unit from one of the slots it fits (right), a slot being a
 * (parent, type) pair offering available_instances units or a PCI
 * device offering one. First-fit can strand a requirement (A fits P1
 * or P2, B fits only P1: giving P1 to A leaves B nowhere), so this is
 * Kuhn's augmenting-path algorithm generalised to capacities: to place
 * u, try each slot it fits; a slot with a free unit takes it, a full one
 * is offered to u if one of its current holders can move elsewhere
 * along an augmenting path. Marking each slot once per search is enough
 * because all units of a slot are alike (it is node splitting without
 * the copies). A requirement that cannot be placed when its turn comes
 * can never be placed later, so one pass over the left side yields a
 * maximum matching.
 *
 * Sizes are small -- at most 64 requirements against a few hundred
 * slots on one host -- so the O(V*E) bound and the scan for a slot's
 * holders cost nothing next to reading the inventory. Recursion depth
 * is bounded by the number of requirements.
 */
#include <stdint.h>
#include <string.h>

#include "engine/compat_int.h"

struct mstate {
	size_t		 nleft;
	const size_t	*off;
	const size_t	*adj;
	const int64_t	*cap;
	size_t		*assign;
	int64_t		*used;
	unsigned char	*seen;
};

static int	 augment(struct mstate *, size_t);

static int
augment(struct mstate *m, size_t u)
{
	size_t	 e, v, w;

	for (e = m->off[u]; e < m->off[u + 1]; e++) {
		v = m->adj[e];
		if (m->seen[v])
			continue;
		m->seen[v] = 1;
		if (m->used[v] < m->cap[v]) {
			m->assign[u] = v;
			m->used[v]++;
			return (1);
		}
		/* Full: can a holder of v move on and leave its unit to u? */
		for (w = 0; w < m->nleft; w++) {
			if (w == u || m->assign[w] != v)
				continue;
			if (augment(m, w)) {
				/* w took a unit elsewhere; its unit of v
				 * passes to u, so used[v] is unchanged. */
				m->assign[u] = v;
				return (1);
			}
		}
	}
	return (0);
}

size_t
match_run(size_t nleft, size_t nright, const size_t *off, const size_t *adj,
    const int64_t *cap, size_t *assign, int64_t *used, unsigned char *seen)
{
	struct mstate	 m;
	size_t		 u, placed = 0;

	m.nleft = nleft;
	m.off = off;
	m.adj = adj;
	m.cap = cap;
	m.assign = assign;
	m.used = used;
	m.seen = seen;
	for (u = 0; u < nleft; u++)
		assign[u] = SIZE_MAX;
	memset(used, 0, nright * sizeof(*used));
	for (u = 0; u < nleft; u++) {
		memset(seen, 0, nright);
		if (augment(&m, u))
			placed++;
	}
	return (placed);
}
