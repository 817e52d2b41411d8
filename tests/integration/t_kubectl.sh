#!/bin/bash
# The kubectl plugin (packaging/kubectl/kubectl-nsdump) against a stand-in kubectl
# (stub-kubectl.sh: there is no cluster here) that answers `get pods` from recorded JSON and
# runs each `debug node/...` as a real local nsdump capture of a namespace this test made, so
# the streams and their merge are real: grouping per node, kubectl debug's arguments, the
# merged file's exact counts and interface names, the debug pods deleted; --follow passed on
# to every node's nsdump, and a Pending pod already on a node captured with it. Also nsdump
# --wait-stdin, which the plugin relies on.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd jq tshark capinfos

PLUGIN=$ND_ROOT/packaging/kubectl/kubectl-nsdump
T=$ND_TMP
nd_topo w1 94 || nd_finish
POD1=$NS_A S1=$SINK_B P1=$TARGET_PID
nd_topo w2 95 || nd_finish
POD2=$NS_A S2=$SINK_B
nd_topo w3 96 || nd_finish
POD3=$NS_A S3=$SINK_B
# A pod scheduled to node-b but still Pending (its containers being created): skipped, but
# captured with --follow.
nd_topo w4 97 || nd_finish
POD4=$NS_A S4=$SINK_B

# kubectl and the local nsdump on PATH, as a user would have them.
mkdir -p "$T/bin" "$T/stub"
ln -s "$ND_LIBDIR/stub-kubectl.sh" "$T/bin/kubectl"
ln -s "$NSDUMP" "$T/bin/nsdump"
export STUB_DIR=$T/stub STUB_NSDUMP=$NSDUMP
export PATH="$T/bin:$PATH"
sed -e "s/@POD1@/$POD1/" -e "s/@POD2@/$POD2/" -e "s/@POD3@/$POD3/" -e "s/@POD4@/$POD4/" \
	"$ND_LIBDIR/data/kube-pods.json" >"$STUB_DIR/pods.json"
# A debug pod of someone else on node-a, there before the plugin runs: it must stay.
echo "node-debugger-node-a-old11 0 default" >"$STUB_DIR/debugpods"
: >"$STUB_DIR/created"

# wait_listening N: until the captures the stub started print N "listening on" lines.
wait_listening() {
	local i n=0
	for i in $(seq 1 1500); do # 30 s at most
		n=$(cat "$STUB_DIR"/node-debugger-*.err 2>/dev/null | grep -c 'listening on')
		[ "$n" -ge "$1" ] && return 0
		sleep 0.02
	done
	not_ok "the captures started through kubectl debug are ready" "$n of $1 listening (i=$i)"
	return 1
}
# debug_lines: the `kubectl debug` calls logged by the stub.
debug_lines() {
	grep '^debug ' "$STUB_DIR/calls.log"
}
# stub_pids_gone: every nsdump the stub started has exited.
stub_pids_gone() {
	local name pid
	while read -r name pid; do
		if kill -0 "$pid" 2>/dev/null; then echo "$name ($pid) still runs"; return 1; fi
	done <"$STUB_DIR/created"
	return 0
}

# ---- three pods by label on two nodes --------------------------------------------------
out=$T/web.pcapng
"$PLUGIN" -n shop -l app=web --image=registry.example/nsdump:test -w "$out" -- -v udp \
	>"$T/plugin.out" 2>"$T/plugin.err" &
PLUGIN_PID=$!
nd_track_pid "$PLUGIN_PID"
wait_listening 3 || nd_finish
nd_send "$POD1" 7 "$S1" && nd_send "$POD2" 5 "$S2" && nd_send "$POD3" 9 "$S3" && nd_send "$POD1" 2 "$S1"
# Nothing to wait for before the stop: each pod's packets are in its capture's ring when the
# send returns (the kernel hands a transmitted packet to packet sockets inside the send), and
# the merge holds a stream's newest packets until the others show later ones, so the file
# cannot be counted first.  Stopping must read and merge them all (exact counts below).
# Ctrl-C's SIGINT goes to the same trap; a script's background job ignores SIGINT, so the
# test sends SIGHUP and SIGTERM.
kill -HUP "$PLUGIN_PID"
nd_wait_exit "$PLUGIN_PID" 15
check_eq "plugin, -l app=web: exit 0 after SIGHUP (Ctrl-C's trap)" 0 "$ND_RC" "$(nd_excerpt "$T/plugin.err")"
check_eq "plugin: one kubectl debug per node" 2 "$(debug_lines | wc -l)"
check_grep "plugin: node-a runs both of its pods in one nsdump" "$STUB_DIR/calls.log" \
	"^debug node/node-a -q --profile=sysadmin -i --image=registry.example/nsdump:test -- nsdump --root /host --wait-stdin --pod $POD1 --pod $POD2 -n shop -w - -v udp$"
