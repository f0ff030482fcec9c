/* SPDX-License-Identifier: Apache-2.0 */
/*
 * push.c -- PUT the inventory to vfio-compatd.
 *
 * Retries connection failures, 429 and 5xx with capped exponential
 * backoff and jitter, so a fleet of collectors restarting together does
 * not hammer a recovering server in lockstep. Other 4xx are final: the
 * request itself is wrong and sending it again will not help.
 *
 * The watch loop (watch.c) calls push_once, a single attempt, and does
 * its own waiting with push_backoff_ms, so uevents are handled between
 * attempts.
 *
 * libcurl is loaded only when pushing (dl.c says why).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Calls go through the pointers below, not curl's checked macros. */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>

#include "util/log.h"
#include "util/strutil.h"
#include "util/xmalloc.h"

#include "collector.h"

#define PUSH_ATTEMPTS		5
#define PUSH_BACKOFF_MS		500
#define PUSH_BACKOFF_MAX_MS	30000
#define PUSH_CONNECT_TIMEOUT	5L
#define PUSH_TIMEOUT		30L
#define PUSH_MAX_TOKEN		1024
#define PUSH_MAX_REPLY		(64 * 1024)

#define LIBCURL_SONAME		"libcurl.so.4"

struct curl_api {
	CURLcode		 (*global_init)(long);
	CURL			*(*easy_init)(void);
	CURLcode		 (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode		 (*easy_perform)(CURL *);
	CURLcode		 (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char		*(*easy_strerror)(CURLcode);
	void			 (*easy_cleanup)(CURL *);
	struct curl_slist	*(*slist_append)(struct curl_slist *,
				    const char *);
	void			 (*slist_free_all)(struct curl_slist *);
};

static const struct dl_sym curl_syms[] = {
	{ "curl_global_init", offsetof(struct curl_api, global_init) },
	{ "curl_easy_init", offsetof(struct curl_api, easy_init) },
	{ "curl_easy_setopt", offsetof(struct curl_api, easy_setopt) },
	{ "curl_easy_perform", offsetof(struct curl_api, easy_perform) },
	{ "curl_easy_getinfo", offsetof(struct curl_api, easy_getinfo) },
	{ "curl_easy_strerror", offsetof(struct curl_api, easy_strerror) },
	{ "curl_easy_cleanup", offsetof(struct curl_api, easy_cleanup) },
	{ "curl_slist_append", offsetof(struct curl_api, slist_append) },
	{ "curl_slist_free_all", offsetof(struct curl_api, slist_free_all) },
};

static struct curl_api	 cu;
static int		 curl_loaded;

struct reply {
	char	buf[PUSH_MAX_REPLY + 1];
	size_t	len;
};

static int	 read_token(const char *, char *, size_t);
static size_t	 on_reply(char *, size_t, size_t, void *);
static void	 backoff(int, long);
static int64_t	 mono_ms(void);
static int	 push_attempts(const struct push_target *, const char *, int,
		    long, long, char *, size_t);
static void	 explicit_zero(void *, size_t);
static int	 load_curl(char *, size_t);
static int	 transient(CURLcode);

/* Worth another try: the network or the server may recover. A bad URL,
 * certificate or CA file will be as bad next time. */
static int
transient(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
		return (1);
	default:
		return (0);
	}
}

static int
load_curl(char *err, size_t errlen)
{
	if (curl_loaded)
		return (0);
	if (dl_load(LIBCURL_SONAME, curl_syms, sizeof(curl_syms) /
	    sizeof(curl_syms[0]), &cu, err, errlen) == -1)
		return (-1);
	if (cu.global_init(CURL_GLOBAL_DEFAULT) != 0) {
		snprintf(err, errlen, "cannot initialise libcurl");
		return (-1);
	}
	srandom((unsigned int)(time(NULL) ^ getpid()));
	curl_loaded = 1;
	return (0);
}
static void	 one_line(char *);

/* Server error text goes into a one-line message. */
static void
one_line(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

static void
explicit_zero(void *p, size_t len)
{
	volatile unsigned char	*v = p;

	while (len-- > 0)
		*v++ = 0;
}

/* First line of the file, trimmed. */
static int
read_token(const char *path, char *tok, size_t size)
{
	FILE	*f;
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;
	int	 rc = -1;

	if ((f = fopen(path, "re")) == NULL)
		return (-1);
	if ((n = getline(&line, &cap, f)) > 0) {
		str_rtrim(line);
		if (*str_ltrim(line) != '\0' &&
		    strlen(str_ltrim(line)) < size &&
		    strpbrk(line, "\r\n") == NULL) {
			snprintf(tok, size, "%s", str_ltrim(line));
			rc = 0;
		}
	}
	if (line != NULL) {
		explicit_zero(line, cap);
		free(line);
	}
	fclose(f);
	errno = 0;
	return (rc);
}

static size_t
on_reply(char *data, size_t size, size_t nmemb, void *arg)
{
	struct reply	*r = arg;
	size_t		 n = size * nmemb, take;

	take = n;
	if (take > PUSH_MAX_REPLY - r->len)
		take = PUSH_MAX_REPLY - r->len;
	memcpy(r->buf + r->len, data, take);
	r->len += take;
	r->buf[r->len] = '\0';
	return (n);
}

/* 0.5 s doubling per attempt up to cap_ms, then a random half to all. */
long
push_backoff_ms(int attempt, long cap_ms)
{
	long	 ms = PUSH_BACKOFF_MS;

	if (cap_ms < 2)
		cap_ms = 2;
	while (attempt-- > 0 && ms < cap_ms)
		ms *= 2;
	if (ms > cap_ms)
		ms = cap_ms;
	return (ms / 2 + random() % (ms / 2 + 1));
}

/* Sleep the backoff of attempt, but no longer than left_ms. */
static void
backoff(int attempt, long left_ms)
{
	long		 ms = push_backoff_ms(attempt, PUSH_BACKOFF_MAX_MS);
	struct timespec	 ts;

	if (ms > left_ms)
		ms = left_ms;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

void
push_target_init(struct push_target *t, const struct collect_options *o,
    const char *host)
{
	t->url = o->push;
	t->host = host;
	t->token_file = o->token_file;
	t->cacert = o->cacert;
	t->cert = o->cert;
	t->key = o->key;
	t->total_ms = o->push_timeout * 1000;
}

int
push_inventory(const struct push_target *t, const char *json, char *err,
    size_t errlen)
{
	return (push_attempts(t, json, PUSH_ATTEMPTS, PUSH_TIMEOUT,
	    t->total_ms, err, errlen));
}

/* The watch loop backs off itself, between scans and uevents. */
int
push_once(const struct push_target *t, const char *json, long timeout,
    char *err, size_t errlen)
{
	if (timeout < PUSH_CONNECT_TIMEOUT)
		timeout = PUSH_CONNECT_TIMEOUT;
	if (timeout > PUSH_TIMEOUT)
		timeout = PUSH_TIMEOUT;
	return (push_attempts(t, json, 1, timeout, 0, err, errlen));
}

static int64_t
mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/*
 * Up to attempts tries of timeout seconds each; with total_ms > 0 every
 * try and every sleep between them also fits in total_ms from now, so a
 * one-shot run against a server that never answers gives up in bounded
 * time (five 30 s tries and their backoff took minutes).
 */
static int
push_attempts(const struct push_target *t, const char *json, int attempts,
    long timeout, long total_ms, char *err, size_t errlen)
{
	const char		*url = t->url;
	CURL			*curl = NULL;
	struct curl_slist	*hdrs = NULL;
	struct reply		*reply;
	char			 token[PUSH_MAX_TOKEN], *auth = NULL;
	char			*full = NULL, errbuf[CURL_ERROR_SIZE];
	char			 why[CURL_ERROR_SIZE + 32];
	const char		*sep;
	long			 status = 0;
	CURLcode		 cc = CURLE_OK;
	int			 attempt, rc = -1;
	size_t			 ulen;
	int64_t			 deadline = 0, left = 0;

	reply = xcalloc(1, sizeof(*reply));
	snprintf(err, errlen, "push failed");
	if (read_token(t->token_file, token, sizeof(token)) == -1) {
		snprintf(err, errlen, "token file %s: %s", t->token_file,
		    errno != 0 ? strerror(errno) : "no token on its first line");
		goto out;
	}
	ulen = strlen(url);
	sep = ulen > 0 && url[ulen - 1] == '/' ? "" : "/";
	xasprintf(&full, "%s%sv1/hosts/%s/inventory", url, sep, t->host);
	xasprintf(&auth, "Authorization: Bearer %s", token);
	explicit_zero(token, sizeof(token));

	if (load_curl(err, errlen) == -1)
		goto out;
	if ((curl = cu.easy_init()) == NULL) {
		snprintf(err, errlen, "cannot initialise libcurl");
		goto out;
	}
	hdrs = cu.slist_append(hdrs, auth);
	hdrs = cu.slist_append(hdrs, "Content-Type: application/json");
	hdrs = cu.slist_append(hdrs, "Expect:");
	cu.easy_setopt(curl, CURLOPT_URL, full);
	cu.easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "PUT");
	cu.easy_setopt(curl, CURLOPT_POSTFIELDS, json);
	cu.easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)strlen(json));
	cu.easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
	cu.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, PUSH_CONNECT_TIMEOUT);
	cu.easy_setopt(curl, CURLOPT_TIMEOUT, timeout);
	cu.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	cu.easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_reply);
	cu.easy_setopt(curl, CURLOPT_WRITEDATA, reply);
	cu.easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	if (t->cacert != NULL)
		cu.easy_setopt(curl, CURLOPT_CAINFO, t->cacert);
	if (t->cert != NULL) {
		cu.easy_setopt(curl, CURLOPT_SSLCERT, t->cert);
		cu.easy_setopt(curl, CURLOPT_SSLKEY,
		    t->key != NULL ? t->key : t->cert);
	}

	if (total_ms > 0)
		deadline = mono_ms() + total_ms;
	for (attempt = 1; attempt <= attempts; attempt++) {
		if (deadline != 0) {
			left = deadline - mono_ms();
			if (attempt > 1 && left > 0)
				backoff(attempt - 2, (long)left);
			if ((left = deadline - mono_ms()) <= 0) {
				if (attempt == 1)
					why[0] = '\0';
				ulen = strlen(why);
				snprintf(why + ulen, sizeof(why) - ulen,
				    "%s--push-timeout of %ld s reached",
				    ulen > 0 ? "; " : "", total_ms / 1000);
				attempt--;
				break;
			}
			cu.easy_setopt(curl, CURLOPT_TIMEOUT_MS,
			    (long)(left < timeout * 1000 ? left :
			    timeout * 1000));
			cu.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
			    (long)(left < PUSH_CONNECT_TIMEOUT * 1000 ? left :
			    PUSH_CONNECT_TIMEOUT * 1000));
		} else if (attempt > 1)
			backoff(attempt - 2, PUSH_BACKOFF_MAX_MS);
		errbuf[0] = '\0';
		reply->len = 0;
		reply->buf[0] = '\0';
		status = 0;
		if ((cc = cu.easy_perform(curl)) == CURLE_OK) {
			cu.easy_getinfo(curl, CURLINFO_RESPONSE_CODE,
			    &status);
			if (status >= 200 && status < 300) {
				rc = 0;
				goto out;
			}
			snprintf(why, sizeof(why), "HTTP %ld", status);
			if (status != 429 && status < 500)
				break;
		} else {
			snprintf(why, sizeof(why), "%s", errbuf[0] != '\0' ?
			    errbuf : cu.easy_strerror(cc));
			if (!transient(cc))
				break;
		}
		if (attempt < attempts)
			log_warnx("%s: %s: %s, retrying", __func__, full, why);
	}
	one_line(reply->buf);
	if (attempt > attempts)
		attempt = attempts;
	snprintf(err, errlen, "push to %s failed after %d attempt%s: %s%s%.200s",
	    full, attempt, attempt == 1 ? "" : "s", why,
	    reply->len > 0 ? ": " : "", reply->buf);

out:
	if (auth != NULL) {
		explicit_zero(auth, strlen(auth));
		free(auth);
	}
	if (hdrs != NULL)
		cu.slist_free_all(hdrs);
	if (curl != NULL)
		cu.easy_cleanup(curl);
	free(full);
	free(reply);
	return (rc);
}
