#!/bin/bash
# Standard output: pcap on stdout read by tshark and tcpdump; packets reach a
# pipe reader while the capture runs; a reader that goes away stops nsdump
# cleanly; a terminal on stdout is refused.
#
# Pipelines use FIFOs so that both ends are direct children with known PIDs.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd script timeout
nd_topo 1 40 || nd_finish

# -w - and no -w at all, into a regular file, read back through stdin.
for mode in dash none; do
	args=(-w -)
	[ "$mode" = none ] && args=()
	if nd_start_ready "stdout-$mode" -v --pid "$TARGET_PID" "${args[@]}"; then
		nd_send "$NS_A" 40 "$SINK_B"
		nd_wait_count "$ND_TMP/stdout-$mode.out" 40
		nd_stop INT 5
		f=$ND_TMP/stdout-$mode.out
		check_eq "-w $mode: exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/stdout-$mode.err")"
		check_eq "-w $mode: tcpdump -r - reads exactly 40" 40 "$(count_tcpdump - <"$f")"
		check_eq "-w $mode: tshark -r - reads exactly 40" 40 "$(count_tshark - <"$f")"
		check_stats "-w $mode: statistics on stderr, not stdout" "$ND_TMP/stdout-$mode.err" 40
	fi
done

# Straight into readers through pipes: exact counts after SIGINT.
for reader in tcpdump tshark; do
	fifo=$ND_TMP/$reader.fifo
	mkfifo "$fifo"
	if [ "$reader" = tcpdump ]; then
		tcpdump -n -l -r - <"$fifo" >"$ND_TMP/$reader.lines" 2>/dev/null &
	else
		tshark -l -r - <"$fifo" >"$ND_TMP/$reader.lines" 2>/dev/null &
	fi
	rpid=$!
	nd_track_pid "$rpid"
	ND_STDOUT=$fifo nd_start_ready "pipe-$reader" -v --pid "$TARGET_PID" -w -
	ready=$?
	if [ "$ready" -eq 0 ]; then
		nd_send "$NS_A" 40 "$SINK_B"
		nd_poll "$ND_WAIT_S" "$reader to print 40 packets" nd_cond_lines 40 "$ND_TMP/$reader.lines"
		nd_stop INT 5
		check_eq "pipe to $reader: nsdump exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/pipe-$reader.err")"
	fi
	nd_wait_exit "$rpid" "$ND_WAIT_S"
	if [ "$ready" -eq 0 ]; then
		check_eq "pipe to $reader: reader exits 0" 0 "$ND_RC"
		check_eq "pipe to $reader: exactly 40 packets" 40 "$(grep -c '' "$ND_TMP/$reader.lines")"
	fi
done

# Live: each packet shows up at the reader within 1 s, nsdump still running.
fifo=$ND_TMP/live.fifo
mkfifo "$fifo"
tcpdump -n -l -r - <"$fifo" >"$ND_TMP/live.lines" 2>"$ND_TMP/live.rerr" &
rpid=$!
nd_track_pid "$rpid"
if ND_STDOUT=$fifo nd_start_ready live -v --pid "$TARGET_PID"; then
	for i in 1 2 3; do
		t0=$(nd_now_ms)
		nd_send "$NS_A" 1 -p "4100$i" "$SINK_B"
		if nd_wait_file_grep "$ND_TMP/live.lines" "> ${SINK_B//./\\.}\.4100$i: " 1; then
			dt=$(($(nd_now_ms) - t0))
			if nd_exited "$ND_PID"; then
				not_ok "live: packet $i at the reader while nsdump runs" "nsdump had exited"
			else
				ok "live: packet $i at the reader after ${dt} ms, nsdump still running"
			fi
		else
			not_ok "live: packet $i at the reader within 1 s" "reader saw: $(nd_excerpt "$ND_TMP/live.lines")"
		fi
	done
	nd_stop INT 5
	check_eq "live: nsdump exits 0 on SIGINT" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/live.err")"
fi
nd_wait_exit "$rpid" "$ND_WAIT_S"

