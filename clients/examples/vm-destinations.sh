#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# vm-destinations -- the hosts a running VM can migrate to, best first:
# host and score (free capacity left after the move), tab-separated.
# Usage: vm-destinations VM_UUID        (service from $VFIO_COMPAT_URL)
set -eu
[ $# -eq 1 ] || { echo "usage: vm-destinations VM_UUID" >&2; exit 2; }
. "$(dirname "$0")/api.inc"

body=$(api "$url/v1/vms/$1/destinations")
printf '%s\n' "$body" | jq -r '.results[] | [.host, .score] | @tsv'
