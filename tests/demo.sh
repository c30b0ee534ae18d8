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

# make demo: a one-link bonded tunnel between two network namespaces
# through the WAN emulator; pings, runs a 10 s iperf3 and shows the
# status of both ends.  Cleans up on exit; exits non-zero if the tunnel
# did not work.

BT_TEST=demo
. "$(dirname "$0")/integration/lib.sh"

section()
{
	printf '\n==== %s\n' "$*"
}

section "setup"
setup
topo_start one
gen_keys
write_server_conf
write_client_conf
say "client config:"
sed 's/^/    /' "$BT_DIR/client.yaml"
say "server config:"
sed 's/^/    /' "$BT_DIR/server.yaml"

section "starting bondd (server, then client)"
start_server
start_client

section "waiting for the handshake"
if wait_established 15; then
	ok "links established"
else
	bail "links not established within 15 s"
fi

section "ping 198.19.0.1 through the tunnel"
if in_ns cl timeout 20 ping -n -c 10 -i 0.2 -W 2 198.19.0.1; then
	ok "ping"
else
	not_ok "ping"
fi

section "iperf3, 10 s, client -> server"
bg sv timeout 60 iperf3 -s -1 -B 198.19.0.1 >"$BT_DIR/iperf3-s.log" 2>&1
sleep 1
if in_ns cl timeout 40 iperf3 -c 198.19.0.1 -t 10 -f m; then
	ok "iperf3"
else
	not_ok "iperf3"
fi

section "bondctl status (client)"
timeout 5 "$BONDCTL" -s "$BT_DIR/client.sock" status
section "bondctl status (server)"
timeout 5 "$BONDCTL" -s "$BT_DIR/server.sock" status

section "teardown"
finish
