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

# Every bondctl verb against a running client, its JSON, its exit codes
# (0 done, 1 refused, 2 usage, 3 no daemon), and who may do what: a
# member of control.group may read but not change, root may do all.

. "$(dirname "$0")/lib.sh"

setup
topo_start one
gen_keys
write_server_conf
write_client_conf
GRP=bt$$ctl
groupadd "$GRP" || bail "groupadd $GRP"
trap 'groupdel "$GRP" 2>/dev/null; cleanup' EXIT
sed -i "s|^control: {socket: \(.*\)}|control: {socket: \1, group: $GRP}|" \
    "$BT_DIR/client.yaml"
start_server
start_client
wait_established 15 || bail "not established"
SOCK=$BT_DIR/client.sock
ctl() { timeout 10 "$BONDCTL" -s "$SOCK" "$@"; }

out=$(ctl version)
check "version names bondctl and bondd" \
    grep -q "bondd $(sed -n 's/^bondctl //p' <<<"$out" | head -1)" <<<"$out"
out=$(ctl status)
check "status: a table with wan0" grep -q '^wan0 ' <<<"$out"
json=$(ctl status -j)
check "status -j parses, role client" \
    test "$(json_get "j['role']" <<<"$json")" = client
check "status -j: every documented link field" test "$(json_get \
    "all(k in j['links'][0] for k in ('name','peer','state','endpoint',
    'tx_packets','tx_bytes','rx_packets','rx_bytes','last_handshake_ms',
    'auth_fail','replay_drop','malformed','link_state','rtt_ms',
    'loss_tx_pct','loss_rx_pct','rate_max_bps','weight'))" <<<"$json")" \
    = true
check "status -j: core counters" test "$(json_get \
    "all(k in j['core'] for k in ('tun_rx_packets','tun_tx_packets',
    'reorder_lost','nack_tx','resent'))" <<<"$json")" = true

# How the links are used, under a little traffic: the pings' answers
# come back as data frames on wan0, the only link.  The link is clean,
# so the core sends no parity.
wait_running 15 || say "wan0 not running within 15 s"
json=$(ctl status -j)
rx0=$(json_get "j['links'][0]['rx_frames']" <<<"$json")
ping_ok 10 || not_ok "ping through the tunnel"
sleep 2.5
json=$(ctl status -j)
cfg=$(link_var RATE_UP 0)
check "status -j: the links' capacity, queue and core fields" \
    test "$(json_get "all(k in j['links'][0] for k in ('rate_cfg_bps',
    'rate_est_bps','queue_bottleneck_ms','pacing_bps','queue_entrance_ms',
    'resent','rx_frames','rx_dup','rx_spurious','rx_lost'))" <<<"$json")" \
    = true
lget() { json_get "j['links'][0]['$1']" <<<"$json"; }
check_cmp "rate_cfg_bps is wan0's configured up rate" "$(lget rate_cfg_bps)" \
    -eq "$cfg"
check_cmp "rate_est_bps > 0" "$(lget rate_est_bps)" -gt 0
check_cmp "rate_est_bps <= the configured rate" "$(lget rate_est_bps)" -le \
    "$cfg"
check_cmp "pacing_bps > 0 on a running link" "$(lget pacing_bps)" -gt 0
check_cmp "pacing_bps <= the measured capacity" "$(lget pacing_bps)" -le \
    "$(lget rate_est_bps)"
# null while the peer saw no frame of ours between two of its probes (an
# idle link's probes drift against each other): the next one tells.
bq=
for ((i = 0; i < 20; i++)); do
	bq=$(stat_get client "int(j['links'][0]['queue_bottleneck_ms'])" \
	    2>/dev/null) && break
	sleep 0.2
done
check_cmp "queue_bottleneck_ms measured, under 100 ms on a clean link" \
    "$bq" -lt 100
check_cmp "queue_entrance_ms under the entrance's 40 ms limit" \
    "$(json_get "int(j['links'][0]['queue_entrance_ms'])" <<<"$json")" \
    -le 40
