# SPDX-License-Identifier: Apache-2.0
# deploy/: what "make install" puts on an operator's machine besides the
# binaries: the demo fleet for --demo, the systemd units with the
# installed paths, their /etc/default files, the /etc/vfio-compat
# directory, the daemons' manual pages and the CLI's bash completion.
# debian/ installs the same set through this.

demodir = $(pkgdatadir)/demo
dist_demo_DATA = \
	deploy/demo/gpu-a1.json deploy/demo/gpu-a2.json \
	deploy/demo/gpu-a3.json deploy/demo/gpu-a4.json \
	deploy/demo/gpu-a5.json deploy/demo/gpu-h1.json \
	deploy/demo/gpu-h2.json deploy/demo/igpu-1.json \
	deploy/demo/lab-1.json deploy/demo/net-1.json \
	deploy/demo/net-2.json

dist_man8_MANS = server/vfio-compatd.8 collector/vfio-compat-collect.8

# The committed units name /usr/local/bin and /etc; the installed ones
# name where this configuration puts the daemons and their files.
UNITS = vfio-compatd.service vfio-compat-collect.service \
	vfio-compat-collect-once.service vfio-compat-collect.timer
systemdsystemunit_DATA = $(addprefix units/,$(UNITS))
units/%: $(top_srcdir)/deploy/systemd/% Makefile
	$(AM_V_GEN)mkdir -p units && sed \
	    -e 's#/usr/local/bin/#$(sbindir)/#g' \
	    -e '/^\(EnvironmentFile\|LoadCredential\)=/s#/etc/#$(sysconfdir)/#' \
	    $< >$@
CLEANFILES += $(systemdsystemunit_DATA)

# Files installed under another name than in the tree.
DEFAULTS = vfio-compatd vfio-compat-collect
install-data-local:
	$(MKDIR_P) $(DESTDIR)$(sysconfdir)/default \
	    $(DESTDIR)$(sysconfdir)/vfio-compat/probe.d \
	    $(DESTDIR)$(bashcompletiondir)
	for f in $(DEFAULTS); do \
	    $(INSTALL_DATA) $(srcdir)/deploy/systemd/$$f.default \
	        $(DESTDIR)$(sysconfdir)/default/$$f || exit 1; \
	done
	$(INSTALL_DATA) $(srcdir)/deploy/tokens.example \
	    $(DESTDIR)$(sysconfdir)/vfio-compat/tokens.example
	$(INSTALL_DATA) $(srcdir)/clients/cli/vfio-compat.bash-completion \
	    $(DESTDIR)$(bashcompletiondir)/vfio-compat
uninstall-local:
	for f in $(DEFAULTS); do \
	    rm -f $(DESTDIR)$(sysconfdir)/default/$$f; \
	done
	rm -f $(DESTDIR)$(sysconfdir)/vfio-compat/tokens.example \
	    $(DESTDIR)$(bashcompletiondir)/vfio-compat
	-rmdir $(DESTDIR)$(sysconfdir)/vfio-compat/probe.d \
	    $(DESTDIR)$(sysconfdir)/vfio-compat $(DESTDIR)$(sysconfdir)/default

EXTRA_DIST += deploy/tokens.example deploy/local.mk \
	clients/cli/vfio-compat.bash-completion
