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

# Memory at line rate: over one plain veth with no emulator and no rate
# limit (tests/lib/direct.sh), every process of both ends (parent,
# core, linkd, ctld) stays within 10 MiB resident, idle and while one
# TCP stream as fast as the host can carry it crosses the tunnel up,
# then down (t-memory.sh does the same on shaped links).  VmRSS counts
# the pages of the packet rings shared between the core and a linkd
# (RssShmem) in both processes.  A process over the bound has its
# largest mappings at its last sample printed (/proc/PID/smaps).

. "$(dirname "$0")/lib.sh"
. "$BT_ROOT/tests/lib/topo.sh"
. "$BT_ROOT/tests/lib/direct.sh"

LIMIT_KB=$((10 * 1024))
T=6

setup
direct_up 1 || bail "plain veth link"
gen_keys
write_server_conf
write_client_conf
start_server
start_client
wait_established 15 && wait_running 15 || bail "link not running"
ok "link running over a plain veth"

# mem_all: "who kind pid VmRSS RssShmem" for every process of both ends;
# each one's mappings in $BT_DIR/smaps-PID.
mem_all()
{
	local who pid p kind
	for who in client server; do
		pid=BT_${who^^}_PID
		pid=${!pid}
		for p in "$pid" $(children "$pid"); do
			kind=$(exe_name "$p")
			[ "$p" = "$pid" ] && kind=parent
			[ "$kind" = bondd ] && kind=core
			cat "/proc/$p/smaps" >"$BT_DIR/smaps-$p" 2>/dev/null
			echo "$who $kind $p $(proc_field "$p" VmRSS | awk '{ print $1 }') $(proc_field "$p" RssShmem | awk '{ print $1 }')"
		done
	done
}

# maps PID: the mappings of PID that held the most resident kB at its
# last sample: "Rss Private_Dirty name".
maps()
{
	awk '/^[0-9a-f]+-[0-9a-f]+ / { name = NF >= 6 ? $6 : "[anon " $1 "]" }
	    $1 == "Rss:" { rss[name] += $2 }
	    $1 == "Private_Dirty:" { pd[name] += $2 }
	    END { for (n in rss) if (rss[n] >= 64)
		printf "%6d kB rss %6d kB private dirty  %s\n", rss[n], pd[n], n }' \
	    "$BT_DIR/smaps-$1" 2>/dev/null | sort -rn | head -8
}

# The largest VmRSS each process reached over the samples in FILE.
peaks()
{
	awk '$4 ~ /^[0-9]+$/ {
		k = $1 " " $2 " " $3
		if (!(k in m) || $4 > m[k]) { m[k] = $4; s[k] = $5 }
	} END { for (k in m) print k, m[k], s[k] }' "$1" | sort
}

report()
{
	local what=$1 f=$2 who kind pid rss shm
	while read -r who kind pid rss shm; do
		if ! check_cmp "$what: $who $kind (pid $pid) VmRSS ${rss} kB (shared ${shm:-?} kB) <= $LIMIT_KB kB" \
		    "${rss:-999999}" -le "$LIMIT_KB"; then
			maps "$pid" | while read -r line; do say "  $line"; done
		fi
	done < <(peaks "$f")
}

sleep 2
mem_all >"$BT_DIR/mem-idle"
check "every process of both ends sampled idle" \
    test "$(wc -l <"$BT_DIR/mem-idle")" -ge 6
report idle "$BT_DIR/mem-idle"

: >"$BT_DIR/mem-load"
for dir in up down; do
	args=(-P 1)
	[ "$dir" = down ] && args+=(-R)
	iperf_run "$BT_DIR/iperf-$dir.json" "$T" "${args[@]}" &
	ipid=$!
	BT_PIDS+=("$ipid")
	while kill -0 "$ipid" 2>/dev/null; do
		mem_all >>"$BT_DIR/mem-load"
		sleep 0.5
	done
	wait "$ipid"
	check "one TCP stream $dir at line rate ($(iperf_mbps "$BT_DIR/iperf-$dir.json") Mbit/s)" \
	    test "$(iperf_mbps "$BT_DIR/iperf-$dir.json")" != "?"
done
report "line-rate TCP" "$BT_DIR/mem-load"

finish
