# SPDX-License-Identifier: Apache-2.0
# server/: vfio-compatd, the HTTP service (a daemon: sbin).
sbin_PROGRAMS += server/vfio-compatd
server_vfio_compatd_SOURCES = \
	server/server.h server/main.c server/clock.c \
	server/http.c server/http.h server/routes.c server/routes.h \
	server/limits.c server/limits.h \
	server/auth.c server/auth.h \
	server/hosts.c server/load.c server/load.h \
	server/check.c server/metrics.c \
	server/replica.c server/replica.h \
	server/metrics_fleet.c server/metrics_fleet.h \
	server/openapi.c server/demo.c \
	server/accesslog.c server/accesslog.h
nodist_server_vfio_compatd_SOURCES = server/openapi_json.c
server_vfio_compatd_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(JANSSON_CFLAGS) \
	$(GNUTLS_CFLAGS)
server_vfio_compatd_CPPFLAGS = $(AM_CPPFLAGS) \
	-DDEMO_DIR=\"$(pkgdatadir)/demo\"
server_vfio_compatd_LDADD = $(LIBVC) $(MHD_LIBS) $(GNUTLS_LIBS)

# The OpenAPI document is written in YAML and served as JSON: convert
# and embed it at build time so the binary carries it.
server/openapi_json.c: $(top_srcdir)/schema/openapi.yaml \
    $(top_srcdir)/server/embed-openapi
	$(AM_V_GEN)mkdir -p server && python3 \
	    $(top_srcdir)/server/embed-openapi $(top_srcdir)/schema/openapi.yaml $@
BUILT_SOURCES += server/openapi_json.c
CLEANFILES += server/openapi_json.c
EXTRA_DIST += server/embed-openapi schema/openapi.yaml deploy/demo
