/*
 * probe.c -- vendor facts from drop-in executables, and the bounded
 * child-process runner they and "qemu --version" share.
 *
 * A probe prints {"<address>": {"key": "value", ...}, ...}. Values merge
 * into that device's attributes; the key "migration.flags" instead sets
 * the device's migration flags from a comma list ("stop_copy,p2p") with
 * flags_source "probe", unless the kernel's debugfs already gave them. A probe that fails, hangs, floods or prints
 * anything else is ignored as a whole, with a warning.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "model/inventory.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#include "collector.h"
#include "sysfs.h"

#define PROBE_TIMEOUT_MS	5000
#define PROBE_MAX_OUTPUT	(1024 * 1024)
#define PROBE_FLAGS_KEY		"migration.flags"

static int64_t	 now_ms(void);
static int	 parse_flags(const char *, unsigned int *);
static int	 check_output(const char *, const json_t *);
static void	 apply_output(struct collect *, const char *, const json_t *);
static void	 run_probe(struct collect *, const char *);

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

int
run_capture(char *const argv[], int timeout_ms, size_t cap, char **out,
    size_t *outlen)
{
	int		 fds[2], status, devnull, rc = -1;
	pid_t		 pid;
	char		*buf;
	size_t		 len = 0;
	ssize_t		 n;
	int64_t		 deadline, left;
	struct pollfd	 pfd;

	*out = NULL;
	*outlen = 0;
	if (pipe2(fds, O_CLOEXEC) == -1) {
		log_warn("%s: pipe", __func__);
		return (-1);
	}
	if ((pid = fork()) == -1) {
		log_warn("%s: fork", __func__);
		close(fds[0]);
		close(fds[1]);
		return (-1);
	}
	if (pid == 0) {
		/* Own process group, so a timeout kills its children too. */
		setpgid(0, 0);
		if ((devnull = open("/dev/null", O_RDONLY)) != -1)
			dup2(devnull, STDIN_FILENO);
		if (dup2(fds[1], STDOUT_FILENO) == -1)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	buf = xmalloc(cap + 1);
	deadline = now_ms() + timeout_ms;
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	for (;;) {
		if ((left = deadline - now_ms()) <= 0) {
			log_warnx("%s: %s: timed out after %d ms, killed",
			    __func__, argv[0], timeout_ms);
			goto kill;
		}
		if (poll(&pfd, 1, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("%s: poll", __func__);
			goto kill;
		}
		if (pfd.revents == 0)
			continue;
		if ((n = read(fds[0], buf + len, cap + 1 - len)) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("%s: read", __func__);
			goto kill;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > cap) {
			log_warnx("%s: %s: more than %zu bytes of output, "
			    "killed", __func__, argv[0], cap);
			goto kill;
		}
	}
	close(fds[0]);
	fds[0] = -1;
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (WIFEXITED(status))
			log_warnx("%s: %s: exited with status %d", __func__,
			    argv[0], WEXITSTATUS(status));
		else
			log_warnx("%s: %s: killed by signal %d", __func__,
			    argv[0], WTERMSIG(status));
		goto fail;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return (0);

kill:
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
fail:
	if (fds[0] != -1)
		close(fds[0]);
	free(buf);
	return (rc);
}

static int
parse_flags(const char *list, unsigned int *flags)
{
	char		*copy, *p, *tok;
	unsigned int	 bit;
	int		 rc = 0;

	*flags = 0;
	copy = p = xstrdup(list);
	while ((tok = strsep(&p, ",")) != NULL) {
		tok = str_rtrim((char *)str_ltrim(tok));
		if (*tok == '\0')
			continue;
		if (inv_flag_parse(tok, &bit) == -1) {
			rc = -1;
			break;
		}
		*flags |= bit;
	}
	free(copy);
	return (rc);
}

