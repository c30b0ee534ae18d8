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

# A link whose rate nobody configured, over a plain veth (no emulator,
# no limit but the CPU): the server starts its estimate at 10 Mbit/s
# and doubles it while the traffic fills it.  One CUBIC stream down for
# 10 s gets far past the 10-20 Mbit/s an estimate stuck near its first
# guess allows (1.2-1.3 Gbit/s measured; wireguard-go carries 0.3-0.4
# on this veth), and the estimate ends far above where it began.  How
# fast it grows within the first seconds moves too much from run to
# run for a bound here: check_ratectl's test_startup_late_rates holds
# that.

. "$(dirname "$0")/lib.sh"
. "$BT_ROOT/tests/lib/topo.sh"
. "$BT_ROOT/tests/lib/direct.sh"

setup
direct_up 1 || bail "plain veth link"
BT_LINK_RATE_UP_0=0
BT_LINK_RATE_DOWN_0=0
daemons_up
wait_running 15 || bail "link not running within 15 s"
check "the client configures no rate" \
    bash -c "! grep -Eq 'up:|down:' '$BT_DIR/client.yaml'"
est0=$(stat_get server "j['links'][0]['rate_est_bps']")
say "server's estimate before the stream: ${est0:-?} bit/s"

iperf_run "$BT_DIR/down.json" 10 -R -C cubic
rc=$?
check "iperf3 -R -C cubic -t 10 exits 0 (rc $rc)" test "$rc" -eq 0
mbps=$(iperf_mbps "$BT_DIR/down.json")
say "1 stream down: $mbps Mbit/s in 10 s"
check_cmp "1 stream down >= 200 Mbit/s" "${mbps%.*}" -ge 200
est=$(stat_get server "j['links'][0]['rate_est_bps']")
say "server's estimate after it: ${est:-?} bit/s"
check_cmp "the estimate grew past 500 Mbit/s" "${est:-0}" -ge 500000000

finish
