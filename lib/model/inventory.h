/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inventory.h -- the v1 inventory model (SPEC section 2).
 *
 * lib/model/ owns the in-memory inventory and nothing else: no JSON, no
 * I/O. It may use lib/util/ only.
 *
 * One struct inventory per host. All of an inventory's strings and arrays
 * live in its arena, so building one is cheap and freeing it is one call.
 * Strings that repeat across a fleet (ids, names, versions) may instead
 * come from a shared string pool: the server passes one so that ten
 * thousand copies of "GRID T4-1B" cost one. Nothing in an inventory is
 * freed or resized on its own except through the append helpers below.
 *
 * Unknown values are NULL for strings, INV_NULL for integers and
 * INV_TRI_NULL for booleans; they print as JSON null, never a guess.
 *
 * Field widths are chosen for a server holding ten thousand hosts of 84
 * devices and 128 types each: every integer here fits 32 bits. What a
 * device record holds of its own is 32 bytes; the rest is its profile,
 * which alike devices share (the 10 KiB per host of issue 10).
 */
#ifndef VC_INVENTORY_H
#define VC_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INV_SCHEMA	"vfio-compat/inventory/v1"
#define INV_NULL	INT32_MIN

struct arena;
struct strpool;
struct inv_profiles;

enum inv_tri {
	INV_TRI_NULL = -1,
	INV_TRI_FALSE = 0,
	INV_TRI_TRUE = 1
};

enum inv_kind {
	INV_KIND_MDEV,
	INV_KIND_NVIDIA_VGPU
};

/* Migration feature flags, as the kernel's VFIO_MIGRATION_* names them. */
#define MIG_STOP_COPY		0x01u
#define MIG_P2P			0x02u
#define MIG_PRE_COPY		0x04u
#define MIG_DIRTY_TRACKING	0x08u
#define MIG_ALL_FLAGS		0x0fu

/* Where a device's flags came from, best first: the kernel's own word
 * (debugfs, Linux 6.18+), a vendor probe, the built-in driver table. */
enum inv_flags_source {
	INV_FLAGS_NONE,
	INV_FLAGS_PROBE,
	INV_FLAGS_BUILTIN,
	INV_FLAGS_KERNEL
};

/* A VM's VFIO backend (SPEC 2, v1.1): unknown, legacy container, iommufd. */
enum inv_backend {
	INV_BACKEND_NULL,
	INV_BACKEND_CONTAINER,
	INV_BACKEND_IOMMUFD
};

struct inv_migration {
	bool			 capable;
	uint8_t			 flags_source;	/* enum inv_flags_source */
	unsigned int		 flags;		/* MIG_* */
	const char		*version;
};

/* A type as a device offers it; how many more it can create is per
 * device (inv_device.avail), so that identical GPUs share one list. */
struct inv_type {
	const char	*id;
	const char	*name;
	const char	*device_api;
	const char	*description;
	const char	*migration_version;
	enum inv_kind	 kind;
};

struct inv_attr {
	const char	*key;
	const char	*value;
};

/*
 * What identical devices have in common: everything but where a device
 * sits and how much of it is free. The 64 VFs of a NIC, or eight GPUs of
 * one model, hold one profile; with a profile pool (inv_profiles_new())
 * ten thousand hosts of them hold one between them. A profile is the
 * device's own while an inventory is built and read-only once shared
 * (inventory_share()).
 */
struct inv_profile {
	const char	*vendor_id;		/* 4 hex */
	const char	*device_id;		/* 4 hex */
	const char	*subsystem_vendor_id;	/* 4 hex */
	const char	*subsystem_device_id;	/* 4 hex */
	const char	*class;			/* 6 hex */
	const char	*revision;		/* 2 hex */
	const char	*vendor_name;
	const char	*device_name;
	const char	*driver;
	const char	*driver_version;
	const char	*physfn;
	int32_t		 sriov_totalvfs;
	int32_t		 sriov_numvfs;
	struct inv_migration migration;
	struct inv_type	*types;
	uint32_t	 ntypes, types_cap;
	struct inv_attr	*attrs;		/* sorted by key */
	uint32_t	 nattrs, attrs_cap;
	/* The collector listed only part of the types (a cap was hit): a
	 * type missing here may exist. */
	bool		 types_truncated;
	/* Pool bookkeeping (profile.c): set once shared. */
	bool		 shared;
	uint32_t	 refs;
	uint64_t	 hash;
	struct inv_profile *next;
};

