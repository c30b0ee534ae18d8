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

# Containment: a client whose linkds each also claim the other link's
# session (build/hooks/linkd, the test build of linkd) has every such
# claim refused by its core and counted in bondctl status and metrics;
# each link stays with its own linkd and the tunnel works.  The server
# runs the normal build and refuses nothing.

. "$(dirname "$0")/lib.sh"

setup
[ -x "$BT_BIN/hooks/linkd" ] || bail "$BT_BIN/hooks/linkd not built"
topo_start equal2
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
check "links established" wait_established 15
check "links running" wait_running 15
check "ping through the tunnel" ping_ok 10

refused=$(stat_get client "j['core']['claims_refused']")
check_cmp "client core refused both linkds' claims" "$refused" -ge 2
# One line per burst of claims (rate limited: a linkd cannot flood it).
grep -q "linkd [01]: session up of peer 0 link [01] refused: not its own" \
    "$BT_DIR/client.log"
check "client log says which claim was refused" test $? -eq 0
check_cmp "server refused nothing" \
    "$(stat_get server "j['core']['claims_refused']")" -eq 0
check "bondctl status shows the count" bash -c \
    "timeout 5 '$BONDCTL' -s '$BT_DIR/client.sock' status |
    grep -q 'claims-refused $refused'"

finish