# reader_gone TAG TRAFFIC READER...: the reader exits early; nsdump must
# stop by itself (exit 0, no SIGPIPE death) and print its statistics.
# TRAFFIC: "flow" keeps packets coming, "idle" sends 10 and then nothing.
reader_gone() {
	local tag=$1 traffic=$2 fifo=$ND_TMP/$1.fifo rpid spid=""
	shift 2
	mkfifo "$fifo"
	"$@" <"$fifo" >"$ND_TMP/$tag.lines" 2>/dev/null &
	rpid=$!
	nd_track_pid "$rpid"
	if ! ND_STDOUT=$fifo nd_start_ready "$tag" -v --pid "$TARGET_PID" -w -; then
		nd_is_ours "$rpid" && kill "$rpid"
		nd_wait_exit "$rpid" "$ND_WAIT_S"
		return
	fi
	if [ "$traffic" = flow ]; then
		ip netns exec "$NS_A" "$UDPSEND" -f -r 200 "$SINK_B" >"$ND_TMP/$tag.send" 2>&1 &
		spid=$!
		nd_track_pid "$spid"
	else
		nd_send "$NS_A" 10 "$SINK_B"
	fi
	nd_wait_exit "$rpid" "$ND_WAIT_S"
	check_eq "$tag: reader exited by itself" 0 "$ND_RC"
	nd_wait_exit "$ND_PID" 3
	check_eq "$tag: nsdump exits 0 within 3 s of the reader" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/$tag.err")"
	check_grep "$tag: statistics printed" "$ND_TMP/$tag.err" '^[0-9]+ packets? captured$'
	if [ -n "$spid" ]; then
		kill -INT "$spid" 2>/dev/null
		nd_wait_exit "$spid" 5
	fi
}

reader_gone "reader tcpdump -c 5 (traffic flowing)" flow tcpdump -n -c 5 -r -
reader_gone "reader head -c 2000 (traffic flowing)" flow head -c 2000
reader_gone "reader tcpdump -c 5 (no traffic after it)" idle tcpdump -n -c 5 -r -

# A reader that is gone before nsdump writes anything: an orderly stop, exit 0.
"$NSDUMP" --pid "$TARGET_PID" -w - 2>"$ND_TMP/noreader.err" | true
rc=${PIPESTATUS[0]}
check_eq "reader gone before the header: exit 0" 0 "$rc" "$(nd_excerpt "$ND_TMP/noreader.err")"
check_grep "reader gone before the header: says so" "$ND_TMP/noreader.err" 'stopping: the reader closed the pipe'

# A reader that stops reading without closing the pipe (a stuck tshark, a stalled ssh):
# SIGINT still ends nsdump, ND_OUT_STUCK_MS (2 s) later, with exit 1 and a message saying
# what the reader did not get (tcpdump waits in write(2) for ever there).
# stuck_reader TAG: holds $ND_TMP/TAG.fifo open for reading and reads nothing; its PID in
# rpid, the FIFO in fifo.
stuck_reader() {
	fifo=$ND_TMP/$1.fifo
	mkfifo "$fifo"
	# shellcheck disable=SC2217 # the reader that reads nothing: it only holds the pipe open
	sleep 60 <"$fifo" &
	rpid=$!
	nd_track_pid "$rpid"
}

stuck_reader stuck
if ND_STDOUT=$fifo nd_start_ready stuck -v --pid "$TARGET_PID" -w -; then
	# About 290 KB: more than the pipe holds (64 KiB).
	nd_send "$NS_A" 200 -s 1400 "$SINK_B"
	nd_poll "$ND_WAIT_S" "nsdump to fill the stuck reader's pipe" nd_cond_pipe_full "$ND_PID" 1
	t0=$(nd_now_ms)
	kill -INT "$ND_PID"
	nd_wait_exit "$ND_PID" 10
	took=$(($(nd_now_ms) - t0))
	check_eq "stuck reader: SIGINT ends nsdump, exit 1" 1 "$ND_RC" "$(nd_excerpt "$ND_TMP/stuck.err")"
	check "stuck reader: 2 to 4 s after SIGINT" "$([ "$took" -ge 1900 ] && [ "$took" -le 4000 ]; echo $?)" \
		"took $took ms"
	check_grep "stuck reader: says what the reader did not get" "$ND_TMP/stuck.err" \
		'^nsdump: stopped while the reader of standard output had read nothing for 2 s: it holds the first [0-9]+ packets, the last [0-9]+ were not delivered$'
fi
kill "$rpid" 2>/dev/null
nd_wait_exit "$rpid" "$ND_WAIT_S"

