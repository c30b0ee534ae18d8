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
# (ping -M do at the MTU passes, one byte more is refused locally);
# small packets on an idle link leave at once, one frame each, and on a
# busy link share frames while they wait for its pace; all arrive
# complete, once each.

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

# send RATE_BPS SECONDS: 64-byte datagrams (92-byte IP packets) through
# the tunnel; sets pkts and frames (core counters) and r (receiver JSON).
send()
{
	local f0 p0 f1 p1 rx
	bg sv timeout 20 "$BT_BIN/udpcheck" recv -l 198.19.0.1:9000 \
	    -T $(($2 + 3)) >"$BT_DIR/udp-recv.json" 2>"$BT_DIR/udp-recv.err"
	rx=$BG_PID
	sleep 0.5
	f0=$(stat_get client "j['core']['frames_tx']")
	p0=$(stat_get client "j['core']['tun_rx_packets']")
	in_ns cl timeout 20 "$BT_BIN/udpcheck" send -t 198.19.0.1:9000 \
	    -r "$1" -s 64 -T "$2" -q >"$BT_DIR/udp-send.json" 2>&1
	wait "$rx"
	sleep 1.5
	f1=$(stat_get client "j['core']['frames_tx']")
	p1=$(stat_get client "j['core']['tun_rx_packets']")
	frames=$((f1 - f0))
	pkts=$((p1 - p0))
	r=$(cat "$BT_DIR/udp-recv.json")
	sent=$(json_get "j['sent']" <"$BT_DIR/udp-send.json")
	say "$pkts packets in $frames frames;" \
	    "delay p50 $(json_get "j['delay_p50_ms']" <<<"$r") ms," \
	    "p99 $(json_get "j['delay_p99_ms']" <<<"$r") ms"
	check "receiver got JSON" test -n "$r"
	check_cmp "every datagram arrived (sent $sent)" \
	    "$(json_get "j['unique']" <<<"$r")" -eq "$sent"
	check_cmp "no duplicates" "$(json_get "j['duplicates']" <<<"$r")" -eq 0
	check_cmp "none corrupted" "$(json_get "j['corrupt']" <<<"$r")" -eq 0
}

# An idle link: 200 small packets a second each leave at once, alone;
# nothing waits for company.  Probes (10 a second each way) are frames
# of linkd, not counted here.
send 147200 3
check_cmp "idle: about 600 packets went into the tunnel" "$pkts" -ge 590
check_cmp "idle: each left in a frame of its own" "$frames" -ge \
    $((pkts * 95 / 100))
p50=$(json_get "int(j['delay_p50_ms'] * 1000)" <<<"$r")
check_cmp "idle: one-way delay p50 ${p50} us below 1 ms" "$p50" -le 1000

# A busy link: at 2 Mbit/s, 2 000 small packets a second (2.7 Mbit/s
# if each went alone) wait in the link's queue and share frames there.
sed -i -E 's/, up: [^,}]*//; s/\{name: wan0, /{name: wan0, up: 2mbit, /' \
    "$BT_DIR/client.yaml"
check "reload to a 2 Mbit/s link" "$BONDCTL" -s "$BT_DIR/client.sock" reload
sleep 1
send 1472000 5
check_cmp "busy: about 10 000 packets went into the tunnel" "$pkts" -ge 9500
check_cmp "busy: packets shared frames (at most half as many frames)" \
    "$frames" -le $((pkts / 2))
p99=$(json_get "int(j['delay_p99_ms'] * 1000)" <<<"$r")
# The entrance queue holds 40 ms; slack for a loaded test host.
check_cmp "busy: one-way delay p99 ${p99} us below 60 ms" "$p99" -le 60000
finish
