/*
 * demo.c -- --demo: load the sample fleet shipped in deploy/demo/.
 *
 * Every *.json file of the directory is an inventory as the collector
 * prints it; each goes through the same validation and store path as a
 * PUT, received now, so the demo hosts start fresh.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "http.h"
#include "model/inventory.h"
#include "server.h"
#include "util/file.h"
#include "util/log.h"
#include "util/xmalloc.h"

static int	is_json_file(const struct dirent *);

static int
is_json_file(const struct dirent *de)
{
	size_t	 len = strlen(de->d_name);

	return (de->d_name[0] != '.' && len > 5 &&
	    strcmp(de->d_name + len - 5, ".json") == 0);
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
		log_warn("%s: %s", __func__, dir);
		return (-1);
	}
	if (n == 0) {
		log_warnx("%s: %s: no inventories", __func__, dir);
		goto done;
	}
	for (i = 0; i < n; i++) {
		xasprintf(&path, "%s/%s", dir, names[i]->d_name);
		if ((buf = file_read(path, INV_MAX_DOCUMENT, &len)) == NULL)
			goto done;
		memset(&rep, 0, sizeof(rep));
		if (hosts_ingest(srv, buf, len, NULL, server_now(), &res,
		    &rep) == -1) {
			log_warnx("%s: %s: %s", __func__, path,
			    rep.body != NULL ? rep.body : "rejected");
			free(rep.body);
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
