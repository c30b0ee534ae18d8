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

# Random loss on one link (equal2-loss5: 2 x 20 Mbit/s, 10 ms one way,
# 5 % loss both ways on link 1): the loss never reaches the flows.  A
# UDP stream down at 20 Mbit/s arrives whole, in order, mended by parity
# (FEC: the client rebuilt frames) and resends; one TCP stream down keeps most of both links.

. "$(dirname "$0")/lib.sh"

bring_up equal2-loss5

bg sv timeout 25 "$BT_BIN/udpcheck" send -l 198.19.0.1:5900 -r 20mbit \
    -s 1200 -T 10 >"$BT_DIR/udp.s" 2>&1
spid=$BG_PID
sleep 0.3
in_ns cl timeout 25 "$BT_BIN/udpcheck" recv -c 198.19.0.1:5900 -T 15 \
    -i 2000 >"$BT_DIR/udp.r" 2>&1
wait "$spid"
sent=$(json_get "j['sent']" <"$BT_DIR/udp.s")
got=$(json_get "j['unique']" <"$BT_DIR/udp.r")
reord=$(json_get "j['reordered']" <"$BT_DIR/udp.r")
lost=$(wanem_stat 1 "j['down']['dropped_loss']")
say "UDP down: $got of $sent arrived, $reord out of order;" \
    "link 1 lost $lost datagrams"
check_cmp "the emulator did lose datagrams on link 1" "$lost" -ge 100
# Measured 0-7 of 20 000 lost (entrance drops included).
check_cmp "at most 0.5 % of the datagrams lost" \
    "$(((sent - got) * 200))" -le "$sent"
check_cmp "at most 0.5 % out of order" "$((reord * 200))" -le "$sent"
# The client's FEC decoder exists only while parity comes: it did.
check_cmp "the client rebuilt frames from parity" \
    "$(stat_get client "j['core']['peers'][0]['fec_recovered']")" -gt 0

iperf_run "$BT_DIR/down1.json" 10 -R
rc=$?
check "iperf3 -R -t 10 exits 0 (rc $rc)" test "$rc" -eq 0
mbps=$(iperf_mbps "$BT_DIR/down1.json")
sum=$(awk -v s="$BT_SUM_DOWN" 'BEGIN { printf "%.1f", s / 1e6 }')
p=$(pct "$mbps" "$sum")
say "1 stream down: $mbps Mbit/s of $sum Mbit/s summed ($p %)"
say "$(iperf_trace "$BT_DIR/down1.json")"
say "server links: $(links_trace server); emulator late at most" \
    "$(wanem_stat 0 "j['down']['late_max_us']") and" \
    "$(wanem_stat 1 "j['down']['late_max_us']") us"
# Plain TCP on the lossy link alone gets 2 Mbit/s; measured 77-84 %.
check_cmp "1-stream TCP down >= 60 % of the summed rate" "$p" -ge 60

finish
