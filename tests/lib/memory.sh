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


# Resident memory of every process of both tunnel ends, for t-memory,
# t-memory-line and make bench.  Needs tests/integration/lib.sh
# (children, exe_name, proc_field, check_cmp, say, BT_DIR).

# mem_all: "who kind pid VmRSS RssShmem" (kB) for every process of
# both ends; each one's mappings kept in $BT_DIR/smaps-PID for mem_maps.
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

# mem_maps PID: the mappings of PID that held the most resident kB at
# its last sample: "Rss Private_Dirty name".
mem_maps()
{
	awk '/^[0-9a-f]+-[0-9a-f]+ / { name = NF >= 6 ? $6 : "[anon " $1 "]" }
	    $1 == "Rss:" { rss[name] += $2 }
	    $1 == "Private_Dirty:" { pd[name] += $2 }
	    END { for (n in rss) if (rss[n] >= 64)
		printf "%6d kB rss %6d kB private dirty  %s\n", rss[n], pd[n], n }' \
	    "$BT_DIR/smaps-$1" 2>/dev/null | sort -rn | head -8
}

# mem_peaks FILE: the largest VmRSS each process reached over the
# samples of mem_all in FILE, with its RssShmem then.
mem_peaks()
{
	awk '$4 ~ /^[0-9]+$/ {
		k = $1 " " $2 " " $3
		if (!(k in m) || $4 > m[k]) { m[k] = $4; s[k] = $5 }
	} END { for (k in m) print k, m[k], s[k] }' "$1" | sort
}

# mem_report WHAT FILE LIMIT_KB: each process's peak in FILE checked
# against LIMIT_KB; one over it has its largest mappings printed.
mem_report()
{
	local what=$1 f=$2 limit=$3 who kind pid rss shm
	while read -r who kind pid rss shm; do
		if ! check_cmp "$what: $who $kind (pid $pid) VmRSS ${rss} kB (shared ${shm:-?} kB) <= $limit kB" \
		    "${rss:-999999}" -le "$limit"; then
			mem_maps "$pid" | while read -r line; do say "  $line"; done
		fi
	done < <(mem_peaks "$f")
}

# mem_under PID FILE: mem_all appended to FILE every half second while
# PID (a bounded traffic run) lives.
mem_under()
{
	while kill -0 "$1" 2>/dev/null; do
		mem_all >>"$2"
		sleep 0.5
	done
}
