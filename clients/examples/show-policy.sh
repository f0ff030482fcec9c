#!/bin/sh
# show-policy -- the active compatibility policy, one rule per line:
# name, what it matches, how it compares (tab-separated), first match wins.
# Usage: show-policy        (service from $VFIO_COMPAT_URL)
set -eu
url=${VFIO_COMPAT_URL:-http://127.0.0.1:8080}
auth=
[ -z "${VFIO_COMPAT_TOKEN_FILE:-}" ] ||
	auth="Authorization: Bearer $(head -n 1 "$VFIO_COMPAT_TOKEN_FILE")"

body=$(curl -fsS ${auth:+-H "$auth"} "$url/v1/policy")
printf '%s\n' "$body" | jq -r '.rules[] | [.name,
	(.match | to_entries | map("\(.key)=\(.value)") | join(",") |
	    if . == "" then "*" else . end),
	(.compare | to_entries | map("\(.key):\(.value)") | join(","))] |
	@tsv'
