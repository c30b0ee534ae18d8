#!/usr/bin/env bash
# Copyright (c) 2026 The bondd developers
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.

# Runs every tests/integration/t-*.sh (those whose name contains the
# optional filter argument), each in its own bash under a timeout, and
# prints "N passed, N failed" counting test scripts.  Needs root and
# network namespaces: without them nothing runs and the run fails, so
# that `make check` never passes on tests it could not run.

cd "$(dirname "$0")" || exit 1
filter=${1:-}
limit=${BT_TIMEOUT:-300}

tests=()
for t in t-*.sh; do
	[ -e "$t" ] || continue
	case $t in *"$filter"*) tests+=("$t") ;; esac
done

why=
if [ "${#tests[@]}" -eq 0 ]; then
	why="no test matches '$filter'"
elif [ "$(id -u)" -ne 0 ]; then
	why="not root; the tests need root and network namespaces"
elif ! ip netns list >/dev/null 2>&1 || ! unshare --net true 2>/dev/null; then
	why="network namespaces unavailable; the tests need them"
fi
if [ -n "$why" ]; then
	echo "integration: FAIL: $why: none ran" >&2
	echo "0 passed, ${#tests[@]} failed"
	exit 1
fi

pass=0
fail=0
failed=()
for t in "${tests[@]}"; do
	echo "=== $t"
	start=$SECONDS
	timeout -k 10 "$limit" bash "./$t"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
		echo "=== $t: PASS ($((SECONDS - start)) s)"
	else
		fail=$((fail + 1))
		failed+=("$t")
		[ "$rc" -eq 124 ] && echo "=== $t: timed out after $limit s"
		echo "=== $t: FAIL (exit $rc, $((SECONDS - start)) s)"
	fi
done

[ "$fail" -gt 0 ] && echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
