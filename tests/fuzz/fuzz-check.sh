# SPDX-License-Identifier: Apache-2.0
# fuzz-check.sh -- build the POST /v1/check libFuzzer target (the tree
# and text answer forms compared on every body) and run it for a
# bounded time from tests/fuzz/check-corpus/ against the engine
# fixtures. A crash, a leak, a sanitizer report or a difference between
# the two forms fails the test and leaves the reproducer in the log.
. "$top_srcdir/tests/lib.sh"
secs=${VC_FUZZ_SECONDS:-20}
src="$top_srcdir/lib"
# Every part of lib/ but the store: the engine, the model, the codec.
libsrc=$(ls "$src"/*/*.c | grep -v '/store/')
clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
    -I"$src" $(pkg-config --cflags jansson nettle) \
    "$top_srcdir/tests/fuzz/fuzz_check.c" $libsrc \
    $(pkg-config --libs jansson nettle) -lpthread \
    -o "$T/fuzz_check" || fail "cannot build the fuzz target"
mkdir -p "$T/corpus"
cp "$top_srcdir"/tests/fuzz/check-corpus/*.json "$T/corpus/"
cd "$T"
VC_FUZZ_FLEET="$top_srcdir/tests/unit/data/engine" ASAN_OPTIONS=detect_leaks=1 \
    ./fuzz_check -max_total_time="$secs" -max_len=8192 \
    -dict="$top_srcdir/tests/fuzz/check.dict" corpus > fuzz.out 2>&1 ||
    { tail -n 40 fuzz.out; fail "fuzzer found a bug"; }
tail -n 3 fuzz.out
ok "the answer forms agree over ${secs}s of fuzzing"
