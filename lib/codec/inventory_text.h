/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inventory_text.h -- the canonical compact text of an inventory.
 *
 * What inventory_encode() stores and digests, printed from the model
 * without building a JSON tree.
 */
#ifndef VC_INVENTORY_TEXT_H
#define VC_INVENTORY_TEXT_H

#include <stddef.h>

#include "model/inventory.h"

struct buf;

/*
 * Append inv's canonical compact document to b: the bytes
 * json_dumps(inventory_to_json(inv), JSON_COMPACT) gives. [*cut,
 * *cut_end) are the offsets in b of the collected_at member with its
 * leading comma (empty when left out), which the digest leaves out.
 * inv must be sorted (inventory_sort()).
 */
void	inventory_print(const struct inventory *, struct buf *, size_t *cut,
	    size_t *cut_end);

#endif
