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

# Soak (make soak, not part of make check): SOAK_TIME seconds (600) of
# a two-link tunnel under a continuous ping and back-to-back bounded
# iperf3 runs, with an event every SOAK_EVERY seconds (20) in turn: a
# link flap through the emulator (outage both ways for 3 s), a reload
# with a changed configuration, and a SIGKILL of a client linkd, of the
# client's core, of the server's linkd, of the server's core, of the
# client's ctld and of the server's (the parents respawn them).  Both
# ends rekey every SOAK_REKEY seconds (30); a rekey is a handshake on a
# client link in a sample interval with no event near it (those after
# a kill are the respawned linkds').  A run of 10 events or more must
# have had every kind of event, and one of 300 s or more two rekeys.
# Every process of both daemons (the parents and their children, by
# pid, a respawned one from its first sample) is sampled every
# SOAK_SAMPLE seconds (10) for its resident memory and open fds.
# Fails on a ping lost outside an event's window (the event and
# SOAK_GRACE seconds (5) after it), on a process whose RSS (median of
# its last three samples against its first three) grew by more than
# SOAK_RSS_KB (4096), or whose fd count grew by more than SOAK_FDS (2),
# on a reload refused and on a parent that died.  Runs as root in namespaces (tests/lib/
# topo.sh) and removes them and its processes, also when it fails.

BT_TEST=soak
. "$(dirname "$0")/../integration/lib.sh"

SOAK_TIME=${SOAK_TIME:-600}
SOAK_EVERY=${SOAK_EVERY:-20}
SOAK_SAMPLE=${SOAK_SAMPLE:-10}
SOAK_GRACE=${SOAK_GRACE:-5}
SOAK_RSS_KB=${SOAK_RSS_KB:-4096}
SOAK_FDS=${SOAK_FDS:-2}
SOAK_REKEY=${SOAK_REKEY:-30}

BT_CLIENT_EXTRA="session: {rekey: $SOAK_REKEY}"
BT_SERVER_EXTRA="session: {rekey: $SOAK_REKEY}"
tunnel_up equal2
wait_running 15 || bail "links not running within 15 s"
ok "links running"
cp "$BT_DIR/client.yaml" "$BT_DIR/plain.yaml"
sed -E '/name: wan0,/{s/up: [^,}]*/up: 15mbit/;t;s/name: wan0, /name: wan0, up: 15mbit, /}' \
    "$BT_DIR/plain.yaml" >"$BT_DIR/rate.yaml"
