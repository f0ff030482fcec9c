#!/bin/sh
# stale-hosts -- hosts whose last report is older than the service's
# --stale-after, with the time they last reported (tab-separated).
# Usage: stale-hosts        (service from $VFIO_COMPAT_URL)
set -eu
url=${VFIO_COMPAT_URL:-http://127.0.0.1:8080}
auth=
[ -z "${VFIO_COMPAT_TOKEN_FILE:-}" ] ||
	auth="Authorization: Bearer $(head -n 1 "$VFIO_COMPAT_TOKEN_FILE")"

body=$(curl -fsS ${auth:+-H "$auth"} "$url/v1/hosts?stale=true")
printf '%s\n' "$body" | jq -r '.hosts[] | [.host, .received_at] | @tsv'
