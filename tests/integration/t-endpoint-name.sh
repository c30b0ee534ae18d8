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

# The server by name.  In the client's namespace the name comes from
# /etc/netns/NS/hosts (ip netns exec mounts it as /etc/hosts) and no
# name server answers.  A name that does not resolve: bondd starts,
# says so in its log and in bondctl status, and its link waits (link
# state "waiting", no socket); once the name is in the hosts file the
# link starts.  A wrong address,
# then the right one and a reload: the link follows.  Every link down
# for 30 s: the name is looked up again and the link follows.  Last, a
# name that resolves to IPv6 only, on a link of its own.

. "$(dirname "$0")/lib.sh"

NAME=server.bondd.test
WRONG=198.18.0.9	# on the server's subnet, but nobody's

setup
topo_start one
gen_keys
netns_file cl resolv.conf "nameserver 127.0.0.1" ||
    bail "cannot write /etc/netns files"
netns_file cl hosts "127.0.0.1 localhost"
BT_CLIENT_ENDPOINT=$NAME
write_server_conf
write_client_conf
start_server
start_client

pe()
{
	stat_get client "(j.get('peer_endpoint') or {}).get('$1')"
}

# wait_for SECONDS EXPR VALUE: until the client's status gives VALUE.
wait_for()
{
	local end=$((SECONDS + $1))
	while [ "$SECONDS" -lt "$end" ]; do
		[ "$(stat_get client "$2" 2>/dev/null)" = "$3" ] && return 0
		sleep 0.2
	done
	return 1
}

link_ep="j['links'][0]['endpoint'] if j['links'] else None"

check "unresolved: status shows the failures" \
    wait_for 10 "(j.get('peer_endpoint') or {}).get('failures', 0) > 0" true
check "unresolved: status names the name" test "$(pe name)" = "$NAME"
check "unresolved: no address" test "$(pe address)" = null
check "unresolved: an error ($(pe error))" test "$(pe error)" != null
check "unresolved: the link waits, for no address" test \
    "$(stat_get client "[(l['link_state'], l['endpoint']) for l in j['links']]")" \
    = "[('waiting', None)]"
check "unresolved: the log says so" \
    grep -q "$NAME: does not resolve" "$BT_DIR/client.log"
check "unresolved: and why the link waits" \
    grep -q "link wan0: waits for an address of $NAME" "$BT_DIR/client.log"
out=$(timeout 5 "$BONDCTL" -s "$BT_DIR/client.sock" status)
check "unresolved: bondctl status prints it" grep -q "$NAME:5800 not resolved" \
    <<<"$out"
check "unresolved: and the link as WAIT" grep -q "wan0 .*WAIT" <<<"$out"

# In the hosts file, but at a wrong address: the lookup retried with
# its back-off finds it, the link starts there.
netns_write cl hosts "127.0.0.1 localhost" "$WRONG $NAME"
check "the name appears: the link starts at $WRONG" \
    wait_for 20 "$link_ep" "$WRONG:5800"
check "status: the address and no error" \
    test "$(pe address):$(pe error):$(pe failures)" = "$WRONG:5800:null:0"

# The right address and a reload: looked up again, the link follows.
netns_write cl hosts "127.0.0.1 localhost" "$BT_SERVER_ADDR $NAME"
out=$(timeout 10 "$BONDCTL" -s "$BT_DIR/client.sock" reload 2>&1)
check "reload accepted ($out)" grep -q '^reloaded' <<<"$out"
check "after the reload the link sends to $BT_SERVER_ADDR" \
    wait_for 10 "$link_ep" "$BT_SERVER_ADDR:5800"
if wait_established 15; then
	ok "established with the server found by name"
else
	bail "not established by name"
fi
check "ping through the tunnel" ping_ok 3

# Links up: a changed name is not looked up.
netns_write cl hosts "127.0.0.1 localhost" "$WRONG $NAME"
sleep 3
check "links up: no new lookup" \
    test "$(stat_get client "$link_ep")" = "$BT_SERVER_ADDR:5800"
# Every link down (the server stops) for 30 s: looked up again.
kill_pids "$BT_SERVER_PID"
check "every link down for 30 s: looked up again, the link follows" \
    wait_for 50 "$link_ep" "$WRONG:5800"
check "the log says why" grep -q "$NAME: every link down for 30 s" \
    "$BT_DIR/client.log"
netns_write cl hosts "127.0.0.1 localhost" "$BT_SERVER_ADDR $NAME"
start_server
check "and again 30 s later, back to $BT_SERVER_ADDR" \
    wait_for 50 "$link_ep" "$BT_SERVER_ADDR:5800"
check "established again" wait_established 15

# A name with only an IPv6 address, on a link of its own.
ns_add c6 || bail "ns c6"
C6=$NS
ns_add s6 || bail "ns s6"
S6=$NS
ip -n "$C6" link add c6-w type veth peer name s6-w netns "$S6" ||
    bail "veth c6-w"
ip -n "$C6" addr add 2001:db8:60::2/64 dev c6-w nodad
ip -n "$S6" addr add 2001:db8:60::1/64 dev s6-w nodad
ip -n "$C6" link set c6-w up
ip -n "$S6" link set s6-w up
netns_file "$C6" hosts "127.0.0.1 localhost" "2001:db8:60::1 v6.$NAME"
netns_file "$C6" resolv.conf "nameserver 127.0.0.1"
cat >"$BT_DIR/server6.yaml" <<EOC
role: server
tunnel: {name: bt6, address: 198.19.6.1/24}
identity: {private_key_file: $BT_DIR/server.key}
listen: ["[2001:db8:60::1]:5801"]
peers:
  - {name: site6, public_key: "$CLIENT_PUB", allowed_ips: [198.19.6.2/32]}
control: {socket: $BT_DIR/server6.sock}
EOC
cat >"$BT_DIR/client6.yaml" <<EOC
role: client
tunnel: {name: bt6, address: 198.19.6.2/24}
identity: {private_key_file: $BT_DIR/client.key}
peer: {public_key: "$SERVER_PUB", endpoint: "v6.$NAME:5801"}
links:
  - {name: wan6, device: c6-w}
control: {socket: $BT_DIR/client6.sock}
EOC
protect "$BT_DIR/server6.yaml" "$BT_DIR/client6.yaml"
start_daemon server6 "$S6"
start_daemon client6 "$C6"
ep6=
for ((i = 0; i < 75; i++)); do
	ep6=$(stat_get client6 "[l['endpoint'] for l in j['links'] if l['state'] == 'established']" 2>/dev/null)
	[ "$ep6" = "['[2001:db8:60::1]:5801']" ] && break
	sleep 0.2
done
check "IPv6 name: established with [2001:db8:60::1]:5801 ($ep6)" \
    test "$ep6" = "['[2001:db8:60::1]:5801']"
check "IPv6 name: ping through its tunnel" \
    in_ns "$C6" timeout 10 ping -n -q -c 3 -i 0.2 -W 2 198.19.6.1

finish
