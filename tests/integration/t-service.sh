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


# Service integration.  sd_notify: the client (NOTIFY_SOCKET a path)
# and the server (an abstract name) send READY=1 with STATUS= once all
# their children run, a new STATUS= when their links run,
# RELOADING=1 then READY=1 around a reload, STOPPING=1 on SIGTERM.
# The journal: with JOURNAL_STREAM naming its stderr, every line of the
# client, its children's included, starts with <N> and has no
# timestamp.  log.status_interval: 1 gives status lines every second,
# 0 none, and a reload switches them off and on.

. "$(dirname "$0")/lib.sh"

setup
topo_start one
gen_keys
BT_SERVER_EXTRA="log: {status_interval: 0}"
write_server_conf
BT_CLIENT_EXTRA="log: {status_interval: 1}"
write_client_conf

# listen NS ADDRESS OUT: a bounded datagram listener at ADDRESS (a path,
# or @name in NS's namespace) that writes each message to OUT as one
# line, newlines as '|'.
listen()
{
	rm -f "$3" "$3.ready"
	bg "$1" timeout 90 "$BT_PY" "$BT_DIR/listen.py" "$2" "$3"
	local i
	for ((i = 0; i < 50; i++)); do
		[ -e "$3.ready" ] && return 0
		sleep 0.1
	done
	bail "notify listener at $2 did not start"
}
cat >"$BT_DIR/listen.py" <<'EOT'
import os, socket, sys
addr, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
if addr.startswith("@"):
    s.bind("\0" + addr[1:])
else:
    s.bind(addr)
    os.chmod(addr, 0o666)    # the parent sends as _bondd after start
open(out + ".ready", "w").close()
with open(out, "a") as f:
    while True:
        m = s.recv(4096)
        f.write(m.decode(errors="replace").replace("\n", "|") + "\n")
        f.flush()
EOT

# has OUT REGEX: a message matching REGEX arrived.
has()
{
	grep -Eq -- "$2" "$1"
}

# wait_msg OUT REGEX SECONDS
wait_msg()
{
	local end=$((SECONDS + $3))
	while [ "$SECONDS" -lt "$end" ]; do
		has "$1" "$2" && return 0
		sleep 0.1
	done
	return 1
}

# lacks FILE REGEX: no line of FILE matches.
lacks()
{
	! grep -Eq -- "$2" "$1"
}

# status_lines FILE: linkd's status lines and the core's counters.
status_lines()
{
	grep -Ec '\[[0-9.]+/[0-9.]+Mbps\||core: reorder hold' "$1"
}

CN=$BT_DIR/notify-client
SN=$BT_DIR/notify-server
listen cl "$BT_DIR/notify.sock" "$CN"
listen sv "@bondd-test-$BT_PREFIX" "$SN"

NOTIFY_SOCKET=@bondd-test-$BT_PREFIX start_server
server_t0=$SECONDS
: >>"$BT_DIR/client.log"
JOURNAL_STREAM=$(stat -c %d:%i "$BT_DIR/client.log") \
    NOTIFY_SOCKET=$BT_DIR/notify.sock start_client
wait_running 15 || bail "link not running"

check "client: READY=1 with STATUS= ($(head -n 1 "$CN"))" \
    grep -Eq '^READY=1\|STATUS=[01]/1 links running$' <(head -n 1 "$CN")
check "client: STATUS=1/1 links running" \
    wait_msg "$CN" '^(READY=1\|)?STATUS=1/1 links running$' 5
check "server: READY=1 with STATUS= ($(head -n 1 "$SN"))" \
    grep -Eq '^READY=1\|STATUS=[01]/1 peers connected, [01] links running$' \
    <(head -n 1 "$SN")
check "server: STATUS=1/1 peers connected, 1 links running" \
    wait_msg "$SN" '^(READY=1\|)?STATUS=1/1 peers connected, 1 links running$' 5
check_cmp "client: READY=1 once" "$(grep -c '^READY=1' "$CN")" -eq 1

# Status lines: every second on the client, never on the server.
sleep 3
n=$(status_lines "$BT_DIR/client.log")
check_cmp "client, status_interval 1: status lines" "$n" -ge 4
check "client: linkd's status line in the log" \
    grep -q 'linkd wan0: wan0\[' "$BT_DIR/client.log"
check "client: the core's line in the log" \
    grep -q 'core: reorder hold' "$BT_DIR/client.log"
