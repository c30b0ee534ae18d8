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

# The WAN emulator's own test: one link of 50 Mbit/s and 20 ms one-way
# delay each way, udpcheck traffic and a plain TCP flow through it, and
# checks of rate, delay, a queue limit in time at the rate, FIFO jitter,
# random and bursty loss, outage, bit flips, replays and run-time
# changes.  Needs root; uses only namespaces it makes and
# 198.18.0.0/15; every generator is bounded in time; cleans up on exit.

BT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BT_BIN=${BT_BIN:-$BT_ROOT/build}
UDPCHECK=$BT_BIN/udpcheck
export BT_BIN
# The measuring ends run SCHED_FIFO too (they are bounded in time), so
# what is measured is the emulator and not the load of the test host.
RT=()
command -v chrt >/dev/null && chrt -f 5 true 2>/dev/null && RT=(chrt -f 5)

fails=0
passes=0
RECV_PID=

pass() { passes=$((passes + 1)); echo "PASS: $*"; }
fail() { fails=$((fails + 1)); echo "FAIL: $*"; }

cleanup()
{
	local rc=$?
	trap - EXIT INT TERM
	[ -n "$RECV_PID" ] && kill "$RECV_PID" 2>/dev/null
	declare -F topo_down >/dev/null && topo_down
	[ -n "${MYDIR:-}" ] && rm -rf "$MYDIR"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$(id -u)" -ne 0 ]; then
	echo "FAIL: needs root"
	exit 1
fi
for b in "$BT_BIN/wanem" "$UDPCHECK"; do
	[ -x "$b" ] || { echo "FAIL: $b not built"; exit 1; }
done

# shellcheck source=/dev/null
. "$BT_ROOT/tests/lib/topo.sh" || exit 1

MYDIR=$(mktemp -d /tmp/t-wanem.XXXXXX)
export BT_DIR=$MYDIR
chmod 0755 "$MYDIR"
SPEC=rate=50mbit,delay=20ms
echo "link up=$SPEC down=$SPEC" >"$MYDIR/profile"
if ! topo_up "$MYDIR/profile"; then
	echo "FAIL: topo_up"
	exit 1
fi
WANEM_PID=${BT_TOPO_PIDS[0]}

# jget FILE KEY: a top-level number of a JSON object.
jget()
{
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# stat DIR KEY: an emulator counter.
stat()
{
	wanem_ctl 0 stats | python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]][sys.argv[2]])' "$1" "$2"
}

# fcheck DESC PYEXPR: PASS if the python expression is true.
fcheck()
{
	if python3 -c "import sys; sys.exit(0 if ($2) else 1)"; then
		pass "$1"
	else
		fail "$1"
	fi
}

# up_run NAME RECV_SECONDS SEND_ARGS...: receiver in the server
# namespace, sender in the client one, results in $MYDIR/NAME.{r,s}.
up_run()
{
	local name=$1 t=$2
	shift 2
	in_sv "${RT[@]}" "$UDPCHECK" recv -l 198.18.0.2:5800 -T "$t" -i 1500 \
	    >"$MYDIR/$name.r" &
	RECV_PID=$!
	sleep 0.2
	in_cl "${RT[@]}" "$UDPCHECK" send -t 198.18.0.2:5800 "$@" >"$MYDIR/$name.s"
	wait "$RECV_PID"
	RECV_PID=
	echo "  $name: $(cat "$MYDIR/$name.r")"
}

# loss_pct NAME: loss in percent from the sender's count and what the
# receiver got (the receiver's own figure needs the sender's FIN, which
# the emulated loss may drop too).
loss_pct()
{
	local s r
	s=$(jget "$MYDIR/$1.s" sent)
	r=$(jget "$MYDIR/$1.r" unique)
	python3 -c "print(round(100.0 * ($s - $r) / $s, 3) if $s > 0 else -1)"
}

