#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check-device -- can one device (PCI address or mdev/vGPU instance id)
# of SOURCE migrate to DEST? Prints host, verdict and the reason codes
# (tab-separated) and exits 0 only when the verdict is compatible.
# Usage: check-device SOURCE DEVICE DEST        (service from $VFIO_COMPAT_URL)
set -eu
[ $# -eq 3 ] || { echo "usage: check-device SOURCE DEVICE DEST" >&2; exit 2; }
. "$(dirname "$0")/api.inc"

body=$(api -G "$url/v1/hosts/$3/check" \
    --data-urlencode "source_host=$1" --data-urlencode "device=$2")
printf '%s\n' "$body" |
	jq -r '[.host, .verdict, (.reasons | map(.code) | join(","))] | @tsv'
printf '%s\n' "$body" | jq -e '.verdict == "compatible"' >/dev/null
