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

# Foundation: a datagram the server already accepted, sent again by
# the emulator, is dropped by the replay window and counted; it never
# reaches the tunnel (no duplicate echo replies).

. "$(dirname "$0")/lib.sh"

tunnel_up one
check "ping before" ping_ok 3
sleep 1.5
r0=$(link_sum server replay_drop)
w0=$(wanem_stat 0 "j['up']['replayed']")

out=$BT_DIR/ping.out
in_ns cl timeout 20 ping -n -c 30 -i 0.1 -W 2 198.19.0.1 >"$out" 2>&1 &
pinger=$!
BT_PIDS+=("$pinger")
sleep 1
check "wanem_ctl 0 replay up 3" wanem_ctl 0 replay up 3
wait "$pinger"
sleep 2.5

r1=$(link_sum server replay_drop)
w1=$(wanem_stat 0 "j['up']['replayed']")
say "server replay_drop $r0 -> $r1, emulator replayed $w0 -> $w1"
check_cmp "emulator replayed 3 datagrams" "$(delta "$w0" "$w1")" -eq 3
# The copies go out at once after the original: each one is dropped.
check_cmp "server replay_drop grew by 3" "$(delta "$r0" "$r1")" -eq 3
if grep -q 'DUP!' "$out"; then
	not_ok "a replayed echo request reached the server's stack (DUP!)"
else
	ok "no duplicate echo replies"
fi
check "tunnel still works" ping_ok 10

finish
