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

# Identity key isolation: the static private key stays in the parent.
# With a tunnel up (two client links, so two client linkds) and
# carrying ping, the 32 bytes of each side's private key (from the key
# files written here) are found in no linkd's memory, nor in the core's
# or ctld's, read through /proc/PID/maps and /proc/PID/mem; they are
# found in each parent's, and each linkd's public key is found in its
# own memory: the scan reads what it claims to.  Each side's linkd
# asked its parent for the handshake's DH (the debug log of -v says so
# with the round trip, reported here).

. "$(dirname "$0")/lib.sh"

# scan PID KEYFILE [pub]: 0 if the 32 bytes of the key in KEYFILE (its
# public key with "pub") are in PID's readable memory, 1 if not, 2 if
# no memory could be read.
scan()
{
	local raw
	if [ "${3:-}" = pub ]; then
		raw=$("$BONDCTL" pubkey <"$2") || return 2
	else
		raw=$(cat "$2") || return 2
	fi
	"$BT_PY" - "$1" "$raw" <<'PY'
import base64, re, sys
pid, key = sys.argv[1], base64.b64decode(sys.argv[2])
assert len(key) == 32
seen = 0
with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb") as mem:
    for line in maps:
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", line)
        lo, hi, perm = int(m[1], 16), int(m[2], 16), m[3]
        if perm[0] != "r" or "[vvar" in line or "[vsyscall]" in line:
            continue
        try:
            mem.seek(lo)
            data = mem.read(hi - lo)
        except OSError:
            continue
        seen += len(data)
        if key in data:
            sys.exit(0)
sys.exit(1 if seen > 0 else 2)
PY
}

# kids PARENT KIND: its children of that kind (linkd, core, ctld).
kids()
{
	local p
	for p in $(children "$1"); do
		case $2:$(exe_name "$p") in
		linkd:linkd|ctld:ctld|core:bondd) echo "$p" ;;
		esac
	done
}

# absent WHO PID DESC: the private key of WHO is not in PID's memory,
# which the scan did read.
absent()
{
	scan "$2" "$BT_DIR/$1.key"
	case $? in
	1) ok "$3: no private key in its memory" ;;
	0) not_ok "$3: no private key in its memory (found)" ;;
	*) not_ok "$3: no private key in its memory (memory unreadable)" ;;
	esac
}

setup
topo_start equal2
gen_keys
write_server_conf
write_client_conf
# -v: the debug lines that time each key request.
mkdir -p "$BT_DIR/bin"
cp "$BONDD" "$BT_BIN/linkd" "$BT_BIN/ctld" "$BT_DIR/bin/" ||
    bail "copy binaries"
printf '#!/bin/sh\nexec "%s" "$@" -v\n' "$BT_DIR/bin/bondd" \
    >"$BT_DIR/bin/bondd-v"
chmod 755 "$BT_DIR/bin/bondd-v"
BONDD=$BT_DIR/bin/bondd-v
start_server
start_client
check "links established" wait_established 15
check "ping through the tunnel" ping_ok 10

for who in client server; do
	eval "pid=\$BT_${who^^}_PID"
	n=0
	for p in $(kids "$pid" linkd); do
		n=$((n + 1))
		absent "$who" "$p" "$who linkd $p"
		scan "$p" "$BT_DIR/$who.key" pub
		check_cmp "$who linkd $p: its public key found (the scan works)" \
		    $? -eq 0
	done
	want=1
	[ "$who" = client ] && want=2
	check_cmp "$who: linkds scanned" "$n" -eq "$want"
	for kind in core ctld; do
		for p in $(kids "$pid" "$kind"); do
			absent "$who" "$p" "$who $kind $p"
		done
	done
	scan "$pid" "$BT_DIR/$who.key"
	check_cmp "$who parent: its private key found (it holds it)" $? -eq 0
	us=$(sed -n 's/.*key request [0-9]* answered in \([0-9]*\) us.*/\1/p' \
	    "$BT_DIR/$who.log" | sort -n | tr '\n' ' ')
	check "$who: its linkds asked the parent for the handshake's DH" \
	    test -n "$us"
	say "$who: key requests answered in (us): $us"
done
check "ping through the tunnel after the scans" ping_ok 5

finish
