#!/bin/sh
# list-hosts -- every host the service knows, one per line:
# host, collected_at, fresh|stale, devices, instances, VMs (tab-separated).
# Usage: list-hosts        (service from $VFIO_COMPAT_URL)
set -eu
url=${VFIO_COMPAT_URL:-http://127.0.0.1:8080}
auth=
[ -z "${VFIO_COMPAT_TOKEN_FILE:-}" ] ||
	auth="Authorization: Bearer $(head -n 1 "$VFIO_COMPAT_TOKEN_FILE")"

body=$(curl -fsS ${auth:+-H "$auth"} "$url/v1/hosts")
printf '%s\n' "$body" | jq -r '.hosts[] |
	[.host, .collected_at, (if .stale then "stale" else "fresh" end),
	 .devices, .instances, .vms] | @tsv'
