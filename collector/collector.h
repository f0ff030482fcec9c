/* SPDX-License-Identifier: Apache-2.0 */
/*
 * collector.h -- what the collector's sources share.
 *
 * scan.c builds one struct collect (its state is collect.c's) and hands
 * it to each source in turn; every source adds what it finds to the
 * inventory and warns (never fails) about what it cannot read, so one
 * odd file costs one null. emit.c prints, stores or hands on the result;
 * main.c only parses options.
 */
#ifndef VC_COLLECTOR_H
#define VC_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysfs.h"

struct inventory;
struct inv_device;
struct udev;
struct udev_hwdb;

#define SYS_PCI_DEVICES		"/sys/bus/pci/devices"
#define SYS_MDEV_BUS		"/sys/class/mdev_bus"
#define SYS_MDEV_DEVICES	"/sys/bus/mdev/devices"
#define SYS_MODULE		"/sys/module"
#define SYS_PCI_DRIVERS		"/sys/bus/pci/drivers"
#define SYS_IOMMU_GROUPS	"/sys/kernel/iommu_groups"
#define SYS_VFIO_DEBUGFS	"/sys/kernel/debug/vfio"
#define PROBE_DIR_DEFAULT	"/etc/vfio-compat/probe.d"

/* Caps on what one host may contribute; beyond them we stop and warn. */
#define COLLECT_MAX_DEVICES	4096
#define COLLECT_MAX_TYPES	512

#define COLLECT_MAX_DRIVERS	64
#define COLLECT_MAX_NAMES	1024

/* Per-driver facts: the same for every device the driver binds. */
struct driver_cache {
	char		*driver;
	const char	*version;
};

/* Names by modalias: udev derives them from the modalias alone. */
struct name_cache {
	char		*modalias;
	const char	*vendor;
	const char	*model;
};

struct collect {
	struct sysfs_dir	 pci_devices;	/* /sys/bus/pci/devices */
	struct sysfs_dir	 pci_drivers;	/* /sys/bus/pci/drivers */
	struct sysfs_dir	 iommu_groups;	/* /sys/kernel/iommu_groups */
	struct inventory	*inv;
	struct udev		*udev;
	struct udev_hwdb	*hwdb;
	bool			 hwdb_tried;
	const char		*kernel_release;
	unsigned char		*marked;	/* devices a source vouches for */
	size_t			 nmarked;
	struct driver_cache	 drivers[COLLECT_MAX_DRIVERS];
	size_t			 ndrivers;
	struct name_cache	*names;
	size_t			 nnames;
};

/* What a run asks for: main.c parses it, watch.c repeats it. */
struct collect_options {
	const char	*host;
	const char	*output;
	const char	*db;
	const char	*push;
	const char	*token_file;
	const char	*cacert;
	const char	*cert;		/* client certificate for --push */
	const char	*key;
	const char	*qemu;
	const char	*qemu_version;
	const char	*probe_dir;
	const char	*textfile;
	long long	 push_timeout;	/* seconds, all one-shot attempts */
	bool		 all_pci;
	bool		 watch;
	long long	 interval;	/* seconds, with watch */
	int		 verbose;
};

#define PUSH_TIMEOUT_DEFAULT	60
#define PUSH_TIMEOUT_MAX	3600
#define WATCH_INTERVAL_DEFAULT	60
#define WATCH_INTERVAL_MAX	86400

/* scan.c: one full scan of this host as host (caller frees). */
struct inventory *collect_scan(const struct collect_options *,
	    const char *host);
/* emit.c: its delivery to --output and --db. collect_emit checks the
 * document with the codec and prints it; with --push it hands back the
 * compact JSON in *compact. */
int	collect_emit(const struct collect_options *, const struct inventory *,
	    char **compact, char *err, size_t errlen);

/* collect.c: mark device idx as VFIO-relevant for pci_select; free
 * what a scan held. */