# down_run NAME RECV_SECONDS SEND_ARGS...: the client says hello and
# the server sends back to where it came from.
down_run()
{
	local name=$1 t=$2 spid
	shift 2
	in_sv "${RT[@]}" "$UDPCHECK" send -l 198.18.0.2:5800 "$@" >"$MYDIR/$name.s" &
	spid=$!
	sleep 0.2
	in_cl "${RT[@]}" "$UDPCHECK" recv -c 198.18.0.2:5800 -T "$t" -i 1500 \
	    >"$MYDIR/$name.r"
	wait "$spid"
	echo "  $name: $(cat "$MYDIR/$name.r")"
}

# 0. Not only UDP: a plain TCP upload crosses the link at its rate, and
# the emulator carried its bytes (a full TCP segment is 1448 bytes of
# payload in a 1500-byte IP packet: 96.5 % of the rate at best).
b0=$(stat up tx_bytes)
in_sv timeout 15 iperf3 -s -1 -B 198.18.0.2 >/dev/null 2>&1 &
RECV_PID=$!
sleep 0.3
in_cl timeout 15 iperf3 -c 198.18.0.2 -J -t 4 -C cubic >"$MYDIR/tcp.json" 2>&1
wait "$RECV_PID"
RECV_PID=
r=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"]))' "$MYDIR/tcp.json" 2>/dev/null || echo 0)
b1=$(stat up tx_bytes)
echo "  tcp: $r bit/s, emulator up bytes $b0 -> $b1"
fcheck "tcp: $r bit/s in 80..96.5 % of 50 Mbit/s" "40e6 <= $r <= 48.25e6"
fcheck "tcp: the emulator carried it ($b0 -> $b1 bytes)" \
    "$b1 - $b0 >= $r * 4 / 8 * 0.9"

# 1. Rate: offered 60 Mbit/s, the link carries 50 Mbit/s (IP bytes).
q0=$(stat up dropped_queue)
up_run rate 10 -r 60mbit -s 1200 -T 3
r=$(jget "$MYDIR/rate.r" ip_rate_bps)
fcheck "rate: $r bit/s within 5 % of 50 Mbit/s" "abs($r - 50e6) <= 2.5e6"
q1=$(stat up dropped_queue)
fcheck "rate: drop-tail queue dropped ($q0 -> $q1)" "$q1 > $q0"
p=$(jget "$MYDIR/rate.r" delay_p50_ms)
fcheck "rate: queueing delay about 20 + 50 ms (p50 $p ms)" \
    "65 <= $p <= 75"

# 2. Delay under a light load.
up_run delay 8 -r 2mbit -s 200 -T 2
p=$(jget "$MYDIR/delay.r" delay_p50_ms)
p99=$(jget "$MYDIR/delay.r" delay_p99_ms)
fcheck "delay: p50 $p ms within 1 ms of 20 ms" "abs($p - 20) <= 1"
# The target is the median (above); the tail only shows nothing is
# held back, with room for late wake-ups on a loaded 2-core host.
fcheck "delay: p99 $p99 ms in 20..40 ms" "20 <= $p99 <= 40"

# 3. The down direction, through the client's mapping.
down_run down 8 -r 10mbit -s 1000 -T 2
n=$(jget "$MYDIR/down.r" received)
s=$(jget "$MYDIR/down.s" sent)
p=$(jget "$MYDIR/down.r" delay_p50_ms)
fcheck "down: $n of $s received" "$s > 0 and $n >= 0.99 * $s"
fcheck "down: p50 $p ms within 1 ms of 20 ms" "abs($p - 20) <= 1"

# 4. Jitter keeps FIFO order.
wanem_ctl 0 set up jitter=5ms
up_run jitter 8 -r 5mbit -s 500 -T 2
o=$(jget "$MYDIR/jitter.r" reordered)
p=$(jget "$MYDIR/jitter.r" delay_p50_ms)
mn=$(jget "$MYDIR/jitter.r" delay_min_ms)
p99=$(jget "$MYDIR/jitter.r" delay_p99_ms)
fcheck "jitter: no reordering ($o)" "$o == 0"
# The tail allows scheduling noise on a loaded 2-core host.
fcheck "jitter: min $mn >= 19.8, p50 $p in 20..25, p99 $p99 <= 45 ms" \
    "$mn >= 19.8 and 20 <= $p <= 25 and $p99 <= 45"
