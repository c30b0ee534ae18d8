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

# Containment: a child may not have the kernel signal another process.
# The client runs build/hooks/linkd, which, told "link up", calls
# fcntl(F_SETOWN) on its parent channel to get SIGTERM sent to the
# parent (then F_SETSIG and O_ASYNC).  Seccomp kills it at the first
# call; the parent lives, says why the child died, starts a new one and
# the tunnel recovers.

. "$(dirname "$0")/lib.sh"

setup
[ -x "$BT_BIN/hooks/linkd" ] || bail "$BT_BIN/hooks/linkd not built"
topo_start one
gen_keys
write_server_conf
write_client_conf
start_server
# The client's bondd finds linkd next to itself: the test build's.
mkdir -p "$BT_DIR/bin"
cp "$BONDD" "$BT_BIN/ctld" "$BT_DIR/bin/" || bail "copy binaries"
cp "$BT_BIN/hooks/linkd" "$BT_DIR/bin/linkd" || bail "copy test linkd"
BONDD=$BT_DIR/bin/bondd
start_client
wait_established 15 || bail "links not established within 15 s"
check "ping before" ping_ok 3

old=$(child_of_kind "$BT_CLIENT_PID" linkd) || bail "client has no linkd"
say "linkd $old told: link up"
timeout 5 "$BONDCTL" -s "$BT_DIR/client.sock" link wan0 up >/dev/null
new=
end=$((SECONDS + 5))
while [ "$SECONDS" -lt "$end" ]; do
	p=$(child_of_kind "$BT_CLIENT_PID" linkd) && [ "$p" != "$old" ] &&
	    { new=$p; break; }
	sleep 0.1
done
check "linkd $old is gone" bash -c "! kill -0 $old 2>/dev/null"
check "the parent lives" kill -0 "$BT_CLIENT_PID"
grep -q "linkd wan0 (pid $old) killed by signal 31 (sandbox violation)" \
    "$BT_DIR/client.log"
check "the parent logged the sandbox violation" test $? -eq 0
if [ -n "$new" ]; then
	ok "a new linkd (pid $new) within 5 s"
	check_sandboxed "$new" "respawned linkd $new"
else
	not_ok "no new linkd within 5 s"
fi
check "link established again" wait_established 10
check "ping after the respawn" wait_ping 10
check "the parent still lives" kill -0 "$BT_CLIENT_PID"

finish
