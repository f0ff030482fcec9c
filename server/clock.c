/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock.c -- the server's one notion of now, of report age and of time
 * as text, shared by the resources (hosts.c) and the metrics alike.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "fleet/fleet.h"
#include "server.h"

int64_t
server_now(void)
{
	return ((int64_t)time(NULL));
}

bool
server_is_stale(const struct server *srv, const struct fleet_host *fh,
    int64_t now)
{
	return (fleet_host_age(fh, now) > srv->stale_after);
}

void
server_fmt_time(int64_t t, char *buf, size_t len)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "1970-01-01T00:00:00Z");
}
