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

# bondctl link NAME down|up on equal2 during a TCP transfer: within 2 s
# of "down" wan0 carries nothing more (all traffic on wan1) and status
# shows it admin down; after "up" it carries traffic again within 5 s.
# A link name that does not exist makes bondctl exit non-zero.

. "$(dirname "$0")/lib.sh"

bring_up equal2

ctl()
{
	timeout 5 "$BONDCTL" -s "$BT_DIR/client.sock" "$@"
}

# tx_after NAME SECONDS: wan NAME's tx_bytes SECONDS from now.
tx_after()
{
	sleep "$2"
	link_get client "$1" tx_bytes
}

iperf_server 60 || bail "iperf3 server did not listen"
in_ns cl timeout 40 iperf3 -c 198.19.0.1 -J -t 16 -P 2 \
    >"$BT_DIR/linkdown.json" 2>&1 &
IPERF=$!
BT_PIDS+=("$IPERF")
sleep 3

out=$(ctl link wan0 down 2>&1)
rc=$?
check "bondctl link wan0 down exits 0 (rc $rc: $out)" test "$rc" -eq 0
# Stats reach ctld about once a second: from 2 s on wan0 must be still.
a0=$(tx_after wan0 2)
a1=$(link_get client wan1 tx_bytes)
b0=$(tx_after wan0 2)
b1=$(link_get client wan1 tx_bytes)
d0=$(delta "$a0" "$b0")
d1=$(delta "$a1" "$b1")
say "2 s with wan0 down: wan0 sent $d0 bytes, wan1 $d1 bytes"
check_cmp "wan0 sent < 20 kB in those 2 s" "$d0" -lt 20000
check_cmp "wan1 carried the traffic (> 2 MB in 2 s)" "$d1" -gt 2000000
check "status shows wan0 admin down" \
    test "$(link_get client wan0 admin)" = down
check "status shows wan1 admin up" \
    test "$(link_get client wan1 admin)" = up

out=$(ctl link wan0 up 2>&1)
rc=$?
check "bondctl link wan0 up exits 0 (rc $rc: $out)" test "$rc" -eq 0
t0=$SECONDS
back=
while [ $((SECONDS - t0)) -lt 5 ]; do
	g=$(delta "$b0" "$(link_get client wan0 tx_bytes)")
	if [[ $g =~ ^[0-9]+$ ]] && [ "$g" -ge 300000 ]; then
		back=$((SECONDS - t0))
		break
	fi
	sleep 0.2
done
if [ -n "$back" ]; then
	ok "wan0 carries traffic again after link up (+$g bytes, ~$back s)"
else
	not_ok "wan0 not carrying traffic within 5 s of link up (+$g bytes)"
fi
check "status shows wan0 admin up" \
    test "$(link_get client wan0 admin)" = up

wait "$IPERF"
rc=$?
check "the transfer completed (iperf3 rc $rc)" test "$rc" -eq 0
say "transfer: $(iperf_mbps "$BT_DIR/linkdown.json") Mbit/s"

out=$(ctl link nosuchlink down 2>&1)
rc=$?
say "bondctl link nosuchlink down: rc $rc: $out"
check "bondctl link on an unknown link exits non-zero" test "$rc" -ne 0
out=$(ctl link wan0 sideways 2>&1)
rc=$?
check "bondctl link wan0 sideways exits non-zero (rc $rc)" test "$rc" -ne 0

finish
