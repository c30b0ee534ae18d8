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

# Packets through one link: the tunnel MTU holds without fragmenting
# (ping -M do at the MTU passes, one byte more is refused locally), and
# 10 000 small packets a second share frames under the 1 ms timer
# (at most 2 000 frames a second), arriving complete, once each, with
# little added delay.

. "$(dirname "$0")/lib.sh"

tunnel_up one
wait_running 10 || bail "link not running"

mtu=$(stat_get client "j['tunnel']['mtu']")
check "ping -M do -s $((mtu - 28)) fits the tunnel MTU $mtu" \
    in_ns cl timeout 10 ping -n -c 2 -i 0.2 -W 2 -M do -s $((mtu - 28)) \
    198.19.0.1
out=$(in_ns cl timeout 10 ping -n -c 1 -W 2 -M do -s $((mtu - 27)) \
    198.19.0.1 2>&1)
check "ping -M do -s $((mtu - 27)) is refused: message too long" \
    grep -qi 'message too long' <<<"$out"

bg sv timeout 20 "$BT_BIN/udpcheck" recv -l 198.19.0.1:9000 -T 8 \
    >"$BT_DIR/udp-recv.json" 2>"$BT_DIR/udp-recv.err"
rx=$BG_PID
sleep 0.5
f0=$(stat_get client "j['core']['frames_tx']")
p0=$(stat_get client "j['core']['tun_rx_packets']")
# 64-byte payloads: 92-byte IP packets, 10 000 a second.
in_ns cl timeout 20 "$BT_BIN/udpcheck" send -t 198.19.0.1:9000 \
    -r 7360000 -s 64 -T 5 -q >"$BT_DIR/udp-send.json" 2>&1
wait "$rx"
sleep 2.5
f1=$(stat_get client "j['core']['frames_tx']")
p1=$(stat_get client "j['core']['tun_rx_packets']")
frames=$((f1 - f0))
pkts=$((p1 - p0))
say "$pkts packets in $frames frames"
check_cmp "about 50 000 packets went into the tunnel" "$pkts" -ge 45000
check_cmp "at most 2 000 frames a second (got $frames in 5 s)" \
    "$frames" -le 10000
r=$(cat "$BT_DIR/udp-recv.json")
check "receiver got JSON" test -n "$r"
sent=$(json_get "j['sent']" <"$BT_DIR/udp-send.json")
check_cmp "every datagram arrived (sent $sent)" \
    "$(json_get "j['unique']" <<<"$r")" -eq "$sent"
check_cmp "no duplicates" "$(json_get "j['duplicates']" <<<"$r")" -eq 0
check_cmp "none corrupted" "$(json_get "j['corrupt']" <<<"$r")" -eq 0
p99=$(json_get "int(j['delay_p99_ms'] * 1000)" <<<"$r")
# The 1 ms timer plus generous slack for a loaded 2-core test host.
check_cmp "one-way delay p99 ${p99} us below 10 ms" "$p99" -le 10000
finish
