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

# Helpers shared by the integration tests (sourced by tests/integration/
# t-*.sh and tests/demo.sh): keys, config files, starting the daemons in
# the namespaces of tests/lib/topo.sh, polling bondctl, TAP-like asserts
# and a cleanup that always removes what the test created.  Runs as root
# on the test host; it trusts the tree it is run from.

BT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BT_BIN=${BT_BIN:-$BT_ROOT/build}
BONDD=$BT_BIN/bondd
BONDCTL=$BT_BIN/bondctl
BT_TEST=${BT_TEST:-$(basename "$0" .sh)}
# Short and unique: namespace and interface names are limited in length.
BT_PREFIX=${BT_PREFIX:-bt$$}
BT_USER=_bondd
# Debian's python3: a pyenv shim in PATH costs a third of a second a call.
BT_PY=python3
[ -x /usr/bin/python3 ] && BT_PY=/usr/bin/python3
export BT_ROOT BT_BIN BT_PREFIX

BT_PASS=0
BT_FAIL=0
BT_PIDS=()
BT_EXTRA_NS=()
BT_NETNS_DIRS=()
BT_CLEANED=0
BT_TOPO=0
BT_SERVER_PID=
BT_CLIENT_PID=

# --- output and asserts ---------------------------------------------

say()
{
	printf '# %s\n' "$*"
}

ok()
{
	BT_PASS=$((BT_PASS + 1))
	printf 'ok - %s\n' "$*"
}

not_ok()
{
	BT_FAIL=$((BT_FAIL + 1))
	printf 'not ok - %s\n' "$*"
}

# check DESC CMD...: ok if CMD succeeds.
check()
{
	local desc=$1
	shift
	if "$@"; then
		ok "$desc"
	else
		not_ok "$desc"
	fi
}

# check_cmp DESC A OP B with OP one of -eq -ne -gt -ge -lt -le.
check_cmp()
{
	local desc=$1 a=$2 op=$3 b=$4
	if [[ $a =~ ^-?[0-9]+$ && $b =~ ^-?[0-9]+$ ]] && test "$a" "$op" "$b"; then
		ok "$desc ($a $op $b)"
	else
		not_ok "$desc (got '$a', want $op '$b')"
	fi
}

# delta A B: B - A, or "?" if either is not a number.
delta()
{
	if [[ $1 =~ ^-?[0-9]+$ && $2 =~ ^-?[0-9]+$ ]]; then
		echo $(($2 - $1))
	else
		echo "?($1,$2)"
	fi
}

# Fatal: the test cannot go on (cleanup runs from the trap).
bail()
{
	not_ok "$*"
	exit 1
}

# Print the summary of this test and exit with its verdict.
finish()
{
	printf '# %s: %d ok, %d not ok\n' "$BT_TEST" "$BT_PASS" "$BT_FAIL"
	if [ "$BT_FAIL" -ne 0 ] || [ "$BT_PASS" -eq 0 ]; then
		exit 1
	fi
	exit 0
}

# --- environment ----------------------------------------------------

need_root()
{
	if [ "$(id -u)" -ne 0 ]; then
		echo "# $BT_TEST: needs root" >&2
		exit 1
	fi
	if ! ip netns list >/dev/null 2>&1; then
		echo "# $BT_TEST: ip netns unavailable" >&2
		exit 1
	fi
	local b
	for b in "$BONDD" "$BONDCTL" "$BT_BIN/linkd" "$BT_BIN/ctld"; do
		[ -x "$b" ] || { echo "# $BT_TEST: $b not built" >&2; exit 1; }
	done
}

ensure_user()
{
	getent passwd "$BT_USER" >/dev/null && return 0
	useradd -r -d /var/empty -s /usr/sbin/nologin "$BT_USER" ||
	    { echo "# cannot create $BT_USER" >&2; exit 1; }
}

# Per-run directory.  The parent reads configs again as _bondd after it
# drops root (reload), so the directory must be traversable.
make_dir()
{
	if [ -z "${BT_DIR:-}" ]; then
		BT_DIR=$(mktemp -d "/tmp/bondd-$BT_TEST.XXXXXX")
		BT_DIR_OWNED=1
	fi
	chmod 0755 "$BT_DIR"
	export BT_DIR
}

