# SPDX-License-Identifier: Apache-2.0
# clients/: the vfio-compat command-line client, its man page, and the
# curl/jq recipes of clients/examples/ (shipped, run by tests/clients/).
bin_PROGRAMS += clients/cli/vfio-compat
clients_cli_vfio_compat_SOURCES = \
	clients/cli/cli.h \
	clients/cli/main.c \
	clients/cli/usage.c \
	clients/cli/http.c \
	clients/cli/table.c \
	clients/cli/commands.c \
	clients/cli/check.c \
	clients/cli/fold.c \
	clients/cli/answer.c
clients_cli_vfio_compat_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
clients_cli_vfio_compat_LDADD = $(LIBVC) $(CURL_LIBS)

dist_man1_MANS = clients/cli/vfio-compat.1


EXTRA_DIST += clients/README.md clients/examples
