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

# A client that restarts (new keys, new sequence numbers, a new epoch)
# gets its tunnel back at once: the server starts its reordering afresh
# instead of taking the new frames for old ones.

. "$(dirname "$0")/lib.sh"

tunnel_up one
check "ping before the restart" wait_ping 10
for round in 1 2; do
	kill -TERM "$BT_CLIENT_PID"
	for _ in $(seq 50); do
		kill -0 "$BT_CLIENT_PID" 2>/dev/null || break
		sleep 0.1
	done
	check "client $round stopped" test ! -e "/proc/$BT_CLIENT_PID"
	start_client
	wait_established 15 || bail "client $round: not established again"
	check "ping after client restart $round (within 10 s)" wait_ping 10
	out=$(in_ns cl timeout 10 ping -n -c 10 -i 0.05 -W 2 198.19.0.1 2>&1)
	check "no loss after client restart $round" \
	    grep -q ' 0% packet loss' <<<"$out"
done
check "the server saw the restart" \
    grep -q 'restarted: reordering starts afresh' "$BT_DIR/server.log"
finish
