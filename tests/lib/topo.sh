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

# Test bed topology, sourced by the tests (bash).  topo_up PROFILE builds
# four namespaces: the client, a router with the server behind it, and
# an emulator namespace where one wanem per WAN link bridges the
# client's veth of that link to the router's.  Every IP packet between
# client and server crosses an emulated link: the tunnel's UDP as well
# as plain TCP or MPTCP.  topo_down removes all of it and is idempotent.
# Runs as root on the test host, touches only the namespaces it made
# (unique prefix) and addresses in 198.18.0.0/15.
#
#   client cl-wK 198.18.(10+k).2/24 == em-cK (emulator: wanem K) em-rK
#     == rt-cK 198.18.(10+k).1/24 router rt-s 198.18.0.1/24
#     == sv-w 198.18.0.2/24 server
#
# In the client, a packet from 198.18.(10+k).2 (policy rule, table
# 100+k) or from a socket bound to cl-wK leaves through link k; other
# traffic to the server takes link 0.  The router forwards; the server
# routes 198.18.0.0/16 through it.  Neighbours are static (no ARP
# crosses an emulated link), IPv6 is off on the link devices (no
# neighbour discovery either), and checksum and segmentation offloads
# are off on both veth pairs of a link, so wanem sees and sends every
# packet as it is on a wire.  wanem K: control socket
# $BT_DIR/wanem-K.sock, log (settings, outages; never per packet) in
# $BT_DIR/wanem-K.log.
#
# A profile (tests/profiles/NAME, or a path) has one line per link:
#   link up=SPEC down=SPEC
# with SPEC as for wanem -u/-d; "#" starts a comment.
#
# Inputs (environment): BT_PREFIX (default "bt$$-"), BT_DIR (made with
# mktemp -d if unset, and then removed by topo_down), BT_BIN (directory
# holding wanem, default build/ of this tree) or BT_WANEM, BT_WANEM_ARGS
# (extra wanem arguments for every link) and BT_WANEM_ARGS_K
# (for link K only), BT_WANEM_RT (default 1: the emulators run SCHED_FIFO,
# wanem -R, so departures stay on time on a busy host; 0 to disable).
# Needs ethtool.
#
# topo_edge_up (optional, after topo_up) adds a LAN behind the client
# and an "internet" behind the server, both on plain veths (not
# emulated, IPv4 and IPv6):
#
#   lan 198.19.200.2/24 2001:db8:200::2/64 (default via the client)
#     == cl-lan 198.19.200.1/24 2001:db8:200::1/64 client
#   server sv-net 198.19.210.1/24 2001:db8:210::1/64
#     == net 198.19.210.2/24 2001:db8:210::2/64 (no route to the LAN)
#
# The client and the server forward IPv4 and IPv6; the server
# masquerades what leaves by sv-net (nftables table inet bt_nat), so
# the internet host answers the server, as a VPS's NAT does.  Nothing
# routes the LAN into a tunnel: that is bondd's job.  Outputs:
# BT_NS_LAN, BT_NS_NET, BT_LAN_ADDR, BT_LAN_ADDR6, BT_NET_ADDR,
# BT_NET_ADDR6, BT_LAN_NET, BT_LAN_NET6 (the LAN's prefixes), functions
# in_lan and in_net.  topo_down removes them too.
#
# Outputs: BT_NLINKS, BT_LINK_DEV_K, BT_LINK_ADDR_K (the client's address
# on link K), BT_LINK_ENDPOINT_K (the server's tunnel endpoint, the same
# for every link), BT_LINK_RATE_UP_K, BT_LINK_RATE_DOWN_K (bit/s, 0 =
# unlimited), BT_SUM_UP, BT_SUM_DOWN, BT_SERVER_ADDR, BT_SERVER_PORT,
# BT_NS_CL, BT_NS_RT, BT_NS_SV, BT_NS_EM; functions in_cl, in_rt, in_sv,
# in_em, wanem_ctl K ARGS and topo_cl_dev K (the client's device of link
# K, made again after a test deleted it).  topo_down unsets the
# BT_LINK_* outputs.