check_cmp "rx_frames grew by >= 10 with 10 pings answered" \
    "$(delta "$rx0" "$(lget rx_frames)")" -ge 10
check "rx_spurious <= rx_dup <= rx_frames, resent and rx_lost counted" \
    test "$(json_get "[l['rx_spurious'] <= l['rx_dup'] <= l['rx_frames'] and
    l['resent'] >= 0 and l['rx_lost'] >= 0 for l in j['links']][0]" \
    <<<"$json")" = true
check "status -j: one peer, server, FEC off (0+0) on a clean link" \
    test "$(json_get "[(p['name'], p['fec_n'], p['fec_k'])
    for p in j['core']['peers']]" <<<"$json")" = "[('server', 0, 0)]"
check "status -j: the peer's parity and reordering fields, totals agree" \
    test "$(json_get "(all(k in j['core']['peers'][0] for k in ('fec_parity',
    'fec_skipped','fec_recovered','reorder_cur','reorder_hold_us',
    'reorder_early','asked_named','asked_due','asked_again')) and
    j['core']['fec_parity'] == j['core']['peers'][0]['fec_parity'] and
    j['core']['reorder_early'] == j['core']['peers'][0]['reorder_early'])" \
    <<<"$json")" = true
sjson=$(status server)
check_cmp "server: pacing_bps > 0 on site1's wan0" "$(json_get \
    "[l['pacing_bps'] for l in j['links'] if l['peer'] == 'site1'][0]" \
    <<<"$sjson")" -gt 0
check "server: its peer site1 listed" test "$(json_get \
    "[p['name'] for p in j['core']['peers']]" <<<"$sjson")" = "['site1']"
out=$(ctl status)
check "status: the peer's line, FEC off" \
    grep -Eq '^peer server  fec off  parity [0-9]+ skipped [0-9]+  rebuilt [0-9]+$' \
    <<<"$out"
check "status: wan0's second line" grep -Eq \
    '^  cap [0-9.]+/1000M  queue [0-9.]+/[0-9.]+ms  pacing [0-9.]+M  resent [0-9]+ spurious [0-9]+ lost [0-9]+$' \
    <<<"$out"
ctl config >"$BT_DIR/running.yaml"
check "config prints the running config" grep -q '^role: client' \
    "$BT_DIR/running.yaml"
check "the running config is what bondd -n prints" \
    cmp -s "$BT_DIR/running.yaml" <("$BONDD" -n -f "$BT_DIR/client.yaml")

# The control protocol decides, not the build: a hello of another
# build is served, one of another protocol hears both numbers.
raw_hello()
{
	"$BT_PY" - "$SOCK" "$1" "$2" <<'EOT'
import socket, struct, sys
path, proto, build = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(path)
hello = struct.pack("=III16s", proto, 4, 0, build)  # PROC_BONDCTL
# One write, as bondctl does: ctld reads both frames at once and does
# not close on a request it has not read.
s.sendall(struct.pack("=IIII", 0x0101, 16 + len(hello), 0, 0) + hello +
    struct.pack("=IIII", 0x0502, 16, 0, 0))         # IPC_CTL_VERSION
data = b""
done = False
while not done:
    try:
        b = s.recv(4096)
    except OSError:
        break
    if not b:
        break
    data += b
    while len(data) >= 16:
        t, n, _, _ = struct.unpack("=IIII", data[:16])
        n &= 0x7fffffff
        if len(data) < n:
            break
        body = data[16:n]
        if t == 0x0507:
            print("data " + body.decode(errors="replace"))
        elif t == 0x0508:
            print("result %d %s" % (struct.unpack("=I", body[:4])[0],
                body[4:].decode(errors="replace")))
            done = True
        data = data[n:]
EOT
}
proto=$(sed -n 's/^#define CTL_PROTO_VERSION[[:space:]]*\([0-9]*\)$/\1/p' \
    "$BT_ROOT/include/messages.h")
