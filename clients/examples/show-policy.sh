#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# show-policy -- the active compatibility policy, one rule per line:
# name, what it matches, how it compares (tab-separated), first match wins.
# Usage: show-policy        (service from $VFIO_COMPAT_URL)
set -eu
. "$(dirname "$0")/api.inc"

body=$(api "$url/v1/policy")
printf '%s\n' "$body" | jq -r '.rules[] | [.name,
	(.match | to_entries | map("\(.key)=\(.value)") | join(",") |
	    if . == "" then "*" else . end),
	(.compare | to_entries | map("\(.key):\(.value)") | join(","))] |
	@tsv'
