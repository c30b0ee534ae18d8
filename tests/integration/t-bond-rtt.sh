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

# Unequal delays (rtt20_80: 2 x 20 Mbit/s, one way 10 and 40 ms, 50 ms
# queues): an idle ping through the tunnel takes the fast link and
# costs no more than the best link alone plus a little; four TCP
# streams down fill most of both links; and a hole in flight on the
# slow link is not asked for, so duplicates (resends that were not
# needed) stay near zero; a ping during that download, a sparse flow,
# skips the links' queues and loses nothing.

. "$(dirname "$0")/lib.sh"

bring_up rtt20_80

best=$(ping_p50 -I "$(link_var ADDR 0)" "$BT_SERVER_ADDR")
tun=$(ping_p50 198.19.0.1)
say "idle ping p50: $tun ms through the tunnel, $best ms on link 0 alone"
# The tunnel's own cost is a few hundred microseconds; a batch or timer
# holding idle packets would cost milliseconds.
check "idle ping through the tunnel within 2 ms of the best link" \
    awk -v t="$tun" -v b="$best" 'BEGIN { exit !(t != "?" && b != "?" &&
    t <= b + 2) }'

f0=$(stat_get client "j['core']['tun_tx_packets']")
d0=$(stat_get client "j['core']['reorder_dup']")
n0=$(stat_get server "j['core']['resent']")
# 40 pings from 2 s into the download, past slow start.
( sleep 2; in_ns cl timeout 14 ping -n -c 40 -i 0.2 -W 2 198.19.0.1 \
    >"$BT_DIR/loadping.txt" 2>&1 ) &
BT_PIDS+=($!)
pinger=$!
iperf_run "$BT_DIR/down4.json" 10 -R -P 4
rc=$?
wait "$pinger"
check "iperf3 -R -P 4 -t 10 exits 0 (rc $rc)" test "$rc" -eq 0
sleep 1.5
mbps=$(iperf_mbps "$BT_DIR/down4.json")
sum=$(awk -v s="$BT_SUM_DOWN" 'BEGIN { printf "%.1f", s / 1e6 }')
p=$(pct "$mbps" "$sum")
say "4 streams down: $mbps Mbit/s of $sum Mbit/s summed ($p %)"
# The tunnel's ceiling is about 90 % of the sum; measured 86-89 %.
check_cmp "4-stream TCP down >= 75 % of the summed rate" "$p" -ge 75
# The replies come down beside four streams that fill both links: behind
# their queue they took 59-76 ms and 2-4 of 40 were dropped at the
# entrance (load 10); skipping it, 33-40 ms at load 10, 22 ms quiet.
busy=$(sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' "$BT_DIR/loadping.txt" |
    sort -n | awk '{ v[NR] = $1 }
    END { if (NR == 0) print "? 0"; else print v[int((NR + 1) / 2)], NR }')
read -r busy_p50 busy_n <<<"$busy"
say "ping during the download: p50 $busy_p50 ms, $busy_n of 40 answered"
check "ping during the download within 20 ms of the idle best link" \
    awk -v t="$busy_p50" -v b="$best" 'BEGIN { exit !(t + 0 > 0 &&
    b + 0 > 0 && t <= b + 20) }'
check_cmp "at most one ping of 40 lost during the download" \
    "${busy_n:-0}" -ge 39
frames=$(delta "$f0" "$(stat_get client "j['core']['tun_tx_packets']")")
dups=$(delta "$d0" "$(stat_get client "j['core']['reorder_dup']")")
resent=$(delta "$n0" "$(stat_get server "j['core']['resent']")")
say "$frames packets written, $dups duplicates, $resent frames resent"
check_cmp "at least 20 000 packets came down" "$frames" -ge 20000
# No link loses anything here: every resend is one not needed, and
# arrives as a duplicate.  The pings' replies skip the server's queues
# and must not make the frames still queued look lost: measured 0 in
# 33 000.
check_cmp "duplicates under 0.1 % of the packets" "$((dups * 1000))" -le \
    "$frames"
check_cmp "resends under 0.1 % of the packets" "$((resent * 1000))" -le \
    "$frames"

finish
