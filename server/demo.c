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
#include "inventory.h"
#include "server.h"
#include "util/log.h"
#include "util/xmalloc.h"

static int	is_json_file(const struct dirent *);
static char	*read_file(const char *, size_t *);

static int
is_json_file(const struct dirent *de)
{
	size_t	 len = strlen(de->d_name);

	return (de->d_name[0] != '.' && len > 5 &&
	    strcmp(de->d_name + len - 5, ".json") == 0);
}

static char *
read_file(const char *path, size_t *lenp)
{
	FILE		*f;
	struct stat	 sb;
	char		*buf = NULL;

	if ((f = fopen(path, "r")) == NULL) {
		log_warn("%s: %s", __func__, path);
		return (NULL);
	}
	if (fstat(fileno(f), &sb) == -1) {
		log_warn("%s: %s", __func__, path);
		goto fail;
	}
	if (sb.st_size > (off_t)INV_MAX_DOCUMENT) {
		log_warnx("%s: %s: larger than %u bytes", __func__, path,
		    INV_MAX_DOCUMENT);
		goto fail;
	}
	buf = xmalloc(sb.st_size + 1);
	if (fread(buf, 1, sb.st_size, f) != (size_t)sb.st_size) {
		log_warnx("%s: %s: short read", __func__, path);
		goto fail;
	}
	buf[sb.st_size] = '\0';
	*lenp = sb.st_size;
	fclose(f);
	return (buf);

fail:
	free(buf);
	fclose(f);
	return (NULL);
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
		if ((buf = read_file(path, &len)) == NULL)
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