# Configuration files: root-owned, readable by group _bondd only (a
# reload reads them as _bondd).  Key files stay 0600 root: bondd reads
# them as root at start and refuses them readable by anyone else.
protect()
{
	chgrp "$BT_USER" "$@" && chmod 0640 "$@"
}

# --- namespaces -----------------------------------------------------

ns_name()
{
	case $1 in
	cl) echo "${BT_NS_CL:-${BT_PREFIX}cl}" ;;
	rt) echo "${BT_NS_RT:-${BT_PREFIX}rt}" ;;
	sv) echo "${BT_NS_SV:-${BT_PREFIX}sv}" ;;
	lan) echo "${BT_NS_LAN:-${BT_PREFIX}lan}" ;;
	net) echo "${BT_NS_NET:-${BT_PREFIX}net}" ;;
	*) echo "$1" ;;
	esac
}

# in_ns cl|rt|sv|lan|net|NAME CMD...: CMD in that namespace.
in_ns()
{
	local ns
	ns=$(ns_name "$1")
	shift
	ip netns exec "$ns" "$@"
}

# ns_add NAME: a scratch namespace of our own in NS, removed by
# cleanup (not from a subshell, or cleanup never hears of it).
ns_add()
{
	NS=${BT_PREFIX}$1
	ip netns add "$NS" || return 1
	BT_EXTRA_NS+=("$NS")
	ip -n "$NS" link set lo up
}

# netns_file NS FILE LINE...: /etc/netns/NS/FILE holds the lines;
# "ip netns exec NS" bind-mounts it over /etc/FILE (hosts, resolv.conf),
# so a name resolves differently in NS.  Later writes (netns_write)
# keep the inode, so a running process sees them.  Removed at cleanup.
netns_file()
{
	local ns
	ns=$(ns_name "$1")
	mkdir -p "/etc/netns/$ns" || return 1
	BT_NETNS_DIRS+=("/etc/netns/$ns")
	shift
	netns_write "$ns" "$@"
}

netns_write()
{
	local ns f
	ns=$(ns_name "$1")
	f=/etc/netns/$ns/$2
	shift 2
	printf '%s\n' "$@" >"$f"
}

# Bring up the topology named by a profile (tests/lib/topo.sh).
topo_start()
{
	local topo=${BT_TOPO_SH:-$BT_ROOT/tests/lib/topo.sh}
	[ -r "$topo" ] || bail "tests/lib/topo.sh missing"
	# shellcheck source=/dev/null
	. "$topo"
	BT_TOPO=1
	topo_up "$1" || bail "topo_up $1"
	BT_NLINKS=0
	while [ -n "$(link_var DEV $BT_NLINKS)" ]; do
		BT_NLINKS=$((BT_NLINKS + 1))
	done
	[ "$BT_NLINKS" -gt 0 ] || bail "topology $1 has no links"
	say "topology $1: $BT_NLINKS link(s), dir $BT_DIR"
}

link_var()
{
	local v="BT_LINK_$1_$2"
	echo "${!v:-}"
}

# Server address and port as udp endpoint.
server_endpoint()
{
	case $BT_SERVER_ADDR in
	*:*) echo "[$BT_SERVER_ADDR]:${BT_SERVER_PORT:-5800}" ;;
	*) echo "$BT_SERVER_ADDR:${BT_SERVER_PORT:-5800}" ;;
	esac
}

# wanem_stat K EXPR: a field of link K's emulator stats (j = JSON).
wanem_stat()
{
	wanem_ctl "$1" stats | json_get "$2"
}

# --- keys and config ------------------------------------------------

# gen_keys NAME: $BT_DIR/NAME.key (private) and prints the public key.
gen_key()
{
	local f=$BT_DIR/$1.key
	(umask 077; "$BONDCTL" genkey >"$f") || return 1
	"$BONDCTL" pubkey <"$f"
}

