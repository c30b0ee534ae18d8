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


# The permission model of bondd's files (bondd.yaml(5), FILES): bondd -n
# and bondd itself refuse a config file others may write, a key file
# others may read and a key file that is a symbolic link, each with its
# file:line:column.  A running client, its parent now _bondd, reloads
# with its key 0600 root unchanged, and refuses the reload clearly when
# the key file was replaced by one it cannot read: it keeps running
# with its tunnel.

. "$(dirname "$0")/lib.sh"

setup
topo_start one
gen_keys
write_server_conf
write_client_conf
key=$BT_DIR/client.key
cfg=$BT_DIR/client.yaml
check "gen_key leaves the key 0600 root ($(stat -c %a:%U "$key"))" \
    test "$(stat -c %a:%U "$key")" = 600:root

# refused FILE WANT DESC: bondd -n FILE fails and says WANT.
refused()
{
	local err rc
	err=$("$BONDD" -n -f "$1" 2>&1 >/dev/null)
	rc=$?
	check_cmp "$3: bondd -n exits 1" "$rc" -eq 1
	check "$3: '$2' ($err)" grep -qF -- "$2" <<<"$err"
}

cp "$cfg" "$BT_DIR/gw.yaml"
chmod 0664 "$BT_DIR/gw.yaml"
refused "$BT_DIR/gw.yaml" "$BT_DIR/gw.yaml:1:1: the configuration file is writable by group or others (mode 0664): chmod go-w it" \
    "config group-writable"

cp "$key" "$BT_DIR/wr.key"
chmod 0644 "$BT_DIR/wr.key"
sed "s|$key|$BT_DIR/wr.key|" "$cfg" >"$BT_DIR/wr.yaml"
protect "$BT_DIR/wr.yaml"
refused "$BT_DIR/wr.yaml" "$BT_DIR/wr.yaml:3:30: identity.private_key_file: $BT_DIR/wr.key is readable or writable by group or others (mode 0644): chmod 600 it" \
    "key world-readable"

ln -s "$key" "$BT_DIR/ln.key"
sed "s|$key|$BT_DIR/ln.key|" "$cfg" >"$BT_DIR/ln.yaml"
protect "$BT_DIR/ln.yaml"
refused "$BT_DIR/ln.yaml" "$BT_DIR/ln.yaml:3:30: identity.private_key_file: $BT_DIR/ln.key is a symbolic link: name the key file itself" \
    "key symlink"

# bondd itself, not only -n: refuses before it creates anything.
err=$(in_ns cl timeout 10 "$BONDD" -d -f "$BT_DIR/wr.yaml" 2>&1)
rc=$?
check "bondd -d on a world-readable key exits 1 (rc $rc)" test "$rc" -eq 1
check "and says why" grep -qF "$BT_DIR/wr.key is readable or writable by group or others" <<<"$err"
check "no TUN device was created" \
    test -z "$(ip -n "$(ns_name cl)" -o link show type tun 2>/dev/null)"

start_server
start_client
wait_established 15 || bail "not established"
ok "established with a 0600 root key"
check "the client's parent runs as _bondd" \
    test "$(ps -o user= -p "$BT_CLIENT_PID")" = _bondd
unreadable_by_bondd()
{
	! setpriv --reuid=_bondd --regid=_bondd --clear-groups cat "$1" \
	    >/dev/null 2>&1
}
check "which cannot read the key" unreadable_by_bondd "$key"

# A reload changes something, with the key file untouched.
sed -i 's/^control: {socket: \(.*\)}$/control: {socket: \1}\nprobe: {interval: 50}/' \
    "$cfg"
protect "$cfg"
out=$(timeout 10 "$BONDCTL" -s "$BT_DIR/client.sock" reload 2>&1)
check_cmp "reload with the key unchanged: exit 0 ($out)" $? -eq 0
check "probe.interval is 50 now" test "$(conf_get client probe.interval)" = 50

# The key file replaced by another key, 0600 root: _bondd cannot read
# it, so the reload is refused and nothing changes.
(umask 077; "$BONDCTL" genkey >"$BT_DIR/new.key") || bail "genkey"
mv "$BT_DIR/new.key" "$key"
sed -i 's/^probe: {interval: 50}$/probe: {interval: 80}/' "$cfg"
protect "$cfg"
out=$(timeout 10 "$BONDCTL" -s "$BT_DIR/client.sock" reload 2>&1)
check_cmp "reload with a replaced key: exit 1" $? -eq 1
check "names the file, line and column ($out)" grep -qF \
    "$cfg:3:30: identity.private_key_file: $key is not the file bondd read at start, and user _bondd cannot read it: restart bondd to load it" \
    <<<"$out"
check "the log says the same" grep -qF \
    "reload refused: $cfg:3:30: identity.private_key_file: $key is not the file bondd read at start" \
    "$BT_DIR/client.log"
check "probe.interval stays 50" test "$(conf_get client probe.interval)" = 50
check "bondd still running" kill -0 "$BT_CLIENT_PID"
check "the tunnel still carries pings" ping_ok 3

finish