struct inv_device {
	const char		*address;
	struct inv_profile	*p;		/* never NULL */
	/* available_instances of each of p->types, INV_NULL unknown. */
	int32_t			*avail;
	int32_t			 iommu_group;
	int32_t			 numa_node;
};

struct inv_instance {
	enum inv_kind	 kind;
	const char	*id;
	const char	*type;
	const char	*parent;
};

/*
 * A running QEMU process. The v1.1 facts say what the VM itself decides
 * about its migration; each is null (INV_TRI_NULL, NULL, INV_BACKEND_NULL)
 * when it could not be read, and v1 documents carry none of them.
 * complete is false when the process holds VFIO devices that devices
 * does not name.
 */
struct inv_vm {
	const char	 *uuid;
	const char	 *name;
	const char	**devices;
	const char	 *qemu_version;
	uint32_t	  ndevices, devices_cap;
	int32_t		  pid;
	int8_t		  complete;	/* enum inv_tri */
	int8_t		  viommu;	/* enum inv_tri */
	int8_t		  ram_shared;	/* enum inv_tri */
	uint8_t		  backend;	/* enum inv_backend */
};

struct inv_platform {
	const char	*kernel_release;
	const char	*arch;
	enum inv_tri	 iommufd;
	enum inv_tri	 vfio_container;
	const char	*qemu_version;
	const char	*libvirt_version;
	/* The host IOMMU tracks DMA dirty pages itself (v1.1). */
	enum inv_tri	 iommu_dirty_tracking;
};

struct inventory {
	struct arena		*arena;
	struct strpool		*pool;		/* borrowed; may be NULL */
	/* Set by inventory_share(): the devices' profiles are this pool's,
	 * each device holding one reference. */
	struct inv_profiles	*profiles;
	/* The pooled strings this inventory holds, one reference each
	 * however often it uses them: an open-addressing set (NULL is a
	 * free slot) of pooled_cap slots, a power of two. */
	const char		**pooled;
	size_t			 npooled, pooled_cap;
	const char		*host;
	const char		*collected_at;
	const char		*collector_version;
	struct inv_platform	 platform;
	struct inv_device	*devices;
	size_t			 ndevices, devices_cap;
	struct inv_instance	*instances;
	size_t			 ninstances, instances_cap;
	struct inv_vm		*vms;
	size_t			 nvms, vms_cap;
	/* The fingerprint of the body this was parsed from, when it has
	 * one (codec/fingerprint.h): a heartbeat that matches it is the
	 * same document and needs no parse. fingerprint_cut is where that
	 * body's collected_at value was (inv_fingerprint_at()). */
	unsigned char		 fingerprint[32];
	bool			 has_fingerprint;
	size_t			 fingerprint_cut;
};

/* Validation error: the JSON path of the offending field and why. */
struct inv_error {
	char	field[256];
	char	message[256];
};

/* inventory.c: the model. */
struct inventory	*inventory_new(struct strpool *);
void			 inventory_free(struct inventory *);
/* Copy into the arena (unique strings) or the pool (repeating ones). */
const char		*inv_str(struct inventory *, const char *);
const char		*inv_istr(struct inventory *, const char *);
/* A new collected_at (a heartbeat): overwritten in place when as long
 * as the old one, so that repeating it does not grow the arena. */
void			 inv_set_collected_at(struct inventory *,
			    const char *);
struct inv_device	*inv_add_device(struct inventory *);
/* d, which the caller drops from inv->devices, gives up its profile. */
void			 inv_forget_device(struct inventory *,
			    struct inv_device *d);
/* n device records a caller allocated, each set up as inv_add_device()
 * sets one up (nulls, a profile of its own). */
void			 inv_init_devices(struct inventory *,
			    struct inv_device *, size_t n);
/* Exactly n types for d, zeroed, their avail INV_NULL (for a parser
 * that knows the count); replaces any d had. */
struct inv_type		*inv_alloc_types(struct inventory *,
			    struct inv_device *d, size_t n);
/* Room for n attributes, so that inv_set_attr() need not regrow. */
void			 inv_reserve_attrs(struct inv_device *d, size_t n);
/* A type of d's (own, unshared) profile, available_instances INV_NULL. */
struct inv_type		*inv_add_type(struct inventory *, struct inv_device *);
/* available_instances of d's type t (one of d->p->types). */
int32_t			 inv_avail(const struct inv_device *d,
			    const struct inv_type *t);
void			 inv_set_avail(struct inv_device *d,
			    const struct inv_type *t, int32_t);