check "client: linkd's line has the capacity and the bottleneck queue" \
    grep -Eq 'linkd wan0: wan0\[.*\|w:[0-9.]+\|cap:[0-9.]+/[0-9.-]+\|q:[0-9?]+ms\]' \
    "$BT_DIR/client.log"
check "client: the core's line has link 0's resends and losses" \
    grep -Eq 'core: reorder hold .* \| link 0 resent [0-9]+ spurious [0-9]+ lost [0-9]+' \
    "$BT_DIR/client.log"
check "client: the core's peer line has its FEC code" \
    grep -Eq 'core: peer server: fec (off|[0-9]+\+[0-9]+) parity [0-9]+ ' \
    "$BT_DIR/client.log"

# Reload: the client stops its status lines, the server (SIGHUP)
# starts them.
sed -i 's/^log: {status_interval: 1}$/log: {status_interval: 0}/' \
    "$BT_DIR/client.yaml"
protect "$BT_DIR/client.yaml"
timeout 10 "$BONDCTL" -s "$BT_DIR/client.sock" reload >/dev/null
check_cmp "client: reload to status_interval 0 (rc)" $? -eq 0
check "client: RELOADING=1 with MONOTONIC_USEC" \
    wait_msg "$CN" '^RELOADING=1\|MONOTONIC_USEC=[0-9]+$' 3
check "client: then READY=1 again" \
    wait_msg "$CN" '^READY=1\|STATUS=1/1 links running$' 3
check "client: RELOADING=1 comes before the second READY=1" test \
    "$(grep -nE '^RELOADING=1' "$CN" | cut -d: -f1 | head -n 1)" -lt \
    "$(grep -nE '^READY=1' "$CN" | cut -d: -f1 | sed -n 2p)"
# Longer than the old fixed interval of 5 s.
while [ $((SECONDS - server_t0)) -lt 7 ]; do
	sleep 0.2
done
check_cmp "server, status_interval 0: no status lines" \
    "$(status_lines "$BT_DIR/server.log")" -eq 0
sed -i 's/^log: {status_interval: 0}$/log: {status_interval: 1}/' \
    "$BT_DIR/server.yaml"
protect "$BT_DIR/server.yaml"
kill -HUP "$BT_SERVER_PID"
check "server: SIGHUP gives RELOADING=1" \
    wait_msg "$SN" '^RELOADING=1\|' 3
check "server: and READY=1" \
    wait_msg "$SN" '^READY=1\|STATUS=1/1 peers connected, 1 links running$' 3
sleep 1
n=$(status_lines "$BT_DIR/client.log")
sleep 3
check_cmp "client after reload: no new status line in 3 s" \
    "$(status_lines "$BT_DIR/client.log")" -eq "$n"
check_cmp "server after SIGHUP: status lines" \
    "$(status_lines "$BT_DIR/server.log")" -ge 3

# The journal's stream: <N> and no timestamp, on every line.
check_cmp "client log: every line starts with <N>" \
    "$(grep -vEc '^<[0-7]>' "$BT_DIR/client.log")" -eq 0
check "client log: the parent's own line, info" \
    grep -q '^<6>bondd: started: client' "$BT_DIR/client.log"
check "client log: relayed linkd line, info" \
    grep -q '^<6>linkd wan0: wan0\[' "$BT_DIR/client.log"
check "client log: relayed core line, info" \
    grep -q '^<6>core: ' "$BT_DIR/client.log"
check "client log: relayed ctld line, info" \
    grep -q '^<6>ctld: ' "$BT_DIR/client.log"
check "client log: no timestamp" \
    lacks "$BT_DIR/client.log" '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}'
check "server log (no JOURNAL_STREAM): timestamps" \
    grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\.[0-9]{3} bondd: started' \
    "$BT_DIR/server.log"

# SIGTERM: STOPPING=1, then bondd exits.
kill -TERM "$BT_CLIENT_PID"
check "client: STOPPING=1 on SIGTERM" wait_msg "$CN" '^STOPPING=1$' 5
kill -TERM "$BT_SERVER_PID"
check "server: STOPPING=1 on SIGTERM" wait_msg "$SN" '^STOPPING=1$' 5
for p in "$BT_CLIENT_PID" "$BT_SERVER_PID"; do
	for ((i = 0; i < 50; i++)); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
done
gone()
{
	! kill -0 "$1" 2>/dev/null
}
check "the client exited" gone "$BT_CLIENT_PID"
check "the server exited" gone "$BT_SERVER_PID"
check "the client sent nothing after STOPPING=1" \
    test "$(tail -n 1 "$CN")" = STOPPING=1

finish
