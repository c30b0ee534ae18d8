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

# Foundation: the one-link tunnel carries ping and a 10 s TCP stream
# at a real fraction of the link's rate, the TUN device looks right and
# the status counters count the stream's packets.

. "$(dirname "$0")/lib.sh"

tunnel_up one

out=$(in_ns cl timeout 30 ping -n -c 20 -i 0.05 -W 2 198.19.0.1 2>&1)
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$out")
check "ping -c 20 through the tunnel, 0% loss (got ${loss:-?}%)" \
    test "$loss" = 0
if grep -q 'DUP!' <<<"$out"; then
	not_ok "ping saw duplicate replies"
else
	ok "no duplicate replies"
fi

# The counters before the stream (they reach ctld about once a second,
# which only adds the pings above to what they count).
c0=$(stat_get client "j['core']['tun_rx_packets']")
l0=$(link_sum client tx_packets)
s0=$(stat_get server "j['core']['tun_tx_packets']")
r0=$(link_sum server rx_packets)
t0=$SECONDS

bg sv timeout 60 iperf3 -s -1 -B 198.19.0.1 >"$BT_DIR/iperf3-s.log" 2>&1
sleep 1
in_ns cl timeout 40 iperf3 -c 198.19.0.1 -t 10 -J >"$BT_DIR/iperf3.json" 2>&1
rc=$?
check "iperf3 -t 10 through the tunnel exits 0 (rc $rc)" test "$rc" -eq 0
bps=$(json_get "int(j['end']['sum_received']['bits_per_second'])" \
    <"$BT_DIR/iperf3.json" 2>/dev/null)
rcvd=$(json_get "j['end']['sum_received']['bytes']" <"$BT_DIR/iperf3.json" 2>/dev/null)
# The emulated link carries 1 Gbit/s, but on a 2-core host the
# emulator and both tunnel ends run out of CPU first, near 250-350
# Mbit/s: a tenth of the link is the floor.
rate=$(link_var RATE_UP 0)
say "iperf3 received ${bps:-?} bit/s of a $rate bit/s link"
check_cmp "iperf3 throughput >= 10 % of the link rate" "${bps:-0}" -ge \
    $((rate / 10))

# The TUN device in the client namespace.
link=$(in_ns cl ip -d link show bt0 2>&1)
check "bt0 exists in the client namespace" grep -q 'bt0' <<<"$link"
check "bt0 is a tun device" grep -qw tun <<<"$link"
mtu=$(sed -n 's/.* mtu \([0-9]*\) .*/\1/p' <<<"$link" | head -1)
smtu=$(stat_get client "j['tunnel']['mtu']")
check_cmp "bt0 MTU matches status tunnel.mtu" "${mtu:-x}" -eq "${smtu:-y}"
check "status tunnel.name is bt0" \
    test "$(stat_get client "j['tunnel']['name']")" = bt0
check "bt0 has 198.19.0.2/24" grep -q '198.19.0.2/24' \
    <<<"$(in_ns cl ip addr show bt0)"

# Stats reach ctld about once a second.  Each packet through the TUN
# device holds at most an MTU of the bytes the server received, each
# datagram on the link at most 1500 (the link's MTU): the counters must
# have grown by that many at least, and by ten times what an idle link
# sends meanwhile.
sleep 2.5
idle=$(idle_packets client $((SECONDS - t0)))
floor()
{
	awk -v b="$1" -v m="$2" -v i="$idle" 'BEGIN {
		if (b !~ /^[0-9]+$/ || m !~ /^[0-9]+$/ || m == 0 ||
		    i !~ /^[0-9]+$/) { print "?"; exit }
		n = int(b / m); print (n > 10 * i ? n : 10 * i) }'
}
say "idle probes and keepalives: <= $idle datagrams a link meanwhile"
check_cmp "client core tun_rx_packets grew by >= received / MTU $smtu" \
    "$(delta "$c0" "$(stat_get client "j['core']['tun_rx_packets']")")" \
    -ge "$(floor "$rcvd" "$smtu")"
check_cmp "client link tx_packets grew by >= received / 1500" \
    "$(delta "$l0" "$(link_sum client tx_packets)")" -ge "$(floor "$rcvd" 1500)"
check_cmp "server core tun_tx_packets grew by >= received / MTU $smtu" \
    "$(delta "$s0" "$(stat_get server "j['core']['tun_tx_packets']")")" \
    -ge "$(floor "$rcvd" "$smtu")"
check_cmp "server link rx_packets grew by >= received / 1500" \
    "$(delta "$r0" "$(link_sum server rx_packets)")" -ge "$(floor "$rcvd" 1500)"
check "client status reports role client" \
    test "$(stat_get client "j['role']")" = client
check "server status reports role server" \
    test "$(stat_get server "j['role']")" = server

finish