wanem_ctl 0 set up jitter=0

# 5. Random loss of 10 %.
wanem_ctl 0 set up loss=10%
up_run loss 8 -r 10mbit -s 500 -T 2
l=$(loss_pct loss)
fcheck "loss: $l % within 2 points of 10 %" "abs($l - 10) <= 2"

# 6. Bursty loss: 2 %/30 % gives 2/32 = 6.25 % on average, in runs.
wanem_ctl 0 set up loss=0,burst=2%/30%
up_run burst 8 -r 10mbit -s 500 -T 2
l=$(loss_pct burst)
fcheck "burst: $l % in 3..10 %" "3 <= $l <= 10"
wanem_ctl 0 set up burst=off

# 7. Outage on: nothing gets through; off: flowing again.
o0=$(stat up dropped_outage)
wanem_ctl 0 outage up on
up_run outage 3 -r 2mbit -s 200 -T 1
n=$(jget "$MYDIR/outage.r" received)
o1=$(stat up dropped_outage)
fcheck "outage on: 0 received ($n), dropped_outage $o0 -> $o1" \
    "$n == 0 and $o1 > $o0"
wanem_ctl 0 outage up off
up_run restored 8 -r 2mbit -s 200 -T 1
n=$(jget "$MYDIR/restored.r" received)
s=$(jget "$MYDIR/restored.s" sent)
fcheck "outage off: $n of $s received" "$s > 0 and $n == $s"

# 8. Bit flips hit exactly the next N datagrams.
f0=$(stat up flipped)
wanem_ctl 0 flip up 5
up_run flip 8 -r 1mbit -s 300 -T 0.5
c=$(jget "$MYDIR/flip.r" corrupt)
f1=$(stat up flipped)
fcheck "flip: 5 corrupt datagrams ($c), flipped $f0 -> $f1" \
    "$c == 5 and $f1 == $f0 + 5"

# 9. Replays: copies of the last datagram, now.
p0=$(stat up replayed)
in_sv "${RT[@]}" "$UDPCHECK" recv -l 198.18.0.2:5800 -T 8 -i 2000 >"$MYDIR/replay.r" &
RECV_PID=$!
sleep 0.2
in_cl "${RT[@]}" "$UDPCHECK" send -t 198.18.0.2:5800 -q -r 1mbit -s 300 -T 0.5 \
    >"$MYDIR/replay.s"
sleep 0.3
wanem_ctl 0 replay up 3
wait "$RECV_PID"
RECV_PID=
echo "  replay: $(cat "$MYDIR/replay.r")"
d=$(jget "$MYDIR/replay.r" duplicates)
p1=$(stat up replayed)
fcheck "replay: 3 duplicates ($d), replayed $p0 -> $p1" \
    "$d == 3 and $p1 == $p0 + 3"

# 10. Rate changed while running.
wanem_ctl 0 set up rate=20mbit
up_run rate20 10 -r 30mbit -s 1200 -T 2
r=$(jget "$MYDIR/rate20.r" ip_rate_bps)
fcheck "set rate=20mbit: $r bit/s within 5 %" "abs($r - 20e6) <= 1e6"
# The 50 ms queue is time at the new rate, not the bytes of 50 ms at
# 50 Mbit/s (which would hold 125 ms at 20 Mbit/s).
p=$(jget "$MYDIR/rate20.r" delay_p50_ms)
fcheck "set rate=20mbit: queueing delay about 20 + 50 ms (p50 $p ms)" \
    "65 <= $p <= 75"

# 11. Bad commands are refused.
if wanem_ctl 0 set up rate=fast 2>/dev/null; then
	fail "bad spec accepted"
else
	pass "bad spec refused"
fi

# Cost, for information: CPU seconds the emulator used.
if [ -r "/proc/$WANEM_PID/stat" ]; then
	cpu=$(awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$WANEM_PID/stat")
	echo "  wanem cpu: ${cpu}s"
fi
echo "  stats: $(wanem_ctl 0 stats)"

echo "t-wanem: $passes passed, $fails failed"
[ "$fails" -eq 0 ] && [ "$passes" -gt 0 ]
