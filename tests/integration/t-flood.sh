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

# Handshake flood: 20 000 INITs a second with a valid mac1 and a random
# body, from spoofed addresses, leave the tunnel's throughput on a
# 50 Mbit/s link within 20 % of what a flood of garbage at the same rate
# leaves, and a client that starts during such a flood completes its
# handshake (with a cookie) and carries a ping within 5 s.
#
# The flood (tests/tools/hsflood) comes from the router namespace onto
# the router-server veth, the path every link's datagrams take after
# their emulator: it never crosses wanem, so the emulator's queue and
# rate see only the tunnel, and both floods take the same path.  The
# emulator's queue drops are printed for each run to show it.

. "$(dirname "$0")/lib.sh"

FLOOD_RATE=20000
FLOOD_SRC=198.18.128.0/17	# routed towards the router, which drops replies
IPERF_S=8
HSFLOOD=$BT_BIN/hsflood

setup
[ -x "$HSFLOOD" ] || bail "$HSFLOOD missing (make all)"
command -v iperf3 >/dev/null || bail "iperf3 missing"
printf '%s\n' "# One link, 50 Mbit/s each way, 10 ms RTT." \
    "link up=rate=50mbit,delay=5ms,queue=50ms down=rate=50mbit,delay=5ms,queue=50ms" \
    >"$BT_DIR/flood50"
topo_start "$BT_DIR/flood50"
gen_keys
write_server_conf
write_client_conf
start_server
start_client
wait_established 15 || bail "links not established within 15 s"
ok "link established"
SV_LINKD=$(child_of_kind "$BT_SERVER_PID" linkd) ||
    bail "no linkd under the server"

# flood MODE SECONDS: hsflood from the router, in the background
# (FLOOD_PID), its summary in $BT_DIR/flood-MODE.json.
flood()
{
	bg rt timeout $(($2 + 5)) "$HSFLOOD" -m "$1" -k "$SERVER_PUB" \
	    -s "$FLOOD_SRC" -r "$FLOOD_RATE" -t "$2" "$(server_endpoint)" \
	    >"$BT_DIR/flood-$1.json" 2>&1
	FLOOD_PID=$BG_PID
}

# flood_rate MODE: packets a second the flood of MODE sent.
flood_rate()
{
	json_get "int(j['rate'])" <"$BT_DIR/flood-$1.json" 2>/dev/null ||
	    echo 0
}

# cpu_ticks PID: user + system clock ticks of a process.
cpu_ticks()
{
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# measure NAME [MODE]: iperf3 through the tunnel for IPERF_S seconds,
# under a flood of MODE if given; sets MBPS, QDROP (the emulator's
# queue drops upstream during the run) and CPU (the server's linkd, %
# of one core over the run).
measure()
{
	local q0 q1 c0 c1 s0 out=$BT_DIR/iperf-$1.json
	q0=$(wanem_stat 0 "j['up']['dropped_queue']")
	c0=$(cpu_ticks "$SV_LINKD")
	s0=$(date +%s%N)
	if [ -n "${2:-}" ]; then
		flood "$2" $((IPERF_S + 3))
		sleep 1
	fi
	iperf_run "$out" "$IPERF_S" || say "iperf3 ($1) failed"
	[ -n "${2:-}" ] && wait "$FLOOD_PID"
	q1=$(wanem_stat 0 "j['up']['dropped_queue']")
	c1=$(cpu_ticks "$SV_LINKD")
	MBPS=$(iperf_mbps "$out")
	QDROP=$(delta "$q0" "$q1")
	CPU=$(awk -v t="$(delta "$c0" "$c1")" -v hz="$(getconf CLK_TCK)" \
	    -v ns="$(($(date +%s%N) - s0))" \
	    'BEGIN { printf "%.0f\n", 100 * t / hz / (ns / 1e9) }')
	say "$1: $MBPS Mbit/s through the tunnel, server linkd $CPU % of a" \
	    "core, emulator queue drops $QDROP"
}

# admission_line: the server's last summary of a period under load.
admission_line()
{
	grep 'no longer under load' "$BT_DIR/server.log" | tail -n 1
}

# best A B: the larger of two figures.
best()
{
	awk -v a="$1" -v b="$2" 'BEGIN { print (b + 0 > a + 0) ? b : a }'
}

measure clean
clean=$MBPS
clean_cpu=$CPU
# Two runs of each flood, alternated, and the best of each kept among
# those whose flood reached 95 % of the rate: the host is shared, and
# neither a busy moment nor a flood the host could not make should
# decide the comparison.
garbage= forged=
for round in 1 2; do
	m0=$(link_sum server malformed)
	measure "garbage-$round" garbage
	m1=$(link_sum server malformed)
	say "garbage flood: $(cat "$BT_DIR/flood-garbage.json");" \
	    "server malformed +$(delta "$m0" "$m1")"
	[ "$(flood_rate garbage)" -ge $((FLOOD_RATE * 95 / 100)) ] &&
	    garbage=$(best "${garbage:-0}" "$MBPS") garbage_cpu=$CPU
	[ "$round" = 1 ] &&
	    check "garbage put no server under load" test -z "$(admission_line)"

	measure "forged-$round" init
	say "forged-INIT flood: $(cat "$BT_DIR/flood-init.json")"
	[ "$(flood_rate init)" -ge $((FLOOD_RATE * 95 / 100)) ] &&
	    forged=$(best "${forged:-0}" "$MBPS") forged_cpu=$CPU
done
check "a garbage flood ran at the rate" test -n "$garbage"
check "a forged flood ran at the rate" test -n "$forged"
sleep 2.5	# the load ends a second after the flood, the timer says so
line=$(admission_line)
say "server: ${line:-no summary of the load}"
cookies=$(sed -n 's/.*so far \([0-9]*\) cookie replies.*/\1/p' <<<"$line")
check_cmp "the server sent cookie replies" "${cookies:-0}" -gt 0

say "throughput (best of 2): clean $clean, garbage ${garbage:-?}, forged" \
    "${forged:-?} Mbit/s; server linkd (last run at the rate): $clean_cpu," \
    "${garbage_cpu:-?}, ${forged_cpu:-?} % of a core"
say "forged / garbage: $(pct "$forged" "$garbage") %"
check_cmp "forged >= 80 % of garbage" \
    "$(awk -v f="${forged:-0}" -v g="${garbage:-0}" 'BEGIN { print (g > 0 && f >= 0.8 * g) ? 1 : 0 }')" -eq 1

# A client that starts during the flood must handshake again: the
# server is under load, so with a cookie.
flood init 15
sleep 2
kill_pids "$BT_CLIENT_PID"
n0=$(wc -l <"$BT_DIR/client.log")
t0=$(date +%s%N)
start_client
if wait_ping 5; then
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	say "restarted client: a ping through the tunnel $ms ms after its start"
	check_cmp "handshake and ping within 5 s of the start" "$ms" -le 5000
else
	not_ok "no ping within 5 s of the client's restart"
fi
check "the restarted client handshook with a cookie" \
    grep -q 'handshaking with a cookie' <(tail -n +$((n0 + 1)) "$BT_DIR/client.log")
wait "$FLOOD_PID"
say "forged-INIT flood (restart): $(cat "$BT_DIR/flood-init.json")"
sleep 2.5
say "server: $(admission_line)"
check "tunnel works after the floods" ping_ok 5

finish
