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

# make bench: bondd measured on the emulated links of the independent
# test bed's profiles, each figure beside its reference measured on the
# same links in the same run: kernel MPTCP (mptcpize iperf3) for every
# TCP row, plain TCP over each link alone, the best link's ping.  Rows
# (BT_BENCH_SECONDS, default 10 s each): 1 and 4 CUBIC and BBR streams
# down, 1 and 4 CUBIC streams up; on equal2-loss5 one CUBIC stream down
# and the loss a 30 Mbit/s UDP stream down sees; on hetero3-hard the
# longest stall while link 0 is black-holed; on hetero3-hard and
# rtt20_80 one CUBIC stream down again with no link rate configured
# (each sender estimates its links); the CPU both ends' daemons
# use and the spurious resends (copies the receiver got twice because
# a resend was not needed, % of the frames) in every bondd row; the
# targets of the shaped profiles (share of the summed rate, kernel
# MPTCP's figure, spurious resends on clean links, idle ping, stall,
# loss) each with what was measured.  Then the unshaped data path on
# plain veths (no emulator): the idle ping through the tunnel, through
# wireguard-go and over the veth alone, 1 and 4 CUBIC streams each way
# over one link, beside wireguard-go (Debian's, keys made per run) on
# the same veth, and over four bonded links, with CPU seconds per Gbit
# for both ends; last, each target of the data path beside what was
# measured.  BT_BENCH_PROFILES picks the shaped profiles ("" for none),
# BT_BENCH_ROWS their TCP rows (cc:streams:dir), BT_BENCH_NO_UNSHAPED=1
# leaves the unshaped part out; BT_BENCH_QUICK=1 skips the references
# and the stall, for development only.  Figures are printed, not
# asserted; the exit status is non-zero when a run failed.  Needs root;
# uses the integration test bed (tests/integration/lib.sh) and cleans
# up.
#
# bondd's links carry probes (about 11 kbit/s each) during the
# reference runs too: the daemons stay up for the whole profile.

BT_TEST=bench
. "$(dirname "$0")/../integration/lib.sh"
# The test bed's addresses, also for the unshaped links.
. "$BT_ROOT/tests/lib/topo.sh"
. "$BT_ROOT/tests/lib/direct.sh"
. "$BT_ROOT/tests/lib/memory.sh"

PROFILES=${BT_BENCH_PROFILES-hetero3-hard rtt20_80 equal2-loss5}
T=${BT_BENCH_SECONDS:-10}
STALL_PROFILE=hetero3-hard
TCP_ROWS=${BT_BENCH_ROWS:-"cubic:1:down cubic:4:down bbr:1:down bbr:4:down cubic:1:up cubic:4:up"}
ROWS=()
BBR=
MPTCP=
RATIO=
BARE_RATIO=
MP_ROWS=0
MP_ALL=0
HZ=$(getconf CLK_TCK)
H3_ROWS=()
LINK_GOALS=()
NORATE_PROFILES="hetero3-hard rtt20_80"
NORATE=
declare -A MP_FIG=()

# mbit BPS: bit/s as Mbit/s with one decimal.
mbit()
{
	awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'
}

# emit LINE: print a line of results now and keep it for the table.
emit()
{
	ROWS+=("$1")
	echo "$1"
}

# run_failed WHAT: a run that did not give a figure fails the bench.
run_failed()
{
	not_ok "$PROF: $1 failed"
}

# perf_run OUT ADDR WRAP SECONDS ARGS...: one bounded iperf3 run from
# the client to a one-test iperf3 server on ADDR in the server
# namespace (extra server arguments in PERF_S_ARGS), both under WRAP
# ("mptcpize run" or empty); the client's JSON in OUT.  Non-zero when
# iperf3 fails.
perf_run()
{
	local out=$1 addr=$2 wrap=$3 t=$4 spid i rc
	shift 4
	# shellcheck disable=SC2086
	bg sv timeout $((t + 40)) $wrap iperf3 -s -1 -B "$addr" \
	    ${PERF_S_ARGS:-} >>"$BT_DIR/iperf3-s.log" 2>&1
	spid=$BG_PID
	for ((i = 0; i < 50; i++)); do
		in_ns sv ss -ltn 2>/dev/null | grep -q " $addr:5201 " && break
		sleep 0.1
	done
	# shellcheck disable=SC2086
	in_ns cl timeout $((t + 30)) $wrap iperf3 -c "$addr" -J -t "$t" \
	    "$@" >"$out" 2>&1
	rc=$?
	# The server exits after its one test; the next run needs the port.
	for ((i = 0; i < 50; i++)); do
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.1
	done
	kill_pids "$spid"
	[ "$rc" -eq 0 ] && [ "$(iperf_mbps "$out")" != "?" ]
}

# link_bytes DIR: IP bytes each link's emulator has sent in DIR.
link_bytes()
{
	local k out=
	for ((k = 0; k < BT_NLINKS; k++)); do
		out="$out $(wanem_stat "$k" "j['$1']['tx_bytes']")"
	done
	echo "${out# }"
}

