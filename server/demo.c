/* SPDX-License-Identifier: Apache-2.0 */
/*
 * demo.c -- --demo: load the sample fleet shipped in deploy/demo/ and
 * installed under $(pkgdatadir)/demo.
 *
 * Every *.json file of the directory is an inventory as the collector
 * prints it; each goes through the same validation and store path as a
 * PUT, received now. Nobody will report for these hosts again, so they
 * are pinned: a demo host never goes stale (until a real collector
 * reports under its name). A directory that is missing, unreadable or
 * holds no inventory stops the server: --demo asked for a fleet.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "fleet/fleet.h"
#include "http.h"
#include "metrics_fleet.h"
#include "model/inventory.h"
#include "server.h"
#include "util/file.h"
#include "util/log.h"
#include "util/xmalloc.h"

static int	is_json_file(const struct dirent *);
static int	pin(struct server *, const char *, size_t);

static int
is_json_file(const struct dirent *de)
{
	size_t	 len = strlen(de->d_name);

	return (de->d_name[0] != '.' && len > 5 &&
	    strcmp(de->d_name + len - 5, ".json") == 0);
}

/* Pin the host the document names (hosts_ingest validated it). */
static int
pin(struct server *srv, const char *buf, size_t len)
{
	json_t		*doc;
	const char	*host;
	int		 rv = -1;

	if ((doc = json_loadb(buf, len, 0, NULL)) == NULL)
		return (-1);
	if ((host = json_string_value(json_object_get(doc, "host"))) !=
	    NULL) {
		fleet_wrlock(srv->fleet);
		rv = fleet_pin(srv->fleet, host);
		fleet_unlock(srv->fleet);
		if (rv == 0)
			metrics_host_pinned(host);
	}
	json_decref(doc);
	return (rv);
}

int
demo_load(struct server *srv, const char *dir)
{
	struct dirent		**names = NULL;
	struct ingest_result	  res;
	struct http_reply	  rep;
	char			 *path = NULL, *buf = NULL;
	size_t			  len;
	int			  i, n, rv = -1;

	if ((n = scandir(dir, &names, is_json_file, alphasort)) == -1) {
		log_errorx("--demo %s: %s", dir, strerror(errno));
		return (-1);
	}
	if (n == 0) {
		log_errorx("--demo %s: no *.json inventories there", dir);
		goto done;
	}
	for (i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s", dir, names[i]->d_name);
		if ((buf = file_read(path, INV_MAX_DOCUMENT, &len)) == NULL) {
			log_errorx("--demo %s: cannot read %s", dir,
			    names[i]->d_name);
			goto done;
		}
		memset(&rep, 0, sizeof(rep));
		if (hosts_ingest(srv, buf, len, NULL, server_now(), &res,
		    &rep) == -1) {
			log_errorx("--demo %s: %s", path,
			    rep.body != NULL ? rep.body : "rejected");
			free(rep.body);
			goto done;
		}
		if (pin(srv, buf, len) == -1) {
			log_errorx("--demo %s: loaded but not found in the "
			    "fleet", path);
			goto done;
		}
		free(buf);
		buf = NULL;
		free(path);
		path = NULL;
	}
	log_info("loaded %d demo inventories from %s", n, dir);
	rv = 0;

done:
	free(buf);
	free(path);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return (rv);
}
