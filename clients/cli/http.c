/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.c -- the CLI's HTTP client: one libcurl request per call.
 *
 * Owns everything about talking to the service: the base URL, the bearer
 * token read from a file, TLS (CA file, client certificate), timeouts,
 * a hard cap on the answer's size, and turning every way a request can
 * fail into one line an operator can act on. The server's error object
 * {"error":{"code","message","field"}} is shown as "CODE: message
 * (field)"; an answer that is not JSON (a proxy's HTML page) is shown
 * by status and first line. Text from the network is printed only after
 * control characters are replaced, so it cannot drive the terminal.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#define MAX_SHOWN	200	/* bytes of a non-JSON body in a report */
#define CONNECT_TIMEOUT	10L	/* seconds, at most the whole timeout */

struct rbuf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	int	 too_big;
};

static size_t	write_cb(char *, size_t, size_t, void *);
static int	read_token(const char *, char *, size_t);
static void	sanitize(const char *, size_t, char *, size_t);
static void	report_transport(const struct cli *, CURLcode, const char *,
		    const struct rbuf *);
static void	report_status(const struct cli *, const struct http_response *);

static size_t
write_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct rbuf	*b = arg;
	size_t		 n = size * nmemb;

	if (n > CLI_MAX_RESPONSE - b->len) {
		b->too_big = 1;
		return (0);
	}
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap == 0 ? 8192 : b->cap * 2;
		b->data = xreallocarray(b->data, b->cap, 1);
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return (n);
}