# late_reader TAG: reads $ND_TMP/TAG.fifo into $ND_TMP/TAG.pcapng, but only once
# $ND_TMP/TAG.go exists; its PID in rpid.
late_reader() {
	mkfifo "$ND_TMP/$1.fifo"
	(
		while [ ! -e "$ND_TMP/$1.go" ]; do sleep 0.05; done
		exec cat
	) <"$ND_TMP/$1.fifo" >"$ND_TMP/$1.pcapng" &
	rpid=$!
	nd_track_pid "$rpid"
}

# A reader that is only slow loses nothing: the pipe is full when SIGINT comes, and the
# reader starts reading half a second after nsdump began to wait for it.
late_reader slow
fifo=$ND_TMP/slow.fifo
if ND_STDOUT=$fifo nd_start_ready slow -v --pid "$TARGET_PID" -w -; then
	nd_send "$NS_A" 200 -s 1400 "$SINK_B"
	nd_poll "$ND_WAIT_S" "nsdump to fill the slow reader's pipe" nd_cond_pipe_full "$ND_PID" 1
	kill -INT "$ND_PID"
	nd_poll "$ND_WAIT_S" "nsdump, stopping, to wait for the reader" nd_cond_out_stopping "$ND_PID"
	# The scenario, not a guess: the reader starts half a second after nsdump began to wait
	# for it, well within the 2 s nsdump gives a reader that reads nothing.
	sleep 0.5
	touch "$ND_TMP/slow.go"
	nd_wait_exit "$ND_PID" 10
	check_eq "slow reader: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/slow.err")"
	nd_wait_exit "$rpid" "$ND_WAIT_S"
	check_count_all "slow reader: all 200 packets" "$ND_TMP/slow.pcapng" 200
fi

# Without a signal nothing is given up: -c ends the capture while the pipe is full, and a
# reader that starts 3 s later still gets every packet.
late_reader late
fifo=$ND_TMP/late.fifo
if ND_STDOUT=$fifo nd_start_ready late -v --pid "$TARGET_PID" -c 200 -w -; then
	nd_send "$NS_A" 200 -s 1400 "$SINK_B"
	nd_poll "$ND_WAIT_S" "nsdump to fill the late reader's pipe" nd_cond_pipe_full "$ND_PID" 1
	# The scenario, not a guess: the reader stays away longer than the 2 s after which a
	# signal would make nsdump give up on it; without a signal it must wait.
	sleep 3
	touch "$ND_TMP/late.go"
	nd_wait_exit "$ND_PID" 10
	check_eq "-c, reader starting 3 s late: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/late.err")"
	nd_wait_exit "$rpid" "$ND_WAIT_S"
	check_count_all "-c, reader starting 3 s late: all 200 packets" "$ND_TMP/late.pcapng" 200
fi

# --merge into the same stuck reader: the slow reader's 200 packets (about 290 KB).
stuck_reader mstuck
"$NSDUMP" --merge "$ND_TMP/slow.pcapng" -w - >"$fifo" 2>"$ND_TMP/mstuck.err" &
mpid=$!
nd_track_pid "$mpid"
nd_poll "$ND_WAIT_S" "nsdump --merge to fill the stuck reader's pipe" nd_cond_pipe_full "$mpid" 1
t0=$(nd_now_ms)
kill -INT "$mpid"
nd_wait_exit "$mpid" 10
took=$(($(nd_now_ms) - t0))
check_eq "--merge, stuck reader: SIGINT ends it, exit 1" 1 "$ND_RC" "$(nd_excerpt "$ND_TMP/mstuck.err")"
check "--merge, stuck reader: 2 to 4 s after SIGINT" "$([ "$took" -ge 1900 ] && [ "$took" -le 4000 ]; echo $?)" \
	"took $took ms"
kill "$rpid" 2>/dev/null
nd_wait_exit "$rpid" "$ND_WAIT_S"

# A terminal on stdout: exit 2 with a hint, both implicitly and with -w -.
for args in "" "-w -"; do
	# shellcheck disable=SC2086 # $args is word-split on purpose
	cmd="$(printf '%q ' "$NSDUMP" --pid "$TARGET_PID" $args)"
	timeout -s KILL 10 script -qec "$cmd" /dev/null </dev/null >"$ND_TMP/tty.out" 2>&1
	rc=$?
	check_eq "stdout a TTY (${args:-no -w}): exit 2" 2 "$rc" "$(nd_excerpt "$ND_TMP/tty.out")"
	check_grep "stdout a TTY (${args:-no -w}): 'nsdump: ' message" "$ND_TMP/tty.out" '^nsdump: '
done

nd_finish
