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

# Foundation: bondd -n accepts a good file and refuses a bad one with
# FILE:LINE:COLUMN; bondd started on a bad file exits with the same
# message and creates no TUN device.

. "$(dirname "$0")/lib.sh"

setup
key=$BT_DIR/client.key
(umask 077; "$BONDCTL" genkey >"$key") || bail "genkey"
pub=$("$BONDCTL" pubkey <"$key") || bail "pubkey"

good=$BT_DIR/good.yaml
cat >"$good" <<EOT
role: client
tunnel: {name: bt0, address: 198.19.0.2/24}
identity: {private_key_file: $key}
peer: {public_key: "$pub", endpoint: 198.18.0.2:5800}
links:
  - {name: wan0, device: btx-w0}
control: {socket: $BT_DIR/client.sock}
EOT
# Unknown top-level key at line 4, column 1.
bad1=$BT_DIR/bad1.yaml
sed '4i bogus_key: 1' "$good" >"$bad1"
# Unknown key inside a block mapping at line 4, column 3.
bad2=$BT_DIR/bad2.yaml
cat >"$bad2" <<EOT
role: client
tunnel:
  name: bt0
  adress: 198.19.0.2/24
identity: {private_key_file: $key}
peer: {public_key: "$pub", endpoint: 198.18.0.2:5800}
links:
  - {name: wan0, device: btx-w0}
EOT
protect "$good" "$bad1" "$bad2"

out=$("$BONDD" -n -f "$good" 2>&1)
check "bondd -n accepts the good file" test $? -eq 0
check "bondd -n prints the canonical config" grep -q 'role: client' <<<"$out"

for c in "$bad1:4:1" "$bad2:4:3"; do
	f=${c%%:*}
	want=$c:
	err=$("$BONDD" -n -f "$f" 2>&1 >/dev/null)
	rc=$?
	check_cmp "bondd -n $(basename "$f") exits non-zero" "$rc" -ne 0
	check "stderr has '$(basename "$f")${want#"$f"}' ($err)" \
	    grep -qF "$want" <<<"$err"
done

ns_add bc || bail "ip netns add"
ns=$NS
err=$(in_ns "$ns" timeout 10 "$BONDD" -d -f "$bad1" 2>&1)
rc=$?
check "bondd -d on a bad file exits non-zero (rc $rc)" \
    test "$rc" -ne 0 -a "$rc" -ne 124
check "bondd -d on a bad file reports $(basename "$bad1"):4:1:" \
    grep -qF "$bad1:4:1:" <<<"$err"
err=$(in_ns "$ns" timeout 10 "$BONDD" -f "$bad1" 2>&1)
rc=$?
check "bondd (daemon mode) on a bad file exits non-zero (rc $rc)" \
    test "$rc" -ne 0 -a "$rc" -ne 124
check "bondd (daemon mode) reports $(basename "$bad1"):4:1: on stderr" \
    grep -qF "$bad1:4:1:" <<<"$err"
check "no TUN device was created" \
    test -z "$(ip -n "$ns" -o link show type tun 2>/dev/null)"
check "no bondd left running in the namespace" \
    test -z "$(ip netns pids "$ns")"

finish