/* The token is the first line of the file, white space trimmed. */
static int
read_token(const char *path, char *buf, size_t len)
{
	FILE	*f;
	size_t	 n;
	char	*nl;

	if ((f = fopen(path, "r")) == NULL) {
		cli_error("%s: cannot open token file", path);
		return (-1);
	}
	n = fread(buf, 1, len - 1, f);
	if (ferror(f)) {
		cli_error("%s: cannot read token file", path);
		goto fail;
	}
	if (n == len - 1 && fgetc(f) != EOF) {
		cli_error("%s: token file larger than %zu bytes", path,
		    len - 2);
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	str_rtrim(buf);
	memmove(buf, str_ltrim(buf), strlen(str_ltrim(buf)) + 1);
	if (*buf == '\0' || strchr(buf, '\r') != NULL) {
		cli_error("%s: no token on the first line", path);
		return (-1);
	}
	return (0);

fail:
	fclose(f);
	return (-1);
}

/* Copy at most len - 1 bytes of s (n long), control bytes as '?'. */
static void
sanitize(const char *s, size_t n, char *out, size_t len)
{
	size_t	 i;

	for (i = 0; i < n && i < len - 1 && s[i] != '\0'; i++)
		out[i] = iscntrl((unsigned char)s[i]) ? '?' : s[i];
	out[i] = '\0';
}

static void
report_transport(const struct cli *cli, CURLcode rc, const char *errbuf,
    const struct rbuf *b)
{
	const char	*why;

	why = *errbuf != '\0' ? errbuf : curl_easy_strerror(rc);
	switch (rc) {
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		if (b->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
			cli_error("%s: the answer is larger than %d MiB",
			    cli->url, CLI_MAX_RESPONSE / (1024 * 1024));
			return;
		}
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		cli_error("cannot connect to %s: %s", cli->url, why);
		return;
	case CURLE_OPERATION_TIMEDOUT:
		cli_error("%s: no answer within %ld seconds", cli->url,
		    cli->timeout);
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CIPHER:
		cli_error("%s: TLS: %s", cli->url, why);
		return;
	default:
		break;
	}
	cli_error("%s: %s", cli->url, why);
}

static void
report_status(const struct cli *cli, const struct http_response *r)
{
	const json_t	*err, *code, *msg, *field;
	char		 c[64], m[512], f[256];
	const char	*nl;
	size_t		 n;

	err = json_object_get(r->json, "error");
	code = json_object_get(err, "code");
	msg = json_object_get(err, "message");
	field = json_object_get(err, "field");
	if (json_is_string(code)) {
		sanitize(json_string_value(code), SIZE_MAX, c, sizeof(c));
		sanitize(json_is_string(msg) ? json_string_value(msg) :
		    "(no message)", SIZE_MAX, m, sizeof(m));
		if (json_is_string(field)) {
			sanitize(json_string_value(field), SIZE_MAX, f,
			    sizeof(f));
			cli_error("%s: %s (%s)", c, m, f);
		} else
			cli_error("%s: %s", c, m);
		return;
	}
	if (r->len == 0) {
		cli_error("%s: HTTP %ld with an empty body", cli->url,
		    r->status);
		return;
	}
	n = (nl = memchr(r->body, '\n', r->len)) != NULL ?
	    (size_t)(nl - r->body) : r->len;
	sanitize(r->body, n, m, n < MAX_SHOWN ? n + 1 : MAX_SHOWN);
	cli_error("%s: HTTP %ld: %s", cli->url, r->status, m);
}

int
http_request(const struct cli *cli, const char *method, const char *path,
    const json_t *body, struct http_response *r)
{
	CURL			*curl = NULL;
	struct curl_slist	*hdrs = NULL;
	struct rbuf		 b;
	json_error_t		 jerr;
	CURLcode		 rc;
	char			 errbuf[CURL_ERROR_SIZE];
	char			 token[CLI_MAX_TOKEN + 2];
	char			*url = NULL, *auth = NULL, *payload = NULL;
	long			 ctimeout;
	int			 rv = -1;

	memset(r, 0, sizeof(*r));
	memset(&b, 0, sizeof(b));
	errbuf[0] = '\0';
	if (cli->token_file != NULL &&
	    read_token(cli->token_file, token, sizeof(token)) == -1)
		goto fail;
	if ((curl = curl_easy_init()) == NULL) {
		log_warnx("%s: curl_easy_init failed", __func__);
		cli_error("cannot start an HTTP request");
		goto fail;
	}
	xasprintf(&url, "%s%s", cli->url, path);
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	if (body != NULL) {
		if ((payload = json_dumps(body, JSON_COMPACT)) == NULL) {
			log_warnx("%s: cannot encode the request", __func__);
			cli_error("cannot encode the request");
			goto fail;
		}
		hdrs = curl_slist_append(hdrs,
		    "Content-Type: application/json");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)strlen(payload));
	}
	if (cli->token_file != NULL) {
		xasprintf(&auth, "Authorization: Bearer %s", token);
		hdrs = curl_slist_append(hdrs, auth);
	}
	if (hdrs == NULL) {
		cli_error("cannot build the request headers");
		goto fail;
	}

	ctimeout = cli->timeout < CONNECT_TIMEOUT ? cli->timeout :
	    CONNECT_TIMEOUT;
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "vfio-compat/"
	    PACKAGE_VERSION);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, cli->timeout);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, ctimeout);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)CLI_MAX_RESPONSE);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	if (cli->cacert != NULL)
		curl_easy_setopt(curl, CURLOPT_CAINFO, cli->cacert);
	if (cli->cert != NULL)
		curl_easy_setopt(curl, CURLOPT_SSLCERT, cli->cert);
	if (cli->key != NULL)
		curl_easy_setopt(curl, CURLOPT_SSLKEY, cli->key);

	if ((rc = curl_easy_perform(curl)) != CURLE_OK) {
		report_transport(cli, rc, errbuf, &b);
		goto fail;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	r->body = b.data != NULL ? b.data : xstrdup("");
	r->len = b.len;
	b.data = NULL;
	r->json = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &jerr);
	if (r->status < 200 || r->status > 299) {
		report_status(cli, r);
		goto fail;
	}
	if (r->json == NULL) {
		cli_error("%s: the answer is not JSON (line %d: %s)",
		    cli->url, jerr.line, jerr.text);
		goto fail;
	}
	rv = 0;

fail:
	free(b.data);
	free(payload);
	if (auth != NULL)
		explicit_bzero(auth, strlen(auth));
	free(auth);
	free(url);
	curl_slist_free_all(hdrs);
	if (curl != NULL)
		curl_easy_cleanup(curl);
	explicit_bzero(token, sizeof(token));
	return (rv);
}

void
http_response_free(struct http_response *r)
{
	json_decref(r->json);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

void
http_response_print(const struct http_response *r)
{
	fwrite(r->body, 1, r->len, stdout);
	if (r->len == 0 || r->body[r->len - 1] != '\n')
		putchar('\n');
}
