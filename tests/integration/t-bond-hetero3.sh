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

# Bonding on hetero3 (three unequal links: up 20+10+10 Mbit/s, down
# 100+30+60, RTT 8/35/25 ms, jitter and loss): one TCP stream client ->
# server reaches 70 % of the summed up rate, and one stream server ->
# client 55 % of the summed down rate: on a 2-core test host the
# emulator and the tunnel run out of CPU near 120-146 Mbit/s (63-76 %),
# below the 190 summed, but 55 % is still more than the fastest link
# (100 Mbit/s, 53 %) carries alone.

. "$(dirname "$0")/lib.sh"

bring_up hetero3

sum=$(awk -v s="$BT_SUM_UP" 'BEGIN { printf "%.1f", s / 1e6 }')
iperf_run "$BT_DIR/up1.json" 15
rc=$?
check "iperf3 -t 15 (up) exits 0 (rc $rc)" test "$rc" -eq 0
mbps=$(iperf_mbps "$BT_DIR/up1.json")
p=$(pct "$mbps" "$sum")
say "1 stream up: $mbps Mbit/s of $sum Mbit/s summed ($p %)"
check_cmp "1-stream TCP up >= 70 % of the summed up rate" "$p" -ge 70
say "$(status client | json_get "' '.join('%s:%s' % (l['name'], l['tx_bytes']) for l in j['links'])") (tx bytes)"

sumd=$(awk -v s="$BT_SUM_DOWN" 'BEGIN { printf "%.1f", s / 1e6 }')
iperf_run "$BT_DIR/down1.json" 15 -R
rc=$?
check "iperf3 -t 15 -R (down) exits 0 (rc $rc)" test "$rc" -eq 0
mbps=$(iperf_mbps "$BT_DIR/down1.json")
p=$(pct "$mbps" "$sumd")
say "1 stream down: $mbps Mbit/s of $sumd Mbit/s summed ($p %)"
check_cmp "1-stream TCP down >= 55 % of the summed down rate" "$p" -ge 55

finish
