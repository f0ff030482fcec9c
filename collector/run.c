/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.c -- the bounded child-process runner: a probe, "qemu -version",
 * "libvirtd --version". A child gets a deadline, a cap on what it may
 * print, signals blocked around fork, and is killed with everything it
 * started (its process group and, as we are their subreaper, any setsid
 * descendant) when it overstays; reaping has a deadline too.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#include "collector.h"

#define POLL_SLICE_MS		50
#define REAP_TIMEOUT_MS		2000

static int64_t	 now_ms(void);
static void	 once_subreaper(void);
static int	 kill_orphans(void);
static void	 reap_all(pid_t, int *, int);

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
	return (run_capture_fd(-1, argv, timeout_ms, cap, out, outlen));
}

/*
 * Kill what the child left behind: its process group, then every process
 * that has become ours. The collector is a child subreaper, so a
 * descendant that left the group with setsid(2) is reparented to it once
 * its parents are gone, and is killed and reaped here in turn. Bounded:
 * a few rounds of /proc scans, and a deadline on reaping.
 */
static void
reap_all(pid_t pid, int *status, int reaped)
{
	int64_t	 deadline = now_ms() + REAP_TIMEOUT_MS;
	int	 st, rounds;
	pid_t	 w;

	kill(-pid, SIGKILL);
	if (!reaped)
		kill(pid, SIGKILL);
	for (rounds = 0; now_ms() < deadline; rounds++) {
		/* Done when nothing is ours and the group is gone. */
		if (kill_orphans() == 0 && reaped && rounds > 0 &&
		    kill(-pid, 0) == -1)
			break;
		while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
			if (w == pid) {
				*status = st;
				reaped = 1;
			}
		}
		if (w == -1 && errno == ECHILD && reaped)
			break;
		usleep(5 * 1000);
	}
	if (!reaped)
		log_warnx("%s: process %d not reaped after %d ms", __func__,
		    (int)pid, REAP_TIMEOUT_MS);
}

/* SIGKILL every process whose parent is this one; returns how many. */
static int
kill_orphans(void)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[64], buf[512], *p;
	const char	*errstr;
	long long	 child, ppid;
	int		 fd, n = 0;
	ssize_t		 len;

	if ((d = opendir("/proc")) == NULL)
		return (0);
	while ((e = readdir(d)) != NULL) {
		child = vc_strtonum(e->d_name, 1, INT32_MAX, &errstr);
		if (errstr != NULL)
			continue;
		snprintf(path, sizeof(path), "/proc/%lld/stat", child);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* "pid (comm) state ppid ...": comm may hold anything. */
		if ((p = strrchr(buf, ')')) == NULL ||
		    sscanf(p + 1, " %*c %lld", &ppid) != 1 ||
		    ppid != (long long)getpid())
			continue;
		kill(-(pid_t)child, SIGKILL);
		kill((pid_t)child, SIGKILL);
		n++;
	}
	closedir(d);
	return (n);
}

/*
 * Run argv (or the executable open at exec_fd, with fexecve, so that
 * what runs is the file that was checked), capturing stdout. Signals
 * are blocked around fork so that no handler of ours runs in the child;
 * the child restores the mask and default dispositions before exec. The
 * child leads its own process group. Reading stops at the deadline, the
 * output cap, or once the child has exited and the pipe is drained, even
 * if a descendant still holds it open; everything left is then killed.
 */
int
run_capture_fd(int exec_fd, char *const argv[], int timeout_ms, size_t cap,
    char **out, size_t *outlen)
{
	int		 fds[2], status = 0, devnull, rc = -1, exited = 0;
	pid_t		 pid;
	char		*buf;
	size_t		 len = 0;
	ssize_t		 n;
	int64_t		 deadline, left;
	struct pollfd	 pfd;
	sigset_t	 all, old;

	*out = NULL;
	*outlen = 0;
	once_subreaper();
	if (pipe2(fds, O_CLOEXEC) == -1) {
		log_warn("%s: pipe", __func__);
		return (-1);
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if ((pid = fork()) == -1) {
		log_warn("%s: fork", __func__);
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(fds[0]);
		close(fds[1]);
		return (-1);
	}
	if (pid == 0) {
		/* Own process group, so that a kill reaches its children. */
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if ((devnull = open("/dev/null", O_RDONLY)) != -1)
			dup2(devnull, STDIN_FILENO);
		if (dup2(fds[1], STDOUT_FILENO) == -1)
			_exit(127);
		if (exec_fd != -1)
			fexecve(exec_fd, argv, environ);
		else
			execv(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid);	/* either side may win the race */
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(fds[1]);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
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
		/* Short waits, so that a child that exited is noticed even
		 * while a descendant keeps the pipe open. */
		if (poll(&pfd, 1, left < POLL_SLICE_MS ? (int)left :
		    POLL_SLICE_MS) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("%s: poll", __func__);
			goto kill;
		}
		if (pfd.revents == 0) {
			if (exited)
				break;	/* exited and drained */
			if (waitpid(pid, &status, WNOHANG) == pid)
				exited = 1;
			continue;
		}
		if ((n = read(fds[0], buf + len, cap + 1 - len)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
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
	reap_all(pid, &status, exited);
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
	reap_all(pid, &status, exited);
fail:
	if (fds[0] != -1)
		close(fds[0]);
	free(buf);
	return (rc);
}

/* Orphaned descendants of a probe come back to us to be killed. */
static void
once_subreaper(void)
{
	static int	done;

	if (done)
		return;
	done = 1;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		log_warn("%s: PR_SET_CHILD_SUBREAPER", __func__);
}
