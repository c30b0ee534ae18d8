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

# Pre-shared keys (Noise IKpsk2): the same key on both sides gives a
# tunnel that carries ping; a different key on the client, or a key on
# one side only (either side), gives none, and the side that can tell
# says so and counts it: the client refuses the server's response
# under another key (the key enters only the second message); a server
# cannot read an initiation of the other pattern (it tries only the
# patterns its peers use) and, when its peers use both, reads it and
# refuses it for not being its peer's pattern.  A reload that renames
# the site keeps the key: the tunnel stays.

. "$(dirname "$0")/lib.sh"

# run CLIENT_PSK SERVER_PSK [mixed]: both daemons afresh, each with its
# key file (none if empty); "mixed" gives the server a second peer,
# without a key, so that it tries both patterns.  Logs of the round in
# $BT_DIR/{client,server}.log.
run()
{
	kill_pids ${BT_CLIENT_PID:+"$BT_CLIENT_PID"} \
	    ${BT_SERVER_PID:+"$BT_SERVER_PID"}
	BT_CLIENT_PID= BT_SERVER_PID=
	rm -f "$BT_DIR/client.log" "$BT_DIR/server.log" \
	    "$BT_DIR/client.sock" "$BT_DIR/server.sock"
	write_server_conf
	write_client_conf
	[ -n "$1" ] && sed -i "s|^peer: {|peer: {preshared_key_file: $1, |" \
	    "$BT_DIR/client.yaml"
	[ -n "$2" ] && sed -i \
	    "s|^  - {name: site1,|  - {name: site1, preshared_key_file: $2,|" \
	    "$BT_DIR/server.yaml"
	[ "${3:-}" = mixed ] && sed -i "/^  - {name: site1,/a\\
  - {name: site2, public_key: \"$SITE2_PUB\", allowed_ips: [198.19.0.3/32]}" \
	    "$BT_DIR/server.yaml"
	protect "$BT_DIR/client.yaml" "$BT_DIR/server.yaml"
	start_server
	start_client
}

# No client link established within 10 s, no server session, no ping.
no_tunnel()
{
	local est=0 end=$((SECONDS + 10)) n
	while [ "$SECONDS" -lt "$end" ]; do
		n=$(stat_get client \
		    "sum(1 for l in j['links'] if l['state'] == 'established')")
		[ "${n:-0}" != 0 ] && { est=1; break; }
		sleep 0.2
	done
	check "$1: client status answers" \
	    test -n "$(stat_get client "len(j['links'])")"
	check "$1: no client link established within 10 s" test "$est" -eq 0
	check "$1: server has no established session" \
	    test "$(stat_get server \
	    "any(l['state'] == 'established' for l in j['links'])")" = false
	if in_ns cl timeout 10 ping -n -q -c 3 -i 0.2 -W 1 198.19.0.1 \
	    >/dev/null 2>&1; then
		not_ok "$1: ping through the tunnel fails"
	else
		ok "$1: ping through the tunnel fails"
	fi
}

# wait_log WHO PATTERN: until WHO's log has PATTERN (20 s).
wait_log()
{
	local end=$((SECONDS + 20))
	until grep -q "$2" "$BT_DIR/$1.log" || [ "$SECONDS" -ge "$end" ]; do
		sleep 0.5
	done
	grep -q "$2" "$BT_DIR/$1.log"
}

setup
topo_start one
gen_keys
gen_key psk >/dev/null || bail "genkey psk"
gen_key other >/dev/null || bail "genkey other"
SITE2_PUB=$(gen_key site2) || bail "genkey site2"
psk=$BT_DIR/psk.key
other=$BT_DIR/other.key

say "same pre-shared key on both sides"
run "$psk" "$psk"
if wait_established 15; then
	ok "same key: links established"
else
	not_ok "same key: links established"
fi
check "same key: ping through the tunnel" wait_ping 10
cfg=$(timeout 5 "$BONDCTL" -s "$BT_DIR/client.sock" config 2>/dev/null)
check "same key: client running configuration names the key" \
    grep -q "preshared_key_file: $psk" <<<"$cfg"
if grep -qi "not supported" "$BT_DIR/client.log" "$BT_DIR/server.log"; then
	not_ok "same key: nothing says the key is ignored"
else
	ok "same key: nothing says the key is ignored"
fi
# A reload that renames the site keeps the key it holds (linkd gets the
# peer again, with its key): the session stays and still carries ping.
sed -i "s|{name: site1,|{name: home1,|" "$BT_DIR/server.yaml"
out=$(timeout 10 "$BONDCTL" -s "$BT_DIR/server.sock" reload 2>&1)
say "reload: $out"
check "rename: the reload names the change" grep -qi "changed" <<<"$out"
check "rename: ping through the tunnel" ping_ok 5
if grep -q "sessions end" "$BT_DIR/server.log"; then
	not_ok "rename: no session ended"
else
	ok "rename: no session ended"
fi

say "another pre-shared key on the client"
run "$other" "$psk"
no_tunnel "wrong key"
check "wrong key: the client refuses the server's response" \
    wait_log client "bad handshake response.*decrypt"
check_cmp "wrong key: client auth_fail counted" \
    "$(link_sum client auth_fail)" -gt 0

say "a pre-shared key on the server only"
run "" "$psk"
no_tunnel "server key only"
check "server key only: the server cannot read the initiation" \
    wait_log server "bad handshake from.*decrypt"
check_cmp "server key only: server auth_fail counted" \
    "$(link_sum server auth_fail)" -gt 0

say "a pre-shared key on the server only, which has a peer without one"
run "" "$psk" mixed
check "mixed server: two peers configured" \
    grep -q "name: site2" "$BT_DIR/server.yaml"
no_tunnel "mixed server"
check "mixed server: the server refuses the initiation of site1" \
    wait_log server "peer site1 .*refused: it uses no pre-shared key"
check_cmp "mixed server: server auth_fail counted" \
    "$(link_sum server auth_fail)" -gt 0

say "a pre-shared key on the client only"
run "$psk" ""
no_tunnel "client key only"
check "client key only: the server cannot read the initiation" \
    wait_log server "bad handshake from.*decrypt"
check_cmp "client key only: server auth_fail counted" \
    "$(link_sum server auth_fail)" -gt 0
check "both parents still running" \
    alive "$BT_CLIENT_PID" "$BT_SERVER_PID"

finish
