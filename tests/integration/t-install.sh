#!/usr/bin/env bash
#
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

# make install into a temporary DESTDIR with PREFIX=/usr: every file a
# package needs lands where bondd(8) says, and the installed bondd looks
# for its children in the installed libexec directory; /etc/bondd and
# the children's empty root get their modes and, as root, their owners.
# Builds into its own directory so the tree's build/ keeps its prefix.

. "$(dirname "$0")/lib.sh"

DEST=$(mktemp -d /tmp/bondd-install.XXXXXX)
OBJ=$(mktemp -d /tmp/bondd-install-obj.XXXXXX)

if make -s -C "$BT_ROOT" B="$OBJ" install DESTDIR="$DEST" PREFIX=/usr \
    >"$OBJ.log" 2>&1; then
	ok "make install DESTDIR PREFIX=/usr"
else
	not_ok "make install DESTDIR PREFIX=/usr"
	tail -n 20 "$OBJ.log"
fi
rm -f "$OBJ.log"

for f in usr/sbin/bondd usr/sbin/bondctl usr/libexec/bondd/linkd \
    usr/libexec/bondd/ctld usr/share/man/man8/bondd.8 \
    usr/share/man/man8/bondctl.8 usr/share/man/man8/linkd.8 \
    usr/share/man/man8/ctld.8 usr/share/man/man5/bondd.yaml.5 \
    usr/lib/systemd/system/bondd.service usr/lib/sysusers.d/bondd.conf \
    usr/lib/tmpfiles.d/bondd.conf \
    usr/share/doc/bondd/examples/bondd-client.yaml \
    usr/share/doc/bondd/examples/bondd-server.yaml \
    usr/share/doc/bondd/examples/bondd.rc; do
	check "installed $f" test -f "$DEST/$f"
done
check "binaries are executable" test -x "$DEST/usr/sbin/bondd" -a \
    -x "$DEST/usr/libexec/bondd/linkd"
check "bondd looks for its children in /usr/libexec/bondd" \
    grep -q /usr/libexec/bondd "$DEST/usr/sbin/bondd"
check "the unit starts the installed bondd" \
    grep -q '^ExecStart=/usr/sbin/bondd' \
    "$DEST/usr/lib/systemd/system/bondd.service"
# The configuration directory and the children's root: made and owned
# by root here; a package build without root gets them without owners.
check "etc/bondd is mode 750 ($(stat -c %a "$DEST/etc/bondd"))" \
    test "$(stat -c %a "$DEST/etc/bondd")" = 750
check "etc/bondd is root:_bondd ($(stat -c %U:%G "$DEST/etc/bondd"))" \
    test "$(stat -c %U:%G "$DEST/etc/bondd")" = root:_bondd
check "var/empty is mode 755, root's ($(stat -c %a:%U "$DEST/var/empty"))" \
    test "$(stat -c %a:%U "$DEST/var/empty")" = 755:root
check "etc/bondd and var/empty are empty" \
    test -z "$(find "$DEST/etc/bondd" "$DEST/var/empty" -mindepth 1)"
check "the tmpfiles entry makes /etc/bondd root:_bondd 0750" \
    grep -q '^d /etc/bondd 0750 root _bondd' \
    "$DEST/usr/lib/tmpfiles.d/bondd.conf"
check "nothing installed outside the prefix, etc/bondd and var/empty" \
    test "$(cd "$DEST" && echo *)" = "etc usr var" -a \
    "$(cd "$DEST" && echo etc/* var/*)" = "etc/bondd var/empty"

# uninstall takes back every file install put, and leaves the
# configuration directory and the children's root.
if make -s -C "$BT_ROOT" B="$OBJ" uninstall DESTDIR="$DEST" PREFIX=/usr \
    >"$OBJ.log" 2>&1; then
	ok "make uninstall DESTDIR PREFIX=/usr"
else
	not_ok "make uninstall DESTDIR PREFIX=/usr"
	tail -n 20 "$OBJ.log"
fi
rm -f "$OBJ.log"
left=$(find "$DEST" ! -type d)
check "uninstall: no file left (${left:-none})" test -z "$left"
check "uninstall: no libexec or doc directory left" \
    test ! -e "$DEST/usr/libexec/bondd" -a ! -e "$DEST/usr/share/doc/bondd"
check "uninstall: etc/bondd and var/empty stay" \
    test -d "$DEST/etc/bondd" -a -d "$DEST/var/empty"

# Without root: the same tree, no owner changed, and the note says what
# the package must do.
DEST2=$(mktemp -d /tmp/bondd-install.XXXXXX)
chown nobody "$DEST2"
chmod 755 "$OBJ"
if setpriv --reuid=nobody --regid=nogroup --clear-groups \
    make -s -C "$BT_ROOT" B="$OBJ" install DESTDIR="$DEST2" PREFIX=/usr \
    >"$DEST2.log" 2>&1; then
	ok "make install DESTDIR as nobody"
else
	not_ok "make install DESTDIR as nobody"
	tail -n 20 "$DEST2.log"
fi
check "as nobody: etc/bondd is mode 750" \
    test "$(stat -c %a "$DEST2/etc/bondd")" = 750
check "as nobody: var/empty is mode 755" \
    test "$(stat -c %a "$DEST2/var/empty")" = 755
check "as nobody: make install says the package must set the owners" \
    grep -q 'the package must make /etc/bondd root:_bondd mode 0750' \
    "$DEST2.log"
rm -rf "$DEST" "$DEST2" "$DEST2.log" "$OBJ"
finish
