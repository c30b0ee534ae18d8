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

# Foundation: a client configured with the wrong server public key gets
# no tunnel: no link is established, ping fails, the client logs the
# failed handshake and the server counts the failed initiations.

. "$(dirname "$0")/lib.sh"

setup
topo_start one
gen_keys
bogus=$(gen_key bogus) || bail "genkey"
write_server_conf
write_client_conf "$bogus"
start_server
start_client

est=0
end=$((SECONDS + 10))
while [ "$SECONDS" -lt "$end" ]; do
	n=$(stat_get client \
	    "sum(1 for l in j['links'] if l['state'] == 'established')")
	[ "${n:-0}" != 0 ] && { est=1; break; }
	sleep 0.2
done
check "client status answers" test -n "$(stat_get client "len(j['links'])")"
check "no client link established within 10 s" test "$est" -eq 0
check "server has no established session" \
    test "$(stat_get server \
    "any(l['state'] == 'established' for l in j['links'])")" = false
if in_ns cl timeout 10 ping -n -q -c 3 -i 0.2 -W 1 198.19.0.1 \
    >/dev/null 2>&1; then
	not_ok "ping through the tunnel fails"
else
	ok "ping through the tunnel fails"
fi
# The client may retry for a while before it says so.
end=$((SECONDS + 30))
until grep -qi handshake "$BT_DIR/client.log" || [ "$SECONDS" -ge "$end" ]; do
	sleep 0.5
done
check "client log mentions the handshake (within 30 s)" \
    grep -qi handshake "$BT_DIR/client.log"
grep -i handshake "$BT_DIR/client.log" | tail -n 2 | sed 's/^/#   /'
# Every datagram the emulator relayed to the server is an initiation
# under the wrong key and must be counted (stats reach ctld about once
# a second): at least those relayed before that second, at most those
# relayed by the time of reading.
w0=$(wanem_stat 0 "j['up']['tx_packets']")
sleep 1.5
af=$(link_sum server auth_fail)
w1=$(wanem_stat 0 "j['up']['tx_packets']")
say "server auth_fail $af; initiations relayed $w0, then $w1"
check_cmp "server auth_fail counts the initiations relayed ($w0)" \
    "$af" -ge "${w0:-x}"
check_cmp "server auth_fail counts nothing else" "$af" -le "${w1:-x}"
check_cmp "the client tried at least once" "${w0:-0}" -gt 0
check "both parents still running" \
    alive "$BT_CLIENT_PID" "$BT_SERVER_PID"

finish
