/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usage.c -- what the client says to people: the help texts, the
 * one-line error and usage reports (so every command words its problems
 * the same way), and the global options every command accepts.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util/strutil.h"

struct command_help {
	const char	*name;
	const char	*usage;
	const char	*help;
};

static const struct command_help *find_help(const char *);
static void	print_main_help(FILE *);

#define GLOBAL_HELP \
	"Global options (before or after the command):\n" \
	"  --url URL          service address (env VFIO_COMPAT_URL,\n" \
	"                     default " CLI_DEFAULT_URL ")\n" \
	"  --token-file FILE  file holding a bearer token\n" \
	"                     (env VFIO_COMPAT_TOKEN_FILE)\n" \
	"  --cacert FILE      CA certificates to verify the server with\n" \
	"  --cert FILE        client certificate (PEM), with --key\n" \
	"  --key FILE         private key of the client certificate\n" \
	"  --timeout SEC      give up after SEC seconds (default 30)\n" \
	"  --json             print the server's JSON instead of a table\n"

static const struct command_help commands[] = {
	{ "hosts",
	    "hosts [--type TYPE] [--vendor-id ID] [--stale=true|false]",
	    "List the hosts the service knows: host, collected_at, stale,\n"
	    "and the number of devices, instances and VMs of each.\n"
	    "  --type TYPE        only hosts offering this type id\n"
	    "  --vendor-id ID     only hosts with a device of this vendor\n"
	    "                     (4 hex digits, 0x and upper case folded)\n"
	    "  --stale=BOOL       only stale (true) or fresh (false) hosts\n"
	    "Exit 0, or 2 on error.\n" },
	{ "host",
	    "host NAME",
	    "Show one host (NAME in any case): platform, devices with their types and free\n"
	    "instances, the instances that exist and the VMs that use them.\n"
	    "Exit 0, or 2 on error (an unknown host is an error).\n" },
	{ "check",
	    "check [--from HOST] (--device ID ... | --vm UUID)\n"
	    "      [--to HOST ...] [--mode live|cold|cpr] [--explain]",
	    "Ask whether devices or a VM can migrate (POST /v1/check) and\n"
	    "print host, verdict, score and reasons for each destination.\n"
	    "  --from HOST        source host; needed with --device (with\n"
	    "                     --vm, if left out, the service finds the\n"
	    "                     host that runs the VM)\n"
	    "  --device ID        PCI address or instance id; repeatable\n"
	    "  --vm UUID          every device of this VM\n"
	    "  --to HOST          destination; repeatable (default: every\n"
	    "                     known host but the source)\n"
	    "  --mode MODE        live (default), cold or cpr\n"
	    "  --explain          each reason and warning on its own line,\n"
	    "                     with its message and the values compared\n"
	    "Host names and UUIDs may be typed in any case, PCI addresses\n"
	    "without their 0000: domain.\n"
	    "Exit status, with --to: 0 when every named destination is\n"
	    "compatible, 1 when one is incompatible, 3 when none is\n"
	    "incompatible but one is unknown. Without --to: 0 when at least\n"
	    "one host is compatible, else 1 when one is incompatible or there\n"
	    "is no other host, else 3. A source the service does not know is\n"
	    "always 3, said in one line on stderr. 2 on error, also for an\n"
	    "answer that is not what the API promises.\n" },
	{ "destinations",
	    "destinations VM_UUID [--mode live|cold|cpr] [--explain]",
	    "List the hosts a VM can migrate to, best first.\n"
	    "  --mode MODE        live (default), cold or cpr\n"
	    "  --explain          each warning on its own line\n"
	    "Exit 0 when there is at least one, 1 when there is none, 2 on\n"
	    "error (a VM no host reports is an error).\n" },
	{ "policy",
	    "policy",
	    "Show the compatibility policy the service applies: its rules\n"
	    "in order, what each matches and how it compares each field.\n"
	    "Exit 0, or 2 on error.\n" },
};
#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

void
cli_error(const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "vfio-compat: %s\n", msg);
}

int
cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cmd != NULL)
		fprintf(stderr, "vfio-compat: %s: %s (see vfio-compat %s "
		    "--help)\n", cmd, msg, cmd);
	else
		fprintf(stderr, "vfio-compat: %s (see vfio-compat --help)\n",
		    msg);
	return (EXIT_ERROR);
}

static const struct command_help *
find_help(const char *name)
{
	size_t	 i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return (&commands[i]);
	return (NULL);
}

static void
print_main_help(FILE *f)
{
	size_t	 i;

	fprintf(f, "usage: vfio-compat [options] COMMAND [ARGS]\n\n"
	    "Ask a vfio-compatd service which hosts a VFIO device or a VM\n"
	    "can live-migrate to.\n\nCommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  vfio-compat %s\n", commands[i].usage);
	fprintf(f, "\n" GLOBAL_HELP "  --version          print the version and exit\n\n"
	    "Exit status: 0 compatible, 1 incompatible, 3 unknown, 2 usage\n"
	    "or error. 'vfio-compat COMMAND --help' describes a command;\n"
	    "vfio-compat(1) has the details.\n");
}

int
cli_help(const char *cmd)
{
	const struct command_help	*c;

	if (cmd == NULL || (c = find_help(cmd)) == NULL) {
		print_main_help(stdout);
		return (EXIT_COMPATIBLE);
	}
	printf("usage: vfio-compat %s\n\n%s\n" GLOBAL_HELP, c->usage,
	    c->help);
	return (EXIT_COMPATIBLE);
}

int
cli_set_url(struct cli *cli, const char *url)
{
	size_t	 len = strlen(url);

	if (!str_has_prefix(url, "http://") &&
	    !str_has_prefix(url, "https://")) {
		cli_error("%s: the URL must start with http:// or https://",
		    url);
		return (-1);
	}
	if (len > CLI_MAX_URL - 64) {
		cli_error("the URL is longer than %d bytes", CLI_MAX_URL - 64);
		return (-1);
	}
	while (len > 0 && url[len - 1] == '/')
		len--;
	memcpy(cli->url, url, len);
	cli->url[len] = '\0';
	return (0);
}

int
cli_global_option(struct cli *cli, int ch, const char *arg)
{
	const char	*errstr;

	switch (ch) {
	case OPT_URL:
		return (cli_set_url(cli, arg));
	case OPT_TOKEN_FILE:
		cli->token_file = arg;
		return (0);
	case OPT_CACERT:
		cli->cacert = arg;
		return (0);
	case OPT_CERT:
		cli->cert = arg;
		return (0);
	case OPT_KEY:
		cli->key = arg;
		return (0);
	case OPT_TIMEOUT:
		cli->timeout = (long)vc_strtonum(arg, 1, CLI_MAX_TIMEOUT,
		    &errstr);
		if (errstr != NULL) {
			cli_error("--timeout %s: %s (1 to %d seconds)", arg,
			    errstr, CLI_MAX_TIMEOUT);
			return (-1);
		}
		return (0);
	case OPT_JSON:
		cli->json = true;
		return (0);
	}
	return (1);
}
