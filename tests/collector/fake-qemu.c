/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fake-qemu.c -- a stand-in for QEMU in the collector's tests.
 *
 * Its argv is whatever the test gives (a QEMU-like command line, which
 * is what the collector parses from /proc). It opens the files named in
 * $FAKE_QEMU_OPEN (colon-separated; under umockdev /dev paths land in
 * the test bed), creates $FAKE_QEMU_READY once they are open, and
 * sleeps until killed. "-version" (or "--version") prints a QEMU-style
 * banner: version 9.2.0, or the first line of the file <exe>.version
 * beside the running binary, so a copy can play another QEMU release;
 * each such answer adds a line to <exe>.asked when that file exists.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
print_version(void)
{
	char	 exe[4096], version[64] = "9.2.0";
	ssize_t	 n;
	FILE	*fp;

	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 16)) > 0) {
		memcpy(exe + n, ".version", sizeof(".version"));
		if ((fp = fopen(exe, "r")) != NULL) {
			if (fgets(version, sizeof(version), fp) != NULL)
				version[strcspn(version, "\n")] = '\0';
			fclose(fp);
		}
		/* Count the questions where the test asks us to. */
		memcpy(exe + n, ".asked", sizeof(".asked"));
		if (access(exe, F_OK) == 0 && (fp = fopen(exe, "a")) != NULL) {
			fputs("asked\n", fp);
			fclose(fp);
		}
	}
	printf("QEMU emulator version %s (fake)\n"
	    "Copyright (c) 2003-2024 Fabrice Bellard and the QEMU "
	    "Project developers\n", version);
}

int
main(int argc, char **argv)
{
	const char	*open_list, *ready;
	char		*list, *path, *p;
	int		 fd;

	if (argc == 2 && (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "-version") == 0)) {
		print_version();
		return (0);
	}
	if ((open_list = getenv("FAKE_QEMU_OPEN")) != NULL) {
		list = p = strdup(open_list);
		if (list == NULL)
			return (1);
		while ((path = strsep(&p, ":")) != NULL) {
			if (*path == '\0')
				continue;
			if ((fd = open(path, O_RDONLY)) == -1) {
				perror(path);
				return (1);
			}
		}
		free(list);
	}
	if ((ready = getenv("FAKE_QEMU_READY")) != NULL) {
		if ((fd = open(ready, O_WRONLY | O_CREAT, 0644)) == -1) {
			perror(ready);
			return (1);
		}
		close(fd);
	}
	for (;;)
		pause();
}