check_grep "plugin: node-b runs its web pod, not the db pod" "$STUB_DIR/calls.log" \
	"^debug node/node-b -q --profile=sysadmin -i --image=registry.example/nsdump:test -- nsdump --root /host --wait-stdin --pod $POD3 -n shop -w - -v udp$"
check_eq "plugin: no TTY asked for (no -t, --tty, -it)" 0 \
	"$(debug_lines | sed 's/ -- nsdump .*//' | grep -cE -- ' (-t|--tty|-it|-ti)( |$)')"
check_grep "plugin: the pending pod is skipped, saying so" "$T/plugin.err" \
	'^kubectl-nsdump: skipping pod web-7d9f8c6b5-pend1: Pending, not Running$'
check_grep "plugin: a pending pod on a node is skipped too (no --follow)" "$T/plugin.err" \
	"^kubectl-nsdump: skipping pod $POD4: Pending, not Running$"
check_eq "plugin: nothing on standard output with -w FILE" 0 "$(wc -c <"$T/plugin.out")"
check_count_all "plugin: merged file holds exactly the 23 packets" "$out" 23
check_eq "plugin: one interface per pod, named after it, exact counts" \
	"$(nd_want "9 $POD1/eth0" "5 $POD2/eth0" "9 $POD3/eth0")" "$(nd_per_if "$out")"
check_eq "plugin: time order across the nodes' streams" True \
	"$(capinfos -o "$out" 2>/dev/null | awk -F: '/Strict time order/ { gsub(/ /, "", $2); print $2 }')"
check_eq "plugin: the two debug pods it made are deleted, the older one is not" \
	"$(awk '{ print $1 }' "$STUB_DIR/created" | LC_ALL=C sort | paste -sd' ')" \
	"$(LC_ALL=C sort "$STUB_DIR/deleted" | paste -sd' ')"
check_eq "plugin: names of the deleted pods as kubectl debug makes them" 2 \
	"$(grep -cE '^node-debugger-node-[ab]-[a-z0-9]{5}$' "$STUB_DIR/deleted")"
check_eq "plugin: no debug pod of this run left" "node-debugger-node-a-old11" \
	"$(awk '{ print $1 }' "$STUB_DIR/debugpods" | paste -sd' ')"
check_nogrep "plugin: no complaint on standard error" "$T/plugin.err" '^kubectl-nsdump: (could not|cannot|node )'
check_grep "plugin: deleted with one kubectl delete call" "$STUB_DIR/calls.log" \
	'^delete pod --wait=false node-debugger-node-[ab]-[a-z0-9]{5} node-debugger-node-[ab]-[a-z0-9]{5}$'
gone=$(stub_pids_gone)
check_eq "plugin: no capture left running" "" "$gone"

# ---- one pod by name, to standard output -----------------------------------------------
: >"$STUB_DIR/calls.log"
: >"$STUB_DIR/created"
: >"$STUB_DIR/deleted"
rm -f "$STUB_DIR"/node-debugger-*.err
"$PLUGIN" -n shop "$POD3" --image reg.example/nsdump -- -v udp >"$T/one.pcapng" 2>"$T/one.err" &
PLUGIN_PID=$!
nd_track_pid "$PLUGIN_PID"
wait_listening 1 || nd_finish
nd_send "$POD3" 4 "$S3"
nd_send "$POD1" 3 "$S1" # not captured: another pod
# As above: queued to the capture when the send returns, read and written at the stop (and
# no count to wait for: nothing shows in the plugin's output file before the end).
kill -TERM "$PLUGIN_PID"
nd_wait_exit "$PLUGIN_PID" 15
check_eq "plugin, one pod by name: exit 0 after SIGTERM" 0 "$ND_RC" "$(nd_excerpt "$T/one.err")"
check_eq "plugin, one pod: one debug pod on its node" "node/node-b" \
	"$(debug_lines | awk '{ print $2 }' | paste -sd' ')"
