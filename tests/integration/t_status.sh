#!/bin/bash
# The live status line (issue 16, part 5): shown when standard error is a terminal and packets
# go to a file, rewritten once a second with the packets written, the kernel's drops, the bytes
# and the rate, each target's share when there are several, and cleared before the final
# statistics. Never with -q, never when standard error is not a terminal, never when packets
# go to standard output. The terminal is a pseudo-terminal made by script(1).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd script
nd_topo 1 70 || nd_finish
P1=$TARGET_PID NS1=$NS_A SINK1=$SINK_B
nd_topo 2 71 || nd_finish
P2=$TARGET_PID NS2=$NS_A SINK2=$SINK_B

ESC=$'\033'
# Carriage return and "erase to the end of the line": how every status line starts.
CLR=$'\r'"${ESC}[K"

# in_pty TAG CMD...: CMD in a pseudo-terminal, in the background; what it writes to the
# terminal goes to $ND_TMP/TAG.tty. The shell that script(1) starts writes its PID and then
# execs CMD, so ND_PID is nsdump's own PID.
in_pty() {
	local tag=$1 cmd
	shift
	printf -v cmd '%q ' "$@"
	: >"$ND_TMP/$tag.pid"
	script -qfec "stty cols ${COLS:-80}; echo \$\$ >$ND_TMP/$tag.pid; exec $cmd" "$ND_TMP/$tag.tty" \
		</dev/null >/dev/null 2>&1 &
	nd_track_pid "$!"
	ND_SCRIPT=$!
	TAG=$tag
	ND_PID=""
	if ! nd_wait_file_grep "$ND_TMP/$tag.pid" '^[0-9]+$' 10 "$ND_SCRIPT"; then
		not_ok "$tag: nsdump started in a pseudo-terminal" "no PID from script(1)"
		return 1
	fi
	ND_PID=$(cat "$ND_TMP/$tag.pid")
	return 0
}

# wait_count FILE N LIMIT_S: bounded wait until capinfos counts N packets in FILE (nsdump
# flushes a file at least once a second).
# shellcheck disable=SC2317 # called through holds
wait_count() {
	local limit=$(($(nd_now_ms) + $3 * 1000))
	until [ "$(count_capinfos "$1")" = "$2" ]; do
		[ "$(nd_now_ms)" -lt "$limit" ] || return 1
		sleep 0.05
	done
}

# holds DESC CMD...: ok when CMD succeeds.
holds() {
	if "${@:2}"; then ok "$1"; else not_ok "$1" "$(tail -c 400 "$ND_TMP/$TAG.tty" 2>/dev/null | cat -v)"; fi
}

# stop_pty TAG: SIGINT to nsdump, then script(1) ends with its exit status (-e); sets ND_RC.
stop_pty() {
	nd_is_ours "$ND_SCRIPT" && kill -INT "$ND_PID" 2>/dev/null
	nd_wait_exit "$ND_SCRIPT" 10
}

# 1. One target, to a file: the line counts the packets, then is cleared before the
#    statistics.
f=$ND_TMP/one.pcap
if in_pty one "$NSDUMP" -v --pid "$P1" -w "$f" &&
	nd_wait_file_grep "$ND_TMP/one.tty" 'listening on' 10 "$ND_SCRIPT"; then
	nd_send "$NS1" 30 "$SINK1"
	# Bounded wait for the line that has counted all 30 (it is rewritten once a second).
	if nd_wait_file_grep "$ND_TMP/one.tty" "${ESC}\[K30 packets, 0 dropped, [0-9.]+ [kMG]?B" 15 "$ND_SCRIPT"; then
		ok "one target: a status line counts the 30 packets"
	else
		not_ok "one target: a status line counts the 30 packets" "$(nd_excerpt "$ND_TMP/one.tty")"
	fi
	# and at least one more line after it, with the rate over its second
	holds "one target: the line is rewritten (a second one, with a rate)" \
		nd_wait_file_grep "$ND_TMP/one.tty" "${ESC}\[K30 packets, 0 dropped, [0-9.]+ [kMG]?B, 0 pkt/s" 15 "$ND_SCRIPT"
	stop_pty one
	check_eq "one target: exit 0 after SIGINT" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/one.tty")"
	check_count_all "one target: the file holds the 30 packets" "$f" 30
	# The final statistics start on a cleared line: the last status line is erased first.
	holds "one target: the line is cleared before the statistics" \
		grep -qF "${CLR}30 packets captured" "$ND_TMP/one.tty"
	check_eq "one target: nothing after the statistics but the statistics" \
		"30 packets captured|30 packets received by filter|0 packets dropped by kernel" \
		"$(sed 's/.*\x1b\[K//' "$ND_TMP/one.tty" | tr -d '\r' | grep -E 'packets (captured|received|dropped)' | paste -sd'|')"
