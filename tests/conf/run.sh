#!/bin/sh
# Golden configuration files: bondd -n -f NN-name.yaml must print
# NN-name.ok on stdout and exit 0; bondd -n -f NN-bad-name.yaml must
# exit non-zero with NN-bad-name.err as the first line on stderr.
# Usage: run.sh path/to/bondd

if [ $# -ne 1 ]; then
	echo "usage: $0 bondd" >&2
	exit 2
fi
case $1 in
/*)	bondd=$1 ;;
*)	bondd=$(pwd)/$1 ;;
esac
if [ ! -x "$bondd" ]; then
	echo "$0: $bondd: not executable" >&2
	exit 2
fi

# bondd refuses a config file others may write and a key file others
# may read (bondd.yaml(5), FILES): the files run from a copy with the
# modes it wants, whatever the checkout's.  Key files are named
# relative to the directory.
umask 022
src=$(cd "$(dirname "$0")" && pwd) || exit 2
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/conf" "$tmp/conf/keys" || exit 2
cp "$src"/[0-9][0-9]-*.yaml "$src"/[0-9][0-9]-*.ok "$src"/[0-9][0-9]-*.err \
    "$tmp/conf/" || exit 2
cp "$src"/keys/* "$tmp/conf/keys/" || exit 2
chmod 644 "$tmp/conf"/[0-9][0-9]-* && chmod 600 "$tmp/conf/keys"/* ||
    exit 2
cd "$tmp/conf" || exit 2

pass=0
fail=0
for f in [0-9][0-9]-*.yaml; do
	name=${f%.yaml}
	"$bondd" -n -f "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	case $name in
	*-bad-*)
		head -n 1 "$tmp/err" >"$tmp/first"
		if [ $rc -eq 0 ]; then
			echo "FAIL $name: accepted"
			fail=$((fail + 1))
		elif ! diff -u "$name.err" "$tmp/first"; then
			echo "FAIL $name: wrong message"
			fail=$((fail + 1))
		else
			pass=$((pass + 1))
		fi
		;;
	*)
		if [ $rc -ne 0 ]; then
			echo "FAIL $name: exit $rc: $(head -n 1 "$tmp/err")"
			fail=$((fail + 1))
		elif ! diff -u "$name.ok" "$tmp/out"; then
			echo "FAIL $name: output differs"
			fail=$((fail + 1))
		elif ! "$bondd" -n -f "$tmp/out" >"$tmp/again" 2>"$tmp/err" ||
		    ! cmp -s "$tmp/out" "$tmp/again"; then
			# The canonical form must read back to itself.
			echo "FAIL $name: canonical form does not round-trip"
			fail=$((fail + 1))
		else
			pass=$((pass + 1))
		fi
		;;
	esac
done
echo "conf: $pass passed, $fail failed"
[ $fail -eq 0 ]