check_eq "plugin, one pod: its 4 packets on standard output" "$(nd_want "4 $POD3/eth0")" "$(nd_per_if "$T/one.pcapng")"
check_eq "plugin, one pod: its debug pod deleted" 1 "$(wc -l <"$STUB_DIR/deleted")"

# ---- one node refused: the other is still captured --------------------------------------
: >"$STUB_DIR/created"
: >"$STUB_DIR/deleted"
rm -f "$STUB_DIR"/node-debugger-*.err
STUB_FAIL_NODE=node-b "$PLUGIN" -n shop -l app=web --image x -w "$T/half.pcapng" -- -v udp \
	>/dev/null 2>"$T/half.err" &
PLUGIN_PID=$!
nd_track_pid "$PLUGIN_PID"
wait_listening 2 || nd_finish
nd_send "$POD1" 3 "$S1" && nd_send "$POD3" 3 "$S3"
# As above: queued to the captures when the sends return, read and merged at the stop.
kill -TERM "$PLUGIN_PID"
nd_wait_exit "$PLUGIN_PID" 15
check_eq "one node refused: exit 1" 1 "$ND_RC" "$(nd_excerpt "$T/half.err")"
check_grep "one node refused: kubectl's message, with the node" "$T/half.err" \
	'^kubectl-nsdump: node node-b: kubectl debug exited with 1: Error from server \(Forbidden\): nodes "node-b" is forbidden'
check_eq "one node refused: the other node's pod still captured" "$(nd_want "3 $POD1/eth0")" "$(nd_per_if "$T/half.pcapng")"
check_eq "one node refused: the debug pod made is deleted" 1 "$(wc -l <"$STUB_DIR/deleted")"

# ---- --follow: passed on to each node's nsdump; a Pending pod with a node is captured -----
# The stub drops --follow before running the local nsdump (it captures --netns, which
# --follow refuses), so this checks what the plugin asks of kubectl and the merge of the
# streams, not nsdump's following itself (t_follow.sh).
: >"$STUB_DIR/calls.log"
: >"$STUB_DIR/created"
: >"$STUB_DIR/deleted"
rm -f "$STUB_DIR"/node-debugger-*.err
"$PLUGIN" -n shop -l app=web --follow --image=registry.example/nsdump:test -w "$T/follow.pcapng" \
	-- -v udp >"$T/follow.out" 2>"$T/follow.err" &
PLUGIN_PID=$!
nd_track_pid "$PLUGIN_PID"
wait_listening 4 || nd_finish
nd_send "$POD1" 2 "$S1" && nd_send "$POD2" 3 "$S2" && nd_send "$POD3" 4 "$S3" && nd_send "$POD4" 6 "$S4"
# As above: queued to the captures when the sends return, read and merged at the stop.
kill -TERM "$PLUGIN_PID"
nd_wait_exit "$PLUGIN_PID" 15
check_eq "--follow, -l app=web: exit 0 after SIGTERM" 0 "$ND_RC" "$(nd_excerpt "$T/follow.err")"
check_grep "--follow: node-a's nsdump gets --follow after --wait-stdin" "$STUB_DIR/calls.log" \
	"^debug node/node-a -q --profile=sysadmin -i --image=registry.example/nsdump:test -- nsdump --root /host --wait-stdin --follow --pod $POD1 --pod $POD2 -n shop -w - -v udp$"
check_grep "--follow: node-b's nsdump follows its running pod and the Pending one" "$STUB_DIR/calls.log" \
	"^debug node/node-b -q --profile=sysadmin -i --image=registry.example/nsdump:test -- nsdump --root /host --wait-stdin --follow --pod $POD3 --pod $POD4 -n shop -w - -v udp$"
check_eq "--follow: one kubectl debug per node, no more" 2 "$(debug_lines | wc -l)"
check_grep "--follow: the Pending pod on a node is waited for, saying so" "$T/follow.err" \
	"^kubectl-nsdump: pod $POD4 is Pending: nsdump on node-b waits for it to start \(--follow\)$"