BT_TOPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BT_PREFIX=${BT_PREFIX:-bt$$-}
BT_SERVER_ADDR=198.18.0.2
BT_SERVER_PORT=5800
BT_TOPO_PIDS=()
BT_TOPO_DIR_OWNED=0

in_cl() { ip netns exec "$BT_NS_CL" "$@"; }
in_rt() { ip netns exec "$BT_NS_RT" "$@"; }
in_sv() { ip netns exec "$BT_NS_SV" "$@"; }
in_em() { ip netns exec "$BT_NS_EM" "$@"; }
in_lan() { ip netns exec "$BT_NS_LAN" "$@"; }
in_net() { ip netns exec "$BT_NS_NET" "$@"; }

# wanem_ctl K ARGS...: a control command to link K's emulator.
wanem_ctl()
{
	local k=$1
	shift
	"$BT_WANEM" ctl "$BT_DIR/wanem-$k.sock" "$@"
}

# topo_rate SPEC: the rate= of a wanem spec in bit/s (0 if none).
topo_rate()
{
	local spec=$1 r num unit
	r=$(tr ',' '\n' <<<"$spec" | sed -n 's/^rate=//p' | tail -n 1)
	[ -n "$r" ] || { echo 0; return; }
	num=${r%%[!0-9.]*}
	unit=${r#"$num"}
	case ${unit,,} in
	''|bit|bps) awk -v n="$num" 'BEGIN { printf "%.0f\n", n }' ;;
	k|kbit) awk -v n="$num" 'BEGIN { printf "%.0f\n", n * 1e3 }' ;;
	m|mbit) awk -v n="$num" 'BEGIN { printf "%.0f\n", n * 1e6 }' ;;
	g|gbit) awk -v n="$num" 'BEGIN { printf "%.0f\n", n * 1e9 }' ;;
	*) echo 0 ;;
	esac
}

