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
# intervals), wan0 must be DOWN within 2 s, and once the outage ends
# wan0 must be running and carrying traffic again within 5 s.

. "$(dirname "$0")/lib.sh"

bring_up equal2

# ms_since T0: milliseconds since T0 (date +%s%N).
ms_since()
{
	echo $((($(date +%s%N) - $1) / 1000000))
}

BT_IPERF_S_ARGS="-J -i 0.1"
iperf_server 60 || bail "iperf3 server did not listen"
in_ns cl timeout 40 iperf3 -c 198.19.0.1 -J -t 14 -i 0.1 \
    --get-server-output >"$BT_DIR/failover.json" 2>&1 &
IPERF=$!
BT_PIDS+=("$IPERF")
in_ns cl timeout 30 ping -n -q -c 280 -i 0.05 -W 1 198.19.0.1 \
    >"$BT_DIR/ping.log" 2>&1 &
PING=$!
BT_PIDS+=("$PING")

sleep 4
wanem_ctl 0 outage both on >/dev/null || not_ok "wanem outage on"
t0=$(date +%s%N)
say "link 0 black-holed"
if t=$(wait_link_state wan0 down 2); then
	ok "wan0 link_state down after ${t} s (<= 2 s)"
else
	not_ok "wan0 not down within 2 s (state $(link_get client wan0 link_state))"
fi
# Let the transfer run on wan1 alone for a while.
while [ "$(ms_since "$t0")" -lt 3000 ]; do sleep 0.1; done
tx=$(link_get client wan0 tx_bytes)
wanem_ctl 0 outage both off >/dev/null || not_ok "wanem outage off"
t1=$(date +%s%N)
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
mbps=$(iperf_mbps "$BT_DIR/failover.json")
stall=$(iperf_stall "$BT_DIR/failover.json")
say "transfer: $mbps Mbit/s; longest stall $stall s"
say "ping: $(grep -E 'packet loss' "$BT_DIR/ping.log")"
say "ping: $(grep -E '^rtt' "$BT_DIR/ping.log")"
stall_ms=$(awk -v s="$stall" 'BEGIN { if (s ~ /^[0-9.]+$/) printf "%d", s * 1000; else print "?" }')
check_cmp "longest stall <= 1500 ms" "$stall_ms" -le 1500
echo "$stall" >"${BT_STALL_FILE:-/dev/null}"
# Frames lost on wan0 come back either through the server's NACKs or
# through the resend of what was in flight when wan0 went DOWN.
check_cmp "the core resent the frames lost on wan0 (NACK or failover)" \
    "$(stat_get client "j['core']['failover_resent'] + j['core']['resent']")" -gt 0

finish
