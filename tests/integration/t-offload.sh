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

# Foundation: the one-link tunnel carries ping and a 10 s TCP stream

# TUN offload (tunnel.offload): with it on, both ends' devices do TSO
# and the core cuts the super-packets it reads; with it off they do
# none.  Either way the tunnel carries the same bytes: a random file
# checked by sha256 each way, and an iperf3 stream each way.  With
# offload on, the file also crosses over IPv6 from a sender whose
# packets carry hop-by-hop and destination options, so that the
# super-packets the core cuts carry them too.  The
# second half restarts both ends with offload off on the devices the
# first half left (tunnel.persist), so adoption must switch it off.
# UDP too (over IPv6 as well with offload on): bursts of numbered
# datagrams arrive whole and in order at a plain socket; a socket that asked for UDP_GRO receives some of them
# merged, with offload on only (the core wrote UDP super-packets; the
# TUN device merges nothing itself), and the same datagrams.  The file
# also goes to and from a host behind the server, forwarded by its
# kernel over a veth without checksum offload.  Last,
# offload on at the client only: the server must complete the
# checksums the client's segments left (also behind IPv6 options).

. "$(dirname "$0")/lib.sh"

FILE_MB=24

# xfer_py MODE ...: recv ADDR PORT OUT (one connection, 30 s at most)
# or send ADDR PORT FILE; to an IPv6 ADDR the sender's packets carry
# a hop-by-hop and a destination options header (one PadN each).
xfer_py()
{
	"$BT_PY" -c '
import socket, sys
mode, addr, port, path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
if mode == "recv":
	s = socket.socket(fam)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind((addr, port))
	s.listen(1)
	s.settimeout(30)
	c, _ = s.accept()
	c.settimeout(30)
	with open(path, "wb") as f:
		while True:
			b = c.recv(1 << 16)
			if not b:
				break
			f.write(b)
else:
	c = socket.socket(fam)
	if fam == socket.AF_INET6:
		pad = bytes([0, 0, 1, 4, 0, 0, 0, 0])
		c.setsockopt(socket.IPPROTO_IPV6, 54, pad)	# IPV6_HOPOPTS
		c.setsockopt(socket.IPPROTO_IPV6, 59, pad)	# IPV6_DSTOPTS
	c.settimeout(30)
	c.connect((addr, port))
	with open(path, "rb") as f:
		c.sendall(f.read())
	c.close()
' "$@"
}

# transfer FROM TO TO_ADDR PORT: the random file from namespace FROM to
# TO through the tunnel; checks the sha256 of what arrived.
transfer()
{
	local from=$1 to=$2 addr=$3 port=$4 out=$BT_DIR/recv-$1-$4 i got
	rm -f "$out"
	bg "$to" timeout 40 bash -c "$(declare -f xfer_py); BT_PY=$BT_PY; \
	    xfer_py recv $addr $port $out"
	local rpid=$BG_PID
	for ((i = 0; i < 30; i++)); do
		in_ns "$to" ss -ltn 2>/dev/null | grep -q "$addr\]*:$port" && break
		sleep 0.1
	done
	in_ns "$from" timeout 40 bash -c "$(declare -f xfer_py); \
	    BT_PY=$BT_PY; xfer_py send $addr $port $BT_DIR/random.bin"
	wait "$rpid" 2>/dev/null
	got=$(sha256sum <"$out" 2>/dev/null | cut -d' ' -f1)
	check "$5: $FILE_MB MiB $from -> $to, sha256 matches" \
	    test "${got:-none}" = "$SUM"
}

# udp_py MODE ...: recv ADDR PORT GRO (prints what arrived; 20 s at
# most) or send ADDR PORT N (N datagrams of 1200 bytes, 20 at a time
# every 2 ms, each its number and bytes that follow from it).
udp_py()
{
	"$BT_PY" -c '
import socket, struct, sys, time
mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
SZ = 1200
def body(n):
	return struct.pack("!Q", n) + bytes((n * 7 + i) & 0xff for i in range(SZ - 8))
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
if mode == "send":
	s = socket.socket(fam, socket.SOCK_DGRAM)
	for n in range(int(sys.argv[4])):
		s.sendto(body(n), (addr, port))
		if n % 20 == 19:
			time.sleep(0.002)
	sys.exit(0)
s = socket.socket(fam, socket.SOCK_DGRAM)
if sys.argv[4] == "1":
	s.setsockopt(socket.IPPROTO_UDP, 104, 1)	# UDP_GRO
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
s.bind((addr, port))
print("ready", flush=True)
got = bad = disorder = merged = 0
last = -1
s.settimeout(20)
end = time.time() + 20
while time.time() < end:
	try:
		data, anc, _, _ = s.recvmsg(1 << 16, socket.CMSG_SPACE(4))
	except socket.timeout:
		break
	seg = SZ
	for lvl, typ, val in anc:
		if lvl == socket.IPPROTO_UDP and typ == 104:
			seg = struct.unpack("i", val[:4])[0]
	if len(data) > seg:
		merged += 1
	for o in range(0, len(data), seg):
		d = data[o:o + seg]
		n = struct.unpack("!Q", d[:8])[0] if len(d) >= 8 else -1
		if len(d) != SZ or d != body(n):
			bad += 1
			continue
		got += 1
		disorder += n <= last
		last = n
	s.settimeout(1.5)
print("got %d bad %d disorder %d merged %d" % (got, bad, disorder, merged))
' "$@"
}