void			 inv_set_attr(struct inventory *, struct inv_device *,
			    const char *key, const char *value);
const char		*inv_get_attr(const struct inv_device *, const char *);
struct inv_instance	*inv_add_instance(struct inventory *);
struct inv_vm		*inv_add_vm(struct inventory *);
void			 inv_vm_add_device(struct inventory *, struct inv_vm *,
			    const char *);
/* Canonical order: devices by address, types by kind then id, instances
 * by id, VMs by uuid, a VM's devices by name. Printing after sorting is
 * deterministic, which is what makes change detection a byte compare. */
void			 inventory_sort(struct inventory *);
struct inv_device	*inv_find_device(const struct inventory *,
			    const char *address);
struct inv_instance	*inv_find_instance(const struct inventory *,
			    const char *id);
struct inv_vm		*inv_find_vm(const struct inventory *, const char *uuid);
struct inv_type		*inv_find_type(const struct inv_device *,
			    enum inv_kind, const char *id);
/* Does VM vm list device id (a PCI address or an instance id)? */
bool			 inv_vm_holds(const struct inv_vm *, const char *id);
/* The first VM that lists device id, or NULL: is it in use? */
const struct inv_vm	*inv_vm_holding(const struct inventory *,
			    const char *id);
/* Instances of type t that exist on parent d (mdevs, vGPU VFs). */
size_t			 inv_count_instances(const struct inventory *,
			    const struct inv_device *d,
			    const struct inv_type *t);

const char	*inv_kind_name(enum inv_kind);
int		 inv_kind_parse(const char *, enum inv_kind *);
const char	*inv_flags_source_name(enum inv_flags_source);
const char	*inv_backend_name(enum inv_backend);	/* NULL for null */
int		 inv_backend_parse(const char *, enum inv_backend *);
/* Flag names in canonical order; index with __builtin_ctz of the bit. */
extern const char *const inv_flag_names[4];
int		 inv_flag_parse(const char *, unsigned int *);

/* Built-in migration table for in-tree variant drivers (SPEC 2):
 * returns 0 and the MIG_* flags when the driver is known, -1 if not.
 * Driver names compare with '-' and '_' equal: the kernel registers
 * xe-vfio-pci with hyphens, its module is xe_vfio_pci. */
int		 inv_builtin_driver_flags(const char *driver, unsigned int *);
/* The driver names a and b are the same driver ('-' == '_'). */
bool		 inv_driver_eq(const char *a, const char *b);

/* inventory_json.c: the codec. Parsing validates everything and names
 * the offending field; printing is deterministic (spec field order). */
#define INV_MAX_DOCUMENT	(4u * 1024 * 1024)
#define INV_MAX_DEPTH		16
#define INV_MAX_STRING		4096
#define INV_MAX_DEVICES		8192
#define INV_MAX_TYPES		1024
#define INV_MAX_ATTRS		256
#define INV_MAX_INSTANCES	65536
#define INV_MAX_VMS		8192
#define INV_MAX_VM_DEVICES	64

struct inventory	*inventory_parse(const char *, size_t, struct strpool *,
			    struct inv_error *);
char			*inventory_dump(const struct inventory *, bool pretty);
/* SHA-256 hex of the canonical document without collected_at: equal for
 * two reports of the same host state. out holds 65 bytes. */
int			 inventory_digest(const struct inventory *, char *out);
/* The canonical compact document (malloc'd, NUL-terminated, *lenp
 * bytes) and its digest as above, from one print: what the collector's
 * --db, the server and the tests store. docp NULL: the digest only. */
int			 inventory_encode(const struct inventory *,
			    char **docp, size_t *lenp, char *digest);

/* profile.c: profiles shared across a fleet. */
struct inv_profiles	*inv_profiles_new(struct strpool *);
/* Every profile must have been given back (inventory_free()) first. */
void			 inv_profiles_free(struct inv_profiles *);
/* How many distinct profiles the pool holds, under its lock. */
size_t			 inv_profiles_count(struct inv_profiles *);
/*
 * Sort an inventory built on pool strings (inventory_new(the pool's
 * strpool)) and swap each device's own profile for the pool's copy of
 * it, made on first sight, and give back the string references only
 * those profiles held. After it the inventory is read-only but for
 * avail and collected_at; inventory_free() returns the references.
 * Thread-safe; a no-op on a shared inventory.
 */
void			 inventory_share(struct inventory *,
			    struct inv_profiles *);

#endif
