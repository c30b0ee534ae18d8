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

# Live sites on a server: `bondctl reload` adds a site, gives it a new
# key, takes the old one back and removes the site, while site1 (the
# usual client) pings the server every 50 ms: site1 loses no ping and
# keeps its session (no handshake beyond those it had); site2 carries
# traffic once added, is refused under a key the server no longer
# knows, and loses its session when removed.  site2 is a second client
# bondd in its own namespace, wired to the router without an emulator.

. "$(dirname "$0")/lib.sh"

setup
topo_start one
gen_keys
SITE2_PUB=$(gen_key site2) && [ -n "$SITE2_PUB" ] || bail "genkey site2"
OTHER_PUB=$(gen_key other) && [ -n "$OTHER_PUB" ] || bail "genkey other"

# Site2's namespace, 198.18.60.2 behind the router.
ns_add s2 || bail "namespace s2"
S2=$NS
ip -n "$S2" link add s2-w type veth peer name rt-s2 \
    netns "$(ns_name rt)" || bail "veth s2"
ip -n "$S2" addr add 198.18.60.2/24 dev s2-w
ip -n "$S2" link set s2-w up
ip -n "$(ns_name rt)" addr add 198.18.60.1/24 dev rt-s2
ip -n "$(ns_name rt)" link set rt-s2 up
ip -n "$S2" route add 198.18.0.0/24 via 198.18.60.1

cat >"$BT_DIR/site2.yaml" <<EOF
role: client
tunnel: {name: bt0, address: 198.19.0.3/24}
identity: {private_key_file: $BT_DIR/site2.key}
peer: {public_key: "$SERVER_PUB", endpoint: $(server_endpoint)}
links:
  - {name: wan0, device: s2-w}
control: {socket: $BT_DIR/site2.sock}
EOF
protect "$BT_DIR/site2.yaml"

# Server files: site1 alone; with site2; with site2 under another key.
write_server_conf
write_client_conf
cp "$BT_DIR/server.yaml" "$BT_DIR/one.yaml"
sed "/^control:/i\\  - {name: site2, public_key: \"$SITE2_PUB\", allowed_ips: [198.19.0.3/32]}" \
    "$BT_DIR/one.yaml" >"$BT_DIR/two.yaml"
sed "s|$SITE2_PUB|$OTHER_PUB|" "$BT_DIR/two.yaml" >"$BT_DIR/rekeyed.yaml"
grep -q "name: site2" "$BT_DIR/two.yaml" || bail "two.yaml has no site2"
protect "$BT_DIR"/*.yaml

use_conf()
{
	cp "$BT_DIR/$1.yaml" "$BT_DIR/server.yaml"
	protect "$BT_DIR/server.yaml"
}

reload()
{
	timeout 10 "$BONDCTL" -s "$BT_DIR/server.sock" reload 2>&1
}

# peer_get PEER FIELD: a field of the server's session with PEER,
# "none" without one.
peer_get()
{
	stat_get server "next((l['$2'] for l in j['links'] if l.get('peer') == '$1' and l['state'] != 'none'), 'none')"
}

site2_ping()
{
	ip netns exec "$S2" timeout 3 ping -n -q -c 1 -W 1 198.19.0.1 \
	    >/dev/null 2>&1
}

# wait_for SECONDS CMD...: until CMD succeeds.
wait_for()
{
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}

site2_established()
{
	[ "$(peer_get site2 state)" = established ]
}

site2_gone()
{
	[ "$(peer_get site2 state)" = none ]
}

use_conf one
start_server
start_client
wait_established 15 || bail "site1 not established"
wait_running 15 || bail "site1 not running"
ok "site1 established and running"
start_daemon site2 "$S2"
sleep 2
check "site2 not established while the server does not know it" site2_gone

# site1 pings the server every 50 ms through all of it (at most 90 s),
# until stopped at the end (ip netns exec becomes ping: $! is ping).
ip netns exec "$(ns_name cl)" ping -n -i 0.05 -W 2 -w 90 198.19.0.1 \
    >"$BT_DIR/ping.log" 2>&1 &
ping_pid=$!
BT_PIDS+=("$ping_pid")
sleep 2
hs1=$(peer_get site1 handshakes)

# 1. Add site2.
use_conf two
out=$(reload)
check "add site2: reload says 1 added ($out)" \
    grep -q "peers: 1 added, 1 unchanged" <<<"$out"
check "site2 established within 5 s" wait_for 5 site2_established
check "site2 pings the server" wait_for 5 site2_ping
check_cmp "site1 handshakes unchanged" "$(peer_get site1 handshakes)" -eq "$hs1"

# 2. site2 under a key its client does not hold: its session ends, its
# client is refused; then the right key again, and it comes back.
use_conf rekeyed
out=$(reload)
check "new key: reload says 1 new key ($out)" grep -q "1 new key" <<<"$out"
check "site2's session ended" wait_for 5 site2_gone
sleep 1
if site2_ping; then
	not_ok "site2 refused under a key it does not hold"
else
	ok "site2 refused under a key it does not hold"
fi
use_conf two
out=$(reload)
check "old key back: reload says 1 new key ($out)" grep -q "1 new key" <<<"$out"
check "site2 established again within 5 s" wait_for 5 site2_established
check "site2 pings again" wait_for 5 site2_ping

# 3. Remove site2.
use_conf one
out=$(reload)
check "remove site2: reload says 1 removed ($out)" \
    grep -q "peers: 1 removed, 1 unchanged" <<<"$out"
check "site2's session ended" wait_for 5 site2_gone
sleep 1
if site2_ping; then
	not_ok "site2 no longer reaches the server"
else
	ok "site2 no longer reaches the server"
fi
check_cmp "site1 handshakes unchanged" "$(peer_get site1 handshakes)" -eq "$hs1"

# 4. site1 lost nothing: every request up to the last answered one has
# its reply (the one in flight when ping is stopped may not).
sleep 1
kill -INT "$ping_pid"
wait "$ping_pid"
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$BT_DIR/ping.log")
say "site1 ping: $(grep transmitted "$BT_DIR/ping.log")"
seqs=$(sed -n 's/.*bytes from.*icmp_seq=\([0-9]*\) .*/\1/p' "$BT_DIR/ping.log" |
    sort -n | uniq)
last=$(tail -n 1 <<<"$seqs")
check_cmp "site1 ping: over 300 requests" "${sent:-0}" -gt 300
check_cmp "site1 ping: replies to every request up to the last" \
    "$(wc -l <<<"$seqs")" -eq "${last:-x}"
check_cmp "site1 ping: the last reply is for one of the last two" \
    "${last:-0}" -ge $((${sent:-2} - 1))
check "every bondd still running" \
    alive "$BT_SERVER_PID" "$BT_CLIENT_PID" "$BT_SITE2_PID"

finish