# udp_burst FROM TO ADDR PORT GRO TAG: 3000 datagrams FROM -> TO; sets
# UDP_GOT, UDP_BAD, UDP_DISORDER and UDP_MERGED from what arrived.
udp_burst()
{
	local out=$BT_DIR/udp-$1-$4-$5 i
	bg "$2" timeout 30 bash -c "$(declare -f udp_py); BT_PY=$BT_PY; \
	    udp_py recv $3 $4 $5" >"$out"
	local rpid=$BG_PID
	for ((i = 0; i < 50; i++)); do
		grep -q ready "$out" 2>/dev/null && break
		sleep 0.1
	done
	in_ns "$1" timeout 20 bash -c "$(declare -f udp_py); \
	    BT_PY=$BT_PY; udp_py send $3 $4 3000"
	wait "$rpid" 2>/dev/null
	read -r _ UDP_GOT _ UDP_BAD _ UDP_DISORDER _ UDP_MERGED \
	    < <(grep '^got' "$out" || echo "got 0 bad 0 disorder 0 merged 0")
	say "$6 UDP $1 -> $2, UDP_GRO $5: $UDP_GOT of 3000 whole," \
	    "$UDP_BAD damaged, $UDP_DISORDER out of order, $UDP_MERGED merged reads"
}

# udp_phase on|off [6]: UDP both ways, to a plain and a UDP_GRO
# socket, over IPv4 (or IPv6).
udp_phase()
{
	local gro from to addr tag="offload $1${2:+, IPv$2}"
	for gro in 0 1; do
		for from in cl sv; do
			if [ $from = cl ]; then
				to=sv addr=198.19.0.1
				[ "$2" = 6 ] && addr=2001:db8:19::1
			else
				to=cl addr=198.19.0.2
				[ "$2" = 6 ] && addr=2001:db8:19::2
			fi
			udp_burst $from $to $addr $((5310 + gro)) $gro "$tag:"
			check_cmp "$tag: UDP $from -> $to (UDP_GRO $gro): >= 2970 of 3000 arrive whole" \
			    "$UDP_GOT" -ge 2970
			check_cmp "$tag: UDP $from -> $to (UDP_GRO $gro): none damaged, none out of order" \
			    "$((UDP_BAD + UDP_DISORDER))" -eq 0
			if [ $gro = 0 ]; then
				continue
			elif [ "$1" = on ]; then
				check_cmp "$tag: UDP $from -> $to: the UDP_GRO socket reads merged datagrams" \
				    "$UDP_MERGED" -ge 1
			else
				check_cmp "$tag: UDP $from -> $to: nothing merged" \
				    "$UDP_MERGED" -eq 0
			fi
		done
	done
}

# tso NS: the TUN device's tcp-segmentation-offload, on or off.
tso()
{
	in_ns "$1" ethtool -k bt0 2>/dev/null |
	    awk '$1 == "tcp-segmentation-offload:" { print $2 }'
}