# per_link A B SECONDS: Mbit/s of each link between two link_bytes.
per_link()
{
	awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {
		n = split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= n; i++)
			printf "%s%.1f", (i > 1 ? "/" : ""), (y[i] - x[i]) * 8 / t / 1e6 }'
}

# shares A B: each link's share of the bytes between two link_bytes, %.
shares()
{
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, x, " "); split(b, y, " "); s = 0
		for (i = 1; i <= n; i++) s += y[i] - x[i]
		for (i = 1; i <= n; i++)
			printf "%s%.0f", (i > 1 ? "/" : ""),
			    (s > 0 ? 100 * (y[i] - x[i]) / s : 0) }'
}

# links_used A B: links that carried at least 2 % of the bytes, "n/N".
links_used()
{
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, x, " "); split(b, y, " "); s = 0; u = 0
		for (i = 1; i <= n; i++) s += y[i] - x[i]
		for (i = 1; i <= n; i++) if (s > 0 && y[i] - x[i] >= 0.02 * s) u++
		printf "%d/%d", u, n }'
}

# rx_frames WHO: the DATA frames WHO's core received, and how many of
# them were spurious (a copy of a frame that also came as a resend),
# summed over its links, as "FRAMES SPURIOUS".
rx_frames()
{
	stat_get "$1" "'%d %d' % (sum(l.get('rx_frames') or 0 for l in j['links']), sum(l.get('rx_spurious') or 0 for l in j['links']))" 2>/dev/null ||
	    echo "? ?"
}

# spurious_pct A B: spurious frames between two rx_frames, % of the
# frames received, three decimals.
spurious_pct()
{
	awk -v a="$1" -v b="$2" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		if (x[1] !~ /^[0-9]+$/ || y[1] !~ /^[0-9]+$/ ||
		    y[1] - x[1] <= 0) print "?"
		else printf "%.3f", 100 * (y[2] - x[2]) / (y[1] - x[1]) }'
}

# goal WHAT MEASURED TEST: a target of the shaped profiles beside what
# this run measured; TEST is an awk condition over numbers, empty when
# a figure is missing.
goal()
{
	local verdict="?"
	[ -n "$3" ] && verdict=$(met "$3")
	LINK_GOALS+=("target: $1: $2, $verdict")
}

# row_goals LABEL BONDD MPTCP PCT SPURIOUS CC N DIR: the targets of a
# TCP row on the unequal and the lossy links.
row_goals()
{
	local label=$1 m1=$2 m2=$3 p=$4 sp=$5 cc=$6 n=$7 dir=$8 want
	case $PROF in
	hetero3-hard|rtt20_80)
		if [ "$cc" = cubic ] && [ "$dir" = down ]; then
			want=90
			[ "$PROF" = hetero3-hard ] && [ "$n" = 1 ] && want=80
			goal "$PROF $label >= $want % of the summed rate" "$p %" \
			    "$(is_num "$p" && echo "$p >= $want")"
		fi
		is_num "$m2" && goal "$PROF $label >= kernel MPTCP" \
		    "$m1 vs $m2 Mbit/s" "$(is_num "$m1" && echo "$m1 >= $m2")"
		# rtt20_80's links lose nothing: every resend is spurious.
		[ "$PROF" = rtt20_80 ] && goal \
		    "$PROF $label spurious resends < 0.1 % of the frames" \
		    "$sp %" "$(is_num "$sp" && echo "$sp < 0.1")"
		;;
	equal2-loss5)
		goal "$PROF $label >= 75 % of the summed rate" "$p %" \
		    "$(is_num "$p" && echo "$p >= 75")"
		;;
	esac
}

# cc_used FILE: the congestion control of the sending side of a run.
cc_used()
{
	json_get "j['end'].get('sender_tcp_congestion', '?')" <"$1" \
	    2>/dev/null || echo "?"
}

# ceiling RATIO DIR: what bulk TCP can carry through the tunnel in DIR,
# bit/s: every link's rate less the margin the core keeps free, times
# the payload share of a full packet.
ceiling()
{
	local k r s=0
	for ((k = 0; k < BT_NLINKS; k++)); do
		r=$(link_var "RATE_${2^^}" "$k")
		# bondd/core_rx.c, link_info_received(): max(rate / 64, 32 kbit/s).
		s=$(awk -v s="$s" -v r="$r" 'BEGIN {
			m = r / 64 > 32000 ? r / 64 : 32000
			printf "%.0f", s + r - m }')
	done
	awk -v s="$s" -v q="$1" 'BEGIN { printf "%.0f", s * q }'
}

