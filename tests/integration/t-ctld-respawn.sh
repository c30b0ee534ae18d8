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

# A ctld respawned after the parent dropped root runs in a user
# namespace of its own, chrooted like the first, where root's uid reads
# as the overflow uid; it asks the parent for the ids of each bondctl
# connection, so root keeps every verb: reload, link down and up.

. "$(dirname "$0")/lib.sh"

tunnel_up one
ctl() { timeout 10 "$BONDCTL" -s "$BT_DIR/client.sock" "$@"; }

old=$(child_of_kind "$BT_CLIENT_PID" ctld) || bail "client has no ctld"
say "killing client ctld $old"
kill -KILL "$old"
new=
end=$((SECONDS + 5))
while [ "$SECONDS" -lt "$end" ]; do
	p=$(child_of_kind "$BT_CLIENT_PID" ctld) && [ "$p" != "$old" ] &&
	    { new=$p; break; }
	sleep 0.1
done
[ -n "$new" ] || bail "no new ctld within 5 s"
ok "a new ctld (pid $new) within 5 s"
check_sandboxed "$new" "respawned ctld $new"
check "respawned ctld $new is in a user namespace of its own" test \
    "$(readlink "/proc/$new/ns/user")" != "$(readlink "/proc/$BT_CLIENT_PID/ns/user")"
wait_ctl client "$BT_CLIENT_PID" || bail "bondctl does not answer"

check "root's bondctl reload works" ctl reload
check "root's bondctl link wan0 down works" ctl link wan0 down
admin_down()
{
	local i
	for ((i = 0; i < 30; i++)); do
		[ "$(stat_get client "j['links'][0]['admin']")" = down ] &&
		    return 0
		sleep 0.1
	done
	return 1
}
check "wan0 is administratively down" admin_down
check "root's bondctl link wan0 up works" ctl link wan0 up
check "ping after link up" wait_ping 10

finish
