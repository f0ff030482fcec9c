# SPDX-License-Identifier: Apache-2.0
# circles.sh -- no two files of lib/, collector/, server/ or clients/cli/
# depend on each other in a circle (tests/layout/circles.py).
. "$top_srcdir/tests/lib.sh"
out=$(python3 "$top_srcdir/tests/layout/circles.py" "$top_srcdir") ||
    fail "files that depend on each other in a circle:
$out"
ok "$out"