# Sets CLIENT_PUB and SERVER_PUB, keys in $BT_DIR/{client,server}.key.
gen_keys()
{
	CLIENT_PUB=$(gen_key client) && [ -n "$CLIENT_PUB" ] ||
	    bail "bondctl genkey/pubkey (client)"
	SERVER_PUB=$(gen_key server) && [ -n "$SERVER_PUB" ] ||
	    bail "bondctl genkey/pubkey (server)"
}

# write_client_conf [SERVER_PUBLIC_KEY]: $BT_DIR/client.yaml with one
# link per topology link (or the indexes in BT_CLIENT_LINKS, e.g. "0"),
# each with the rates of its profile (up:/down: in bit/s, left out when
# unlimited).  Optional: BT_STRATEGY (scheduler.strategy) and
# BT_CLIENT_EXTRA (YAML lines appended as they are; must not repeat a
# top-level key written here, so no scheduler: with BT_STRATEGY),
# BT_CLIENT_TUNNEL (more keys of the tunnel mapping, as
# "routes: [0.0.0.0/0], persist: true") and BT_CLIENT_ENDPOINT (the
# peer's endpoint instead of the server's address, a name for example;
# the links then have no endpoint of their own).
write_client_conf()
{
	local pub=${1:-$SERVER_PUB} f=$BT_DIR/client.yaml k ep up down idx
	idx=${BT_CLIENT_LINKS:-$(seq 0 $((BT_NLINKS - 1)))}
	{
		echo "role: client"
		echo "tunnel: {name: bt0, address: 198.19.0.2/24${BT_CLIENT_TUNNEL:+, $BT_CLIENT_TUNNEL}}"
		echo "identity: {private_key_file: $BT_DIR/client.key}"
		echo "peer: {public_key: \"$pub\", endpoint: ${BT_CLIENT_ENDPOINT:-$(server_endpoint)}}"
		echo "links:"
		for k in $idx; do
			ep=$(link_var ENDPOINT "$k")
			[ -n "${BT_CLIENT_ENDPOINT:-}" ] && ep=
			up=$(link_var RATE_UP "$k")
			down=$(link_var RATE_DOWN "$k")
			[ "${up:-0}" = 0 ] && up=
			[ "${down:-0}" = 0 ] && down=
			echo "  - {name: wan$k, device: $(link_var DEV "$k")${ep:+, endpoint: $ep}${up:+, up: $up}${down:+, down: $down}}"
		done
		echo "control: {socket: $BT_DIR/client.sock}"
		[ -n "${BT_STRATEGY:-}" ] &&
		    echo "scheduler: {strategy: $BT_STRATEGY}"
		[ -n "${BT_CLIENT_EXTRA:-}" ] && printf '%s\n' "$BT_CLIENT_EXTRA"
	} >"$f"
	protect "$f"
}

# write_server_conf [CLIENT_PUBLIC_KEY]: $BT_DIR/server.yaml with one
# peer, site1.  Optional: BT_SERVER_TUNNEL (more keys of the tunnel
# mapping), BT_SERVER_ALLOWED (more allowed_ips of site1, as
# "198.18.200.0/24, 2001:db8:200::/64") and BT_SERVER_EXTRA (YAML lines
# appended as they are).
write_server_conf()
{
	local pub=${1:-$CLIENT_PUB} f=$BT_DIR/server.yaml
	{
		echo "role: server"
		echo "tunnel: {name: bt0, address: 198.19.0.1/24${BT_SERVER_TUNNEL:+, $BT_SERVER_TUNNEL}}"
		echo "identity: {private_key_file: $BT_DIR/server.key}"
		echo "listen: [$(server_endpoint)]"
		echo "peers:"
		echo "  - {name: site1, public_key: \"$pub\"," \
		    "allowed_ips: [198.19.0.2/32${BT_SERVER_ALLOWED:+, $BT_SERVER_ALLOWED}]}"
		echo "control: {socket: $BT_DIR/server.sock}"
		[ -n "${BT_SERVER_EXTRA:-}" ] && printf '%s\n' "$BT_SERVER_EXTRA"
	} >"$f"
	protect "$f"
}

