/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h -- what the parts of the vfio-compat command-line client share:
 * the global options, the HTTP client, the table printer and the
 * commands.
 *
 * Every command returns an exit status of its own (EXIT_* below); a
 * problem that stops a command is reported once, as one line on stderr,
 * by the function that found it.
 */
#ifndef VC_CLI_H
#define VC_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Exit statuses (vfio-compat(1), EXIT STATUS). */
#define EXIT_COMPATIBLE		0
#define EXIT_INCOMPATIBLE	1
#define EXIT_ERROR		2
#define EXIT_UNKNOWN		3

#define CLI_DEFAULT_URL		"http://127.0.0.1:8080"
#define CLI_DEFAULT_TIMEOUT	30		/* seconds */
#define CLI_MAX_TIMEOUT		3600		/* seconds */
#define CLI_MAX_RESPONSE	(16 * 1024 * 1024)	/* bytes */
#define CLI_MAX_TOKEN		4096		/* bytes */
#define CLI_MAX_URL		2048		/* bytes */
#define CLI_MAX_ID		64		/* device ids (str_is_device_id) */
#define CLI_MAX_HOST		254		/* host names, with the NUL */

/* How a command words an unknown option or one without its value. */
#define CLI_BAD_OPTION		"bad option or missing value: %s"

struct cli {
	char		 url[CLI_MAX_URL + 1];	/* no trailing slash */
	const char	*token_file;
	const char	*cacert;
	const char	*cert;
	const char	*key;
	long		 timeout;	/* seconds */
	bool		 json;		/* print the server's JSON */
};

/* Long options every command accepts, and their codes. */
enum {
	OPT_URL = 256,
	OPT_TOKEN_FILE,
	OPT_CACERT,
	OPT_CERT,
	OPT_KEY,
	OPT_TIMEOUT,
	OPT_JSON,
	OPT_HELP,
	OPT_CMD			/* first code free for a command's own */
};
#define CLI_GLOBAL_OPTIONS \
	{ "url", required_argument, NULL, OPT_URL }, \
	{ "token-file", required_argument, NULL, OPT_TOKEN_FILE }, \
	{ "cacert", required_argument, NULL, OPT_CACERT }, \
	{ "cert", required_argument, NULL, OPT_CERT }, \
	{ "key", required_argument, NULL, OPT_KEY }, \
	{ "timeout", required_argument, NULL, OPT_TIMEOUT }, \
	{ "json", no_argument, NULL, OPT_JSON }, \
	{ "help", no_argument, NULL, OPT_HELP }

/* usage.c */
/* 0 handled, 1 not a global option, -1 bad value (reported). */
int	cli_global_option(struct cli *, int, const char *);
/* The service URL, checked (http or https) and without trailing '/'. */
int	cli_set_url(struct cli *, const char *);
/* Report a usage error for a command and return EXIT_ERROR. */
int	cli_usage(const char *cmd, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Report why a command failed: one line on stderr. */
void	cli_error(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Print a command's help on stdout and return EXIT_COMPATIBLE. */
int	cli_help(const char *cmd);

/* http.c */
struct http_response {
	long	 status;
	char	*body;		/* NUL-terminated */
	size_t	 len;
	json_t	*json;		/* the body parsed, NULL if it is not JSON */
};
/*
 * Send one request (body NULL for none) to the service and read the
 * answer. Returns 0 for a 2xx answer with a JSON body; otherwise reports
 * the reason (transport error, or the server's error object) and
 * returns -1. The response is freed with http_response_free either way.
 */
int	http_request(const struct cli *, const char *method,
	    const char *path, const json_t *body, struct http_response *);
void	http_response_free(struct http_response *);
/* Print the body as received (--json), newline-terminated. */
void	http_response_print(const struct http_response *);

/* table.c */
enum table_align { ALIGN_LEFT, ALIGN_RIGHT };
struct table;
/* headers NULL: no header row; align NULL: all left. */
struct table	*table_new(size_t ncols, const char *const *headers,
		    const enum table_align *);
/* Add a row of ncols cells; NULL cells print as "-". */
void		 table_add(struct table *, const char *const *cells);
void		 table_print(const struct table *);
void		 table_free(struct table *);
/* One line of text from the network, cleaned like a cell. */
void		 table_line(const char *);
/* Grow a cell: append fmt, after sep unless *cell is still NULL. */
void		 table_join(char **cell, const char *sep, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
/*
 * The text of a JSON scalar for a cell: strings as they are, numbers
 * written into buf ("?" without one), booleans "yes"/"no", "-" for
 * null, missing or anything else. Never NULL.
 */
const char	*table_cell(const json_t *, char *buf, size_t len);

/* commands.c */
int	cmd_hosts(struct cli *, int, char **);
int	cmd_host(struct cli *, int, char **);
int	cmd_policy(struct cli *, int, char **);

/* check.c */
int	cmd_check(struct cli *, int, char **);
int	cmd_destinations(struct cli *, int, char **);

/*
 * fold.c: what an operator typed, in the service's canonical form, into
 * out (len bytes); -1 when it is not one, even once folded.
 *   host names: lower case;  vendor and device ids: "0x" dropped, lower
 *   case;  UUIDs: lower case;  devices: a PCI address (domain 0000
 *   added when left out) or UUID folded, other ids kept as typed.
 */
int	cli_fold_host(const char *, char *out, size_t len);
int	cli_fold_hex4(const char *, char *out, size_t len);
int	cli_fold_uuid(const char *, char *out, size_t len);
int	cli_fold_device(const char *, char *out, size_t len);

/*
 * answer.c: the shape of a 200 answer, checked before anything is read
 * from it; -1 with one line reported ("URL: malformed answer: ...").
 * only_compatible: every result must be compatible (destinations).
 */
int	answer_check_results(const struct cli *, const json_t *,
	    int only_compatible);
int	answer_check_hosts(const struct cli *, const json_t *);
int	answer_check_host(const struct cli *, const json_t *, const char *);
int	answer_check_policy(const struct cli *, const json_t *);

#endif
