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
# client 55 % of the summed down rate: about 85 % on a quiet 2-core
# host, where the emulator and the tunnel share the cores; the bound
# leaves room for a loaded one, and is still more than the fastest link
# (100 Mbit/s, 53 %) carries alone.  The server's core sends the frames
# that wait for their link's pace a millisecond at a time, not one per
# wake-up.

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
r0=$(stat_get server "j['core']['pace_rounds']")
f0=$(stat_get server "j['core']['paced_frames']")
iperf_run "$BT_DIR/down1.json" 15 -R
rc=$?
check "iperf3 -t 15 -R (down) exits 0 (rc $rc)" test "$rc" -eq 0
mbps=$(iperf_mbps "$BT_DIR/down1.json")
p=$(pct "$mbps" "$sumd")
say "1 stream down: $mbps Mbit/s of $sumd Mbit/s summed ($p %)"
check_cmp "1-stream TCP down >= 55 % of the summed down rate" "$p" -ge 55
# The core's counters reach bondctl about once a second.
sleep 1.2
r1=$(stat_get server "j['core']['pace_rounds']")
f1=$(stat_get server "j['core']['paced_frames']")
say "server: $((f1 - f0)) paced frames in $((r1 - r0)) rounds"
# A round per frame that came within the 2 ms burst sent 1.5 frames a
# round; a round per millisecond sends 6-7 at these rates.
check_cmp "paced frames per round (x10) >= 30" \
    "$(( (f1 - f0) * 10 / (r1 - r0 > 0 ? r1 - r0 : 1) ))" -ge 30

finish
