/* SPDX-License-Identifier: Apache-2.0 */
/*
 * model_int.h -- what inventory.c uses of profile.c (never the reverse:
 * profile.c reads the model's structs and calls nothing of it).
 */
#ifndef VC_MODEL_INT_H
#define VC_MODEL_INT_H

struct inventory;
struct inv_profile;
struct inv_profiles;

/* A device's own profile freed (a shared one is left alone). */
void	inv_profile_free(struct inv_profile *);
/* Each device's own profile of inv swapped for pp's copy (made on first
 * sight), one reference per device, inv->profiles set: 0; -1 when inv
 * is shared already or not built on pp's strings. */
int	inv_profiles_intern(struct inv_profiles *pp, struct inventory *inv);
/* The references inv's devices hold on pp's profiles given back. */
void	inv_profiles_release(struct inv_profiles *pp, struct inventory *inv);

#endif
