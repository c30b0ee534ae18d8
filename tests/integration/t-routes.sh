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

# Routes that fail closed.  A LAN behind the client reaches an
# internet host behind the server (which masquerades) through the
# tunnel, IPv4 and IPv6, by the client's tunnel.routes 0.0.0.0/0 and
# ::/0 and the server's routes to the site's allowed_ips, which follow
# a reload.  The client keeps a default route by a WAN: while its
# bondd is killed and started again, with persist, the LAN keeps
# sending and tcpdump on every WAN device sees none of its packets in
# clear (and, as a control, does see them before bondd ever ran).
# bondd -k refuses while bondd runs, then removes the device, its
# routes and its rules; without persist they go when bondd stops.

. "$(dirname "$0")/lib.sh"

setup
topo_start equal2
topo_edge_up || bail "topo_edge_up"
gen_keys
BT_CLIENT_TUNNEL="routes: [0.0.0.0/0, '::/0'], persist: true"
BT_SERVER_ALLOWED="$BT_LAN_NET, '$BT_LAN_NET6'"
write_server_conf
write_client_conf
# Each WAN has its default route, as a router's DHCP client sets them.
for ((k = 0; k < BT_NLINKS; k++)); do
	in_ns cl ip route add default via "198.18.$((10 + k)).1" \
	    dev "cl-w$k" metric $((10 + k)) || bail "default route $k"
done

FILTER="host $BT_LAN_ADDR or host $BT_NET_ADDR"
# capture_start: tcpdump on every WAN device of the client, for what
# the LAN or the internet host send or receive; TCPDUMP_PIDS.
capture_start()
{
	local k i
	TCPDUMP_PIDS=()
	for ((k = 0; k < BT_NLINKS; k++)); do
		rm -f "$BT_DIR/wan$k.pcap" "$BT_DIR/tcpdump$k.log"
		bg cl timeout 120 tcpdump -i "cl-w$k" -n -U -Z root \
		    -w "$BT_DIR/wan$k.pcap" "$FILTER" \
		    2>"$BT_DIR/tcpdump$k.log"
		TCPDUMP_PIDS+=("$BG_PID")
		for ((i = 0; i < 50; i++)); do
			grep -q 'listening on' "$BT_DIR/tcpdump$k.log" && break
			sleep 0.1
		done
	done
}

# capture_count: stop the captures and print the packets they saw.
capture_count()
{
	local k n=0 c
	kill_pids "${TCPDUMP_PIDS[@]}"
	for ((k = 0; k < BT_NLINKS; k++)); do
		c=$(tcpdump -r "$BT_DIR/wan$k.pcap" -n 2>/dev/null | wc -l)
		n=$((n + c))
	done
	echo "$n"
}

# lan_ping ADDR COUNT: pings from the LAN host, all answered.
lan_ping()
{
	in_lan timeout 20 ping -n -q -c "$2" -i 0.1 -W 2 "$1" >/dev/null 2>&1
}

# The control: without bondd the LAN leaves by the WAN in clear, and
# the capture sees it.
capture_start
in_lan timeout 5 ping -n -q -c 5 -i 0.1 -W 1 "$BT_NET_ADDR" >/dev/null 2>&1
check_cmp "control: without bondd the LAN's pings leave by a WAN in clear" \
    "$(capture_count)" -ge 5

start_server
start_client
wait_established 15 || bail "links not established within 15 s"
ok "links established"

table=$(in_ns cl ip route show table 5800)
check "client: default dev bt0 in table 5800" \
    grep -q '^default dev bt0 proto 58' <<<"$table"
check "client: a blackhole backs it" \
    grep -q '^blackhole default proto 58 metric 4294967295' <<<"$table"
check "client: ::/0 dev bt0 in table 5800" \
    grep -q '^default dev bt0 proto 58' <<<"$(in_ns cl ip -6 route show table 5800)"
uid=$(id -u "$BT_USER")
for v in 4 6; do
	rules=$(in_ns cl ip -$v rule)
	check "client: IPv$v rule main without its default routes" \
	    grep -q '^32760:.*lookup main suppress_prefixlength 0' <<<"$rules"
	check "client: IPv$v rule table 5800 but for uid $uid" \
	    grep -q "^32761:.*not from all uidrange $uid-$uid lookup 5800" \
	    <<<"$rules"
done
check "server: the site's LAN is routed into bt0" \
    grep -q "^$BT_LAN_NET dev bt0 proto 58" <<<"$(in_ns sv ip route)"
check "server: the site's IPv6 LAN is routed into bt0" \
    grep -q "^$BT_LAN_NET6 dev bt0 proto 58" <<<"$(in_ns sv ip -6 route)"
check "server: not its tunnel address (the subnet's route has it)" \
    test -z "$(in_ns sv ip route show proto 58 | grep '198.19.0.2 ')"

check "LAN -> internet host over IPv4 through the tunnel" \
    lan_ping "$BT_NET_ADDR" 5
check "LAN -> internet host over IPv6 through the tunnel" \
    lan_ping "$BT_NET_ADDR6" 5
sleep 1.5	# the counters reach ctld about once a second
tx=$(stat_get server "j['core']['tun_tx_packets']")
check_cmp "the server's core wrote the LAN's pings to its TUN" "$tx" -ge 10

# The server's routes follow its peer's allowed_ips on reload.
reload_server()
{
	write_server_conf
	timeout 10 "$BONDCTL" -s "$BT_DIR/server.sock" reload >/dev/null
}
BT_SERVER_ALLOWED="$BT_LAN_NET, '$BT_LAN_NET6', 198.19.201.0/24" \
    reload_server