fi

# 2. Two targets: each one's share, by the name its interface has in the file, on a terminal
#    wide enough for both; on a narrow one, cut to its width less one column, so that the
#    carriage return finds the line's start.
f=$ND_TMP/two.pcapng
if COLS=200 in_pty two "$NSDUMP" -v --pid "$P1" --pid "$P2" -w "$f" &&
	nd_wait_file_grep "$ND_TMP/two.tty" 'listening on.*listening on|listening on' 10 "$ND_SCRIPT"; then
	nd_send "$NS1" 12 "$SINK1"
	nd_send "$NS2" 7 "$SINK2"
	if nd_wait_file_grep "$ND_TMP/two.tty" "${ESC}\[K19 packets, 0 dropped, [^|]*\| [^ ]+ 12 \(0 dropped\), [^ ]+ 7 \(0 dropped\)" 15 "$ND_SCRIPT"; then
		ok "two targets: totals, then 12 and 7 by interface"
	else
		not_ok "two targets: totals, then 12 and 7 by interface" "$(tail -c 600 "$ND_TMP/two.tty" | cat -v)"
	fi
	stop_pty two
	check_eq "two targets: exit 0 after SIGINT" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/two.tty")"
	check_count_all "two targets: the file holds the 19 packets" "$f" 19
fi
f=$ND_TMP/narrow.pcapng
if COLS=40 in_pty narrow "$NSDUMP" -v --pid "$P1" --pid "$P2" -w "$f" &&
	nd_wait_file_grep "$ND_TMP/narrow.tty" 'listening on' 10 "$ND_SCRIPT"; then
	nd_send "$NS1" 3 "$SINK1"
	holds "40 columns: the line shows the totals" \
		nd_wait_file_grep "$ND_TMP/narrow.tty" "${ESC}\[K3 packets, 0 dropped" 15 "$ND_SCRIPT"
	stop_pty narrow
	check_eq "40 columns: exit 0 after SIGINT" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/narrow.tty")"
	# every status line, from after its "erase" to the next carriage return, at most 39 columns
	longest=$(tr '\r' '\n' <"$ND_TMP/narrow.tty" | grep -a "^${ESC}\[K[0-9]* packets*, " |
		sed "s/^${ESC}\[K//" | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
	check_eq "40 columns: no status line longer than 39 columns" 39 "$longest"
fi

# 3. -q: no line, on the same terminal.
f=$ND_TMP/quiet.pcap
TARGET_PID=$P1 # for nd_wait_socket
if in_pty quiet "$NSDUMP" -q --pid "$P1" -w "$f"; then
	nd_wait_socket quiet
	nd_send "$NS1" 5 "$SINK1"
	holds "-q: the file holds the 5 packets" wait_count "$f" 5 15
	# An absence needs time to show: without -q, a line has been written by the time the
	# packets are in the file (case 1) and again each second; give it two more.
	sleep 2
	stop_pty quiet
	check_eq "-q: exit 0 after SIGINT" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/quiet.tty")"
	check_nogrep "-q: no status line" "$ND_TMP/quiet.tty" "$ESC"
fi

# 4. Standard error not a terminal: no line, no escape sequence in it.
f=$ND_TMP/plain.pcap
if nd_start_ready plain -v --pid "$P1" -w "$f"; then
	nd_send "$NS1" 5 "$SINK1"
	holds "stderr a file: the file holds the 5 packets" wait_count "$f" 5 15
	nd_stop INT
	check_eq "stderr a file: exit 0" 0 "$ND_RC"
	check_nogrep "stderr a file: no status line" "$ND_TMP/plain.err" "$ESC"
fi

# 5. Packets to standard output (a pipe to a reader), stderr the terminal: no line, the
#    terminal is the user's view of the reader.
f=$ND_TMP/stdout.pcap
# shellcheck disable=SC2016 # $0 and $@ are the inner shell's
if in_pty stdout sh -c 'exec "$0" "$@" >"'"$f"'"' "$NSDUMP" -v --pid "$P1" -w - &&
	nd_wait_file_grep "$ND_TMP/stdout.tty" 'listening on' 10 "$ND_SCRIPT"; then
	nd_send "$NS1" 5 "$SINK1"
	holds "-w -: the output holds the 5 packets" wait_count "$f" 5 15
	stop_pty stdout
	check_eq "-w -: exit 0 after SIGINT" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/stdout.tty")"
	check_nogrep "-w -: no status line" "$ND_TMP/stdout.tty" "$ESC"
fi
nd_finish