# phase on|off: the checks on a tunnel whose ends run with offload $1.
phase()
{
	local m f rate
	check "offload $1: client bt0 TSO $1" test "$(tso cl)" = "$1"
	check "offload $1: server bt0 TSO $1" test "$(tso sv)" = "$1"
	transfer cl sv 198.19.0.1 5301 "offload $1"
	transfer sv cl 198.19.0.2 5302 "offload $1"
	if [ "$1" = on ]; then
		transfer cl sv 2001:db8:19::1 5303 \
		    "offload on, IPv6 options"
		transfer sv cl 2001:db8:19::2 5304 \
		    "offload on, IPv6 options"
		udp_phase on 6
	fi
	udp_phase "$1"
	rate=$(link_var RATE_UP 0)
	for m in up down; do
		f=$BT_DIR/iperf3-$1-$m.json
		if [ $m = up ]; then
			iperf_run "$f" 5
		else
			iperf_run "$f" 5 -R
		fi
		say "offload $1, $m: $(iperf_mbps "$f") Mbit/s"
		check_cmp "offload $1: iperf3 $m >= 10 % of the link rate" \
		    "$(json_get "int(j['end']['sum_received']['bits_per_second'])" \
		    <"$f" 2>/dev/null || echo 0)" -ge $((rate / 10))
	done
	check_cmp "offload $1: no malformed packet in the client core" \
	    "$(stat_get client "j['core']['malformed']")" -eq 0
	check_cmp "offload $1: no malformed packet in the server core" \
	    "$(stat_get server "j['core']['malformed']")" -eq 0
}

# stop PID: SIGTERM, until it is gone (5 s).
stop()
{
	local i
	kill -TERM "$1"
	for ((i = 0; i < 50; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

setup
head -c $((FILE_MB << 20)) /dev/urandom >"$BT_DIR/random.bin"
SUM=$(sha256sum <"$BT_DIR/random.bin" | cut -d' ' -f1)

# The tunnel's IPv6 addresses, added on the devices; the server takes
# the client's.
BT_SERVER_ALLOWED="2001:db8:19::2/128"
tunnel_up one
in_ns cl ip addr add 2001:db8:19::2/64 dev bt0 nodad
in_ns sv ip addr add 2001:db8:19::1/64 dev bt0 nodad
check "client log: offload on" grep -q 'tun bt0: offload on' \
    "$BT_DIR/client.log"
phase on

# Forwarded, as on a VPS: the server's kernel sends what the core wrote
# on to a host behind it, over a veth that leaves checksums to the
# kernel (tx offload off), so the checksums the client's segments left
# are completed by the server's kernel and verified by the host's.
ns_add far || bail "namespace far"
FAR=$NS
ip -n "$FAR" link add far0 type veth peer name sv-far \
    netns "$(ns_name sv)" || bail "veth far"
ip -n "$FAR" addr add 198.18.70.2/24 dev far0
ip -n "$FAR" link set far0 up
ip -n "$FAR" route add 198.19.0.0/24 via 198.18.70.1
in_ns sv ip addr add 198.18.70.1/24 dev sv-far
in_ns sv ip link set sv-far up
check "sv-far leaves checksums to the kernel (tx offload off)" \
    in_ns sv ethtool -K sv-far tx off
in_ns sv sysctl -qw net.ipv4.ip_forward=1
in_ns cl ip route add 198.18.70.0/24 dev bt0
transfer cl "$FAR" 198.18.70.2 5308 "offload on, forwarded by the server"
transfer "$FAR" cl 198.19.0.2 5309 "offload on, forwarded by the server"

# Both ends again, offload off, on the devices left persistent.
check "client bondd stops" stop "$BT_CLIENT_PID"
check "server bondd stops" stop "$BT_SERVER_PID"
BT_CLIENT_TUNNEL="offload: false"
BT_SERVER_TUNNEL="offload: false"
write_server_conf
write_client_conf
start_server
start_client
if wait_established 15; then
	ok "links established again, offload off"
else
	bail "links not established within 15 s"
fi
check "client log: the device adopted" grep -q 'adopted the existing' \
    "$BT_DIR/client.log"
phase off

# Offload on at the client only: the segments it cuts leave their
# checksums to the server, which has no offload to leave them to and
# completes them itself, also behind IPv6 options.
check "client bondd stops" stop "$BT_CLIENT_PID"
check "server bondd stops" stop "$BT_SERVER_PID"
BT_CLIENT_TUNNEL="offload: true"
write_client_conf
start_server
start_client
if wait_established 15; then
	ok "links established again, offload on at the client only"
else
	bail "links not established within 15 s"
fi
check "offload mixed: client bt0 TSO on" test "$(tso cl)" = on
check "offload mixed: server bt0 TSO off" test "$(tso sv)" = off
in_ns cl ip addr replace 2001:db8:19::2/64 dev bt0 nodad
in_ns sv ip addr replace 2001:db8:19::1/64 dev bt0 nodad
transfer cl sv 198.19.0.1 5305 "offload on at the client only"
transfer cl sv 2001:db8:19::1 5306 \
    "offload on at the client only, IPv6 options"
transfer sv cl 198.19.0.2 5307 "offload on at the client only"
check_cmp "offload mixed: no malformed packet in the server core" \
    "$(stat_get server "j['core']['malformed']")" -eq 0

finish