void	collect_mark(struct collect *, size_t);
void	collect_free(struct collect *);
/* run.c: run argv with a timeout, capturing at most cap bytes of
 * stdout into *out (NUL-terminated, malloc'd). 0 when it exited 0. */
int	run_capture(char *const argv[], int timeout_ms, size_t cap,
	    char **out, size_t *outlen);
/* The same with fexecve of exec_fd (-1: execv of argv[0]). */
int	run_capture_fd(int exec_fd, char *const argv[], int timeout_ms,
	    size_t cap, char **out, size_t *outlen);

/* dl.c: dlopen soname and store each of syms (a function's name and
 * the offset of its pointer in *api) into api. 0, or -1 with the
 * reason in err (the library is not kept open then). */
struct dl_sym {
	const char	*name;
	size_t		 offset;
};
int	dl_load(const char *soname, const struct dl_sym *syms, size_t nsyms,
	    void *api, char *err, size_t errlen);

/* pq.c, sqlite.c: why libpq (a PostgreSQL --db) or libsqlite3 (a file
 * --db) could not be loaded, or NULL when it was not tried or loaded. */
const char *pq_load_error(void);
const char *sqlite_load_error(void);

/* driver.c: the version of driver, bound to the device at devpath, or
 * NULL; asked once per driver. */
const char *driver_version_of(struct collect *, const char *devpath,
	    const char *driver);

/* pci.c */
int	pci_scan(struct collect *);
void	pci_set_migration(struct collect *);
void	pci_select(struct collect *);

/* mdev.c */
int	mdev_read_types(struct collect *, size_t dev, const char *devpath);
int	mdev_scan_parents(struct collect *);
int	mdev_scan_instances(struct collect *);

/* nvidia.c */
int	nvidia_scan_device(struct collect *, size_t dev, const char *devpath);
void	nvidia_fill_names(struct collect *);

/* platform.c */
int	platform_scan(struct collect *, const char *qemu,
	    const char *qemu_version);
int	platform_version_ok(const char *);
/* qemu -version of one binary, asked once per file (path, inode,
 * mtime) per process: a malloc'd "9.2.0", NULL (warned) if it cannot
 * tell. */
char	*platform_qemu_version(const char *);

/* vms.c */
int	vms_scan(struct collect *);

/* probe.c */
int	probe_run_dir(struct collect *, const char *dir);

/* Where and how to push: the options' push fields and the host name. */
struct push_target {
	const char	*url;
	const char	*host;
	const char	*token_file;
	const char	*cacert;	/* CA file for https, or NULL */
	const char	*cert;		/* client certificate, or NULL */
	const char	*key;		/* its private key, or NULL */
	long		 total_ms;	/* push_inventory's deadline */
};

/* push.c: push_inventory tries up to five times, sleeping between, all
 * within the target's total_ms;
 * push_once tries once with a total timeout in seconds, for the watch
 * loop, which waits push_backoff_ms(n, cap) after its nth failure. */
void	push_target_init(struct push_target *,
	    const struct collect_options *, const char *host);
int	push_inventory(const struct push_target *, const char *json,
	    char *err, size_t errlen);
int	push_once(const struct push_target *, const char *json, long timeout,
	    char *err, size_t errlen);
long	push_backoff_ms(int attempt, long cap_ms);

/* textfile.c: the host's metrics for node_exporter's textfile collector,
 * written beside path and renamed over it. */
struct textfile_stats {
	double		 scan_time;	/* wall clock, seconds */
	double		 scan_seconds;	/* how long the scan took */
	bool		 push;		/* --push given: push series too */
	unsigned long	 push_failures;	/* failed pushes since start */
	double		 push_ok_time;	/* last success, 0 if none */
};
int	textfile_write(const char *path, const struct inventory *,
	    const struct textfile_stats *, char *err, size_t errlen);

/* watch.c: --watch; returns the exit status. */
int	watch_run(const struct collect_options *, const char *host);

#endif
