# SPDX-License-Identifier: Apache-2.0
# golden.sh -- the API's answers over the demo fleet, byte for byte.
#
# A fixed set of requests (golden/requests.txt: METHOD PATH [BODY]) is
# sent to a server holding only the demo fleet, which is collected from
# the recorded trees of tests/data/; each answer, with the fields that
# move with the clock taken out, must equal the line of
# golden/answers.jsonl. A refactoring that changes one byte of one
# answer fails here. VC_GOLDEN_WRITE=1 rewrites the file instead: do
# that only for a change of behaviour, and say why in the commit.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server/server-lib.sh"

G="$top_srcdir/tests/server/golden"
start_server --demo-dir "$top_srcdir/deploy/demo"

# The clock's fields: ages, report times, staleness.
norm='walk(if type == "object" then del(.data_age_s, .received_at) else . end)'
: > "$T/answers.jsonl"
n=0
while IFS= read -r line; do
	case "$line" in ''|'#'*) continue ;; esac
	set -- $line
	m=$1 p=$2
	shift 2
	body="$*"
	if [ -n "$body" ]; then
		code=$(curl -s -o "$T/a" -w '%{http_code}' -X "$m" \
		    -H 'Content-Type: application/json' --data-binary "$body" \
		    "$URL$p")
	else
		code=$(curl -s -o "$T/a" -w '%{http_code}' -X "$m" "$URL$p")
	fi
	printf '%s %s %s ' "$m" "$p" "$code" >> "$T/answers.jsonl"
	jq -cS "$norm" "$T/a" >> "$T/answers.jsonl" ||
	    fail "$m $p: answer is not JSON: $(head -c 200 "$T/a")"
	n=$((n + 1))
done < "$G/requests.txt"
[ $n -gt 20 ] || fail "only $n requests in $G/requests.txt"

if [ "${VC_GOLDEN_WRITE:-0}" = 1 ]; then
	cp "$T/answers.jsonl" "$G/answers.jsonl"
	ok "wrote $n answers to $G/answers.jsonl"
	exit 0
fi
if ! diff -u "$G/answers.jsonl" "$T/answers.jsonl" > "$T/diff"; then
	head -n 40 "$T/diff" >&2
	fail "answers differ from $G/answers.jsonl"
fi
ok "$n answers equal to the golden file"
stop_server
