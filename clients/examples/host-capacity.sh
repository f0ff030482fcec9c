#!/bin/sh
# host-capacity -- free instances per type on one host, summed over the
# devices that offer it: kind, type id, name, free (tab-separated).
# Usage: host-capacity HOST        (service from $VFIO_COMPAT_URL)
set -eu
[ $# -eq 1 ] || { echo "usage: host-capacity HOST" >&2; exit 2; }
url=${VFIO_COMPAT_URL:-http://127.0.0.1:8080}
auth=
[ -z "${VFIO_COMPAT_TOKEN_FILE:-}" ] ||
	auth="Authorization: Bearer $(head -n 1 "$VFIO_COMPAT_TOKEN_FILE")"

body=$(curl -fsS ${auth:+-H "$auth"} "$url/v1/hosts/$1")
printf '%s\n' "$body" | jq -r '[.devices[].types[]] |
	group_by([.kind, .id]) | .[] |
	[.[0].kind, .[0].id, .[0].name, (map(.available_instances // 0) | add)] |
	@tsv'
