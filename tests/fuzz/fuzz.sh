# SPDX-License-Identifier: Apache-2.0
# fuzz.sh -- build the codec fuzz target with clang's libFuzzer and run it
# for a bounded time from the sample documents. A crash, leak or failed
# round trip fails the test and leaves the reproducer in the log.
. "$top_srcdir/tests/lib.sh"
secs=${VC_FUZZ_SECONDS:-15}
src="$top_srcdir/lib"
clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
    -I"$src" $(pkg-config --cflags jansson nettle) \
    "$top_srcdir/tests/fuzz/fuzz_inventory.c" "$src/model/inventory.c" \
    "$src/codec/inventory_json.c" "$src/codec/inventory_text.c" \
    "$src"/util/buf.c "$src"/util/arena.c "$src"/util/strpool.c \
    "$src"/util/strutil.c "$src"/util/xmalloc.c "$src"/util/digest.c \
    "$src"/util/sha256_lanes.c \
    "$src"/util/log.c $(pkg-config --libs jansson nettle) -lpthread \
    -o "$T/fuzz_inventory" || fail "cannot build the fuzz target"
mkdir -p "$T/corpus"
cp "$top_srcdir"/tests/unit/data/*.json "$T/corpus/"
cd "$T"
ASAN_OPTIONS=detect_leaks=1 ./fuzz_inventory -max_total_time="$secs" \
    -max_len=65536 -dict="$top_srcdir/tests/fuzz/inventory.dict" \
    corpus > fuzz.out 2>&1 || { tail -n 40 fuzz.out; fail "fuzzer found a bug"; }
tail -n 3 fuzz.out
ok "no crash in ${secs}s of fuzzing"
