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

# Foundation: a linkd killed with SIGKILL is respawned by its parent,
# sandboxed like the first, and the tunnel recovers within 5 s.

. "$(dirname "$0")/lib.sh"

tunnel_up one

check "ping before the kill" ping_ok 3
old=$(child_of_kind "$BT_CLIENT_PID" linkd) || bail "client has no linkd"
say "killing client linkd $old"
t0=$EPOCHREALTIME
kill -KILL "$old"

new=
end=$((SECONDS + 5))
while [ "$SECONDS" -lt "$end" ]; do
	p=$(child_of_kind "$BT_CLIENT_PID" linkd) && [ "$p" != "$old" ] &&
	    { new=$p; break; }
	sleep 0.1
done
if [ -n "$new" ]; then
	ok "a new linkd (pid $new) within 5 s"
else
	not_ok "no new linkd within 5 s"
fi
left=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { l = 5 - (b - a); print (l < 1 ? 1 : int(l + 0.5)) }')
if wait_ping "$left"; then
	ok "ping recovered $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s after the kill"
else
	not_ok "ping did not recover within 5 s"
fi
check "parent still alive" kill -0 "$BT_CLIENT_PID"
[ -n "$new" ] && check_sandboxed "$new" "respawned linkd $new"
check "link established again" wait_established 10
check "ping -c 10 after recovery" ping_ok 10

finish
