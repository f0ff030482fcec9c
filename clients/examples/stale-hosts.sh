#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# stale-hosts -- hosts whose last report is older than the service's
# --stale-after, with the time they last reported (tab-separated).
# Usage: stale-hosts        (service from $VFIO_COMPAT_URL)
set -eu
. "$(dirname "$0")/api.inc"

body=$(api "$url/v1/hosts?stale=true")
printf '%s\n' "$body" | jq -r '.hosts[] | [.host, .received_at] | @tsv'
