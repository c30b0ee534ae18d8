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

# Foundation: the one-link tunnel carries ping and a 10 s TCP stream,
# the TUN device looks right and the status counters move.

. "$(dirname "$0")/lib.sh"

tunnel_up one

c0=$(stat_get client "j['core']['tun_rx_packets']")
l0=$(link_sum client tx_packets)
s0=$(stat_get server "j['core']['tun_tx_packets']")

out=$(in_ns cl timeout 30 ping -n -c 20 -i 0.05 -W 2 198.19.0.1 2>&1)
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$out")
check "ping -c 20 through the tunnel, 0% loss (got ${loss:-?}%)" \
    test "$loss" = 0
if grep -q 'DUP!' <<<"$out"; then
	not_ok "ping saw duplicate replies"
else
	ok "no duplicate replies"
fi

bg sv timeout 60 iperf3 -s -1 -B 198.19.0.1 >"$BT_DIR/iperf3-s.log" 2>&1
sleep 1
json=$(in_ns cl timeout 40 iperf3 -c 198.19.0.1 -t 10 -J 2>&1)
rc=$?
check "iperf3 -t 10 through the tunnel exits 0 (rc $rc)" test "$rc" -eq 0
bps=$(json_get "int(j['end']['sum_received']['bits_per_second'])" \
    <<<"$json" 2>/dev/null)
say "iperf3 received ${bps:-?} bit/s"
check_cmp "iperf3 throughput > 0 bit/s" "${bps:-0}" -gt 0

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

# Stats reach ctld about once a second.
sleep 2.5
c1=$(stat_get client "j['core']['tun_rx_packets']")
l1=$(link_sum client tx_packets)
s1=$(stat_get server "j['core']['tun_tx_packets']")
check_cmp "client core tun_rx_packets grew by >= 20" "$(delta "$c0" "$c1")" -ge 20
check_cmp "client link tx_packets grew by >= 20" "$(delta "$l0" "$l1")" -ge 20
check_cmp "server core tun_tx_packets grew by >= 20" "$(delta "$s0" "$s1")" -ge 20
check_cmp "server link rx_packets > 0" "$(link_sum server rx_packets)" -gt 0
check "client status reports role client" \
    test "$(stat_get client "j['role']")" = client
check "server status reports role server" \
    test "$(stat_get server "j['role']")" = server

finish