# derive_ratio: the payload share of a full packet through the running
# tunnel and without it (printed once, from the first tunnel).
derive_ratio()
{
	local tun link hdr
	[ -n "$RATIO" ] && return
	tun=$(in_ns cl cat /sys/class/net/bt0/mtu)
	link=$(in_ns cl cat "/sys/class/net/$(link_var DEV 0)/mtu")
	hdr=40
	[ "$(in_ns cl sysctl -n net.ipv4.tcp_timestamps)" != 0 ] && hdr=52
	RATIO=$(awk -v t="$tun" -v l="$link" -v h="$hdr" \
	    'BEGIN { printf "%.4f", (t - h) / l }')
	BARE_RATIO=$(awk -v l="$link" -v h="$hdr" \
	    'BEGIN { printf "%.4f", (l - h) / l }')
	emit "ceiling: link MTU $link, tunnel MTU $tun: $((link - tun)) bytes a packet for outer IPv4 and UDP, the tunnel's header and tag and the inner frame header"
	emit "ceiling: a full TCP segment carries $tun - $hdr (IP 20, TCP 20$([ "$hdr" = 52 ] && echo ", timestamps 12")) = $((tun - hdr)) bytes per $link on the link: $RATIO of the rate; without a tunnel $((link - hdr))/$link = $BARE_RATIO"
	emit "ceiling: the core keeps max(rate/64, 32 kbit/s) of each link free (bondd/core_rx.c, link_info_received): tunnel ceiling = sum of (rate - margin) x $RATIO"
}

header()
{
	printf '%-13s %-16s %7s %5s %5s %5s %6s %-17s %7s %5s %-17s %s\n' \
	    profile test bondd "%sum" "%ceil" cores spur% "bondd link %" \
	    MPTCP "%sum" "MPTCP link %" "MPTCP links"
}

# tcp_row CC N DIR: one TCP row, bondd through the tunnel, then kernel
# MPTCP over the same links.  With NORATE set (no rate configured), the
# label gets a star and MPTCP, which uses no rates, is not run again:
# its figure is the one of the same row with the rates configured.
tcp_row()
{
	local cc=$1 n=$2 dir=$3 label sum ceil f b0 b1 m1 p1 m2=- p2=- l2=- \
	    u2=- note='' args c0 c1 cpu rcv=client s0 sp key
	key="$n x ${cc^^} $dir"
	label=$key${NORATE:+ *}
	[ "$cc" = bbr ] && [ -z "$BBR" ] && return
	args=(-C "$cc" -P "$n")
	[ "$dir" = down ] && args+=(-R)
	sum=$BT_SUM_DOWN
	[ "$dir" = up ] && sum=$BT_SUM_UP
	ceil=$(ceiling "$RATIO" "$dir")
	f=$BT_DIR/$PROF-$cc-$n-$dir${NORATE:+-norate}
	[ "$dir" = up ] && rcv=server
	s0=$(rx_frames "$rcv")
	b0=$(link_bytes "$dir")
	c0=$(cpu_ticks "$BT_CLIENT_PID" "$BT_SERVER_PID")
	perf_run "$f-bondd.json" 198.19.0.1 "" "$T" "${args[@]}" ||
	    run_failed "$label bondd"
	c1=$(cpu_ticks "$BT_CLIENT_PID" "$BT_SERVER_PID")
	b1=$(link_bytes "$dir")
	# The core's counters reach bondctl about once a second.
	sleep 1.2
	sp=$(spurious_pct "$s0" "$(rx_frames "$rcv")")
	m1=$(iperf_mbps "$f-bondd.json")
	# The CPU cores both ends' daemons kept busy during the run.
	cpu=$(cores $((c1 - c0)) "$T")
	[[ $PROF == hetero3* ]] && [ "$dir" = down ] &&
	    H3_ROWS+=("$PROF $label (summed rate $(mbit "$sum") Mbit/s, ceiling $(mbit "$ceil")): $m1 Mbit/s, bondd CPU $cpu of $(nproc) cores (both ends)")
	p1=$(shares "$b0" "$b1")
	[ "$(cc_used "$f-bondd.json")" = "$cc" ] ||
	    note="bondd run used $(cc_used "$f-bondd.json") "
	if [ -n "$NORATE" ]; then
		m2=${MP_FIG[$PROF $key]:--}
		is_num "$m2" && p2=$(pct "$m2" "$(mbit "$sum")")
	elif [ -n "$MPTCP" ] && [ -z "${BT_BENCH_QUICK:-}" ]; then
		b0=$(link_bytes "$dir")
		perf_run "$f-mptcp.json" "$BT_SERVER_ADDR" "mptcpize run" "$T" \
		    "${args[@]}" || run_failed "$label MPTCP"
		b1=$(link_bytes "$dir")
		m2=$(iperf_mbps "$f-mptcp.json")
		l2=$(shares "$b0" "$b1")
		u2=$(links_used "$b0" "$b1")
		p2=$(pct "$m2" "$(mbit "$sum")")
		MP_FIG[$PROF $key]=$m2
		MP_ROWS=$((MP_ROWS + 1))
		[ "${u2%/*}" = "${u2#*/}" ] && MP_ALL=$((MP_ALL + 1))
		[ "$(cc_used "$f-mptcp.json")" = "$cc" ] ||
		    note="${note}MPTCP run used $(cc_used "$f-mptcp.json")"
	fi
	emit "$(printf '%-13s %-16s %7s %4s%% %4s%% %5s %5s%% %-17s %7s %4s%% %-17s %s' \
	    "$PROF" "$label" "$m1" "$(pct "$m1" "$(mbit "$sum")")" \
	    "$(pct "$m1" "$(mbit "$ceil")")" "$cpu" "$sp" "$p1" "$m2" "$p2" \
	    "$l2" "$u2${note:+ ($note)}")"
	[ -z "$NORATE" ] && row_goals "$label" "$m1" "$m2" \
	    "$(pct "$m1" "$(mbit "$sum")")" "$sp" "$cc" "$n" "$dir"
}