topo_profile_path()
{
	case $1 in
	*/*) echo "$1" ;;
	*) echo "$BT_TOPO_ROOT/tests/profiles/$1" ;;
	esac
}

# topo_up PROFILE: build everything; returns non-zero (after cleaning
# up what was made) on failure.
topo_up()
{
	local prof ups=() downs=() kw a b u d k i sock extra rt=
	prof=$(topo_profile_path "$1")
	[ -r "$prof" ] || { echo "topo: no profile $1" >&2; return 1; }
	while read -r kw a b; do
		case $kw in
		''|'#'*) continue ;;
		link) ;;
		*) echo "topo: $prof: bad line: $kw" >&2; return 1 ;;
		esac
		u=''
		d=''
		for i in $a $b; do
			case $i in
			up=*) u=${i#up=} ;;
			down=*) d=${i#down=} ;;
			*) echo "topo: $prof: bad field $i" >&2; return 1 ;;
			esac
		done
		ups+=("$u")
		downs+=("$d")
	done <"$prof"
	BT_NLINKS=${#ups[@]}
	if [ "$BT_NLINKS" -lt 1 ] || [ "$BT_NLINKS" -gt 200 ]; then
		echo "topo: $prof: need 1..200 links" >&2
		return 1
	fi

	BT_NS_CL=${BT_NS_CL:-${BT_PREFIX}cl}
	BT_NS_RT=${BT_NS_RT:-${BT_PREFIX}rt}
	BT_NS_SV=${BT_NS_SV:-${BT_PREFIX}sv}
	BT_NS_EM=${BT_NS_EM:-${BT_PREFIX}em}
	BT_WANEM=${BT_WANEM:-${BT_BIN:-$BT_TOPO_ROOT/build}/wanem}
	[ -x "$BT_WANEM" ] || { echo "topo: $BT_WANEM not built" >&2; return 1; }
	command -v ethtool >/dev/null ||
	    { echo "topo: ethtool missing (make deps)" >&2; return 1; }
	if [ -z "${BT_DIR:-}" ]; then
		BT_DIR=$(mktemp -d /tmp/bt-topo.XXXXXX) || return 1
		BT_TOPO_DIR_OWNED=1
	fi
	export BT_DIR BT_NS_CL BT_NS_RT BT_NS_SV BT_NS_EM BT_WANEM BT_NLINKS

	for k in cl rt sv em; do
		local v="BT_NS_${k^^}"
		ip netns add "${!v}" || { topo_down; return 1; }
		ip -n "${!v}" link set lo up
	done
	# The emulator's ports carry frames, not traffic of their own.
	in_em sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	    net.ipv6.conf.default.disable_ipv6=1
	in_rt sysctl -qw net.ipv4.ip_forward=1
	in_cl sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	    net.ipv4.conf.default.rp_filter=0
	ip -n "$BT_NS_SV" link add sv-w mtu 1500 type veth \
	    peer name rt-s mtu 1500 netns "$BT_NS_RT" || { topo_down; return 1; }
	ip -n "$BT_NS_SV" addr add 198.18.0.2/24 dev sv-w
	ip -n "$BT_NS_SV" link set sv-w up
	ip -n "$BT_NS_RT" addr add 198.18.0.1/24 dev rt-s
	ip -n "$BT_NS_RT" link set rt-s up
	ip -n "$BT_NS_SV" route add 198.18.0.0/16 via 198.18.0.1

	BT_SUM_UP=0
	BT_SUM_DOWN=0
	for ((k = 0; k < BT_NLINKS; k++)); do
		topo_link "$k" || { topo_down; return 1; }
		printf -v "BT_LINK_DEV_$k" '%s' "cl-w$k"
		printf -v "BT_LINK_ADDR_$k" '%s' "198.18.$((10 + k)).2"
		printf -v "BT_LINK_ENDPOINT_$k" '%s' \
		    "$BT_SERVER_ADDR:$BT_SERVER_PORT"
		printf -v "BT_LINK_RATE_UP_$k" '%s' "$(topo_rate "${ups[k]}")"
		printf -v "BT_LINK_RATE_DOWN_$k" '%s' "$(topo_rate "${downs[k]}")"
		u="BT_LINK_RATE_UP_$k"
		d="BT_LINK_RATE_DOWN_$k"
		BT_SUM_UP=$((BT_SUM_UP + ${!u}))
		BT_SUM_DOWN=$((BT_SUM_DOWN + ${!d}))
		export "BT_LINK_DEV_$k" "BT_LINK_ADDR_$k" "BT_LINK_ENDPOINT_$k" \
		    "BT_LINK_RATE_UP_$k" "BT_LINK_RATE_DOWN_$k"
	done
	export BT_SUM_UP BT_SUM_DOWN BT_SERVER_ADDR BT_SERVER_PORT

	[ "${BT_WANEM_RT:-1}" = 1 ] && rt=-R
	for ((k = 0; k < BT_NLINKS; k++)); do
		sock=$BT_DIR/wanem-$k.sock
		extra="BT_WANEM_ARGS_$k"
		# shellcheck disable=SC2086
		ip netns exec "$BT_NS_EM" "$BT_WANEM" -S "$sock" \
		    -c "em-c$k" -s "em-r$k" ${ups[k]:+-u "${ups[k]}"} \
		    -D $rt \
		    ${downs[k]:+-d "${downs[k]}"} ${BT_WANEM_ARGS:-} \
		    ${!extra:-} >"$BT_DIR/wanem-$k.log" 2>&1 &
		BT_TOPO_PIDS+=($!)
	done
	# Up when every control socket answers.
	for ((k = 0; k < BT_NLINKS; k++)); do
		for ((i = 0; i < 50; i++)); do
			wanem_ctl "$k" stats >/dev/null 2>&1 && break
			sleep 0.1
		done
		if [ "$i" -eq 50 ]; then
			echo "topo: wanem $k did not start:" >&2
			cat "$BT_DIR/wanem-$k.log" >&2
			topo_down
			return 1
		fi
	done
	return 0
}

# topo_veth NS DEV MAC PORT: a veth pair, DEV (with MAC) in NS and PORT
# in the emulator's namespace, without IPv6 or offloads.
topo_veth()
{
	local ns=$1 dev=$2 mac=$3 port=$4
	ip -n "$ns" link add "$dev" address "$mac" mtu 1500 type veth \
	    peer name "$port" mtu 1500 netns "$BT_NS_EM" || return 1
	ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" &&
	    ip netns exec "$ns" ethtool -K "$dev" tx off tso off gso off \
	    gro off tx-udp-segmentation off >/dev/null 2>&1 &&
	    in_em ethtool -K "$port" tx off tso off gso off gro off \
	    tx-udp-segmentation off >/dev/null 2>&1 ||
	    { echo "topo: cannot set up $dev" >&2; return 1; }
	ip -n "$ns" link set "$dev" up
	ip -n "$BT_NS_EM" link set "$port" up
}

# topo_link K: link K's two veth pairs, addresses, static neighbours
# and the client's routes through it.
topo_link()
{
	local k=$1 net mc mr
	net=198.18.$((10 + k))
	mc=$(printf '02:bd:%02x:00:00:02' "$k")
	mr=$(printf '02:bd:%02x:00:00:01' "$k")
	topo_cl_dev "$k" || return 1
	topo_veth "$BT_NS_RT" "rt-c$k" "$mr" "em-r$k" || return 1
	ip -n "$BT_NS_RT" addr add "$net.1/24" dev "rt-c$k"
	ip -n "$BT_NS_RT" neigh replace "$net.2" lladdr "$mc" dev "rt-c$k" \
	    nud permanent
	ip -n "$BT_NS_CL" rule add from "$net.2" table $((100 + k)) \
	    pref $((100 + k))
}

# topo_cl_dev K: the client's device of link K (cl-wK and its port
# em-cK) with its address, neighbour and routes; also to make it again
# after a test deleted it (a replugged modem): wanem K bridges the new
# em-cK by its name.
topo_cl_dev()
{
	local k=$1 net mc mr
	net=198.18.$((10 + k))
	mc=$(printf '02:bd:%02x:00:00:02' "$k")
	mr=$(printf '02:bd:%02x:00:00:01' "$k")
	topo_veth "$BT_NS_CL" "cl-w$k" "$mc" "em-c$k" || return 1
	ip -n "$BT_NS_CL" addr add "$net.2/24" dev "cl-w$k"
	ip -n "$BT_NS_CL" neigh replace "$net.1" lladdr "$mr" dev "cl-w$k" \
	    nud permanent
	ip -n "$BT_NS_CL" route add 198.18.0.0/24 via "$net.1" dev "cl-w$k" \
	    metric $((k + 1)) &&
	    ip -n "$BT_NS_CL" route add default via "$net.1" dev "cl-w$k" \
	    table $((100 + k))
}

# topo_pair NS_A DEV_A ADDR_A ADDR6_A NS_B DEV_B ADDR_B ADDR6_B: a veth
# pair with a /24 and a /64 on each end.
topo_pair()
{
	ip -n "$1" link add "$2" type veth peer name "$6" netns "$5" ||
	    return 1
	ip -n "$1" addr add "$3/24" dev "$2" &&
	    ip -n "$1" addr add "$4/64" dev "$2" nodad &&
	    ip -n "$5" addr add "$7/24" dev "$6" &&
	    ip -n "$5" addr add "$8/64" dev "$6" nodad &&
	    ip -n "$1" link set "$2" up && ip -n "$5" link set "$6" up
}

# topo_edge_up: the LAN and the internet (see the top of this file).
topo_edge_up()
{
	BT_NS_LAN=${BT_NS_LAN:-${BT_PREFIX}lan}
	BT_NS_NET=${BT_NS_NET:-${BT_PREFIX}net}
	BT_LAN_ADDR=198.19.200.2
	BT_LAN_ADDR6=2001:db8:200::2
	BT_NET_ADDR=198.19.210.2
	BT_NET_ADDR6=2001:db8:210::2
	BT_LAN_NET=198.19.200.0/24
	BT_LAN_NET6=2001:db8:200::/64
	export BT_NS_LAN BT_NS_NET BT_LAN_ADDR BT_LAN_ADDR6 BT_NET_ADDR \
	    BT_NET_ADDR6 BT_LAN_NET BT_LAN_NET6
	ip netns add "$BT_NS_LAN" && ip netns add "$BT_NS_NET" ||
	    { topo_down; return 1; }
	ip -n "$BT_NS_LAN" link set lo up
	ip -n "$BT_NS_NET" link set lo up
	topo_pair "$BT_NS_LAN" lan-c "$BT_LAN_ADDR" "$BT_LAN_ADDR6" \
	    "$BT_NS_CL" cl-lan 198.19.200.1 2001:db8:200::1 &&
	    topo_pair "$BT_NS_NET" net-s "$BT_NET_ADDR" "$BT_NET_ADDR6" \
	    "$BT_NS_SV" sv-net 198.19.210.1 2001:db8:210::1 &&
	    ip -n "$BT_NS_LAN" route add default via 198.19.200.1 &&
	    ip -n "$BT_NS_LAN" -6 route add default via 2001:db8:200::1 ||
	    { echo "topo: cannot set up the LAN and internet" >&2
	      topo_down; return 1; }
	in_cl sysctl -qw net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1
	in_sv sysctl -qw net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1
	in_sv nft -f - <<-EOF || { topo_down; return 1; }
		table inet bt_nat {
			chain post {
				type nat hook postrouting priority 100;
				oifname "sv-net" masquerade
			}
		}
	EOF
}

# topo_down: stop the emulators and whatever else runs in our
# namespaces, delete them and the directory topo_up made.
topo_down()
{
	local p ns pids i
	for p in "${BT_TOPO_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for ns in "${BT_NS_CL:-}" "${BT_NS_RT:-}" "${BT_NS_SV:-}" \
	    "${BT_NS_EM:-}" "${BT_NS_LAN:-}" "${BT_NS_NET:-}"; do
		{ [ -n "$ns" ] && [ -e "/run/netns/$ns" ]; } || continue
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -n "$pids" ] && kill -TERM $pids 2>/dev/null
	done
	for ((i = 0; i < 20; i++)); do
		pids=
		for p in "${BT_TOPO_PIDS[@]}"; do
			kill -0 "$p" 2>/dev/null && pids="$pids $p"
		done
		[ -z "$pids" ] && break
		sleep 0.1
	done
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	for p in "${BT_TOPO_PIDS[@]}"; do
		wait "$p" 2>/dev/null
	done
	BT_TOPO_PIDS=()
	for ns in "${BT_NS_CL:-}" "${BT_NS_RT:-}" "${BT_NS_SV:-}" \
	    "${BT_NS_EM:-}" "${BT_NS_LAN:-}" "${BT_NS_NET:-}"; do
		{ [ -n "$ns" ] && [ -e "/run/netns/$ns" ]; } || continue
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	# A later topology with fewer links must not see these links.
	for ((i = 0; i < ${BT_NLINKS:-0}; i++)); do
		unset "BT_LINK_DEV_$i" "BT_LINK_ADDR_$i" "BT_LINK_ENDPOINT_$i" \
		    "BT_LINK_RATE_UP_$i" "BT_LINK_RATE_DOWN_$i"
	done
	if [ "$BT_TOPO_DIR_OWNED" -eq 1 ] && [ -n "${BT_DIR:-}" ]; then
		rm -rf "$BT_DIR"
		BT_TOPO_DIR_OWNED=0
		unset BT_DIR
	fi
	return 0
}
