/* SPDX-License-Identifier: Apache-2.0 */
/*
 * watch-testbed.c -- a umockdev test bed that changes under a running
 * program, for the --watch tests.
 *
 *   watch-testbed TREE.umockdev WITH-TREE -- CMD [ARGS...]
 *
 * Builds the test bed from TREE, applies what tests/data/with-tree adds
 * (its --inside stage: fixups and TREE's .extra), starts CMD inside it
 * (CMD's stdout goes to our stderr) and then obeys one command per line
 * on stdin, answering one line on stdout:
 *
 *   mdev-add PARENT TYPE UUID GROUP   a live mdev of TYPE under the
 *       device PARENT (/sys/devices/...): the type's devices/ link, its
 *       available_instances one lower, iommu group GROUP, then the
 *       device itself, which makes umockdev send its "add" uevent to
 *       every listener; answers "ok <wall clock seconds>" taken just
 *       before the uevent.
 *   attr DEVICE NAME VALUE   write a sysfs attribute, no uevent; "ok".
 *   stop   SIGTERM to CMD; answers "exit N" (its status) or "killed"
 *       when it had to be killed after 10 s; then we exit.
 *
 * End of input stops CMD too. The test bed (a directory under $TMPDIR)
 * goes with us. umockdev's uevents reach only processes that have its
 * preload library, so without it we re-execute ourselves with it.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <umockdev.h>

#define PRELOAD		"libumockdev-preload.so.0"
#define STOP_WAIT_MS	10000
#define MAX_LINE	4096

static UMockdevTestbed	*tb;
static pid_t		 child = -1;

static void	 die(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static void	 preload_self(char **);
static void	 run_setup(const char *, const char *);
static pid_t	 start_child(char **);
static int	 wait_child(pid_t, int, int *);
static int	 read_int_file(const char *, long *);
static void	 mdev_add(const char *, const char *, const char *,
		    const char *);
static void	 stop_child(void);

static void
die(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "watch-testbed: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (child > 0)
		kill(child, SIGKILL);
	if (tb != NULL)
		g_object_unref(tb);
	exit(125);
}

static void
preload_self(char **argv)
{
	const char	*pre = getenv("LD_PRELOAD"), *asan;
	char		*v;

	if (pre != NULL && strstr(pre, PRELOAD) != NULL)
		return;
	if (asprintf(&v, "%s%s%s", PRELOAD, pre != NULL ? ":" : "",
	    pre != NULL ? pre : "") == -1 || setenv("LD_PRELOAD", v, 1) == -1)
		die("cannot set LD_PRELOAD");
	free(v);
	/* The sanitizer runtime would refuse to follow another preload. */
	asan = getenv("ASAN_OPTIONS");
	if (asprintf(&v, "%s%sverify_asan_link_order=0", asan != NULL ?
	    asan : "", asan != NULL ? ":" : "") == -1 ||
	    setenv("ASAN_OPTIONS", v, 1) == -1)
		die("cannot set ASAN_OPTIONS");
	free(v);
	execv("/proc/self/exe", argv);
	die("re-executing with %s: %s", PRELOAD, strerror(errno));
}

/* Wait up to ms for pid; 0 and *status when it exited, -1 if not. */
static int
wait_child(pid_t pid, int ms, int *status)
{
	struct timespec	 ts = { 0, 10 * 1000000L };
	pid_t		 r;

	for (;;) {
		if ((r = waitpid(pid, status, WNOHANG)) == pid)
			return (0);
		if (r == -1 && errno != EINTR)
			return (-1);
		if (ms <= 0)
			return (-1);
		nanosleep(&ts, NULL);
		ms -= 10;
	}
}

/* with-tree's second stage, on our test bed ($UMOCKDEV_DIR is ours). */
static void
run_setup(const char *tree, const char *with_tree)
{
	char	*extra;
	size_t	 len = strlen(tree);
	pid_t	 pid;
	int	 status;

	if (len < 9 || strcmp(tree + len - 9, ".umockdev") != 0)
		die("%s: not a .umockdev file", tree);
	if (asprintf(&extra, "%.*s.extra", (int)(len - 9), tree) == -1)
		die("out of memory");
	if (access(extra, R_OK) == -1)
		extra[0] = '\0';
	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(2, 1);
		execlp("sh", "sh", with_tree, "--inside", extra, "--",
		    "true", (char *)NULL);
		_exit(127);
	}
	if (wait_child(pid, 60000, &status) == -1) {
		kill(pid, SIGKILL);
		die("with-tree setup did not finish");
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("with-tree setup failed (status %d)", status);
	free(extra);
}