# --- daemons --------------------------------------------------------

# bg NS CMD...: a bounded background helper (iperf3 -s ...), killed at
# cleanup; sets BG_PID.
bg()
{
	local ns
	ns=$(ns_name "$1")
	shift
	ip netns exec "$ns" "$@" &
	BG_PID=$!
	BT_PIDS+=("$BG_PID")
}

start_daemon()
{
	local who=$1 ns=$2
	# Not through the in_ns function: $! must be bondd itself.
	ip netns exec "$(ns_name "$ns")" "$BONDD" -f "$BT_DIR/$who.yaml" -d \
	    >>"$BT_DIR/$who.log" 2>&1 &
	local pid=$!
	BT_PIDS+=("$pid")
	eval "BT_${who^^}_PID=$pid"
	wait_ctl "$who" "$pid" || bail "$who bondd did not come up"
	say "$who bondd pid $pid"
}

start_server()
{
	start_daemon server sv
}

start_client()
{
	start_daemon client cl
}

# wait_ctl WHO PID: until bondctl answers on WHO's socket (15 s).
wait_ctl()
{
	local sock=$BT_DIR/$1.sock i
	for ((i = 0; i < 150; i++)); do
		if ! kill -0 "$2" 2>/dev/null; then
			say "$1 bondd exited"
			return 1
		fi
		"$BONDCTL" -s "$sock" status -j >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# status WHO: JSON status of the client or the server.
status()
{
	timeout 5 "$BONDCTL" -s "$BT_DIR/$1.sock" status -j
}

# json_get EXPR: evaluate a python expression over the JSON on stdin,
# bound to j; None prints as null, booleans as true/false.
json_get()
{
	"$BT_PY" -c '
import json, sys
j = json.load(sys.stdin)
v = eval(sys.argv[1], {"j": j})
print("null" if v is None else str(v).lower() if isinstance(v, bool) else v)
' "$1"
}

# stat_get WHO EXPR
stat_get()
{
	status "$1" | json_get "$2"
}

# link_sum WHO FIELD: a counter summed over every link of WHO.
link_sum()
{
	stat_get "$1" "sum(l.get('$2') or 0 for l in j['links'])"
}

# conf_get WHO SECTION.KEY: a value of WHO's running configuration as
# bondctl config prints it (probe.interval, probe.down_after, ...).
conf_get()
{
	timeout 5 "$BONDCTL" -s "$BT_DIR/$1.sock" config |
	    awk -v s="${2%%.*}:" -v k="${2#*.}:" '
		/^[^ ]/ { in_s = ($1 == s) }
		in_s && /^  [^ -]/ && $1 == k { print $2; exit }'
}

# idle_packets WHO SECONDS: the most datagrams one link of WHO sends in
# SECONDS when it carries no traffic: a probe every probe.interval,
# over one second more (the counters reach ctld about once a second, so
# a difference of two readings may span that much longer), doubled for
# the rest an idle link may send (keepalive, handshake, NACK).
idle_packets()
{
	local iv
	iv=$(conf_get "$1" probe.interval)
	awk -v s="$2" -v iv="$iv" 'BEGIN {
		if (iv !~ /^[0-9]+$/ || iv == 0) { print "?"; exit }
		n = 2 * (s + 1) * 1000 / iv
		printf "%d\n", n == int(n) ? n : int(n) + 1 }'
}

# all_established WHO: every link of the client, or at least one
# session of the server (which lists its listeners too).
all_established()
{
	local expr="len(j['links']) > 0 and all(l['state'] == 'established' for l in j['links'])"
	[ "$1" = server ] &&
	    expr="any(l['state'] == 'established' for l in j['links'])"
	[ "$(stat_get "$1" "$expr" 2>/dev/null)" = true ]
}

# wait_established [SECONDS]: client links and a server session.
wait_established()
{
	local end=$((SECONDS + ${1:-15}))
	while [ "$SECONDS" -lt "$end" ]; do
		all_established client && all_established server && return 0
		sleep 0.2
	done
	return 1
}

