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

# Operations: `bondctl reload` and SIGHUP under traffic.  A bad file is
# refused with file:line:column and the tunnel stays; a link is added
# (it carries traffic, the others keep their sessions and counters),
# another removed (its linkd exits); a continuous ping loses nothing and
# a TCP transfer completes with no stall over a second at the receiver;
# SIGHUP applies a new rate.

. "$(dirname "$0")/lib.sh"

setup
topo_start dsl3
[ "$BT_NLINKS" -ge 3 ] || bail "profile dsl3 has fewer than 3 links"
gen_keys
write_server_conf
# The client starts with wan0 and wan1; wan2 is added by a reload.
BT_NLINKS=2 write_client_conf
cp "$BT_DIR/client.yaml" "$BT_DIR/two.yaml"
BT_NLINKS=3 write_client_conf
cp "$BT_DIR/client.yaml" "$BT_DIR/three.yaml"
# wan1 removed: wan0 and wan2.
grep -v 'name: wan1,' "$BT_DIR/three.yaml" >"$BT_DIR/no-wan1.yaml"
# SIGHUP: wan0 gets a configured rate.
sed -E '/name: wan0,/{s/up: [^,}]*/up: 3mbit/;t;s/name: wan0, /name: wan0, up: 3mbit, /}' \
    "$BT_DIR/no-wan1.yaml" >"$BT_DIR/rate.yaml"