static pid_t
start_child(char **argv)
{
	pid_t	 pid;

	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		/* Never outlive the test bed. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(2, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "watch-testbed: %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	return (pid);
}

static int
read_int_file(const char *path, long *v)
{
	FILE	*f;
	int	 rc;

	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	rc = fscanf(f, "%ld", v) == 1 ? 0 : -1;
	fclose(f);
	return (rc);
}

static void
mdev_add(const char *parent, const char *type, const char *uuid,
    const char *group)
{
	gchar		*root = umockdev_testbed_get_root_dir(tb);
	GError		*error = NULL;
	struct timespec	 now;
	char		*path, *attr, *value, *record, *dir;
	long		 avail;

	if (strncmp(parent, "/sys/devices/", 13) != 0)
		die("mdev-add: %s is not under /sys/devices", parent);
	if (asprintf(&path, "%s%s/mdev_supported_types/%s/available_instances",
	    root, parent, type) == -1)
		die("out of memory");
	if (read_int_file(path, &avail) == -1 || avail < 1)
		die("mdev-add: %s: no instance available", path);
	free(path);

	if (asprintf(&attr, "mdev_supported_types/%s/available_instances",
	    type) == -1 || asprintf(&value, "%ld\n", avail - 1) == -1)
		die("out of memory");
	umockdev_testbed_set_attribute(tb, parent, attr, value);
	free(attr);
	free(value);
	if (asprintf(&attr, "mdev_supported_types/%s/devices/%s", type,
	    uuid) == -1 || asprintf(&value, "../../../%s", uuid) == -1)
		die("out of memory");
	umockdev_testbed_set_attribute_link(tb, parent, attr, value);
	free(attr);
	free(value);

	/* The group the kernel would make, with its back-link. */
	if (asprintf(&dir, "mkdir -p '%s/sys/kernel/iommu_groups/%s/devices'"
	    " && ln -sfn '../../../../devices/%s/%s' "
	    "'%s/sys/kernel/iommu_groups/%s/devices/%s'", root, group,
	    parent + 13, uuid, root, group, uuid) == -1)
		die("out of memory");
	if (system(dir) != 0)
		die("mdev-add: cannot make iommu group %s", group);
	free(dir);

	if (asprintf(&record,
	    "P: %s/%s\n"
	    "E: DRIVER=nvidia-vgpu-vfio\n"
	    "E: MDEV_TYPE=%s\n"
	    "E: SUBSYSTEM=mdev\n"
	    "L: driver=../../../../../bus/mdev/drivers/nvidia-vgpu-vfio\n"
	    "L: iommu_group=../../../../../kernel/iommu_groups/%s\n"
	    "L: mdev_type=../mdev_supported_types/%s\n",
	    parent + 4, uuid, type, group, type) == -1)
		die("out of memory");
	clock_gettime(CLOCK_REALTIME, &now);
	/* In the preloaded environment this also sends the "add" uevent. */
	if (!umockdev_testbed_add_from_string(tb, record, &error))
		die("mdev-add: %s", error->message);
	free(record);
	g_free(root);
	printf("ok %lld.%09ld\n", (long long)now.tv_sec, now.tv_nsec);
	fflush(stdout);
}

static void
stop_child(void)
{
	int	 status;

	if (child <= 0)
		return;
	kill(child, SIGTERM);
	if (wait_child(child, STOP_WAIT_MS, &status) == -1) {
		kill(child, SIGKILL);
		wait_child(child, STOP_WAIT_MS, &status);
		printf("killed\n");
	} else if (WIFEXITED(status))
		printf("exit %d\n", WEXITSTATUS(status));
	else
		printf("exit signal %d\n", WTERMSIG(status));
	fflush(stdout);
	child = -1;
}

int
main(int argc, char **argv)
{
	GError	*error = NULL;
	char	 line[MAX_LINE], *w[6], *save, *p;
	int	 n;

	if (argc < 5 || strcmp(argv[3], "--") != 0) {
		fprintf(stderr, "usage: watch-testbed TREE.umockdev "
		    "WITH-TREE -- CMD [ARGS...]\n");
		return (2);
	}
	preload_self(argv);

	/* The check looks at /sys, which is only ours once the bed exists. */
	tb = umockdev_testbed_new();
	if (!umockdev_in_mock_environment())
		die("not running under %s", PRELOAD);
	if (!umockdev_testbed_add_from_file(tb, argv[1], &error))
		die("%s: %s", argv[1], error->message);
	run_setup(argv[1], argv[2]);
	child = start_child(argv + 4);
	printf("ready %ld\n", (long)child);
	fflush(stdout);

	while (fgets(line, sizeof(line), stdin) != NULL) {
		n = 0;
		for (p = strtok_r(line, " \t\n", &save); p != NULL && n < 6;
		    p = strtok_r(NULL, " \t\n", &save))
			w[n++] = p;
		if (n == 0)
			continue;
		if (strcmp(w[0], "mdev-add") == 0 && n == 5)
			mdev_add(w[1], w[2], w[3], w[4]);
		else if (strcmp(w[0], "attr") == 0 && n == 4) {
			umockdev_testbed_set_attribute(tb, w[1], w[2], w[3]);
			printf("ok\n");
			fflush(stdout);
		} else if (strcmp(w[0], "stop") == 0 && n == 1)
			break;
		else
			die("bad command: %s", w[0]);
	}
	stop_child();
	g_object_unref(tb);
	return (0);
}
