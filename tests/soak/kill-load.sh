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

# A child killed under load (make soak runs it before the soak; at
# about 70 s it is too long for make check): on a two-link tunnel
# carrying a ping every 0.2 s and a 10 Mbit/s iperf3 upload, a client
# linkd, the client's core and the server's linkd are killed in turn,
# 15 s apart (the parents respawn them at once).  No ping may be lost
# outside the kills' windows (from 1 s before a kill to KILL_GRACE (3)
# seconds after it): a respawned child is back in about 2 s and must
# not leave the tunnel losing packets after that.

. "$(dirname "$0")/../integration/lib.sh"

KILL_GRACE=${KILL_GRACE:-3}
KILL_EVERY=15

tunnel_up equal2
wait_running 15 || bail "links not running within 15 s"
# Every child older than 10 s: a younger one restarts after a back-off.
sleep 11

kills=$BT_DIR/kills	# time what
: >"$kills"
bg cl timeout 60 ping -n -D -i 0.2 -W 2 -w 55 198.19.0.1 \
    >"$BT_DIR/ping.log" 2>&1
ping_pid=$BG_PID
(iperf_run "$BT_DIR/iperf.json" 52 -b 10M >/dev/null 2>&1) &
BT_PIDS+=("$!")

for what in "client linkd" "client core" "server linkd"; do
	sleep "$KILL_EVERY"
	parent=$BT_CLIENT_PID
	[ "${what%% *}" = server ] && parent=$BT_SERVER_PID
	p=$(child_of_kind "$parent" "${what#* }") || bail "no $what"
	echo "$EPOCHREALTIME $what" >>"$kills"
	kill -KILL "$p"
	say "killed $what (pid $p)"
done
wait "$ping_pid" 2>/dev/null

# A sequence number without a reply was lost; it was sent 0.2 s per
# number after the last one answered before it (its reply's arrival
# less its round trip).
lost=$("$BT_PY" -c '
import re, sys
ev = [l.split(None, 1) for l in open(sys.argv[2])]
ev = [(float(a), w.strip()) for a, w in ev]
g = float(sys.argv[3])
sent = {}
for l in open(sys.argv[1]):
	m = re.match(r"\[([0-9.]+)\] .*icmp_seq=([0-9]+) ttl=.* time=([0-9.]+)", l)
	if m:
		sent[int(m.group(2))] = float(m.group(1)) - float(m.group(3)) / 1000
top = max(sent) if sent else 0
bad = inside = 0
for s in range(1, top + 1):
	if s in sent:
		continue
	b = max([k for k in sent if k < s] or [min(sent)])
	t = sent[b] + 0.2 * (s - b)
	last = [e for e in ev if e[0] - 1 <= t]
	if last and t <= last[-1][0] + g:
		inside += 1
		continue
	bad += 1
	print("# lost icmp_seq=%d%s" % (s, ", %.1f s after the kill of %s" %
	    (t - last[-1][0], last[-1][1]) if last else ""), file=sys.stderr)
print(bad, inside, top, len(sent))
' "$BT_DIR/ping.log" "$kills" "$KILL_GRACE")
read -r lost_late lost_in sent answered <<<"$lost"
say "pings: $sent sent, $answered answered, $lost_in lost within $KILL_GRACE s of a kill"
say "iperf3: $(iperf_mbps "$BT_DIR/iperf.json") Mbit/s, $(json_get "j['end']['sum_sent']['retransmits']" <"$BT_DIR/iperf.json" 2>/dev/null) retransmits"
check_cmp "pings answered" "${answered:-0}" -gt 200
check_cmp "pings lost later than $KILL_GRACE s after a kill" "${lost_late:-1}" -eq 0
check "client parent still running" kill -0 "$BT_CLIENT_PID"
check "server parent still running" kill -0 "$BT_SERVER_PID"
finish
