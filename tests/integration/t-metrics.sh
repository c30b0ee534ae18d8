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

# Metrics: the client's ctld serves Prometheus text on control.metrics.
# Scraped with curl inside the client namespace: every sample parses,
# the documented families are there with HELP and TYPE, wan0's
# tx_packets counts the pings besides its probes and its frames_rx the
# answers, its capacity, queues and pacing are sane and a clean link
# gets no FEC, other paths and methods are refused.

. "$(dirname "$0")/lib.sh"

PORT=9187
URL=http://127.0.0.1:$PORT

setup
topo_start one
gen_keys
write_server_conf
write_client_conf
sed -i "s|^control: {socket: \(.*\)}\$|control: {socket: \1, metrics: 127.0.0.1:$PORT}|" \
    "$BT_DIR/client.yaml"
grep -q "metrics: 127.0.0.1:$PORT" "$BT_DIR/client.yaml" ||
    bail "metrics line not added to client.yaml"
start_server
start_client
wait_established 15 || bail "links not established within 15 s"
ok "links established"
# ctld has its first snapshot about a second after start.
sleep 1.5

# scrape PATH [CURL ARGS...]: the response with headers, status in CODE.
scrape()
{
	local path=$1
	shift
	in_ns cl timeout 5 curl -s -i "$@" "$URL$path"
}