check_grep "--follow: the Pending pod on no node is skipped, saying why" "$T/follow.err" \
	'^kubectl-nsdump: skipping pod web-7d9f8c6b5-pend1: Pending on no node yet$'
check_eq "--follow: one interface per pod, exact counts" \
	"$(nd_want "2 $POD1/eth0" "3 $POD2/eth0" "4 $POD3/eth0" "6 $POD4/eth0")" "$(nd_per_if "$T/follow.pcapng")"
check_eq "--follow: the two debug pods it made are deleted" \
	"$(awk '{ print $1 }' "$STUB_DIR/created" | LC_ALL=C sort | paste -sd' ')" \
	"$(LC_ALL=C sort "$STUB_DIR/deleted" | paste -sd' ')"
gone=$(stub_pids_gone)
check_eq "--follow: no capture left running" "" "$gone"

# ---- refusals ----------------------------------------------------------------------------
: >"$STUB_DIR/calls.log"
rc_of() { # runs the plugin bounded, stdout to a file; prints the status
	timeout -s KILL 10 "$PLUGIN" "$@" >"$T/r.out" 2>"$T/r.err" </dev/null
	echo $?
}
check_eq "unknown pod: exit 3" 3 "$(rc_of -n shop nosuch --image x -w "$T/x.pcapng")"
check_grep "unknown pod: says which" "$T/r.err" '^kubectl-nsdump: pod nosuch not found in namespace shop$'
check_eq "pending pod by name: exit 3" 3 "$(rc_of -n shop web-7d9f8c6b5-pend1 --image x -w "$T/x.pcapng")"
check_grep "pending pod: says so" "$T/r.err" 'pod web-7d9f8c6b5-pend1 is Pending, not Running'
check_eq "a pod Pending on a node, by name, without --follow: exit 3" 3 "$(rc_of -n shop "$POD4" --image x -w "$T/x.pcapng")"
check_eq "a pod Pending on no node, by name, with --follow: exit 3" 3 \
	"$(rc_of -n shop web-7d9f8c6b5-pend1 --follow --image x -w "$T/x.pcapng")"
check_grep "a pod Pending on no node, with --follow: says it must be scheduled first" "$T/r.err" \
	'^kubectl-nsdump: pod web-7d9f8c6b5-pend1 is Pending on no node yet: nsdump runs on the pod.s node, so it must be scheduled first$'
check_eq "no pod matches: exit 3" 3 "$(rc_of -n shop -l app=none --image x -w "$T/x.pcapng")"
check_eq "no image: exit 2" 2 "$(rc_of -n shop "$POD1" -w "$T/x.pcapng")"
check_grep "no image: says what to give" "$T/r.err" 'no image: give --image IMG'
check_eq "names and -l together: exit 2" 2 "$(rc_of -n shop "$POD1" -l app=web --image x)"
check_eq "refusals started no debug pod" 0 "$(debug_lines | wc -l)"

# ---- nsdump --wait-stdin -------------------------------------------------------------
mkfifo "$T/go"
exec {hold}<>"$T/go" # a writer that sends nothing yet, as kubectl before it attaches
"$NSDUMP" --netns "$POD1" --wait-stdin -q -w "$T/wait.pcapng" udp <"$T/go" 2>"$T/wait.err" &
ND_PID=$!
nd_track_pid "$ND_PID"
TARGET_PID=$P1
nd_wait_socket wait filter || nd_finish
nd_send "$POD1" 3 "$S1"
# A window for a wrong early write to show (kept on purpose: what must not happen cannot be
# waited for); the file must not exist at its end.
sleep 0.2
if [ -e "$T/wait.pcapng" ]; then
	not_ok "--wait-stdin: nothing written before standard input speaks" "the file exists already"
else
	ok "--wait-stdin: capturing, but nothing written before standard input speaks"
fi
echo go >&"$hold"
nd_poll "$ND_WAIT_S" "--wait-stdin: the file started once standard input spoke" nd_cond_size 1 "$T/wait.pcapng"
nd_send "$POD1" 2 "$S1"
nd_wait_count "$T/wait.pcapng" 5
nd_stop INT
exec {hold}>&-
check_eq "--wait-stdin: exit 0" 0 "$ND_RC" "$(nd_excerpt "$T/wait.err")"
check_count "--wait-stdin: the 3 packets from before the go and the 2 after" "$T/wait.pcapng" 5

nd_finish