# all_running: every client link has link_state "running".
all_running()
{
	[ "$(stat_get client "len(j['links']) > 0 and all(l.get('link_state') == 'running' for l in j['links'])" 2>/dev/null)" = true ]
}

# wait_running SECONDS: until every client link is running (links start
# probing and carry data after about five answered probes).
wait_running()
{
	local end=$((SECONDS + ${1:-15}))
	while [ "$SECONDS" -lt "$end" ]; do
		all_running && return 0
		sleep 0.2
	done
	return 1
}

# link_get WHO NAME FIELD: a field of the link called NAME.
link_get()
{
	stat_get "$1" "[l.get('$3') for l in j['links'] if l['name'] == '$2'][0]"
}

# wait_link_state NAME STATE SECONDS: until the client's link NAME has
# link_state STATE; prints the seconds it took (one decimal).
wait_link_state()
{
	local t0 now
	t0=$(date +%s%N)
	while :; do
		now=$(date +%s%N)
		if [ "$(link_get client "$1" link_state 2>/dev/null)" = "$2" ]; then
			awk -v d=$((now - t0)) 'BEGIN { printf "%.1f\n", d / 1e9 }'
			return 0
		fi
		[ $((now - t0)) -ge $(($3 * 1000000000)) ] && break
		sleep 0.1
	done
	echo "$3+"
	return 1
}

# bring_up PROFILE: the tunnel of tunnel_up, then waits until every
# link is running (bails otherwise).
bring_up()
{
	tunnel_up "$1"
	if wait_running 15; then
		ok "all links running"
	else
		say "$(status client | json_get "[(l['name'], l.get('link_state')) for l in j['links']]")"
		bail "links not running within 15 s"
	fi
}

# --- traffic --------------------------------------------------------

# iperf_server [SECONDS]: a bounded iperf3 server on the server's tunnel
# address (-1: one test, then it exits), with the extra arguments in
# BT_IPERF_S_ARGS; waits until it listens.
iperf_server()
{
	local i
	# shellcheck disable=SC2086
	bg sv timeout "${1:-90}" iperf3 -s -1 -B 198.19.0.1 \
	    ${BT_IPERF_S_ARGS:-} >>"$BT_DIR/iperf3-s.log" 2>&1
	for ((i = 0; i < 30; i++)); do
		in_ns sv ss -ltn 2>/dev/null | grep -q '198.19.0.1:5201' && return 0
		sleep 0.1
	done
	return 1
}

# iperf_run OUT SECONDS ARGS...: one bounded iperf3 client run of
# SECONDS through the tunnel (JSON in OUT); starts its own server.
iperf_run()
{
	local out=$1 t=$2
	shift 2
	iperf_server $((t + 40)) || { say "iperf3 server did not listen"; return 1; }
	in_ns cl timeout $((t + 30)) iperf3 -c 198.19.0.1 -J -t "$t" "$@" \
	    >"$out" 2>&1
}

# iperf_mbps FILE: received throughput of an iperf3 JSON in Mbit/s.
iperf_mbps()
{
	json_get "'%.1f' % (j['end']['sum_received']['bits_per_second'] / 1e6)" \
	    <"$1" 2>/dev/null || echo "?"
}

# iperf_trace FILE: the per-second Mbit/s of an iperf3 JSON and the
# sender's retransmits, to tell a slow start from a collapse mid-run.
iperf_trace()
{
	json_get "(' '.join('%.1f' % (i['sum']['bits_per_second'] / 1e6)
	    for i in j['intervals']) + ' Mbit/s per second; %s retransmits'
	    % j['end']['sum_sent'].get('retransmits', '?'))" <"$1" 2>/dev/null ||
	    echo "?"
}

# links_trace ROLE: per link of ROLE, the estimate, what it sent, its
# send loss and its resends (Mbit/s, %), a line for a failure's cause.
links_trace()
{
	stat_get "$1" "' '.join('%s est %.1f tx %.1f loss %.2f resent %d' % (
	    l['link_id'], l['rate_est_bps'] / 1e6, l['rate_tx_bps'] / 1e6,
	    l['loss_tx_pct'], l['resent']) for l in j['links'])" 2>/dev/null ||
	    echo "?"
}