# Bad: an unknown key on line 2.
sed '2a\bogus_key: 1' "$BT_DIR/two.yaml" >"$BT_DIR/bad.yaml"
protect "$BT_DIR"/*.yaml

use_conf()
{
	cp "$BT_DIR/$1.yaml" "$BT_DIR/client.yaml"
	protect "$BT_DIR/client.yaml"
}

# link_get NAME FIELD: a field of one client link, or "none".
link_get()
{
	stat_get client "next((l['$2'] for l in j['links'] if l['name'] == '$1'), 'none')"
}

# link_data NAME: datagrams the client's link NAME sent besides its
# probes, from one reading.
link_data()
{
	stat_get client "next((l['tx_packets'] - l['probes_tx'] for l in j['links'] if l['name'] == '$1'), 'none')"
}

nlinkd()
{
	local p n=0
	for p in $(children "$BT_CLIENT_PID"); do
		[ "$(exe_name "$p")" = linkd ] && n=$((n + 1))
	done
	echo "$n"
}

reload()
{
	timeout 10 "$BONDCTL" -s "$BT_DIR/client.sock" reload
}

use_conf two
start_server
start_client
wait_established 15 || bail "links not established within 15 s"
ok "wan0 and wan1 established"
check_cmp "two linkd at start" "$(nlinkd)" -eq 2

# Traffic across every reload: ~45 s of ping, a 40 s TCP stream paced
# in small writes below the links' capacity (a saturated link drops at
# the tunnel's entrance by design, which is not what this test
# measures).
in_ns cl timeout 70 ping -n -D -i 0.05 -c 900 -W 3 198.19.0.1 \
    >"$BT_DIR/ping.log" 2>&1 &
ping_pid=$!
BT_PIDS+=("$ping_pid")
bg sv timeout 80 iperf3 -s -1 -J -i 0.1 -B 198.19.0.1 >"$BT_DIR/iperf3-s.log" 2>&1
sleep 1
in_ns cl timeout 70 iperf3 -c 198.19.0.1 -t 40 -b 600K -l 1200 -J \
    --get-server-output \
    >"$BT_DIR/iperf3.json" 2>&1 &
iperf_pid=$!
BT_PIDS+=("$iperf_pid")
sleep 3

# 1. A bad file: refused, file:line:column shown, nothing changes.
use_conf bad
err=$(reload 2>&1)
rc=$?
check_cmp "bad file: bondctl reload exits non-zero" "$rc" -ne 0
check "bad file: error names file:line:column ($err)" \
    grep -Eq "client\.yaml:3:[0-9]+: " <<<"$err"
check "bad file: bondd still running" kill -0 "$BT_CLIENT_PID"
check "bad file: links still established" all_established client
check_cmp "bad file: still two linkd" "$(nlinkd)" -eq 2

# A key that needs a restart is refused by name.
sed 's|address: 198.19.0.2/24|address: 198.19.0.3/24|' "$BT_DIR/two.yaml" \
    >"$BT_DIR/client.yaml"
protect "$BT_DIR/client.yaml"
err=$(reload 2>&1)
rc=$?
check_cmp "tunnel.address change: reload exits non-zero" "$rc" -ne 0
check "tunnel.address change: message names the key ($err)" \
    grep -q "tunnel.address cannot change on reload" <<<"$err"

# 2. Add wan2.
tx0_before=$(link_get wan0 tx_packets)
tx1_before=$(link_get wan1 tx_packets)
hs0=$(link_get wan0 handshakes)
hs1=$(link_get wan1 handshakes)
use_conf three
out=$(reload 2>&1)
rc=$?
check_cmp "add wan2: bondctl reload exits 0" "$rc" -eq 0
check "add wan2: summary says 1 added, 2 unchanged ($out)" \
    grep -q "1 added.*2 unchanged" <<<"$out"
end=$((SECONDS + 15))
until [ "$(link_get wan2 state)" = established ] ||
    [ "$SECONDS" -ge "$end" ]; do
	sleep 0.2
done
check "wan2 established" test "$(link_get wan2 state)" = established
check_cmp "three linkd after adding" "$(nlinkd)" -eq 3
# An idle link sends its probes and next to nothing else (1 datagram
# besides them in 10 s measured).  The paced stream and the pings put
# 36 to 153 more on wan2 in 4 s: the earliest-arrival scheduler fills
# the links in turn, and wan2, last, gets what the others leave.
d2a=$(link_data wan2)
sleep 4
check_cmp "wan2 carries traffic (>= 10 datagrams besides probes in 4 s)" \
    "$(delta "$d2a" "$(link_data wan2)")" -ge 10
tx0_after=$(link_get wan0 tx_packets)
tx1_after=$(link_get wan1 tx_packets)
check_cmp "wan0 tx_packets kept (no reset)" "$tx0_after" -gt "$tx0_before"
check_cmp "wan1 tx_packets kept (no reset)" "$tx1_after" -gt "$tx1_before"
check_cmp "wan0 handshakes unchanged" "$(link_get wan0 handshakes)" -eq "$hs0"
check_cmp "wan1 handshakes unchanged" "$(link_get wan1 handshakes)" -eq "$hs1"
check_cmp "wan2 has link id 2" "$(link_get wan2 link_id)" -eq 2

# 3. Remove wan1.
linkd_pids()
{
	local p
	for p in $(children "$BT_CLIENT_PID"); do
		[ "$(exe_name "$p")" = linkd ] && echo "$p"
	done | sort
}
before=$(linkd_pids)
hs0=$(link_get wan0 handshakes)
tx0_before=$(link_get wan0 tx_packets)
use_conf no-wan1
out=$(reload 2>&1)
rc=$?
check_cmp "remove wan1: bondctl reload exits 0" "$rc" -eq 0
check "remove wan1: summary says 1 removed ($out)" \
    grep -q "1 removed" <<<"$out"
end=$((SECONDS + 5))
until [ "$(nlinkd)" -eq 2 ] || [ "$SECONDS" -ge "$end" ]; do
	sleep 0.1
done
check_cmp "wan1's linkd exited" "$(nlinkd)" -eq 2
after=$(linkd_pids)
check "the other linkds kept running (same pids)" \
    test -z "$(comm -13 <(echo "$before") <(echo "$after"))"
sleep 2
check "wan1 gone from status" test "$(link_get wan1 state)" = none
check "wan0 still established" test "$(link_get wan0 state)" = established
check "wan2 still established" test "$(link_get wan2 state)" = established
check_cmp "wan0 handshakes unchanged" "$(link_get wan0 handshakes)" -eq "$hs0"
check_cmp "wan0 tx_packets kept" "$(link_get wan0 tx_packets)" -gt "$tx0_before"
check_cmp "wan2 still has link id 2" "$(link_get wan2 link_id)" -eq 2
grep -q "linkd wan1.*exited with status [1-9]\|linkd wan1.*killed" \
    "$BT_DIR/client.log" && not_ok "wan1's linkd did not exit cleanly" ||
    ok "wan1's linkd exited cleanly"

# 4. SIGHUP with a new rate for wan0.
use_conf rate
kill -HUP "$BT_CLIENT_PID"
end=$((SECONDS + 5))
until [ "$(link_get wan0 rate_max_bps)" = 3000000 ] ||
    [ "$SECONDS" -ge "$end" ]; do
	sleep 0.2
done
check_cmp "SIGHUP: wan0 rate_max_bps is 3mbit" \
    "$(link_get wan0 rate_max_bps)" -eq 3000000
check "SIGHUP: logged" grep -q "reloaded: .*1 changed" "$BT_DIR/client.log"
check_cmp "SIGHUP: wan0 handshakes unchanged" \
    "$(link_get wan0 handshakes)" -eq "$hs0"

# 5. Nothing lost.
wait "$ping_pid"
prc=$?
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$BT_DIR/ping.log")
recv=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$BT_DIR/ping.log")
say "ping: $(grep transmitted "$BT_DIR/ping.log")"
check_cmp "ping exit status 0" "$prc" -eq 0
check_cmp "ping: all $sent answered" "${recv:-x}" -eq "${sent:-y}"
wait "$iperf_pid"
irc=$?
check_cmp "iperf3 -t 40 completes (rc)" "$irc" -eq 0
stall=$(json_get "sum(1 for i in j['intervals'] if i['sum']['bits_per_second'] < 100000)" \
    <"$BT_DIR/iperf3.json" 2>/dev/null)
check_cmp "iperf3: no 1 s interval below 100 kbit/s" "${stall:-x}" -eq 0
retr=$(json_get "j['end']['sum_sent'].get('retransmits', 0)" \
    <"$BT_DIR/iperf3.json" 2>/dev/null)
say "iperf3 retransmits: ${retr:-?}"
# The sender's intervals hide a stall of up to a second or so in its
# socket buffer; the receiver's 0.1 s intervals show it.  A stall is a
# run of them below a quarter of the mean rate: a reload costs TCP a
# few retransmissions, 0 to 0.31 s of stall measured.
stall=$(iperf_stall "$BT_DIR/iperf3.json" 40 0.25)
stall_ms=$(awk -v s="$stall" 'BEGIN { if (s ~ /^[0-9.]+$/) printf "%d", s * 1000; else print "?" }')
check_cmp "iperf3: the receiver's longest stall <= 1000 ms" "$stall_ms" -le 1000
check "bondd still running" kill -0 "$BT_CLIENT_PID"

finish