protect "$BT_DIR"/*.yaml

t_start=$EPOCHREALTIME
t_end=$(awk -v a="$t_start" -v d="$SOAK_TIME" 'BEGIN { printf "%.0f", a + d }')
events=$BT_DIR/events	# start end what
samples=$BT_DIR/samples	# time who pid rss_kb fds
: >"$events"
: >"$samples"

# The ping: one every 0.2 s with its time (-D), a reply within 2 s.
in_ns cl timeout $((SOAK_TIME + 10)) ping -n -D -i 0.2 -W 2 \
    -w "$SOAK_TIME" 198.19.0.1 >"$BT_DIR/ping.log" 2>&1 &
ping_pid=$!
BT_PIDS+=("$ping_pid")

# Traffic: bounded iperf3 runs of 30 s at 10 Mbit/s, one after another.
(
	n=0
	while [ "$(date +%s)" -lt $((t_end - 35)) ]; do
		iperf_run "$BT_DIR/iperf-$n.json" 30 -b 10M >/dev/null 2>&1
		n=$((n + 1))
	done
) &
BT_PIDS+=("$!")

now() { printf '%s' "$EPOCHREALTIME"; }

# event WHAT CMD...: runs CMD, its window from now to its end + grace;
# one whose CMD failed (no such child to kill) is counted as missed.
event()
{
	local what=$1 a b
	shift
	a=$(now)
	"$@" || { missed=$((missed + 1)); say "event missed: $what"; }
	b=$(now)
	last_event=$SECONDS
	echo "$a $(awk -v b="$b" -v g="$SOAK_GRACE" 'BEGIN { printf "%.3f", b + g }') $what" \
	    >>"$events"
	say "event: $what"
}

flap()
{
	wanem_ctl "$1" outage both on >/dev/null
	sleep 3
	wanem_ctl "$1" outage both off >/dev/null
}

reload_to()
{
	cp "$BT_DIR/$1.yaml" "$BT_DIR/client.yaml"
	protect "$BT_DIR/client.yaml"
	timeout 10 "$BONDCTL" -s "$BT_DIR/client.sock" reload >/dev/null ||
	    reload_fail=$((reload_fail + 1))
}

kill_child()
{
	local p
	p=$(child_of_kind "$1" "$2") && kill -KILL "$p"
}

# sample: every process of both daemons.
sample()
{
	local t who parent p kind
	t=$(now)
	for who in client server; do
		parent=$BT_CLIENT_PID
		[ "$who" = server ] && parent=$BT_SERVER_PID
		for p in "$parent" $(children "$parent"); do
			kind=$(exe_name "$p")
			[ "$p" = "$parent" ] && kind=parent
			echo "$t $who-$kind $p $(proc_field "$p" VmRSS | awk '{ print $1 }') $(ls "/proc/$p/fd" 2>/dev/null | wc -l)"
		done
	done >>"$samples"
}

# handshakes: "name=count" of every client link.
handshakes()
{
	stat_get client "' '.join('%s=%d' % (l['name'],
	    l.get('handshakes') or 0) for l in j['links'])" 2>/dev/null
}

# count_rekeys OLD NEW: handshakes in NEW beyond OLD, link by link (a
# respawned linkd counts from 0 again: its count is all new).
count_rekeys()
{
	local kv n=0 k v o
	for kv in $2; do
		k=${kv%%=*} v=${kv#*=} o=0
		case " $1 " in *" $k="*) o=${1#*"$k="} o=${o%% *} ;; esac
		[ "$v" -lt "$o" ] && o=0
		n=$((n + v - o))
	done
	echo "$n"
}

rekeys=0
handshakes_all=0
reload_fail=0
missed=0
last_event=-100
hs_last=$(handshakes)
i=0
next_event=$((SECONDS + SOAK_EVERY))
next_sample=$SECONDS
while [ "$(date +%s)" -lt "$t_end" ]; do
	if [ "$SECONDS" -ge "$next_sample" ]; then
		sample
		# Nothing when ctld does not answer (killed a moment ago).
		if hs=$(handshakes) && [ -n "$hs" ]; then
			n=$(count_rekeys "$hs_last" "$hs")
			handshakes_all=$((handshakes_all + n))
			# No event since the last sample, nor 5 s before it.
			[ $((SECONDS - last_event)) -gt $((SOAK_SAMPLE + 5)) ] &&
			    rekeys=$((rekeys + n))
			hs_last=$hs
		fi
		next_sample=$((SECONDS + SOAK_SAMPLE))
	fi
	if [ "$SECONDS" -ge "$next_event" ] &&
	    [ "$(date +%s)" -lt $((t_end - SOAK_GRACE - 5)) ]; then
		case $((i % 8)) in
		0) event "flap wan$((i / 8 % 2))" flap $((i / 8 % 2)) ;;
		1) event "reload" reload_to "$( [ $((i / 8 % 2)) -eq 0 ] && echo rate || echo plain)" ;;
		2) event "kill client linkd" kill_child "$BT_CLIENT_PID" linkd ;;
		3) event "kill client core" kill_child "$BT_CLIENT_PID" core ;;
		4) event "kill server linkd" kill_child "$BT_SERVER_PID" linkd ;;
		5) event "kill server core" kill_child "$BT_SERVER_PID" core ;;
		6) event "kill client ctld" kill_child "$BT_CLIENT_PID" ctld ;;
		7) event "kill server ctld" kill_child "$BT_SERVER_PID" ctld ;;
		esac
		i=$((i + 1))
		next_event=$((SECONDS + SOAK_EVERY))
	fi
	sleep 0.5
done
wait "$ping_pid" 2>/dev/null

check "client parent alive" kill -0 "$BT_CLIENT_PID"
check "server parent alive" kill -0 "$BT_SERVER_PID"
say "$i events: $(awk '{ $1 = $2 = ""; sub(/^ +/, ""); sub(/ wan[0-9]+$/, ""); n[$0]++ }
    END { for (k in n) printf "%s%s x%d", s++ ? ", " : "", k, n[k] }' "$events")"
say "$handshakes_all handshakes on the client's links, $rekeys of them rekeys away from any event"
check_cmp "reloads refused" "$reload_fail" -eq 0
check_cmp "events missed (no child to kill)" "$missed" -eq 0
if [ "$i" -ge 10 ]; then
	check_cmp "kinds of event" "$(awk '{ $1 = $2 = ""; sub(/ wan[0-9]+$/, ""); print }' \
	    "$events" | sort -u | wc -l)" -eq 8
fi
if [ "$SOAK_TIME" -ge 300 ]; then
	check_cmp "rekeys during the soak" "$rekeys" -ge 2
fi

# Pings: a sequence number without a reply was lost; it was sent 0.2 s
# per number after the last one answered before it (that reply's
# arrival less its round trip).  Not after the first ping's time plus
# 0.2 s per number: ping's interval is a little longer (0.2016 s on a
# busy host), and over 10 minutes that estimate falls 5 s early, which
# put losses inside a kill's window 15 s after the event before it.
lost=$("$BT_PY" -c '
import re, sys
ev = [tuple(l.split(None, 2)) for l in open(sys.argv[2])]
ev = [(float(a), float(b), w.strip()) for a, b, w in ev]
sent = {}
for l in open(sys.argv[1]):
	m = re.match(r"\[([0-9.]+)\] .*icmp_seq=([0-9]+) ttl=.* time=([0-9.]+)", l)
	if m:
		sent[int(m.group(2))] = float(m.group(1)) - float(m.group(3)) / 1000
got, top = set(sent), max(sent) if sent else 0
t0 = sent[min(sent)] - 0.2 * (min(sent) - 1) if sent else 0
bad = inside = 0
for s in range(1, top + 1):
	if s in got:
		continue
	p = max([k for k in got if k < s] or [0])
	t = sent[p] + 0.2 * (s - p) if p else t0 + 0.2 * (s - 1)
	if any(a - 1 <= t <= b for a, b, w in ev):
		inside += 1
	else:
		bad += 1
		last = [e for e in ev if e[0] - 1 <= t]
		print("# lost icmp_seq=%d at +%.1f s%s" % (s, t - t0,
		    ", %.1f s after the window of %s" % (t - last[-1][1],
		    last[-1][2]) if last else ""), file=sys.stderr)
print(bad, inside, top, len(got))
' "$BT_DIR/ping.log" "$events")
read -r lost_out lost_in sent answered <<<"$lost"
say "pings: $sent sent, $answered answered, $lost_in lost inside event windows"
check_cmp "pings answered" "${answered:-0}" -gt $((SOAK_TIME * 4))
check_cmp "pings lost outside event windows" "${lost_out:-1}" -eq 0

# Growth per process: the median of its last three samples against
# the median of its first three; processes with fewer than six samples
# (killed soon after their birth) say nothing.
growth=$(awk -v rssmax="$SOAK_RSS_KB" -v fdmax="$SOAK_FDS" '
function med(a, b, c) { return a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b)) }
$4 != "" { n[$3]++; who[$3] = $2; r[$3, n[$3]] = $4; f[$3, n[$3]] = $5 }
END {
	for (p in n) {
		k = n[p]
		if (k < 6) continue
		dr = med(r[p, k], r[p, k - 1], r[p, k - 2]) - med(r[p, 1], r[p, 2], r[p, 3])
		df = med(f[p, k], f[p, k - 1], f[p, k - 2]) - med(f[p, 1], f[p, 2], f[p, 3])
		printf "# %s pid %s: %d samples, rss %+d kB, fds %+d\n", who[p], p, k, dr, df
		if (dr > rssmax || df > fdmax) bad++
	}
	printf "%d\n", bad
}' "$samples")
printf '%s\n' "$growth" | sed '$d'
check_cmp "processes over the RSS (+$SOAK_RSS_KB kB) or fd (+$SOAK_FDS) bound" \
    "$(printf '%s\n' "$growth" | tail -n 1)" -eq 0
check "ping after the soak" ping_ok 5

finish
