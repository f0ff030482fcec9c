#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# host-capacity -- free instances per type on one host, summed over the
# devices that offer it: kind, type id, name, free (tab-separated).
# Usage: host-capacity HOST        (service from $VFIO_COMPAT_URL)
set -eu
[ $# -eq 1 ] || { echo "usage: host-capacity HOST" >&2; exit 2; }
. "$(dirname "$0")/api.inc"

body=$(api "$url/v1/hosts/$1")
printf '%s\n' "$body" | jq -r '[.devices[].types[]] |
	group_by([.kind, .id]) | .[] |
	[.[0].kind, .[0].id, .[0].name, (map(.available_instances // 0) | add)] |
	@tsv'