out=$(raw_hello "$proto" 0.0.1)
check "another build, same protocol ${proto:-?}: served ($out)" \
    grep -q '^result 0 $' <<<"$out"
check "and told bondd's version" grep -q '^data [0-9]' <<<"$out"
out=$(raw_hello 99 0.1.0)
check "another protocol: refused naming both ($out)" \
    grep -Eq '^result 6 bondctl speaks control protocol 99, bondd .* speaks [0-9]+: ' \
    <<<"$out"

ctl link nosuch down 2>"$BT_DIR/err"
check_cmp "link on an unknown link exits 1" $? -eq 1
check "and says why" grep -qi 'no such link' "$BT_DIR/err"
ctl frobnicate 2>/dev/null
check_cmp "an unknown verb exits 2" $? -eq 2
timeout 10 "$BONDCTL" -s "$BT_DIR/nosuch.sock" status 2>/dev/null
check_cmp "no daemon exits 3" $? -eq 3
key=$("$BONDCTL" genkey)
check "genkey: 44 base64 characters" test ${#key} -eq 44
pub=$("$BONDCTL" pubkey <<<"$key")
check "pubkey: a different 44-character key" test ${#pub} -eq 44 -a \
    "$pub" != "$key"
check "pubkey of the same key is the same" \
    test "$("$BONDCTL" pubkey <<<"$key")" = "$pub"
echo "not a key" | "$BONDCTL" pubkey >/dev/null 2>&1
check_cmp "pubkey refuses garbage" $? -ne 0
# genkey into a file the shell created 0644: the key never sits in a
# file others can read.
(umask 022; "$BONDCTL" genkey >"$BT_DIR/g.key" 2>"$BT_DIR/err")
check "genkey > file: the file is 0600 ($(stat -c %a "$BT_DIR/g.key"))" \
    test "$(stat -c %a "$BT_DIR/g.key")" = 600
check "genkey > file: says so" grep -q 'mode 0600, was 0644' "$BT_DIR/err"
check "genkey > file: a key bondd's pubkey reads" \
    "$BONDCTL" pubkey <"$BT_DIR/g.key" >/dev/null
: >"$BT_DIR/w.key"
chmod 0666 "$BT_DIR/w.key"
setpriv --reuid=nobody --regid=nogroup --clear-groups \
    sh -c '"$1" genkey >>"$2"' sh "$BONDCTL" "$BT_DIR/w.key" 2>"$BT_DIR/err"
check_cmp "genkey >> a file others can read and it cannot chmod: exit 1" \
    $? -eq 1
check "and it wrote no key" test ! -s "$BT_DIR/w.key"

# The socket belongs to the control group, mode 0660.
check "socket mode 0660" test "$(stat -c %a "$SOCK")" = 660
check "socket group $GRP" test "$(stat -c %G "$SOCK")" = "$GRP"
gid=$(getent group "$GRP" | cut -d: -f3)
as_member() { setpriv --reuid=nobody --regid="$gid" --clear-groups \
    timeout 10 "$BONDCTL" -s "$SOCK" "$@"; }
as_member status >/dev/null 2>&1
check_cmp "a group member may read status" $? -eq 0
as_member link wan0 down 2>"$BT_DIR/err"
check_cmp "a group member may not take a link down" $? -eq 1
check "and is told permission denied" grep -qi 'denied' "$BT_DIR/err"
as_member reload 2>/dev/null
check_cmp "a group member may not reload" $? -eq 1
setpriv --reuid=nobody --regid=nogroup --clear-groups \
    timeout 10 "$BONDCTL" -s "$SOCK" status >/dev/null 2>&1
check_cmp "anyone else cannot connect" $? -eq 3

ctl link wan0 down
check_cmp "root may take wan0 down" $? -eq 0
sleep 2.5
check "status shows wan0 admin down" \
    test "$(stat_get client "j['links'][0]['admin']")" = down
ctl link wan0 up
check_cmp "and bring it up" $? -eq 0
check "ping after link up" wait_ping 10
finish
