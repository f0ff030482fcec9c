/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c -- vfio-compat: the command-line client of vfio-compatd.
 *
 * Reads the configuration (environment, then global options), picks the
 * command and hands it the rest of the command line. What the client
 * says to people (help, errors, usage) is usage.c's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "util/log.h"

/* The commands; their help texts are usage.c's. */
static const struct command {
	const char	*name;
	int		(*fn)(struct cli *, int, char **);
} commands[] = {
	{ "hosts", cmd_hosts },
	{ "host", cmd_host },
	{ "check", cmd_check },
	{ "destinations", cmd_destinations },
	{ "policy", cmd_policy },
};
#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *);

static const struct command *
find_command(const char *name)
{
	size_t	 i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return (&commands[i]);
	return (NULL);
}

int
main(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		CLI_GLOBAL_OPTIONS,
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli			 cli;
	const struct command		*c;
	const char			*env;
	int				 ch, rv;

	log_init("vfio-compat", 0);
	memset(&cli, 0, sizeof(cli));
	cli.timeout = CLI_DEFAULT_TIMEOUT;
	if (cli_set_url(&cli, CLI_DEFAULT_URL) == -1)
		return (EXIT_ERROR);
	if ((env = getenv("VFIO_COMPAT_URL")) != NULL && *env != '\0' &&
	    cli_set_url(&cli, env) == -1)
		return (EXIT_ERROR);
	if ((env = getenv("VFIO_COMPAT_TOKEN_FILE")) != NULL && *env != '\0')
		cli.token_file = env;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (ch == 'h' || ch == OPT_HELP)
			return (cli_help(NULL));
		if (ch == 'V') {
			printf("vfio-compat %s\n", PACKAGE_VERSION);
			return (EXIT_COMPATIBLE);
		}
		if (ch == '?' || ch == ':')
			return (cli_usage(NULL, CLI_BAD_OPTION,
			    argv[optind - 1]));
		if ((rv = cli_global_option(&cli, ch, optarg)) == -1)
			return (EXIT_ERROR);
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		return (cli_usage(NULL, "no command given"));
	if (strcmp(argv[0], "help") == 0)
		return (cli_help(argc > 1 ? argv[1] : NULL));
	if ((c = find_command(argv[0])) == NULL)
		return (cli_usage(NULL, "unknown command %s", argv[0]));

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		cli_error("cannot initialise libcurl");
		return (EXIT_ERROR);
	}
	optind = 0;
	rv = c->fn(&cli, argc, argv);
	curl_global_cleanup();
	if (fflush(stdout) == EOF || ferror(stdout)) {
		cli_error("cannot write the output");
		return (EXIT_ERROR);
	}
	return (rv);
}
