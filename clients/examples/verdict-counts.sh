#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# verdict-counts -- check devices of SOURCE against every other host and
# count the hosts per verdict: "compatible 2", "incompatible 1", ...
# Usage: verdict-counts SOURCE DEVICE...        (service from $VFIO_COMPAT_URL)
set -eu
[ $# -ge 2 ] || { echo "usage: verdict-counts SOURCE DEVICE..." >&2; exit 2; }
. "$(dirname "$0")/api.inc"

src=$1
shift
request=$(jq -n --arg h "$src" '{mode: "live",
	source: {host: $h, devices: $ARGS.positional}}' --args "$@")
body=$(printf '%s' "$request" | api \
    -H 'Content-Type: application/json' --data-binary @- "$url/v1/check")
printf '%s\n' "$body" | jq -r '.results | group_by(.verdict) | .[] |
	"\(.[0].verdict) \(length)"'
