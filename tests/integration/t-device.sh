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

# Links follow their devices.  A WAN device deleted and made again under
# the same name (a new index, as a replugged USB modem or a PPPoE
# redial): its link shows "waiting" meanwhile, the other link carries
# the pings, and it carries again at most 3 s (the goal is 2 s, plus a
# margin for a busy host) after the device is back, without a new
# linkd.  A client started
# with that device missing runs on the other link, shows the link
# "waiting", and runs it once the device is made.  The figures are
# printed.

. "$(dirname "$0")/lib.sh"

BOUND_MS=3000

# wan1_state: the client's link_state of wan1.
wan1_state()
{
	link_get client wan1 link_state 2>/dev/null
}

# wait_wan1 STATE SECONDS: until wan1 is in STATE.
wait_wan1()
{
	local end=$((SECONDS + $2))
	until [ "$(wan1_state)" = "$1" ]; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
}

# carrying_ms T0: milliseconds from T0 (epoch seconds with decimals) to
# the client core's first "link 1: carrying traffic" after it (its log
# has millisecond timestamps; bondctl status lags by up to a second);
# "none" if there is none yet.
carrying_ms()
{
	"$BT_PY" -c '
import sys, time, datetime
t0 = float(sys.argv[1])
for line in open(sys.argv[2], errors="replace"):
	if "core: peer server link 1: carrying traffic" not in line:
		continue
	t = datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f")
	t = time.mktime(t.timetuple()) + t.microsecond / 1e6
	if t > t0:
		print(int((t - t0) * 1000))
		sys.exit(0)
print("none")
' "$1" "$BT_DIR/client.log"
}

# wan1_data: datagrams the client's wan1 sent besides its probes.
wan1_data()
{
	stat_get client "[l['tx_packets'] - l['probes_tx'] for l in j['links'] if l['name'] == 'wan1'][0]"
}

# wan1_carries: 2 s of UDP at 30 Mbit/s, more than one 20 Mbit/s link
# takes, put over 100 datagrams besides probes on wan1 (some 1800 if
# it takes its share; an idle link sends none but a keepalive).
wan1_carries()
{
	local a b
	a=$(wan1_data)
	iperf_run "$BT_DIR/iperf3-$a.json" 2 -u -b 30M >/dev/null 2>&1
	sleep 1.2
	b=$(wan1_data)
	say "wan1 sent $(delta "$a" "$b") datagrams besides probes"
	[ "$(delta "$a" "$b")" -gt 100 ] 2>/dev/null
}

bring_up equal2
check "ping before" ping_ok 5
linkd1=$(grep -c 'linkd wan1 ready\|link wan1 ready' "$BT_DIR/client.log")

# 1. cl-w1 goes (its emulator port em-c1 with it) and comes back.
ip -n "$BT_NS_CL" link del cl-w1 || bail "cannot delete cl-w1"
check "wan1 waiting within 2 s of its device going" wait_wan1 waiting 2
check "wan0 still running" test "$(link_get client wan0 link_state)" = running
check "ping over wan0 meanwhile" ping_ok 5
check "bondd still running" kill -0 "$BT_CLIENT_PID"
sleep 2
t0=$EPOCHREALTIME
topo_cl_dev 1 || bail "cannot make cl-w1 again"
check "wan1 running again (bondctl status)" wait_wan1 running 10
ms=$(carrying_ms "$t0")
say "device made again: wan1 carries $ms ms after"
check_cmp "wan1 carries within $BOUND_MS ms of its device's return" \
    "$ms" -le "$BOUND_MS"
check "the parent gave wan1 a new socket" \
    grep -q 'link wan1: device cl-w1 there (index [0-9]*), new socket' \
    "$BT_DIR/client.log"
check_cmp "wan1's linkd was not restarted" \
    "$(grep -c 'linkd wan1 ready\|link wan1 ready' "$BT_DIR/client.log")" \
    -eq "$linkd1"
check "wan1 carries traffic again" wan1_carries

# 2. The client starts with cl-w1 missing.
kill -TERM "$BT_CLIENT_PID"
for _ in $(seq 50); do
	kill -0 "$BT_CLIENT_PID" 2>/dev/null || break
	sleep 0.1
done
check "client stopped" test ! -e "/proc/$BT_CLIENT_PID"
ip -n "$BT_NS_CL" link del cl-w1 || bail "cannot delete cl-w1"
start_client
t=$(wait_link_state wan0 running 10)
check "wan0 running with wan1's device missing ($t s)" test "$t" != 10+
check "wan1 waiting" wait_wan1 waiting 2
check "ping over wan0" wait_ping 5
t0=$EPOCHREALTIME
topo_cl_dev 1 || bail "cannot make cl-w1"
check "wan1 running (bondctl status)" wait_wan1 running 10
ms=$(carrying_ms "$t0")
say "device made: wan1 carries $ms ms after"
check_cmp "wan1 carries within $BOUND_MS ms of its device's creation" \
    "$ms" -le "$BOUND_MS"
check "wan1 carries traffic" wan1_carries
check "both parents still running" alive "$BT_CLIENT_PID" "$BT_SERVER_PID"

finish