/* Check the whole output before any of it is applied. */
static int
check_output(const char *path, const json_t *root)
{
	const char	*addr, *key, *s;
	const json_t	*attrs, *v;
	unsigned int	 flags;

	if (!json_is_object(root)) {
		log_warnx("%s: %s: output is not a JSON object, ignored",
		    __func__, path);
		return (-1);
	}
	json_object_foreach((json_t *)root, addr, attrs) {
		if (!str_is_device_id(addr) || !json_is_object(attrs)) {
			log_warnx("%s: %s: want {\"<address>\": {...}}, "
			    "ignored", __func__, path);
			return (-1);
		}
		if (json_object_size(attrs) > INV_MAX_ATTRS) {
			log_warnx("%s: %s: more than %u attributes, ignored",
			    __func__, path, INV_MAX_ATTRS);
			return (-1);
		}
		json_object_foreach((json_t *)attrs, key, v) {
			if (!str_is_attr_key(key) || !json_is_string(v)) {
				log_warnx("%s: %s: %s: bad attribute key or "
				    "non-string value, ignored", __func__,
				    path, addr);
				return (-1);
			}
			s = json_string_value(v);
			if (json_string_length(v) > INV_MAX_STRING ||
			    strlen(s) != json_string_length(v) ||
			    !str_is_clean_utf8(s, strlen(s))) {
				log_warnx("%s: %s: %s.%s: bad value, ignored",
				    __func__, path, addr, key);
				return (-1);
			}
			if (strcmp(key, PROBE_FLAGS_KEY) == 0 &&
			    parse_flags(s, &flags) == -1) {
				log_warnx("%s: %s: %s: unknown migration flag "
				    "in \"%s\", ignored", __func__, path, addr,
				    s);
				return (-1);
			}
		}
	}
	return (0);
}

static void
apply_output(struct collect *c, const char *path, const json_t *root)
{
	const char		*addr, *key;
	const json_t		*attrs, *v;
	struct inv_device	*d;
	unsigned int		 flags;

	json_object_foreach((json_t *)root, addr, attrs) {
		if ((d = inv_find_device(c->inv, addr)) == NULL) {
			log_warnx("%s: %s: no device %s on this host", __func__,
			    path, addr);
			continue;
		}
		json_object_foreach((json_t *)attrs, key, v) {
			if (strcmp(key, PROBE_FLAGS_KEY) != 0) {
				if (d->nattrs >= INV_MAX_ATTRS &&
				    inv_get_attr(d, key) == NULL) {
					log_warnx("%s: %s: %s: attribute "
					    "limit reached", __func__, path,
					    addr);
					continue;
				}
				inv_set_attr(c->inv, d, key,
				    json_string_value(v));
				continue;
			}
			/* The kernel's own word outranks a vendor's. */
			if (d->migration.flags_source == INV_FLAGS_KERNEL)
				continue;
			parse_flags(json_string_value(v), &flags);
			d->migration.flags = flags;
			d->migration.flags_source = INV_FLAGS_PROBE;
			/* stop_copy is what VFIO migration means. */
			if (flags & MIG_STOP_COPY)
				d->migration.capable = true;
		}
	}
}

static void
run_probe(struct collect *c, const char *path)
{
	char		*argv[2], *out;
	size_t		 len;
	json_t		*root;
	json_error_t	 jerr;

	argv[0] = (char *)path;
	argv[1] = NULL;
	if (run_capture(argv, PROBE_TIMEOUT_MS, PROBE_MAX_OUTPUT, &out,
	    &len) != 0) {
		log_warnx("%s: %s: probe failed, ignored", __func__, path);
		return;
	}
	root = json_loadb(out, len, JSON_REJECT_DUPLICATES, &jerr);
	free(out);
	if (root == NULL) {
		log_warnx("%s: %s: invalid JSON (line %d: %s), ignored",
		    __func__, path, jerr.line, jerr.text);
		return;
	}
	if (check_output(path, root) == 0)
		apply_output(c, path, root);
	json_decref(root);
}

int
probe_run_dir(struct collect *c, const char *dir)
{
	struct dirent	**names = NULL;
	struct stat	  sb;
	char		  path[SYSFS_PATH_MAX];
	int		  n, i;

	if ((n = scandir(dir, &names, NULL, alphasort)) == -1) {
		if (errno != ENOENT)
			log_warn("%s: %s", __func__, dir);
		return (0);
	}
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] == '.' ||
		    sysfs_path(path, sizeof(path), "%s/%s", dir,
		    names[i]->d_name) == -1)
			continue;
		if (stat(path, &sb) == -1) {
			log_warn("%s: %s", __func__, path);
			continue;
		}
		if (!S_ISREG(sb.st_mode)) {
			log_warnx("%s: %s: not a regular file, skipped",
			    __func__, path);
			continue;
		}
		if (access(path, X_OK) == -1) {
			log_warnx("%s: %s: not executable, skipped", __func__,
			    path);
			continue;
		}
		run_probe(c, path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return (0);
}