# parse: check the exposition on stdin; prints the value of the sample
# named by argv[1] (exact series text) or "bad: why".
parse()
{
	"$BT_PY" -c '
import re, sys
want = sys.argv[1]
lines = sys.stdin.read().split("\n")
if lines[-1] != "":
	print("bad: no final newline"); sys.exit()
sample = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$")
label = re.compile(r"([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"(,|$)")
typed = {}
found = None
series = set()
for l in lines[:-1]:
	if l.startswith("#"):
		p = l.split(" ", 3)
		if len(p) < 4 or p[1] not in ("HELP", "TYPE"):
			print("bad comment: " + l); sys.exit()
		if p[1] == "TYPE":
			typed[p[2]] = p[3]
		continue
	m = sample.match(l)
	if not m:
		print("bad line: " + l); sys.exit()
	if m.group(1) not in typed:
		print("no TYPE before: " + l); sys.exit()
	if m.group(3):
		pos = 0
		while pos < len(m.group(3)):
			lm = label.match(m.group(3), pos)
			if not lm:
				print("bad labels: " + l); sys.exit()
			pos = lm.end()
	try:
		v = float(m.group(4))
	except ValueError:
		print("bad value: " + l); sys.exit()
	key = m.group(1) + (m.group(2) or "")
	if key in series:
		print("duplicate series: " + key); sys.exit()
	series.add(key)
	if key == want:
		found = v
for fam in ("bondd_link_tx_packets_total", "bondd_link_rx_bytes_total",
    "bondd_link_drops_total", "bondd_link_rtt_seconds",
    "bondd_link_loss_ratio", "bondd_link_rate_bps", "bondd_link_state",
    "bondd_link_session_established", "bondd_link_admin_up",
    "bondd_tun_packets_total", "bondd_core_drops_total",
    "bondd_reorder_held_total", "bondd_nack_total", "bondd_resent_total",
    "bondd_info", "bondd_link_capacity_bps",
    "bondd_link_bottleneck_queue_seconds",
    "bondd_link_entrance_queue_seconds", "bondd_link_pacing_bps",
    "bondd_link_resent_total", "bondd_link_frames_rx_total",
    "bondd_link_frames_dup_total", "bondd_link_resent_spurious_total",
    "bondd_link_frames_lost_total", "bondd_peer_fec_code_frames",
    "bondd_peer_fec_parity_total", "bondd_peer_fec_recovered_total",
    "bondd_peer_reorder_held_frames", "bondd_peer_reorder_hold_seconds",
    "bondd_peer_reorder_early_total", "bondd_peer_holes_asked_total"):
	if fam not in typed:
		print("missing family " + fam); sys.exit()
print("missing " + want if found is None else
    int(found) if found.is_integer() else "%.6f" % found)
' "$1"
}

TX='bondd_link_tx_packets_total{link="wan0",peer="server"}'
PROBES='bondd_link_probes_total{link="wan0",peer="server",direction="tx"}'
FRAMES='bondd_link_frames_rx_total{link="wan0",peer="server"}'

resp=$(scrape /metrics)
check "GET /metrics answers 200" grep -q '^HTTP/1.1 200 OK' <<<"$resp"
check "Content-Type text/plain; version=0.0.4" \
    grep -qi '^Content-Type: text/plain; version=0.0.4' <<<"$resp"
check "Connection: close" grep -qi '^Connection: close' <<<"$resp"
body=$(in_ns cl timeout 5 curl -s -f "$URL/metrics")
check "curl -f /metrics exits 0" test -n "$body"
len=$(grep -i '^Content-Length:' <<<"$resp" | tr -dc 0-9)
check_cmp "Content-Length matches the body" "${len:-x}" -eq \
    "$(printf '%s\n' "$body" | wc -c)"
tx0=$(printf '%s\n' "$body" | parse "$TX")
check "exposition parses, every family present, wan0 tx found ($tx0)" \
    test "$tx0" -ge 0 2>/dev/null
check "session established for wan0" grep -q \
    '^bondd_link_session_established{link="wan0",peer="server"} 1$' \
    <<<"$body"
check "bondd_info names the role" grep -q '^bondd_info{.*role="client"} 1$' \
    <<<"$body"

# The probes alone send more than 10 datagrams in that time: the pings
# (0.2 s apart, one datagram each) are what wan0 sent besides them.
pr0=$(printf '%s\n' "$body" | parse "$PROBES")
fr0=$(printf '%s\n' "$body" | parse "$FRAMES")
ping_ok 10 || not_ok "ping through the tunnel"
sleep 2.5
body=$(in_ns cl timeout 5 curl -s "$URL/metrics")
tx1=$(printf '%s\n' "$body" | parse "$TX")
pr1=$(printf '%s\n' "$body" | parse "$PROBES")
fr1=$(printf '%s\n' "$body" | parse "$FRAMES")
say "wan0 tx_packets $tx0 -> $tx1, probes tx $pr0 -> $pr1"
check_cmp "wan0 tx_packets grew by >= 10 besides probes after 10 pings" \
    "$(delta "$(delta "$pr0" "$pr1")" "$(delta "$tx0" "$tx1")")" -ge 10
check_cmp "wan0 frames_rx grew by >= 10 with the answers" \
    "$(delta "$fr0" "$fr1")" -ge 10

# The link's capacity, queues and pacing, and the peer's FEC code: a
# clean link sends no parity.
m() { printf '%s\n' "$body" | parse "$1"; }
L='link="wan0",peer="server"'
cfg=$(m "bondd_link_capacity_bps{$L,kind=\"configured\"}")
est=$(m "bondd_link_capacity_bps{$L,kind=\"measured\"}")
check_cmp "configured capacity is wan0's up rate" "$cfg" -eq \
    "$(link_var RATE_UP 0)"
check_cmp "measured capacity > 0" "$est" -gt 0
check_cmp "measured capacity <= configured" "$est" -le "$cfg"
pace=$(m "bondd_link_pacing_bps{$L}")
check_cmp "pacing > 0 on the running link" "$pace" -gt 0
check_cmp "pacing <= the measured capacity" "$pace" -le "$est"
q=$(m "bondd_link_bottleneck_queue_seconds{$L}")
check "bottleneck queue measured, under 0.1 s ($q)" \
    awk -v q="$q" 'BEGIN { exit !(q ~ /^[0-9.]+$/ && q < 0.1) }'
q=$(m "bondd_link_entrance_queue_seconds{$L}")
check "entrance queue under the 40 ms limit ($q)" \
    awk -v q="$q" 'BEGIN { exit !(q ~ /^[0-9.]+$/ && q <= 0.04) }'
check_cmp "wan0 has a resent sample" "$(m "bondd_link_resent_total{$L}")" \
    -ge 0
check_cmp "FEC code 0+0: data" \
    "$(m 'bondd_peer_fec_code_frames{peer="server",kind="data"}')" -eq 0
check_cmp "FEC code 0+0: parity" \
    "$(m 'bondd_peer_fec_code_frames{peer="server",kind="parity"}')" -eq 0
check_cmp "no parity sent" \
    "$(m 'bondd_peer_fec_parity_total{peer="server",result="sent"}')" -eq 0

check "GET /other answers 404" grep -q '^HTTP/1.1 404' \
    <<<"$(scrape /other)"
check "POST /metrics answers 405" grep -q '^HTTP/1.1 405' \
    <<<"$(scrape /metrics -X POST -d x)"
bad=$(in_ns cl timeout 5 "$BT_PY" -c '
import socket
s = socket.create_connection(("127.0.0.1", '"$PORT"'), 3)
s.sendall(b"garbage\r\n\r\n")
print(s.recv(100).split(b"\r\n")[0].decode())
')
check "a malformed request answers 400 ($bad)" test "$bad" = "HTTP/1.1 400 Bad Request"

# A scraper that never finishes its request is dropped after 5 s; of
# 20 at once, 16 are taken and the rest wait for a free slot.
ctld=$(child_of_kind "$BT_CLIENT_PID" ctld)
slow=$(in_ns cl timeout 12 "$BT_PY" -c '
import socket, time
idle = [socket.create_connection(("127.0.0.1", '"$PORT"'), 3)
    for i in range(20)]
for s in idle:
	s.sendall(b"GET /metrics HTTP/1.1\r\n")
t = time.time()
ok = 0
for s in idle:
	s.settimeout(8)
	try:
		d = s.recv(100)
	except socket.timeout:
		d = b"x"
	if d == b"":
		ok += 1
print(ok, round(time.time() - t))
')
read -r closed secs <<<"$slow"
check_cmp "20 stalled scrapers all closed by ctld" "${closed:-0}" -eq 20
check_cmp "... within about 2 x 5 s" "${secs:-99}" -le 11
check "ctld still runs (pid $ctld)" kill -0 "$ctld"
check "metrics still served" grep -q '^HTTP/1.1 200' <<<"$(scrape /metrics)"

finish
