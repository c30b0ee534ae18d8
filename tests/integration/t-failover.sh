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

# Failover on equal2: link 0 is black-holed both ways 4 s into a TCP
# transfer (client -> server) with pings running.  The transfer must
# complete with no stall over 1.5 s (measured at the receiver in 0.1 s
# intervals), wan0 must be DOWN within 2 s (and, as it carried
# traffic, on unanswered asks before the 300 ms silence floor), and
# once the outage ends wan0 must be running and carrying traffic again
# within 5 s.  Once
# the failover window has passed, the pings lose no more than the
# transfer costs them anyway, and the core resends frames the black
# hole swallowed.

. "$(dirname "$0")/lib.sh"

bring_up equal2

# ms_since T0: milliseconds since T0 (date +%s%N).
ms_since()
{
	echo $((($(date +%s%N) - $1) / 1000000))
}

# ping_lost FROM TO: "LOST SENT" for the pings of ping.log (ping -D)
# sent between FROM and TO (date +%s%N).  A ping left when its answer
# came less its RTT; an unanswered one, by the nearest answered one
# and the ping interval.
ping_lost()
{
	"$BT_PY" -c '
import re, sys
log, t0, t1 = sys.argv[1], int(sys.argv[2]) / 1e9, int(sys.argv[3]) / 1e9
n, iv = int(sys.argv[4]), float(sys.argv[5])
sent = {}
for l in open(log):
	m = re.match(r"\[([0-9.]+)\] .*icmp_seq=([0-9]+) .*time=([0-9.]+) ms", l)
	if m:
		sent[int(m.group(2))] = float(m.group(1)) - float(m.group(3)) / 1e3
if not sent:
	sys.exit(1)
lost = count = 0
for k in range(1, n + 1):
	j = min(sent, key=lambda s: abs(s - k))
	if t0 <= sent[j] + (k - j) * iv < t1:
		count += 1
		lost += k not in sent
print(lost, count)
' "$BT_DIR/ping.log" "$1" "$2" "$NPING" 0.05 2>/dev/null || echo "? ?"
}

resent0=$(stat_get client "j['core']['resent']")
fo0=$(stat_get client "j['core']['failover_resent']")

NPING=280
BT_IPERF_S_ARGS="-J -i 0.1"
iperf_server 60 || bail "iperf3 server did not listen"
ts=$(date +%s%N)
in_ns cl timeout 40 iperf3 -c 198.19.0.1 -J -t 14 -i 0.1 \
    --get-server-output >"$BT_DIR/failover.json" 2>&1 &
IPERF=$!
BT_PIDS+=("$IPERF")
in_ns cl timeout 30 ping -n -D -c $NPING -i 0.05 -W 1 198.19.0.1 \
    >"$BT_DIR/ping.log" 2>&1 &
PING=$!
BT_PIDS+=("$PING")

sleep 4
hole0=$(wanem_stat 0 "j['up']['dropped_outage']")
wanem_ctl 0 outage both on >/dev/null || not_ok "wanem outage on"
t0=$(date +%s%N)
say "link 0 black-holed"
if t=$(wait_link_state wan0 down 2); then
	ok "wan0 link_state down after ${t} s (<= 2 s)"
else
	not_ok "wan0 not down within 2 s (state $(link_get client wan0 link_state))"
fi
# wan0 carried the transfer, so the fast watch took it down: its asks
# went unanswered before the 300 ms silence floor ran out.
down=$(grep -m 1 'wan0: peer .* link 0: silent for' "$BT_DIR/client.log")
silent=$(sed -n 's/.*silent for \([0-9]*\) ms, asks unanswered.*/\1/p' <<<"$down")
check_cmp "wan0 down after ${silent:-?} ms of silence, on unanswered asks ($down)" \
    "${silent:-99999}" -lt 300
# Let the transfer run on wan1 alone for a while.
while [ "$(ms_since "$t0")" -lt 3000 ]; do sleep 0.1; done
tx=$(link_get client wan0 tx_bytes)
wanem_ctl 0 outage both off >/dev/null || not_ok "wanem outage off"
t1=$(date +%s%N)
hole1=$(wanem_stat 0 "j['up']['dropped_outage']")
say "link 0 back"
# Two promises, timed apart: wan0 carries traffic again (its tx_bytes
# grow by 300 kB, far above the probes) and its state is running.
carry=
run=
while [ "$(ms_since "$t1")" -lt 5000 ] && [ -z "$carry" -o -z "$run" ]; do
	st=$(link_get client wan0 link_state)
	grown=$(delta "$tx" "$(link_get client wan0 tx_bytes)")
	now=$(awk -v m="$(ms_since "$t1")" 'BEGIN { printf "%.1f", m / 1000 }')
	[ -z "$run" ] && [ "$st" = running ] && run=$now
	[ -z "$carry" ] && [[ $grown =~ ^[0-9]+$ ]] && [ "$grown" -ge 300000 ] &&
	    carry=$now
	sleep 0.2
