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

# Bonding on equal2 (2 x 20/20 Mbit/s, 10 ms RTT): four TCP streams
# client -> server reach 85 % of the summed up rate, and the bytes are
# split evenly between the links.

. "$(dirname "$0")/lib.sh"

bring_up equal2

tx0=$(link_get client wan0 tx_bytes)
tx1=$(link_get client wan1 tx_bytes)
iperf_run "$BT_DIR/up4.json" 10 -P 4
rc=$?
check "iperf3 -P 4 -t 10 exits 0 (rc $rc)" test "$rc" -eq 0
# Counters reach ctld about once a second.
sleep 1.5
d0=$(delta "$tx0" "$(link_get client wan0 tx_bytes)")
d1=$(delta "$tx1" "$(link_get client wan1 tx_bytes)")

mbps=$(iperf_mbps "$BT_DIR/up4.json")
sum=$(awk -v s="$BT_SUM_UP" 'BEGIN { printf "%.1f", s / 1e6 }')
p=$(pct "$mbps" "$sum")
say "4 streams up: $mbps Mbit/s of $sum Mbit/s summed ($p %)"
check_cmp "4-stream TCP >= 85 % of the summed up rate" "$p" -ge 85

say "wan0 sent $d0 bytes, wan1 $d1 bytes"
tot=$(awk -v a="$d0" -v b="$d1" 'BEGIN { print a + b }')
# Each link is paced to its rate and both are full: over six runs on a
# busy host the two links' bytes differed by 0.6 to 5 kB of 23-24 MB
# each (50.00/50.00 %).
check_cmp "wan0 carried >= 45 % of the bytes" "$(pct "$d0" "$tot")" -ge 45
check_cmp "wan1 carried >= 45 % of the bytes" "$(pct "$d1" "$tot")" -ge 45

finish