# norate_rows: both daemons again, told no link rate: each sender
# estimates its links from 10 Mbit/s, as for an LTE or Starlink link
# whose rate nobody knows.  Then one CUBIC stream down.
norate_rows()
{
	local k v running saved=()
	kill_pids "$BT_CLIENT_PID" "$BT_SERVER_PID"
	for ((k = 0; k < BT_NLINKS; k++)); do
		for v in UP DOWN; do
			saved+=("$(link_var "RATE_$v" "$k")")
			printf -v "BT_LINK_RATE_${v}_$k" '%s' 0
		done
	done
	daemons_start
	running=$?
	# The summed rate and the ceiling are the links'.
	for ((k = 0; k < BT_NLINKS; k++)); do
		printf -v "BT_LINK_RATE_UP_$k" '%s' "${saved[2 * k]}"
		printf -v "BT_LINK_RATE_DOWN_$k" '%s' "${saved[2 * k + 1]}"
	done
	if [ "$running" != 0 ]; then
		not_ok "$PROF: links without rates not running"
		return
	fi
	emit "$PROF * no rate configured: each sender estimates its links from 10 Mbit/s; MPTCP, which uses none, is its figure with the rates"
	NORATE=1 tcp_row cubic 1 down
}

# bare_rows: plain TCP without a tunnel, one CUBIC stream over each link
# alone (bound to the link's address), down and up.
bare_rows()
{
	local dir k f m list sum tot args
	for dir in down up; do
		list=
		tot=0
		for ((k = 0; k < BT_NLINKS; k++)); do
			f=$BT_DIR/$PROF-bare-$k-$dir.json
			args=(-C cubic -B "$(link_var ADDR "$k")")
			[ "$dir" = down ] && args+=(-R)
			perf_run "$f" "$BT_SERVER_ADDR" "" "$T" "${args[@]}" ||
			    run_failed "plain TCP over link $k $dir"
			m=$(iperf_mbps "$f")
			list="$list${list:+/}$m"
			tot=$(awk -v t="$tot" -v m="$m" \
			    'BEGIN { printf "%.1f", t + (m ~ /^[0-9.]+$/ ? m : 0) }')
		done
		sum=$BT_SUM_DOWN
		[ "$dir" = up ] && sum=$BT_SUM_UP
		emit "$(printf '%-13s TCP without a tunnel, 1 x CUBIC %s, each link alone: %s Mbit/s, sum %s (%s%% of the summed rate)' \
		    "$PROF" "$dir" "$list" "$tot" "$(pct "$tot" "$(mbit "$sum")")")"
	done
}

# ping_rows: idle RTT p50 through the tunnel and over each link alone.
ping_rows()
{
	local k p list='' best='?' bk='' tun
	for ((k = 0; k < BT_NLINKS; k++)); do
		p=$(ping_p50 -I "$(link_var ADDR "$k")" "$BT_SERVER_ADDR")
		list="$list${list:+/}$p"
		if [ "$p" != "?" ] && { [ "$best" = "?" ] ||
		    awk -v a="$p" -v b="$best" 'BEGIN { exit !(a < b) }'; }; then
			best=$p
			bk=$k
		fi
	done
	tun=$(ping_p50 198.19.0.1)
	emit "$(printf '%-13s idle ping p50: through bondd %s ms; best link alone (link %s, no tunnel) %s ms; each link %s ms' \
	    "$PROF" "$tun" "${bk:-?}" "$best" "$list")"
	goal "$PROF idle ping p50 through bondd <= the best link's + 1 ms" \
	    "$tun vs $best ms" "$(is_num "$tun" "$best" && echo "$tun <= $best + 1")"
}

# stall_run WHO DIR: the longest receiver stall (0.1 s intervals) of a
# 14 s CUBIC stream while link 0 is black-holed both ways from 4.5 s
# to 7.5 s: intervals under a quarter of the rate before it, as
# t-failover counts them (lib.sh's iperf_stall); sets STALL to
# "SECONDS MBPS".
stall_run()
{
	local who=$1 dir=$2 f sched addr=198.19.0.1 wrap='' args=(-C cubic -i 0.1)
	f=$BT_DIR/$PROF-stall-$who-$dir.json
	if [ "$who" = MPTCP ]; then
		addr=$BT_SERVER_ADDR
		wrap="mptcpize run"
	fi
	# The receiver's intervals: the client's with -R, else the server's.
	if [ "$dir" = down ]; then
		args+=(-R)
	else
		args+=(--get-server-output)
	fi
	(sleep 4.5; wanem_ctl 0 outage both on >/dev/null; sleep 3
	    wanem_ctl 0 outage both off >/dev/null) &
	sched=$!
	BT_PIDS+=("$sched")
	[ "$dir" = up ] && PERF_S_ARGS="-J -i 0.1"
	perf_run "$f" "$addr" "$wrap" 14 "${args[@]}" ||
	    run_failed "black hole of link 0, $who $dir"
	PERF_S_ARGS=
	wait "$sched"
	STALL="$(iperf_stall "$f" 4.5 0.25) $(iperf_mbps "$f")"
}

