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

# make demo: bonds the three emulated DSL lines of profile dsl3 (8/1
# Mbit/s each, 15 ms RTT) between two network namespaces; runs a 10 s
# download through the bond, then 5 s through the best single link
# alone (the same tunnel with a client of one link), prints both and
# the client's bondctl status.  Cleans up on exit; exits non-zero if
# the tunnel did not work.

BT_TEST=demo
. "$(dirname "$0")/integration/lib.sh"

PROFILE=${BT_DEMO_PROFILE:-dsl3}

section()
{
	printf '\n==== %s\n' "$*"
}

section "setup: profile $PROFILE"
setup
topo_start "$PROFILE"
sed -n 's/^link /    link /p' "$(topo_profile_path "$PROFILE")"
gen_keys
write_server_conf
write_client_conf
say "client config:"
sed 's/^/    /' "$BT_DIR/client.yaml"

section "starting bondd (server, then client)"
start_server
start_client

section "waiting until every link is running"
wait_established 15 || bail "links not established within 15 s"
if wait_running 15; then
	ok "$BT_NLINKS links running"
else
	bail "links not running within 15 s"
fi

section "ping 198.19.0.1 through the tunnel"
if in_ns cl timeout 20 ping -n -c 10 -i 0.2 -W 2 198.19.0.1; then
	ok "ping"
else
	not_ok "ping"
fi

section "bonded: iperf3 10 s, server -> client (download)"
if iperf_run "$BT_DIR/bond.json" 10 -R; then
	bond=$(iperf_mbps "$BT_DIR/bond.json")
	ok "bonded download $bond Mbit/s"
else
	bond=failed
	not_ok "bonded iperf3"
fi

# Kept for the end: the status of the bond, not of the single link.
st=$(timeout 5 "$BONDCTL" -s "$BT_DIR/client.sock" status 2>&1)

section "best single link: the same tunnel with wan0 only, 5 s"
# Both ends start afresh: a server keeps the tunnel's sequence state of
# a client that restarts and drops its packets as duplicates.
kill_pids "${BT_PIDS[@]}"
BT_PIDS=()
BT_CLIENT_LINKS=0 write_client_conf
start_server
start_client
single=failed
if wait_established 15 && wait_running 15 &&
    iperf_run "$BT_DIR/single.json" 5 -R; then
	single=$(iperf_mbps "$BT_DIR/single.json")
	ok "single-link download $single Mbit/s"
else
	not_ok "single-link iperf3"
fi

section "result"
printf '    %-28s %8s Mbit/s  (links: %s Mbit/s summed)\n' \
    "bonded ($BT_NLINKS links)" "$bond" "$(awk -v s="$BT_SUM_DOWN" 'BEGIN { print s / 1e6 }')"
printf '    %-28s %8s Mbit/s  (link: %s Mbit/s)\n' \
    "best single link (wan0)" "$single" \
    "$(awk -v s="$(link_var RATE_DOWN 0)" 'BEGIN { print s / 1e6 }')"

section "bondctl status (client, right after the bonded run)"
printf '%s\n' "$st"

section "teardown"
finish
