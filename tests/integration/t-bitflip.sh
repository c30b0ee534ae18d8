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

# Foundation: a datagram with one flipped bit is dropped by the
# receiving linkd and counted as an authentication failure; the tunnel
# keeps working.

. "$(dirname "$0")/lib.sh"

tunnel_up one
check "ping before" ping_ok 3
sleep 1.5
a0=$(link_sum server auth_fail)
m0=$(link_sum server malformed)
f0=$(wanem_stat 0 "j['up']['flipped']")

bg cl timeout 20 ping -n -q -c 30 -i 0.1 -W 2 198.19.0.1
pinger=$BG_PID
sleep 0.5
check "wanem_ctl 0 flip up 1" wanem_ctl 0 flip up 1
wait "$pinger"
sleep 2.5

a1=$(link_sum server auth_fail)
m1=$(link_sum server malformed)
f1=$(wanem_stat 0 "j['up']['flipped']")
say "server auth_fail $a0 -> $a1, malformed $m0 -> $m1"
check_cmp "emulator flipped one datagram" "$(delta "$f0" "$f1")" -eq 1
# The flip lands past the header, in the ciphertext or the tag: the
# one datagram fails authentication, and nothing else does.
check_cmp "server auth_fail grew by the one flipped datagram" \
    "$(delta "$a0" "$a1")" -eq 1
check_cmp "server malformed unchanged" "$(delta "$m0" "$m1")" -eq 0
check "tunnel still works after the flipped datagram" ping_ok 10
check "client links still established" all_established client

finish
