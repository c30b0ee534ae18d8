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

# One link whose rate nobody configured, jittery and 50 ms away (the
# jitter1 profile: 60 Mbit/s down, 10 ms jitter, a 50 ms queue).  One
# CUBIC stream down must get most of it: the estimate starts at
# 10 Mbit/s, and a link paced at its estimate while the estimate
# doubles per measurement ended the stream's slow start at the
# tunnel's entrance; the stream then grew by a packet a round trip and
# carried 15-18 Mbit/s in 10 s.  Startup now paces ahead of the
# estimate, and the link's floor of delay (its jitter) is no queue.

. "$(dirname "$0")/lib.sh"

setup
topo_start jitter1
rate=$(link_var RATE_DOWN 0)
BT_LINK_RATE_UP_0=0
BT_LINK_RATE_DOWN_0=0
daemons_up
wait_running 15 || bail "link not running within 15 s"
check "the client configures no rate" \
    bash -c "! grep -Eq 'up:|down:' '$BT_DIR/client.yaml'"

iperf_run "$BT_DIR/down.json" 10 -R -C cubic
rc=$?
check "iperf3 -R -C cubic -t 10 exits 0 (rc $rc)" test "$rc" -eq 0
mbps=$(iperf_mbps "$BT_DIR/down.json")
p=$(pct "$mbps" "$((rate / 1000000))")
say "1 stream down: $mbps Mbit/s of $((rate / 1000000)) Mbit/s ($p %)"
# Measured 41-50 Mbit/s (68-84 %); with the rate configured 53.6 (89 %).
check_cmp "1-stream TCP down >= 50 % of the link's rate" "$p" -ge 50
est=$(stat_get server "j['links'][0]['rate_est_bps']")
say "server's estimate: ${est:-?} bit/s"
check_cmp "the estimate is at least 70 % of the rate" \
    "$(( ${est:-0} * 100 / rate ))" -ge 70

finish
