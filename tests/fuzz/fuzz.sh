# SPDX-License-Identifier: Apache-2.0
# fuzz.sh -- build the codec fuzz target with clang's libFuzzer and run it
# for a bounded time from the sample documents. A crash, leak or failed
# round trip fails the test and leaves the reproducer in the log.
. "$top_srcdir/tests/lib.sh"
secs=${VC_FUZZ_SECONDS:-15}
src="$top_srcdir/lib"
codec="$src/model/inventory.c $src/model/profile.c $src/codec/inventory_json.c
    $src/codec/jscan.c $src/codec/inventory_text.c $src/util/buf.c
    $src/util/arena.c $src/util/strpool.c $src/util/strutil.c
    $src/util/xmalloc.c $src/util/digest.c $src/util/sha256_lanes.c
    $src/util/log.c"
# fuzz_inventory: the codec's round trip; fuzz_jscan: the scanner
# against jansson, which it replaced (same verdict, same values).
for t in fuzz_inventory fuzz_jscan; do
	extra=
	[ "$t" = fuzz_jscan ] && extra="$top_srcdir/tests/fuzz/jscan_diff.c"
	# shellcheck disable=SC2086 # $codec is a list of files
	clang -std=c11 -D_GNU_SOURCE -g -O1 \
	    -fsanitize=fuzzer,address,undefined -I"$src" \
	    $(pkg-config --cflags jansson nettle) \
	    "$top_srcdir/tests/fuzz/$t.c" $extra $codec \
	    $(pkg-config --libs jansson nettle) -lpthread -lm \
	    -o "$T/$t" || fail "cannot build the fuzz target $t"
done
mkdir -p "$T/corpus"
cp "$top_srcdir"/tests/unit/data/*.json "$T/corpus/"
cd "$T"
for t in fuzz_inventory fuzz_jscan; do
	mkdir -p "corpus-$t"
	cp corpus/* "corpus-$t/"
	ASAN_OPTIONS=detect_leaks=1 "./$t" -max_total_time="$secs" \
	    -max_len=65536 -dict="$top_srcdir/tests/fuzz/inventory.dict" \
	    "corpus-$t" > "$t.out" 2>&1 ||
	    { tail -n 40 "$t.out"; fail "$t found a bug"; }
	tail -n 3 "$t.out"
done
ok "no crash in ${secs}s of fuzzing each target"