# iperf_stall FILE EVENT_S FRACTION: the longest run, in seconds, of
# consecutive intervals of iperf3 -i JSON that carried less than
# FRACTION of the rate before an event EVENT_S seconds into the
# transfer (the mean of the intervals from 1 s, past slow start, to the
# event); the receiver's intervals when the server's output is in it
# (client --get-server-output, server -J -i through BT_IPERF_S_ARGS).
iperf_stall()
{
	"$BT_PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
event, frac = float(sys.argv[2]), float(sys.argv[3])
j = j.get("server_output_json") or j
iv = [(i["sum"]["start"], i["sum"]["end"], i["sum"]["bytes"])
    for i in j["intervals"]]
before = [b / (e - s) for s, e, b in iv if s >= 1 and e <= event and e > s]
if not before:
	sys.exit(1)
rate = sum(before) / len(before)
run = best = 0.0
for s, e, b in iv:
	run = run + (e - s) if b < frac * rate * (e - s) else 0.0
	best = max(best, run)
print("%.2f" % best)
' "$1" "$2" "$3" 2>/dev/null || echo "?"
}

# pct A B: 100 * A / B, rounded down ("?" if not numbers).
pct()
{
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b == 0) print "?"
		else printf "%d\n", 100 * a / b }'
}

# children PID: pids whose parent is PID.
children()
{
	pgrep -P "$1"
}

# proc_field PID NAME: a field of /proc/PID/status.
proc_field()
{
	awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' \
	    "/proc/$1/status" 2>/dev/null
}

# exe_name PID: basename of the executable (comm is unreliable after
# execveat from an fd).
exe_name()
{
	basename "$(readlink "/proc/$1/exe" 2>/dev/null)"
}

# child_of_kind PARENT linkd|ctld|core: the first such child.
child_of_kind()
{
	local p
	for p in $(children "$1"); do
		case $2:$(exe_name "$p") in
		linkd:linkd|ctld:ctld|core:bondd)
			echo "$p"
			return 0
			;;
		esac
	done
	return 1
}

# no_zero IDS: the ids of a /proc status line (Uid:, Gid:, Groups:),
# none of them 0 (root); MIN of them at least.
no_zero()
{
	awk -v u="$1" -v min="$2" 'BEGIN { n = split(u, a, /[ \t]+/)
		for (i = 1; i <= n; i++) if (a[i] == "0") exit 1
		exit n < min }'
}

# check_sandboxed PID DESC: what every child of bondd (core, linkd,
# ctld) promises before it reads untrusted input: no capabilities in
# any set, an unprivileged user and group, its root an empty directory
# (chroot to /var/empty), no_new_privs, and a seccomp allow-list
# (filter mode).
check_sandboxed()
{
	local p=$1 d=$2 uid gid grp c root
	uid=$(proc_field "$p" Uid)
	gid=$(proc_field "$p" Gid)
	grp=$(proc_field "$p" Groups)
	check "$d: uid not 0 (Uid: $uid)" no_zero "$uid" 4
	check "$d: gid not 0 (Gid: $gid)" no_zero "$gid" 4
	check "$d: no group 0 (Groups: $grp)" no_zero "$grp" 0
	for c in CapEff CapPrm CapInh CapAmb CapBnd; do
		check "$d: $c 0" test "$(proc_field "$p" $c)" = 0000000000000000
	done
	check_cmp "$d: NoNewPrivs 1" "$(proc_field "$p" NoNewPrivs)" -eq 1
	check_cmp "$d: Seccomp 2 (filter)" "$(proc_field "$p" Seccomp)" -eq 2
	root=$(readlink "/proc/$p/root")
	check "$d: root is /var/empty ($root)" test "$root" = /var/empty
	check "$d: its root is empty" test -z "$(ls -A "/proc/$p/root/" 2>&1)"
}