done
if [ -n "$carry" ]; then
	ok "wan0 carried traffic again $carry s after the outage (<= 5 s)"
else
	not_ok "wan0 not carrying traffic within 5 s (tx grew by $grown bytes)"
fi
if [ -n "$run" ]; then
	ok "wan0 running again $run s after the outage (<= 5 s)"
else
	not_ok "wan0 not running within 5 s (state $st, loss" \
	    "$(link_get client wan0 loss_tx_pct)/$(link_get client wan0 loss_rx_pct) %)"
fi

wait "$IPERF"
rc=$?
check "the transfer completed (iperf3 rc $rc)" test "$rc" -eq 0
wait "$PING"

# A stall is a 0.1 s interval that carried less than a quarter of the
# rate before the outage: wan1 alone carries half of that rate, so a
# transfer that goes on over wan1 stays above a quarter of it.  The
# rate before is taken up to half a second before the outage, as the
# receiver's clock starts a little after ours.  Measured over 25 runs:
# 0.1 to 0.4 s, once 1.1 s (a TCP timeout when few frames came back).
mbps=$(iperf_mbps "$BT_DIR/failover.json")
event=$(awk -v d=$((t0 - ts)) 'BEGIN { printf "%.2f", d / 1e9 - 0.5 }')
stall=$(iperf_stall "$BT_DIR/failover.json" "$event" 0.25)
say "transfer: $mbps Mbit/s; longest stall $stall s"
stall_ms=$(awk -v s="$stall" 'BEGIN { if (s ~ /^[0-9.]+$/) printf "%d", s * 1000; else print "?" }')
check_cmp "longest stall (< 25 % of the rate before) <= 1500 ms" \
    "$stall_ms" -le 1500
echo "$stall" >"${BT_STALL_FILE:-/dev/null}"

# Pings sent into the black hole until wan0 is DOWN (silent for
# probe.down_after, seen at the next probe tick) may be lost; after
# that window, till the outage ends, only what the transfer costs them
# anyway: it fills wan1's queue and the tunnel's entrance drops what
# exceeds it, pings too (5.4 % of them without an outage, up to 15 %
# on wan1 alone measured).  With wan0 never DOWN, 33 to 67 % are lost.
say "ping: $(grep -E 'packet loss' "$BT_DIR/ping.log")"
say "ping: $(grep -E '^rtt' "$BT_DIR/ping.log")"
window=$(($(conf_get client probe.down_after) + $(conf_get client probe.interval)))
read -r lost sent <<<"$(ping_lost $((t0 + window * 1000000)) "$t1")"
check_cmp "pings sent in the outage after the ${window} ms failover window" \
    "$sent" -ge 20
check_cmp "$lost of them lost, <= 25 %" "$lost" -le $((sent / 4))

# Frames lost on wan0 come back either through the server's NACKs or
# through the resend of what was in flight when wan0 went DOWN.  Not
# all of them: the server sends its NACKs on the link of least delay,
# wan0 itself until it sees it DOWN, and those are lost too.  Over 25
# runs the core resent 6 % to all of the frames the black hole took (4
# to 1120 frames), some runs by one path alone; without an outage it
# resends 0 to 3.
sleep 1.5
resent=$(delta "$resent0" "$(stat_get client "j['core']['resent']")")
fo=$(delta "$fo0" "$(stat_get client "j['core']['failover_resent']")")
say "black hole took $(delta "$hole0" "$hole1") datagrams from the client;" \
    "resent after NACK $resent, after failover $fo"
say "the server asked $(stat_get server "j['core']['nack_tx']") times for" \
    "holes and gave up $(stat_get server "j['core']['reorder_lost']")"
check_cmp "the core resent frames lost on wan0 (NACK or failover)" \
    "$(awk -v a="$resent" -v b="$fo" 'BEGIN {
	if (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/) print a + b; else print "?" }')" \
    -gt 0

finish
