# SPDX-License-Identifier: Apache-2.0
# collector/: vfio-compat-collect, one source file per kind of fact, plus
# delivery: push.c (HTTP), textfile.c (metrics), watch.c (--watch).
sbin_PROGRAMS += collector/vfio-compat-collect
collector_vfio_compat_collect_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) \
	$(SQLITE_CFLAGS) $(UDEV_CFLAGS) $(CURL_CFLAGS) $(LIBPQ_CFLAGS)
collector_vfio_compat_collect_SOURCES = \
	collector/collector.h \
	collector/main.c \
	collector/collect.c collector/scan.c collector/emit.c \
	collector/run.c collector/driver.c \
	collector/sysfs.c collector/sysfs.h \
	collector/pci.c \
	collector/mdev.c \
	collector/nvidia.c \
	collector/platform.c \
	collector/vms.c \
	collector/probe.c \
	collector/dl.c \
	collector/pq.c \
	collector/sqlite.c \
	collector/push.c \
	collector/textfile.c \
	collector/watch.c
# libcurl (push.c), libpq (pq.c) and libsqlite3 (sqlite.c) are dlopen'd
# when an option needs them (dl.c says why), so not linked: LIBVC
# without the store engines' libraries.
collector_vfio_compat_collect_LDADD = $(LIBVC_NODB) $(UDEV_LIBS)
