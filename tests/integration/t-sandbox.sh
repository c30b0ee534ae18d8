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

# Foundation: every child of both parents runs unprivileged, without
# capabilities, with NoNewPrivs and a seccomp filter, chrooted; each
# parent keeps CAP_NET_ADMIN (and at most CAP_NET_RAW).

. "$(dirname "$0")/lib.sh"

tunnel_up one

for who in server client; do
	pvar="BT_${who^^}_PID"
	parent=${!pvar}
	kids=$(children "$parent")
	n=0
	for kind in core linkd ctld; do
		if p=$(child_of_kind "$parent" "$kind"); then
			ok "$who has a $kind child (pid $p)"
		else
			not_ok "$who has a $kind child"
		fi
	done
	for p in $kids; do
		n=$((n + 1))
		check_sandboxed "$p" "$who child $p ($(exe_name "$p"))"
	done
	check_cmp "$who has at least 3 children" "$n" -ge 3

	cap=$(proc_field "$parent" CapEff)
	case $cap in
	0000000000001000|0000000000003000)
		ok "$who parent CapEff $cap: NET_ADMIN[, NET_RAW] only" ;;
	*)
		not_ok "$who parent CapEff $cap: want 0000000000001000 or 0000000000003000" ;;
	esac
	uid=$(proc_field "$parent" Uid)
	check "$who parent switched to $BT_USER (Uid: $uid)" \
	    test "$(awk '{ print $2 }' <<<"$uid")" = "$(id -u "$BT_USER")"
done

# The tunnel still works with every process confined.
check "ping through the sandboxed tunnel" ping_ok 5

finish
