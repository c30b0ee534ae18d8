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

# Memory at line rate: over one plain veth with no emulator and no rate
# limit (tests/lib/direct.sh), every process of both ends (parent,
# core, linkd, ctld) stays within 10 MiB resident, idle and while one
# TCP stream as fast as the host can carry it crosses the tunnel up,
# then down (t-memory.sh does the same on shaped links).  VmRSS counts
# the pages of the packet rings shared between the core and a linkd
# (RssShmem) in both processes.  A process over the bound has its
# largest mappings at its last sample printed (/proc/PID/smaps).

. "$(dirname "$0")/lib.sh"
. "$BT_ROOT/tests/lib/topo.sh"
. "$BT_ROOT/tests/lib/direct.sh"
. "$BT_ROOT/tests/lib/memory.sh"

LIMIT_KB=$((10 * 1024))
T=6

setup
direct_up 1 || bail "plain veth link"
daemons_up
wait_running 15 || bail "link not running"
ok "link running over a plain veth"

sleep 2
mem_all >"$BT_DIR/mem-idle"
check "every process of both ends sampled idle" \
    test "$(wc -l <"$BT_DIR/mem-idle")" -ge 6
mem_report idle "$BT_DIR/mem-idle" "$LIMIT_KB"

: >"$BT_DIR/mem-load"
for dir in up down; do
	args=(-P 1)
	[ "$dir" = down ] && args+=(-R)
	iperf_run "$BT_DIR/iperf-$dir.json" "$T" "${args[@]}" &
	ipid=$!
	BT_PIDS+=("$ipid")
	mem_under "$ipid" "$BT_DIR/mem-load"
	wait "$ipid"
	check "one TCP stream $dir at line rate ($(iperf_mbps "$BT_DIR/iperf-$dir.json") Mbit/s)" \
	    test "$(iperf_mbps "$BT_DIR/iperf-$dir.json")" != "?"
done
mem_report "line-rate TCP" "$BT_DIR/mem-load" "$LIMIT_KB"

finish
