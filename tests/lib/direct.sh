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

# Links without an emulator, sourced by tests/bench/run.sh and the
# integration tests after tests/integration/lib.sh and tests/lib/topo.sh
# (bash): the client and the server joined by plain veth pairs that
# keep the kernel's default offloads (checksum, segmentation), as a
# host's NIC does.  Runs as root on the test host, touches only the
# namespaces it made (unique prefix) and addresses in 198.18.0.0/15.

# direct_up N: namespaces cl and sv joined by N plain veth pairs with
# the kernel's default offloads, no emulator and no router, addressed
# as tests/lib/topo.sh addresses its links so that lib.sh writes the
# configurations and starts the daemons unchanged: link K is cl-wK
# 198.18.(10+K).2/24 == sv-cK 198.18.(10+K).1/24 and the server's
# address 198.18.0.2 is on its loopback.  Nothing limits a link: bondd
# is told 10 Gbit/s each way, more than this host can carry.
direct_up()
{
	local n=$1 k net
	ns_add cl && BT_NS_CL=$NS && ns_add sv && BT_NS_SV=$NS || return 1
	in_ns cl sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	    net.ipv4.conf.default.rp_filter=0
	ip -n "$BT_NS_SV" addr add "$BT_SERVER_ADDR/32" dev lo || return 1
	for ((k = 0; k < n; k++)); do
		net=198.18.$((10 + k))
		ip -n "$BT_NS_CL" link add "cl-w$k" type veth \
		    peer name "sv-c$k" netns "$BT_NS_SV" &&
		    ip -n "$BT_NS_CL" addr add "$net.2/24" dev "cl-w$k" &&
		    ip -n "$BT_NS_SV" addr add "$net.1/24" dev "sv-c$k" &&
		    ip -n "$BT_NS_CL" link set "cl-w$k" up &&
		    ip -n "$BT_NS_SV" link set "sv-c$k" up &&
		    ip -n "$BT_NS_CL" route add 198.18.0.0/24 via "$net.1" \
		    dev "cl-w$k" metric $((k + 1)) &&
		    ip -n "$BT_NS_CL" route add default via "$net.1" \
		    dev "cl-w$k" table $((100 + k)) &&
		    ip -n "$BT_NS_CL" rule add from "$net.2" \
		    table $((100 + k)) pref $((100 + k)) || return 1
		printf -v "BT_LINK_DEV_$k" '%s' "cl-w$k"
		printf -v "BT_LINK_ADDR_$k" '%s' "$net.2"
		printf -v "BT_LINK_ENDPOINT_$k" '%s' \
		    "$BT_SERVER_ADDR:$BT_SERVER_PORT"
		printf -v "BT_LINK_RATE_UP_$k" '%s' 10000000000
		printf -v "BT_LINK_RATE_DOWN_$k" '%s' 10000000000
	done
	BT_NLINKS=$n
	BT_SUM_UP=0
	BT_SUM_DOWN=0
	in_ns cl ping -n -q -c 1 -W 2 "$BT_SERVER_ADDR" >/dev/null
}

# direct_down: every process in both namespaces, then the namespaces.
direct_down()
{
	local k f
	kill_pids "${BT_PIDS[@]}"
	BT_PIDS=()
	BT_CLIENT_PID=
	BT_SERVER_PID=
	kill_ns_pids "$BT_NS_CL" "$BT_NS_SV"
	ip netns del "$BT_NS_CL" 2>/dev/null
	ip netns del "$BT_NS_SV" 2>/dev/null
	for ((k = 0; k < BT_NLINKS; k++)); do
		unset "BT_LINK_DEV_$k" "BT_LINK_ADDR_$k" "BT_LINK_ENDPOINT_$k" \
		    "BT_LINK_RATE_UP_$k" "BT_LINK_RATE_DOWN_$k"
	done
	for f in "$BT_DIR"/*.log; do
		[ -e "$f" ] && mv "$f" "$BT_DIR/direct$BT_NLINKS-$(basename "$f")"
	done
}