# ping_ok [COUNT]: pings through the tunnel from the client, all answered.
ping_ok()
{
	local n=${1:-5}
	in_ns cl timeout $((n + 10)) ping -n -q -c "$n" -i 0.2 -W 2 \
	    198.19.0.1 >/dev/null 2>&1
}

# ping_p50 ARGS...: median RTT in ms of 20 pings from the client.
ping_p50()
{
	in_ns cl timeout 15 ping -n -c 20 -i 0.1 -W 2 "$@" 2>/dev/null |
	    sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -n | awk '
	    { v[NR] = $1 }
	    END { if (NR == 0) print "?"
		else if (NR % 2) printf "%.2f", v[(NR + 1) / 2]
		else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# wait_ping SECONDS: until one ping gets through.
wait_ping()
{
	local end=$((SECONDS + $1))
	while [ "$SECONDS" -lt "$end" ]; do
		in_ns cl timeout 2 ping -n -q -c 1 -W 1 198.19.0.1 \
		    >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# --- cleanup --------------------------------------------------------

dump_logs()
{
	local f
	for f in "$BT_DIR"/server.log "$BT_DIR"/client.log; do
		[ -s "$f" ] || continue
		echo "# ---- last 30 lines of $(basename "$f")"
		tail -n 30 "$f" | sed 's/^/#   /'
	done
}

# alive PID...: every one of them runs (kill -0 with several pids
# succeeds when any one does).
alive()
{
	local p
	for p; do
		kill -0 "$p" 2>/dev/null || return 1
	done
}

kill_pids()
{
	local p i alive
	[ $# -gt 0 ] || return 0
	kill -TERM "$@" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		alive=0
		for p in "$@"; do
			kill -0 "$p" 2>/dev/null && alive=1
		done
		[ "$alive" -eq 0 ] && break
		sleep 0.1
	done
	kill -KILL "$@" 2>/dev/null
	for p in "$@"; do
		wait "$p" 2>/dev/null
	done
	return 0
}

# Only processes in namespaces this test created are killed.
kill_ns_pids()
{
	local ns pids
	for ns in "$@"; do
		ip netns list 2>/dev/null | grep -qw "^$ns" || continue
		pids=$(ip netns pids "$ns" 2>/dev/null)
		# shellcheck disable=SC2086
		[ -n "$pids" ] && kill_pids $pids
	done
}

cleanup()
{
	local rc=$?
	[ "$BT_CLEANED" -eq 1 ] && return 0
	BT_CLEANED=1
	trap - EXIT INT TERM
	if [ "$rc" -ne 0 ] || [ "$BT_FAIL" -ne 0 ]; then
		[ -n "${BT_DIR:-}" ] && dump_logs
	fi
	kill_pids "${BT_PIDS[@]}"
	kill_ns_pids "$(ns_name cl)" "$(ns_name sv)" "${BT_EXTRA_NS[@]}"
	if [ "$BT_TOPO" -eq 1 ]; then
		topo_down >/dev/null 2>&1
		BT_TOPO=0
	fi
	local ns
	for ns in "${BT_EXTRA_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	for ns in "${BT_NETNS_DIRS[@]}"; do
		case $ns in /etc/netns/"$BT_PREFIX"*) rm -rf "$ns" ;; esac
	done
	if [ "${BT_DIR_OWNED:-0}" -eq 1 ] && [ -z "${BT_KEEP:-}" ]; then
		rm -rf "$BT_DIR"
	fi
	return "$rc"
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Common start for a test: root, user, directory.
setup()
{
	need_root
	ensure_user
	make_dir
}

# The usual one-link tunnel, up and established.
tunnel_up()
{
	setup
	topo_start "${1:-one}"
	daemons_up
}

# daemons_up: keys, both configurations and both daemons over the
# links already set up (topo_start, direct_up); bails unless the links
# establish within 15 s.
daemons_up()
{
	gen_keys
	write_server_conf
	write_client_conf
	start_server
	start_client
	if wait_established 15; then
		ok "links established"
	else
		bail "links not established within 15 s"
	fi
}