check "server reload: an added allowed_ips prefix is routed" \
    grep -q '^198.19.201.0/24 dev bt0 proto 58' <<<"$(in_ns sv ip route)"
BT_SERVER_ALLOWED="'$BT_LAN_NET6'" reload_server
r=$(in_ns sv ip route show proto 58)
check "server reload: removed prefixes are no longer routed ($r)" \
    test -z "$(grep -E '198.19.20[01]' <<<"$r")"
check "server reload: the one kept is still routed" \
    grep -q "^$BT_LAN_NET6 dev bt0" <<<"$(in_ns sv ip -6 route)"
BT_SERVER_ALLOWED="$BT_LAN_NET, '$BT_LAN_NET6'" reload_server
check "LAN -> internet host again after the server's reloads" \
    lan_ping "$BT_NET_ADDR" 3

# bondd -k while bondd runs: refused, nothing removed.
out=$(in_ns cl "$BONDD" -k -f "$BT_DIR/client.yaml" 2>&1)
rc=$?
check "bondd -k refuses while bondd holds bt0 (rc $rc: $out)" test "$rc" -eq 1
check "... and leaves the routes" \
    grep -q '^default dev bt0' <<<"$(in_ns cl ip route show table 5800)"
check "... and the tunnel" lan_ping "$BT_NET_ADDR" 3

# The restart: the LAN sends all along (35 s at most; a count, not a
# deadline, as ping -w stops at the first error), the captures watch.
capture_start
bg lan timeout 40 ping -n -q -i 0.02 -c 1750 "$BT_NET_ADDR" >"$BT_DIR/ping4.log" 2>&1
ping4=$BG_PID
bg lan timeout 40 ping -n -q -i 0.02 -c 1750 "$BT_NET_ADDR6" >"$BT_DIR/ping6.log" 2>&1
ping6=$BG_PID
sleep 1
# daemons: the bondd processes left in the client's namespace.
daemons()
{
	local p
	for p in $(ip netns pids "$(ns_name cl)"); do
		case $(exe_name "$p") in bondd|linkd|ctld) echo "$p" ;; esac
	done
}
kill -KILL "$BT_CLIENT_PID"
for ((i = 0; i < 50; i++)); do
	[ -z "$(daemons)" ] && break
	sleep 0.1
done
check "client bondd and its children are gone" test -z "$(daemons)"
sleep 3
check "bt0 outlives bondd (persist)" in_ns cl ip link show bt0
# Where the client forwards the LAN's packets now: into the device
# nobody reads, where the kernel drops them.
r4=$(in_ns cl ip route get "$BT_NET_ADDR" from "$BT_LAN_ADDR" iif cl-lan)
r6=$(in_ns cl ip -6 route get "$BT_NET_ADDR6" from "$BT_LAN_ADDR6" \
    iif cl-lan)
check "without bondd, the LAN's IPv4 still goes into bt0 ($r4)" \
    grep -q 'dev bt0 table 5800' <<<"$r4"
check "without bondd, the LAN's IPv6 still goes into bt0 ($r6)" \
    grep -q 'dev bt0 table 5800' <<<"$r6"
check "the LAN kept sending all along" kill -0 "$ping4" "$ping6"
start_client
check "client adopted bt0" grep -q 'adopted the existing device' \
    "$BT_DIR/client.log"
wait_established 15 || bail "links not established after the restart"
ok "links established again"
check "LAN -> internet host again after the restart" \
    lan_ping "$BT_NET_ADDR" 5
check_cmp "across the restart, no LAN packet on any WAN in clear" \
    "$(capture_count)" -eq 0

# bondd -k: stop it, then remove what persists.
kill_pids "$BT_CLIENT_PID"
check "bt0 persists after a clean stop" in_ns cl ip link show bt0
out=$(in_ns cl "$BONDD" -k -f "$BT_DIR/client.yaml" 2>&1)
rc=$?
say "$out"
check "bondd -k exits 0 (rc $rc)" test "$rc" -eq 0
check "bondd -k removed bt0" \
    test -z "$(in_ns cl ip link show bt0 2>/dev/null)"
check "no route of bondd left (IPv4)" \
    test -z "$(in_ns cl ip route show table all proto 58)"
check "no route of bondd left (IPv6)" \
    test -z "$(in_ns cl ip -6 route show table all proto 58)"
check "no rule of bondd left" test -z \
    "$({ in_ns cl ip rule; in_ns cl ip -6 rule; } | grep -E '^3276[01]:')"
check "bondd -k again: nothing to remove, exit 0" \
    in_ns cl "$BONDD" -k -f "$BT_DIR/client.yaml"

# persist: false: no blackholes, and at exit the parent, unprivileged
# by then, removes the routes and rules; the device goes with it.
BT_CLIENT_TUNNEL="routes: [0.0.0.0/0, '::/0'], persist: false"
write_client_conf
start_client
wait_established 15 || bail "links not established without persist"
check "persist false: the default route is there" \
    grep -q '^default dev bt0' <<<"$(in_ns cl ip route show table 5800)"
check "persist false: no blackhole" \
    test -z "$(in_ns cl ip route show table 5800 type blackhole)"
kill_pids "$BT_CLIENT_PID"
check "persist false: bt0 went with bondd" \
    test -z "$(in_ns cl ip link show bt0 2>/dev/null)"
check "persist false: no route of bondd left" \
    test -z "$(in_ns cl ip route show table all proto 58)"
check "persist false: no rule of bondd left" test -z \
    "$({ in_ns cl ip rule; in_ns cl ip -6 rule; } | grep -E '^3276[01]:')"

finish
