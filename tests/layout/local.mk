# SPDX-License-Identifier: Apache-2.0
# tests/layout/: the shape of the code, checked like its behaviour.
TESTS += tests/layout/circles.sh
EXTRA_DIST += tests/layout/circles.sh tests/layout/circles.py
