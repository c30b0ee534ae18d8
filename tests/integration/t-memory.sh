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

# Memory: every process of both ends (parent, core, each linkd, ctld)
# stays within 10 MiB resident, idle and while bulk TCP crosses the
# tunnel both ways.  VmRSS counts the pages of the packet rings shared
# between the core and a linkd (RssShmem) in both processes.

. "$(dirname "$0")/lib.sh"

LIMIT_KB=$((10 * 1024))

bring_up "${BT_MEM_PROFILE:-equal2}"

# mem_all: "who kind pid VmRSS RssShmem" for every process of both ends.
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
			echo "$who $kind $p $(proc_field "$p" VmRSS | awk '{ print $1 }') $(proc_field "$p" RssShmem | awk '{ print $1 }')"
		done
	done
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
		check_cmp "$what: $who $kind (pid $pid) VmRSS ${rss} kB (shared ${shm:-?} kB) <= $LIMIT_KB kB" \
		    "${rss:-999999}" -le "$LIMIT_KB"
	done < <(peaks "$f")
}

# Idle: the links run, probes only.
sleep 2
mem_all >"$BT_DIR/mem-idle"
check "every process of both ends sampled idle" \
    test "$(wc -l <"$BT_DIR/mem-idle")" -ge 6
report idle "$BT_DIR/mem-idle"

# Under load: four TCP streams up, then down, sampled every half second.
: >"$BT_DIR/mem-load"
for dir in up down; do
	args=(-P 4)
	[ "$dir" = down ] && args+=(-R)
	iperf_run "$BT_DIR/iperf-$dir.json" 8 "${args[@]}" &
	ipid=$!
	BT_PIDS+=("$ipid")
	while kill -0 "$ipid" 2>/dev/null; do
		mem_all >>"$BT_DIR/mem-load"
		sleep 0.5
	done
	wait "$ipid"
	check "iperf3 -P 4 $dir through the tunnel ($(iperf_mbps "$BT_DIR/iperf-$dir.json") Mbit/s)" \
	    test "$(iperf_mbps "$BT_DIR/iperf-$dir.json")" != "?"
done
report "bulk TCP" "$BT_DIR/mem-load"

finish