stall_rows()
{
	local dir b m
	for dir in down up; do
		stall_run bondd "$dir"
		b=$STALL
		wait_running 20 || run_failed "links running after the black hole"
		m="- -"
		if [ -n "$MPTCP" ]; then
			stall_run MPTCP "$dir"
			m=$STALL
		fi
		wait_running 20 || run_failed "links running after the black hole"
		emit "$(printf '%-13s black hole of link 0 (3 s), 1 x CUBIC %s: longest stall bondd %s s (%s Mbit/s), MPTCP %s s (%s Mbit/s)' \
		    "$PROF" "$dir" "${b% *}" "${b#* }" "${m% *}" "${m#* }")"
		goal "$PROF black hole of link 0, 1 x CUBIC $dir: longest stall <= 0.3 s" \
		    "${b% *} s" "$(is_num "${b% *}" && echo "${b% *} <= 0.3")"
	done
}

# udp_row: 30 Mbit/s of UDP down through the tunnel for T seconds; the
# loss the receiver sees, from the sender's count, and what the
# emulators dropped meanwhile (random loss, full queue).
udp_row()
{
	local s r b0 b1 l0 l1 q0 q1 spid loss k
	b0=$(link_bytes down)
	l0=$(for ((k = 0; k < BT_NLINKS; k++)); do wanem_stat "$k" "j['down']['dropped_loss']"; done)
	q0=$(for ((k = 0; k < BT_NLINKS; k++)); do wanem_stat "$k" "j['down']['dropped_queue']"; done)
	s=$BT_DIR/$PROF-udp.s
	r=$BT_DIR/$PROF-udp.r
	bg sv timeout $((T + 15)) "$BT_BIN/udpcheck" send -l 198.19.0.1:5900 \
	    -r 30mbit -s 1200 -T "$T" >"$s" 2>&1
	spid=$BG_PID
	sleep 0.3
	in_ns cl timeout $((T + 15)) "$BT_BIN/udpcheck" recv \
	    -c 198.19.0.1:5900 -T $((T + 5)) -i 2000 >"$r" 2>&1
	wait "$spid"
	b1=$(link_bytes down)
	l1=$(for ((k = 0; k < BT_NLINKS; k++)); do wanem_stat "$k" "j['down']['dropped_loss']"; done)
	q1=$(for ((k = 0; k < BT_NLINKS; k++)); do wanem_stat "$k" "j['down']['dropped_queue']"; done)
	loss=$("$BT_PY" -c '
import json, sys
s = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
lost = s["sent"] - r["unique"]
print("%.2f %% (%d of %d lost, %d reordered)" % (100.0 * lost / s["sent"],
    lost, s["sent"], r["reordered"]))' "$s" "$r" 2>/dev/null) ||
	    { run_failed "UDP 30 Mbit/s down"; loss=failed; }
	goal "$PROF UDP 30 Mbit/s down: receiver loss <= 0.5 %" "${loss%% *} %" \
	    "$(is_num "${loss%% *}" && echo "${loss%% *} <= 0.5")"
	emit "$(printf '%-13s UDP 30 Mbit/s down through bondd: receiver loss %s; per link %s Mbit/s; emulators dropped %s (random), %s (queue)' \
	    "$PROF" "$loss" "$(per_link "$b0" "$b1" "$T")" \
	    "$(paste -sd/ <(paste -d' ' <(echo "$l0") <(echo "$l1") | awk '{ print $2 - $1 }'))" \
	    "$(paste -sd/ <(paste -d' ' <(echo "$q0") <(echo "$q1") | awk '{ print $2 - $1 }'))")"
}

# mptcp_setup: kernel MPTCP on both ends, one subflow endpoint per link
# on the client.
mptcp_setup()
{
	local k ns
	MPTCP=
	if ! command -v mptcpize >/dev/null; then
		not_ok "mptcpize missing (make deps): no MPTCP reference"
		return
	fi
	for ns in cl sv; do
		if ! in_ns "$ns" sysctl -qw net.mptcp.enabled=1 ||
		    ! in_ns "$ns" ip mptcp limits set subflow "$BT_NLINKS" \
		    add_addr_accepted "$BT_NLINKS"; then
			not_ok "$PROF: MPTCP limits"
			return
		fi
	done
	for ((k = 0; k < BT_NLINKS; k++)); do
		in_ns cl ip mptcp endpoint add "$(link_var ADDR "$k")" \
		    dev "$(link_var DEV "$k")" subflow ||
		    { not_ok "$PROF: MPTCP endpoint $k"; return; }
	done
	MPTCP=1
}

# profile_down: stop the daemons and the topology of one profile.
profile_down()
{
	local f
	kill_pids "${BT_PIDS[@]}"
	BT_PIDS=()
	BT_CLIENT_PID=
	BT_SERVER_PID=
	topo_down >/dev/null 2>&1
	BT_TOPO=0
	for f in "$BT_DIR"/*.log; do
		[ -e "$f" ] && mv "$f" "$BT_DIR/$PROF-$(basename "$f")"
	done
}

# daemons_start: both configurations, from the links' variables, and
# both daemons; non-zero when the links do not run within 15 s.
daemons_start()
{
	write_server_conf
	BT_CLIENT_LINKS='' write_client_conf
	start_server
	start_client
	wait_established 15 && wait_running 15
}

# tunnel_start PROFILE: topology, MPTCP endpoints, keys and both
# daemons; non-zero when the links do not run.
tunnel_start()
{
	topo_start "$1"
	mptcp_setup
	gen_keys
	daemons_start
}

bench_profile()
{
	local spec k rates='' cc n dir
	PROF=$1
	echo
	say "==== $PROF"
	if ! tunnel_start "$PROF"; then
		not_ok "$PROF: links not running"
		profile_down
		return
	fi
	for ((k = 0; k < BT_NLINKS; k++)); do
		rates="$rates${rates:+, }$(mbit "$(link_var RATE_DOWN "$k")")/$(mbit "$(link_var RATE_UP "$k")")"
	done
	derive_ratio
	emit "$(printf '%-13s links (down/up Mbit/s) %s; summed down %s, up %s; tunnel ceiling down %s, up %s' \
	    "$PROF" "$rates" "$(mbit "$BT_SUM_DOWN")" "$(mbit "$BT_SUM_UP")" \
	    "$(mbit "$(ceiling "$RATIO" down)")" \
	    "$(mbit "$(ceiling "$RATIO" up)")")"
	ping_rows
	[ -z "${BT_BENCH_QUICK:-}" ] && bare_rows
	emit "$(header)"
	case $PROF in
	equal2-loss5)
		tcp_row cubic 1 down
		udp_row
		;;
	*)
		for spec in $TCP_ROWS; do
			IFS=: read -r cc n dir <<<"$spec"
			tcp_row "$cc" "$n" "$dir"
		done
		;;
	esac
	[ "$PROF" = "$STALL_PROFILE" ] && [ -z "${BT_BENCH_QUICK:-}" ] &&
	    stall_rows
	[[ " $NORATE_PROFILES " == *" $PROF "* ]] && norate_rows
	profile_down
}

# cpu_ticks PID...: CPU time (clock ticks, user and system) so far of
# these processes and their children: every process of a daemon.
cpu_ticks()
{
	local t=0 p q
	for p in "$@" $(for q in "$@"; do pgrep -P "$q"; done); do
		[ -r "/proc/$p/stat" ] || continue
		# Fields after the command name, which may hold spaces.
		t=$((t + $(sed 's/.*) //' "/proc/$p/stat" |
		    awk '{ print $12 + $13 }')))
	done
	echo "$t"
}

# cores TICKS SECONDS: the CPU cores that many ticks kept busy.
cores()
{
	awk -v c="$1" -v hz="$HZ" -v t="$2" 'BEGIN { printf "%.2f", c / hz / t }'
}

# per_gbit TICKS MBPS: CPU seconds per second per Gbit/s of MBPS over a
# run of T seconds ("?" without a figure).
per_gbit()
{
	awk -v c="$1" -v m="$2" -v hz="$HZ" -v t="$T" 'BEGIN {
		if (m ~ /^[0-9.]+$/ && m > 0)
			printf "%.2f", c / hz / t / (m / 1000); else print "?" }'
}

# --- unshaped: the data path with no link in the way ---------------

# wg_up: wireguard-go on both ends over link 0 (the client's first
# route), tunnel 198.19.1.2 (client) -- 198.19.1.1 (server), keys made
# for this run; sets WG_CL_PID and WG_SV_PID.  Non-zero if it does not
# carry a ping.
wg_up()
{
	local ns dev addr i pid
	WG_CL_PID=
	WG_SV_PID=
	if ! command -v wireguard-go >/dev/null || ! command -v wg >/dev/null
	then
		not_ok "wireguard-go or wg missing (make bench installs them)"
		return 1
	fi
	(umask 077; wg genkey >"$BT_DIR/wgc.key"; wg genkey >"$BT_DIR/wgs.key")
	for ns in cl sv; do
		# Interface names are also the names of wireguard-go's
		# control sockets, which namespaces share.
		dev=${BT_PREFIX}w$ns
		# Debian's wireguard-go runs on Linux only when told to.
		bg "$ns" env WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1 \
		    wireguard-go -f "$dev" >"$BT_DIR/wireguard-go-$ns.log" 2>&1
		pid=$BG_PID
		for ((i = 0; i < 50; i++)); do
			in_ns "$ns" ip link show "$dev" >/dev/null 2>&1 && break
			sleep 0.1
		done
		addr=198.19.1.2
		[ "$ns" = sv ] && addr=198.19.1.1 && WG_SV_PID=$pid
		[ "$ns" = cl ] && WG_CL_PID=$pid
		in_ns "$ns" ip addr add "$addr/24" dev "$dev" &&
		    in_ns "$ns" ip link set "$dev" up || return 1
	done
	in_ns sv wg set "${BT_PREFIX}wsv" private-key "$BT_DIR/wgs.key" \
	    listen-port 51820 peer "$(wg pubkey <"$BT_DIR/wgc.key")" \
	    allowed-ips 198.19.1.2/32 &&
	    in_ns cl wg set "${BT_PREFIX}wcl" private-key "$BT_DIR/wgc.key" \
	    peer "$(wg pubkey <"$BT_DIR/wgs.key")" allowed-ips 198.19.1.1/32 \
	    endpoint "$BT_SERVER_ADDR:51820" || return 1
	in_ns cl ping -n -q -c 3 -i 0.2 -W 2 198.19.1.1 >/dev/null
}

# direct_row WHO N DIR ADDR PIDS...: one run of N CUBIC streams in DIR
# to ADDR; sets MBPS, and CPU (cores per Gbit/s of the PIDS, both ends).
direct_row()
{
	local who=$1 n=$2 dir=$3 addr=$4 f c0 c1 args
	shift 4
	f=$BT_DIR/direct$BT_NLINKS-$who-$n-$dir.json
	args=(-C cubic -P "$n")
	[ "$dir" = down ] && args+=(-R)
	c0=$(cpu_ticks "$@")
	perf_run "$f" "$addr" "" "$T" "${args[@]}" ||
	    run_failed "$n x $dir through $who"
	c1=$(cpu_ticks "$@")
	MBPS=$(iperf_mbps "$f")
	CPU=$(per_gbit $((c1 - c0)) "$MBPS")
}

# dev_bytes DIR: bytes each client device sent (up) or received (down).
dev_bytes()
{
	local k s=tx_bytes out=
	[ "$1" = down ] && s=rx_bytes
	for ((k = 0; k < BT_NLINKS; k++)); do
		out="$out $(in_ns cl cat "/sys/class/net/cl-w$k/statistics/$s")"
	done
	echo "${out# }"
}

# gbit MBPS: Mbit/s as Gbit/s with two decimals ("?" stays).
gbit()
{
	awk -v m="$1" 'BEGIN { if (m ~ /^[0-9.]+$/) printf "%.2f", m / 1000
		else print "?" }'
}

# bench_direct N: the unshaped rows over N links (N = 1: beside
# wireguard-go on the same veth); results in U_<who>_<links>_<n>_<dir>
# and C_... (cores per Gbit/s).
bench_direct()
{
	local nl=$1 n dir b0 b1 wg=0 mine label
	PROF=direct$nl
	echo
	say "==== unshaped, $nl plain veth link(s)"
	if ! direct_up "$nl"; then
		not_ok "unshaped $nl: veth links"
		direct_down
		return
	fi
	gen_keys
	if ! daemons_start; then
		not_ok "unshaped $nl: links not running"
		direct_down
		return
	fi
	if [ "$nl" = 1 ]; then
		PING_TUN=$(ping_p50 198.19.0.1)
		PING_VETH=$(ping_p50 "$BT_SERVER_ADDR")
		wg_up && wg=1
		[ "$wg" = 0 ] && run_failed "wireguard-go"
		[ "$wg" = 1 ] && PING_WG=$(ping_p50 198.19.1.1)
		emit "unshaped 1 link idle ping p50: through bondd $PING_TUN ms; through wireguard-go ${PING_WG:-?} ms; the veth alone $PING_VETH ms"
	fi
	for dir in up down; do
		for n in 1 4; do
			label=$(printf 'unshaped %d link%s %d x %-4s' "$nl" \
			    "$([ "$nl" -gt 1 ] && echo s)" "$n" "$dir")
			b0=$(dev_bytes "$dir")
			direct_row bondd "$n" "$dir" 198.19.0.1 \
			    "$BT_CLIENT_PID" "$BT_SERVER_PID"
			b1=$(dev_bytes "$dir")
			printf -v "U_bondd_${nl}_${n}_$dir" '%s' "$MBPS"
			printf -v "C_bondd_${nl}_${n}_$dir" '%s' "$CPU"
			mine=$(printf '%s: bondd %s Gbit/s, %s CPU s per Gbit (both ends)' \
			    "$label" "$(gbit "$MBPS")" "$CPU")
			if [ "$nl" -gt 1 ]; then
				mine="$mine; per link $(per_link "$b0" "$b1" "$T") Mbit/s"
			elif [ "$wg" = 1 ]; then
				direct_row wg "$n" "$dir" 198.19.1.1 \
				    "$WG_CL_PID" "$WG_SV_PID"
				printf -v "U_wg_${n}_$dir" '%s' "$MBPS"
				mine="$mine; wireguard-go $(gbit "$MBPS") Gbit/s, $CPU CPU s per Gbit; bondd/wireguard-go $(ratio "U_bondd_1_${n}_$dir" "U_wg_${n}_$dir")"
			fi
			emit "$mine"
		done
	done
	direct_down
}

# ratio VAR_A VAR_B: A / B of two named figures, "?" without both.
ratio()
{
	awk -v a="${!1:-?}" -v b="${!2:-?}" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0)
			printf "%.2f", a / b; else print "?" }'
}

# met TEST: "met" or "not met" for an awk condition.
met()
{
	awk "BEGIN { exit !($1) }" 2>/dev/null && echo met || echo "not met"
}

# is_num V...: all numbers.
is_num()
{
	local v
	for v in "$@"; do
		[[ $v =~ ^[0-9.]+$ ]] || return 1
	done
}

# targets: each target of the data path beside what this run measured.
targets()
{
	local dir u w c4 a b r verdict cpu
	echo
	for r in "${LINK_GOALS[@]}"; do
		emit "$r"
	done
	for dir in up down; do
		a=U_bondd_1_1_$dir
		u=${!a:-?}
		verdict="?"
		is_num "$u" && verdict=$(met "$u >= 2000")
		emit "target: 1 stream $dir >= 2.0 Gbit/s: $(gbit "$u") Gbit/s, $verdict"
		r=$(ratio "U_bondd_1_1_$dir" "U_wg_1_$dir")
		verdict="?"
		is_num "$r" && verdict="$(met "$r >= 3") (goal 5 x: $(met "$r >= 5"))"
		w=U_wg_1_$dir
		emit "target: 1 stream $dir >= 3 x wireguard-go: $r x ($(gbit "$u") vs $(gbit "${!w:-?}") Gbit/s), $verdict"
	done
	for a in $(compgen -v C_bondd_1_); do
		cpu=${!a}
		verdict="?"
		is_num "$cpu" && verdict=$(met "$cpu <= 1")
		b=${a#C_bondd_1_}
		emit "target: CPU <= 1 s per Gbit (both ends), 1 link, ${b%_*} x ${b##*_}: $cpu, $verdict"
	done
	verdict="?"
	is_num "${PING_TUN:-?}" && verdict=$(met "$PING_TUN <= 0.3")
	emit "target: idle ping p50 through bondd on an unshaped link <= 0.3 ms: ${PING_TUN:-?} ms (wireguard-go ${PING_WG:-?} ms, the veth alone ${PING_VETH:-?} ms), $verdict"
	for a in $(compgen -v U_bondd_4_); do
		b=U_bondd_1_${a#U_bondd_4_}
		c4=${!a}
		verdict="?"
		is_num "$c4" "${!b:-?}" && verdict=$(met "$c4 >= ${!b}")
		r=${a#U_bondd_4_}
		emit "target: 4 bonded links no slower than 1, ${r%_*} x ${r##*_}: $(gbit "$c4") vs $(gbit "${!b:-?}") Gbit/s, $verdict"
	done
	for r in "${H3_ROWS[@]}"; do
		emit "target: $r"
	done
}

# Resident memory of every process of both ends on profile one, idle
# and the most it reached under 4 TCP streams up then down (sampled
# every half second); VmRSS includes the shared pages (RssShmem).
bench_memory()
{
	local dir f ipid line args
	PROF=one
	echo
	say "==== memory (profile one)"
	if ! tunnel_start one; then
		not_ok "one: link not running"
		profile_down
		return
	fi
	sleep 2
	mem_all >"$BT_DIR/mem-idle"
	: >"$BT_DIR/mem-load"
	for dir in up down; do
		f=$BT_DIR/mem-$dir.json
		args=(-P 4)
		[ "$dir" = down ] && args+=(-R)
		perf_run "$f" 198.19.0.1 "" "$T" "${args[@]}" &
		ipid=$!
		mem_under "$ipid" "$BT_DIR/mem-load"
		wait "$ipid" || run_failed "memory: 4-stream $dir"
	done
	while read -r line; do
		emit "$line"
	done < <(awk 'FNR == 1 { load = FILENAME ~ /load$/ }
	    $4 ~ /^[0-9]+$/ {
		k = $1 " " $2 " " $3
		if (!load) { idle[k] = $4 }
		else if ($4 > peak[k]) { peak[k] = $4; shm[k] = $5 }
	    } END { for (k in idle) { split(k, a, " ")
		printf "one           memory %s %-6s (pid %s): VmRSS idle %d kB, under load %d kB (shared %s kB)\n",
		    a[1], a[2], a[3], idle[k], peak[k], shm[k] == "" ? "?" : shm[k] } }' \
	    "$BT_DIR/mem-idle" "$BT_DIR/mem-load" | sort)
	profile_down
}

setup
command -v modprobe >/dev/null && modprobe tcp_bbr 2>/dev/null
grep -qw bbr /proc/sys/net/ipv4/tcp_available_congestion_control && BBR=1
echo "# bondd bench: ${T} s iperf3 runs; profiles: $PROFILES"
echo "# congestion control available: $(cat /proc/sys/net/ipv4/tcp_available_congestion_control)"
[ -z "$BBR" ] && echo "# tcp_bbr is not available: the BBR rows are left out"
for p in $PROFILES; do
	bench_profile "$p"
done
if [ -z "${BT_BENCH_NO_UNSHAPED:-}" ]; then
	bench_direct 1
	bench_direct 4
fi
[ -z "${BT_BENCH_NO_MEMORY:-}" ] && bench_memory
targets

echo
echo "==== bench results"
for r in "${ROWS[@]}"; do
	echo "$r"
done
[ "$MP_ROWS" -gt 0 ] &&
    echo "MPTCP carried bytes (>= 2 % of a run's) on every link in $MP_ALL of $MP_ROWS rows (emulator counters)"
[ "$BT_FAIL" -eq 0 ] || echo "$BT_FAIL run(s) failed"
[ "$BT_FAIL" -eq 0 ]
