#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# list-hosts -- every host the service knows, one per line:
# host, collected_at, fresh|stale, devices, instances, VMs (tab-separated).
# Usage: list-hosts        (service from $VFIO_COMPAT_URL)
set -eu
. "$(dirname "$0")/api.inc"

body=$(api "$url/v1/hosts")
printf '%s\n' "$body" | jq -r '.hosts[] |
	[.host, .collected_at, (if .stale then "stale" else "fresh" end),
	 .devices, .instances, .vms] | @tsv'
