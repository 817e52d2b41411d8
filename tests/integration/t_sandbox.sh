#!/bin/bash
# The capture loop's sandbox cannot send: write(2) reaches only the output, standard output
# and standard error (docs/security.md). A packet socket that exists already is not checked
# for CAP_NET_RAW again, so a write to it from the loop would put a frame on the target's
# network; the sandbox kills the process for it (SIGSYS). A descriptor 1 or 2 that the
# invoker closed is never taken by a capture socket.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
PROBE=${PROBE:-$ND_ROOT/build/tools/sandboxprobe}
if [ ! -x "$PROBE" ]; then
	not_ok "$ND_SCRIPT: sandboxprobe" "$PROBE is not an executable file (make build/tools/sandboxprobe)"
	exit 1
fi
nd_topo 1 75 || nd_finish

# ---- a frame written to the packet socket from inside the sandbox ------

# The peer (B) records both probe ethertypes: 0x88b5 from inside the sandbox, 0x88b6 the
# marker sent without it afterwards.
ip netns exec "$NS_B" tcpdump -i eth0 -U -n -w "$ND_TMP/peer.pcap" 'ether proto 0x88b5 or ether proto 0x88b6' \
	>/dev/null 2>"$ND_TMP/peer.err" &
peer=$!
nd_track_pid "$peer"
if ! nd_wait_file_grep "$ND_TMP/peer.err" 'listening on' "$ND_WAIT_S" "$peer"; then
	not_ok "tcpdump on the peer ready" "$(nd_excerpt "$ND_TMP/peer.err")"
	nd_finish
fi
ip netns exec "$NS_A" "$PROBE" eth0 socket "$ND_TMP/probe.out" 2>"$ND_TMP/socket.err"
check_eq "write to the packet socket in the sandbox: killed by SIGSYS (128+31)" 159 "$?" "$(nd_excerpt "$ND_TMP/socket.err")"
check_nogrep "the write never returned" "$ND_TMP/socket.err" 'returned'
# A frame sent now, outside the sandbox, shows that the peer sees what reaches the wire; once
# it is there, an earlier frame would be too.
ip netns exec "$NS_A" "$PROBE" eth0 marker 2>"$ND_TMP/marker.err"
check_eq "the marker frame is sent outside the sandbox" 0 "$?" "$(nd_excerpt "$ND_TMP/marker.err")"
limit=$(($(nd_now_ms) + ND_WAIT_S * 1000))
while [ "$(count_tshark "$ND_TMP/peer.pcap" -Y "eth.type == 0x88b6")" != 1 ] && [ "$(nd_now_ms)" -lt "$limit" ]; do
	sleep 0.02
done
check_eq "the peer saw the marker" 1 "$(count_tshark "$ND_TMP/peer.pcap" -Y "eth.type == 0x88b6")"
kill -INT "$peer" 2>/dev/null
nd_wait_exit "$peer" 5
check_eq "the peer saw no frame from inside the sandbox" 0 "$(count_tshark "$ND_TMP/peer.pcap" -Y "eth.type == 0x88b5")"

# ---- the output, standard output and standard error stay writable -------

ip netns exec "$NS_A" "$PROBE" eth0 output "$ND_TMP/out.txt" >"$ND_TMP/o.stdout" 2>"$ND_TMP/o.err"
check_eq "write to the output in the sandbox: exit 0" 0 "$?" "$(nd_excerpt "$ND_TMP/o.err")"
check_eq "the output holds the line" "sandboxprobe: output" "$(cat "$ND_TMP/out.txt")"
ip netns exec "$NS_A" "$PROBE" eth0 stdout "$ND_TMP/out2.txt" >"$ND_TMP/s.stdout" 2>"$ND_TMP/s.err"
check_eq "write to standard output in the sandbox: exit 0" 0 "$?" "$(nd_excerpt "$ND_TMP/s.err")"
check_eq "standard output holds the line" "sandboxprobe: stdout" "$(cat "$ND_TMP/s.stdout")"
ip netns exec "$NS_A" "$PROBE" eth0 stderr "$ND_TMP/out3.txt" >/dev/null 2>"$ND_TMP/e.err"
check_eq "write to standard error in the sandbox: exit 0" 0 "$?" "$(nd_excerpt "$ND_TMP/e.err")"
check_grep "standard error holds the line" "$ND_TMP/e.err" '^sandboxprobe: stderr$'

# ---- standard output and error closed by the invoker ---------------------

# The capture socket must not become descriptor 1 or 2, where the sandbox allows writes:
# nsdump puts /dev/null there first. (No stderr to wait on: wait for the socket.)
"$NSDUMP" --pid "$TARGET_PID" -w "$ND_TMP/closed.pcap" >&- 2>&- &
ND_PID=$!
nd_track_pid "$ND_PID"
if nd_wait_socket closed; then
	check_eq "stdout closed by the invoker: descriptor 1 is /dev/null" /dev/null "$(readlink "/proc/$ND_PID/fd/1")"
	check_eq "stderr closed by the invoker: descriptor 2 is /dev/null" /dev/null "$(readlink "/proc/$ND_PID/fd/2")"
	nd_send "$NS_A" 5 "$SINK_B" || true
	nd_wait_count "$ND_TMP/closed.pcap" 5
	nd_stop INT
	check_eq "stdout and stderr closed: SIGINT exits 0" 0 "$ND_RC"
	check_count "stdout and stderr closed: exactly 5 packets in the file" "$ND_TMP/closed.pcap" 5
fi

# ---- stopped and continued (Ctrl-Z, then fg; a debugger) ------------------
# A poll(2) interrupted by SIGSTOP is resumed by the kernel through restart_syscall(2): the
# sandbox must allow it, or SIGCONT kills nsdump with SIGSYS (seen: exit 159).
f=$ND_TMP/stopcont.pcap
if nd_start_ready stopcont -v --pid "$TARGET_PID" -w "$f"; then
	kill -STOP "$ND_PID"
	# stopped: /proc says so (state T) before it is continued
	limit=$(($(nd_now_ms) + 5000))
	until [ "$(sed 's/.*) //' "/proc/$ND_PID/stat" 2>/dev/null | cut -c1)" = T ] ||
		[ "$(nd_now_ms)" -ge "$limit" ]; do sleep 0.02; done
	kill -CONT "$ND_PID"
	nd_send "$NS_A" 6 "$SINK_B"
	limit=$(($(nd_now_ms) + 10000))
	until [ "$(count_capinfos "$f")" = 6 ] || nd_exited "$ND_PID" ||
		[ "$(nd_now_ms)" -ge "$limit" ]; do sleep 0.05; done
	nd_stop INT
	check_eq "stopped, continued: SIGINT exits 0 (not SIGSYS)" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/stopcont.err")"
	check_count "stopped, continued: the 6 packets sent after SIGCONT in the file" "$f" 6
fi

nd_finish
