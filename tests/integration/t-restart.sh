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

# Recovery after a restart of either end: the tunnel carries a ping
# again at most 3 s (the goal is 2 s, plus a margin for a busy host)
# after a new server bondd starts, a new client bondd starts, or a
# killed linkd of the server or of the client is killed and respawned.
# The server keeps no state across its restart; the client notices the
# silence and handshakes again beside its old keys.  The figures are
# measured on the replies of a ping every 50 ms and printed.

. "$(dirname "$0")/lib.sh"

BOUND_MS=3000

# pinger: a ping every 50 ms from the client for at most 40 s, with
# the arrival time of each reply (-D); sets PING_PID, log in PING_LOG.
pinger()
{
	PING_LOG=$BT_DIR/ping-$1.log
	bg cl timeout 40 ping -n -D -i 0.05 -W 1 198.19.0.1 >"$PING_LOG" 2>&1
	PING_PID=$BG_PID
}

# recovered_ms T0: milliseconds from T0 (epoch seconds with decimals)
# to the first reply that arrived after it, "none" if none did.
recovered_ms()
{
	awk -v t0="$1" '
		/bytes from/ {
			t = substr($1, 2, length($1) - 2) + 0
			if (t > t0) { printf "%d\n", (t - t0) * 1000; found = 1; exit }
		}
		END { if (!found) print "none" }' "$PING_LOG"
}

# wait_recovered T0: until a reply after T0 arrived (10 s at most).
wait_recovered()
{
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(recovered_ms "$1")" != none ] && return 0
		sleep 0.1
	done
	return 1
}

stop_pinger()
{
	kill "$PING_PID" 2>/dev/null
	wait "$PING_PID" 2>/dev/null
}

# stop WHO PID: SIGTERM, until the process is gone (5 s).
stop()
{
	local i
	kill -TERM "$2"
	for ((i = 0; i < 50; i++)); do
		kill -0 "$2" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# settle: the links running and every child older than 10 s: the
# parent restarts a child that dies sooner after a back-off, which is
# not what this test measures.
settle()
{
	wait_running 15 || bail "links not running"
	sleep 11
}

# new_linkd PARENT OLD: the pid of a linkd of PARENT other than OLD.
new_linkd()
{
	local p
	p=$(child_of_kind "$1" linkd) && [ "$p" != "$2" ] && echo "$p"
}

tunnel_up one
check "ping before the restarts" wait_ping 10
settle

# 1. The server restarts.
pinger server
downs=$(grep -c 'session down' "$BT_DIR/client.log")
stop server "$BT_SERVER_PID" || bail "server did not stop"
t0=$EPOCHREALTIME
start_server
wait_recovered "$t0"
ms=$(recovered_ms "$t0")
say "server restart: a ping came back $ms ms after the new server started"
check_cmp "server restart: a ping within $BOUND_MS ms of its start" \
    "$ms" -le "$BOUND_MS"
stop_pinger
check_cmp "the client kept its session until the new one worked" \
    "$(grep -c 'session down' "$BT_DIR/client.log")" -eq "$downs"
settle

# 2. The client restarts (its tunnel device goes with it).
stop client "$BT_CLIENT_PID" || bail "client did not stop"
t0=$EPOCHREALTIME
start_client
pinger client
wait_recovered "$t0"
ms=$(recovered_ms "$t0")
say "client restart: a ping came back $ms ms after the new client started"
check_cmp "client restart: a ping within $BOUND_MS ms of its start" \
    "$ms" -le "$BOUND_MS"
stop_pinger
settle

# 3. The server's linkd is killed; its parent starts a new one at once
# (it ran for more than 10 s), which knows no session.
old=$(child_of_kind "$BT_SERVER_PID" linkd) || bail "server has no linkd"
pinger slinkd
sleep 0.5
kill -KILL "$old"
t0=$EPOCHREALTIME
wait_recovered "$t0"
ms=$(recovered_ms "$t0")
say "server linkd killed: a ping came back $ms ms after the kill"
check_cmp "server linkd respawned: a ping within $BOUND_MS ms of the kill" \
    "$ms" -le "$BOUND_MS"
check "a new server linkd runs" test -n "$(new_linkd "$BT_SERVER_PID" "$old")"
stop_pinger
settle

# 4. The same on the client's side.
old=$(child_of_kind "$BT_CLIENT_PID" linkd) || bail "client has no linkd"
pinger clinkd
sleep 0.5
kill -KILL "$old"
t0=$EPOCHREALTIME
wait_recovered "$t0"
ms=$(recovered_ms "$t0")
say "client linkd killed: a ping came back $ms ms after the kill"
check_cmp "client linkd respawned: a ping within $BOUND_MS ms of the kill" \
    "$ms" -le "$BOUND_MS"
check "a new client linkd runs" test -n "$(new_linkd "$BT_CLIENT_PID" "$old")"
stop_pinger

check "both parents still running" alive "$BT_CLIENT_PID" "$BT_SERVER_PID"
finish
