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

# NACK amplification: the client runs build/hooks/bondd, whose core
# names every hole of a NACK again until the NACK holds 64 entries, as
# a hostile peer would.  Over a lossy link (equal2-loss5) the server
# resends each distinct request once at most: its resends never exceed
# the sequence numbers the client asked for, the repeats are counted as
# ignored.  (Delivery over this link is t-bond-loss's: here it only
# shows in the log, as it varies with the load of the test host.)

. "$(dirname "$0")/lib.sh"

setup
[ -x "$BT_BIN/hooks/bondd" ] || bail "$BT_BIN/hooks/bondd not built"
topo_start equal2-loss5
gen_keys
# No parity from the server: every hole is asked for.
BT_SERVER_EXTRA="fec: {mode: off}"
write_server_conf
write_client_conf
start_server
# The client's bondd finds linkd next to itself: the normal one.
mkdir -p "$BT_DIR/bin"
cp "$BT_BIN/hooks/bondd" "$BT_BIN/linkd" "$BT_BIN/ctld" "$BT_DIR/bin/" ||
    bail "copy binaries"
BONDD=$BT_DIR/bin/bondd
start_client
wait_established 15 || bail "links not established within 15 s"
wait_running 15 || bail "links not running within 15 s"

# 30 Mbit/s needs both 20 Mbit/s links, the lossy one too: on a
# quiet host 10 Mbit/s fit the clean link alone and left few holes.
bg sv timeout 20 "$BT_BIN/udpcheck" send -l 198.19.0.1:5900 -r 30mbit \
    -s 1200 -T 8 >"$BT_DIR/udp.s" 2>&1
spid=$BG_PID
sleep 0.3
in_ns cl timeout 20 "$BT_BIN/udpcheck" recv -c 198.19.0.1:5900 -T 12 \
    -i 2000 >"$BT_DIR/udp.r" 2>&1
wait "$spid"
sent=$(json_get "j['sent']" <"$BT_DIR/udp.s")
got=$(json_get "j['unique']" <"$BT_DIR/udp.r")
sleep 1.5	# a status snapshot after the last resend
asked=$(stat_get client "j['core']['nack_tx']")
rx=$(stat_get server "j['core']['nack_rx']")
resent=$(stat_get server "j['core']['resent']")
ignored=$(stat_get server "j['core']['nack_ignored']")
say "UDP down: $got of $sent arrived; client asked $asked holes," \
    "server got $rx entries, resent $resent, ignored $ignored"
check_cmp "the client asked for holes" "$asked" -ge 20
check_cmp "the repeats reached the server (entries >= 4 x holes)" \
    "$rx" -ge "$((4 * asked))"
check_cmp "one resend per hole asked at most" "$resent" -le "$asked"
check_cmp "the server resent" "$resent" -ge 1
check_cmp "the repeats were counted as ignored" "$ignored" -ge 1

finish
