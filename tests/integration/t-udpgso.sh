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

# Data path: UDP GSO on send, GRO on receive.  Over a plain veth with
# the kernel's offloads (tests/lib/direct.sh) 24 MB cross the tunnel
# each way, compared byte for byte, with session.udp_offload on (the
# sending veth carries far fewer packets, and the receiving kernel
# hands over far fewer, than the receiving bondd counts datagrams),
# then off after a reload (one packet and one receive per datagram).  A kernel that refuses GSO (EIO) is covered by
# tests/unit/check_udp.c: Linux before 6.11 refuses it on a device
# without checksum offload, later ones only on an IPsec route.

. "$(dirname "$0")/lib.sh"
. "$BT_ROOT/tests/lib/topo.sh"
. "$BT_ROOT/tests/lib/direct.sh"

PORT=5901
MB=24

setup
direct_up 1 || bail "plain veth link"
daemons_up
wait_running 15 || bail "link not running"
ok "link running over a plain veth"
head -c $((MB << 20)) /dev/urandom >"$BT_DIR/data"
SUM=$(sha256sum <"$BT_DIR/data" | cut -d' ' -f1)

# xfer FROM TO ADDR: the data file from namespace FROM over TCP to a
# receiver on ADDR in TO, through the tunnel; prints "BYTES SHA256" as
# received.
xfer()
{
	local from=$1 to=$2 addr=$3 out=$BT_DIR/xfer.out i
	rm -f "$out"
	bg "$to" timeout 60 "$BT_PY" -c '
import hashlib, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
s.settimeout(30)
c, _ = s.accept()
c.settimeout(30)
h = hashlib.sha256()
n = 0
while True:
    b = c.recv(1 << 16)
    if not b:
        break
    h.update(b)
    n += len(b)
print(n, h.hexdigest())' "$addr" "$PORT" >"$out" 2>&1
	local rpid=$BG_PID
	for ((i = 0; i < 50; i++)); do
		in_ns "$to" ss -ltn 2>/dev/null | grep -q " $addr:$PORT " && break
		sleep 0.1
	done
	in_ns "$from" timeout 40 bash -c \
	    "cat '$BT_DIR/data' >/dev/tcp/$addr/$PORT" 2>/dev/null
	wait "$rpid"
	cat "$out"
}

# udp_in NS: datagrams NS's kernel delivered to UDP sockets so far.
udp_in()
{
	in_ns "$1" awk '/^Udp:/ { if (h++) print $2 }' /proc/net/snmp
}

# veth_tx NS DEV: packets (GSO ones count once) DEV sent so far.
veth_tx()
{
	in_ns "$1" cat "/sys/class/net/$2/statistics/tx_packets"
}

# round WHAT: 24 MB up and down, each compared; sets, for each way,
# UP_PKT / DOWN_PKT (packets the sending veth carried), UP_DG / DOWN_DG
# (datagrams the receiving bondd counted) and UP_KDG / DOWN_KDG (what
# the receiving kernel handed to UDP sockets: GRO ones count once).
round()
{
	local what=$1 p0 d0 k0 got
	p0=$(veth_tx cl cl-w0)
	d0=$(link_sum server rx_packets)
	k0=$(udp_in sv)
	got=$(xfer cl sv 198.19.0.1)
	# The counters reach bondctl about once a second.
	sleep 2
	UP_PKT=$(delta "$p0" "$(veth_tx cl cl-w0)")
	UP_DG=$(delta "$d0" "$(link_sum server rx_packets)")
	UP_KDG=$(delta "$k0" "$(udp_in sv)")
	check "$what: up: the server received $MB MB intact ($got)" \
	    test "$got" = "$((MB << 20)) $SUM"
	p0=$(veth_tx sv sv-c0)
	d0=$(link_sum client rx_packets)
	k0=$(udp_in cl)
	got=$(xfer sv cl 198.19.0.2)
	sleep 2
	DOWN_PKT=$(delta "$p0" "$(veth_tx sv sv-c0)")
	DOWN_DG=$(delta "$d0" "$(link_sum client rx_packets)")
	DOWN_KDG=$(delta "$k0" "$(udp_in cl)")
	check "$what: down: the client received $MB MB intact ($got)" \
	    test "$got" = "$((MB << 20)) $SUM"
	say "$what: up $UP_DG datagrams in $UP_PKT veth packets, $UP_KDG kernel receives; down $DOWN_DG in $DOWN_PKT, $DOWN_KDG"
}

# reload_both EXTRA: both ends' files rewritten with the YAML line
# EXTRA, then reloaded.
reload_both()
{
	BT_SERVER_EXTRA=$1 write_server_conf
	BT_CLIENT_EXTRA=$1 write_client_conf
	check "server reload" timeout 10 "$BONDCTL" -s "$BT_DIR/server.sock" \
	    reload
	check "client reload" timeout 10 "$BONDCTL" -s "$BT_DIR/client.sock" \
	    reload
}

# 24 MB are at least 17000 full datagrams each way.
round "udp_offload on"
check_cmp "on: up datagrams" "$UP_DG" -ge 17000
check_cmp "on: down datagrams" "$DOWN_DG" -ge 17000
# GSO: runs of several datagrams went down as one packet each.
check_cmp "on: up: veth packets <= datagrams / 2" \
    "$((UP_PKT * 2))" -le "$UP_DG"
check_cmp "on: down: veth packets <= datagrams / 2" \
    "$((DOWN_PKT * 2))" -le "$DOWN_DG"
# GRO: the receiving kernel handed them over coalesced.
check_cmp "on: up: kernel receives <= datagrams / 2" \
    "$((UP_KDG * 2))" -le "$UP_DG"
check_cmp "on: down: kernel receives <= datagrams / 2" \
    "$((DOWN_KDG * 2))" -le "$DOWN_DG"

reload_both "session: {udp_offload: false}"
check "client config shows udp_offload false" \
    test "$(conf_get client session.udp_offload)" = false
round "udp_offload off"
check_cmp "off: up datagrams" "$UP_DG" -ge 17000
check_cmp "off: down datagrams" "$DOWN_DG" -ge 17000
# One packet and one receive a datagram; 10 % for probes in flight
# when the counters were read.
check_cmp "off: up: veth packets >= 0.9 x datagrams" \
    "$((UP_PKT * 10))" -ge "$((UP_DG * 9))"
check_cmp "off: down: veth packets >= 0.9 x datagrams" \
    "$((DOWN_PKT * 10))" -ge "$((DOWN_DG * 9))"
check_cmp "off: up: kernel receives >= 0.9 x datagrams" \
    "$((UP_KDG * 10))" -ge "$((UP_DG * 9))"
check_cmp "off: down: kernel receives >= 0.9 x datagrams" \
    "$((DOWN_KDG * 10))" -ge "$((DOWN_DG * 9))"

finish
