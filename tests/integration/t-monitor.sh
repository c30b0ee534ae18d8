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

# Monitor: `bondctl monitor` under tmux in the client namespace shows
# the header, the peer and every link with its usage line, refreshes,
# quits on q within 2 s with status 0, ends on SIGTERM, and fails with
# status 3 without a daemon.

. "$(dirname "$0")/lib.sh"

tunnel_up equal2

TMUX_SOCK=$BT_DIR/tmux.sock
tm()
{
	tmux -S "$TMUX_SOCK" "$@"
}
# The tmux server lives in the client namespace: cleanup kills it
# there; this ends it earlier on the ordinary path.
stop_tmux()
{
	tm kill-server 2>/dev/null
}

# start_monitor NAME: bondctl monitor in a 160x40 tmux session, run by
# a shell that writes its exit status to $BT_DIR/NAME.rc (tmux reports
# a pane's status only once it has reaped the process, seen taking
# over 10 s on a busy host); sets MPID to bondctl's pid.
start_monitor()
{
	local shpid i
	in_ns cl tmux -S "$TMUX_SOCK" new-session -d -s "$1" -x 160 -y 40 \
	    "$BONDCTL -s $BT_DIR/client.sock monitor; echo \$? >$BT_DIR/$1.rc" ||
	    bail "tmux new-session"
	shpid=$(tm display-message -p -t "$1" '#{pane_pid}')
	MPID=
	for ((i = 0; i < 100; i++)); do
		MPID=$(pgrep -P "$shpid" -x bondctl) && break
		sleep 0.05
	done
}

# ended: bondctl has exited (gone, or a zombie not reaped yet).
ended()
{
	[ ! -d "/proc/$MPID" ] ||
	    grep -q '^State:[[:space:]]*Z' "/proc/$MPID/status" 2>/dev/null
}

# wait_dead NAME SECONDS: until bondctl has exited and its shell has
# written the status.
wait_dead()
{
	local end=$(($(date +%s%N) + $2 * 1000000000))
	while [ "$(date +%s%N)" -lt "$end" ]; do
		ended && [ -s "$BT_DIR/$1.rc" ] && return 0
		sleep 0.05
	done
	return 1
}

# Some traffic, so that the bars have something to show.
in_ns cl timeout 10 ping -n -q -c 30 -i 0.1 198.19.0.1 >/dev/null 2>&1 &
BT_PIDS+=($!)

start_monitor mon
check "bondctl monitor runs (pid $MPID)" test -n "$MPID" -a -d "/proc/$MPID"
sleep 3
screen=$(tm capture-pane -p -t mon)
say "screen after 3 s:"
sed -n '1,12p' <<<"$screen" | sed 's/^/#   /'
check "header shows bondd and the tunnel" \
    grep -q '^bondd .* client .*tunnel bt0' <<<"$screen"
check "header shows the links up" grep -q 'links up 2/2' <<<"$screen"
check "header shows totals" grep -q '^total  tx .* rx ' <<<"$screen"
for ((k = 0; k < BT_NLINKS; k++)); do
	check "link wan$k listed with its state" \
	    grep -Eq "^wan$k +server +(running|lossy|probing) +rtt " \
	    <<<"$screen"
done
check_cmp "a tx and an rx bar per link" \
    "$(grep -cE '^  (tx|rx) \[[#.]+\] ' <<<"$screen")" -eq $((2 * BT_NLINKS))
check "the peer's FEC and reordering line" grep -Eq \
    '^peer server +fec (off|[0-9]+\+[0-9]+) parity [0-9]+ .* reorder holding ' \
    <<<"$screen"
check_cmp "a capacity, queue and pacing line per link" "$(grep -cE \
    '^  cap [0-9.]+ [kMG]?bit/s( of [0-9.]+ [kMG]?bit/s)?  queue bottleneck [0-9.?]+(ms)? entrance [0-9.]+ms  pacing ' \
    <<<"$screen")" -eq "$BT_NLINKS"
c1=$(head -1 <<<"$screen" | grep -o '[0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
sleep 1.5
c2=$(tm capture-pane -p -t mon | head -1 |
    grep -o '[0-9][0-9]:[0-9][0-9]:[0-9][0-9]')
check "the screen refreshes (clock $c1 -> $c2)" \
    test -n "$c1" -a -n "$c2" -a "$c1" != "$c2"

tm send-keys -t mon q
if wait_dead mon 2; then
	ok "q ends bondctl monitor within 2 s"
	check "exit status 0 ($(cat "$BT_DIR/mon.rc"))" \
	    test "$(cat "$BT_DIR/mon.rc")" = 0
else
	not_ok "bondctl monitor still runs 2 s after q"
fi
check "process $MPID ended" ended
tm kill-session -t mon 2>/dev/null

# SIGTERM restores the terminal and ends it too.
start_monitor term
sleep 1.5
kill -TERM "$MPID"
if wait_dead term 2; then
	ok "SIGTERM ends bondctl monitor within 2 s"
else
	not_ok "bondctl monitor survived SIGTERM"
fi
stop_tmux

out=$("$BONDCTL" -s "$BT_DIR/nonexistent.sock" monitor 2>&1 </dev/null)
rc=$?
check_cmp "no daemon: exit status 3" "$rc" -eq 3
check "no daemon: says it cannot connect" grep -q 'cannot connect' <<<"$out"

finish
