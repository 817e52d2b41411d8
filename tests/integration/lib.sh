# shellcheck shell=bash
# Shared helpers for nsdump's integration tests.  Source it first thing:
#   . "$(dirname "$0")/lib.sh"
#
# Output, one line per assertion:  ok - D | not ok - D (details) | skip - D: reason, and the
# plan "1..N" at the end (nd_finish). nd_finish exits 0 when nothing was "not ok", 1 otherwise.
#
# Network rule: test traffic only goes to loopback or to namespaces made here,
# addresses in 198.18.0.0/15.  Everything made (namespaces, processes, temp
# files) is registered and removed by the EXIT trap, on every exit path.
#
# Topology (nd_topo): namespaces A (target) and B (peer) joined by a veth
# pair, eth0 in both, 198.18.X.1/24 in A and 198.18.X.2/24 in B, IPv6 off and
# static neighbour entries, so nothing but the test's own traffic is on the
# wire.  The receiving side would answer UDP to a closed port with ICMP port
# unreachable; to keep the wire silent the tests send to "sink" addresses
# that no namespace owns: 198.18.X.3 (A -> B, resolved statically to B's MAC)
# and 198.18.X.4 (B -> A, resolved to A's MAC).  The receiver drops those
# silently because forwarding is off in a new namespace (ip_error() sends no
# ICMP when !IN_DEV_FORWARD).

set -u

ND_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ND_ROOT=$(cd "$ND_LIBDIR/../.." && pwd)
NSDUMP=${NSDUMP:-$ND_ROOT/build/nsdump}
UDPSEND=${UDPSEND:-$ND_ROOT/build/tools/udpsend}
ND_SCRIPT=$(basename "$0")

ND_FAILED=0
ND_COUNT=0
ND_NETNS=()   # namespaces to delete
ND_PIDS=()    # background children to end (only if still ours)
ND_USERDEL="" # users created by the test (space-separated), removed at exit
ND_GROUPDEL="" # group created by the test, removed at exit (after the users)
ND_SYSCTLS=()  # "name=value" to restore at exit, in reverse order (nd_sysctl_set)
# Short unique suffix: pid + random, hex.  Keeps interface names <= 15 chars.
ND_SUF=$(printf '%x%02x' "$$" $((RANDOM % 256)))
ND_TMP=$(mktemp -d "/tmp/ndt.$ND_SCRIPT.XXXXXX") || {
	echo "not ok - $ND_SCRIPT: cannot create a temporary directory"
	exit 1
}

# ---- reporting ----------------------------------------------------------

ok() {
	ND_COUNT=$((ND_COUNT + 1))
	echo "ok - $1"
}

not_ok() {
	ND_COUNT=$((ND_COUNT + 1))
	ND_FAILED=$((ND_FAILED + 1))
	echo "not ok - $1 (${2:-failed})"
}

skip() {
	ND_COUNT=$((ND_COUNT + 1))
	echo "skip - $1: $2"
}

# check DESC COND_STATUS [DETAILS]: ok when the status is 0.
check() {
	if [ "$2" -eq 0 ]; then ok "$1"; else not_ok "$1" "${3:-failed}"; fi
}

# check_eq DESC EXPECTED ACTUAL [EXTRA]
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "expected '$2', got '$3'${4:+; $4}"
	fi
}

# check_grep DESC FILE EXTENDED_REGEX: a line of FILE matches.
check_grep() {
	if grep -Eq -- "$3" "$2" 2>/dev/null; then
		ok "$1"
	else
		not_ok "$1" "no line matching /$3/ in: $(nd_excerpt "$2")"
	fi
}

# check_nogrep DESC FILE EXTENDED_REGEX: no line of FILE matches.
check_nogrep() {
	if grep -Eq -- "$3" "$2" 2>/dev/null; then
		not_ok "$1" "unexpected /$3/ in: $(nd_excerpt "$2")"
	else
		ok "$1"
	fi
}

# First lines of a file on one line, for the details of a failure.
nd_excerpt() {
	if [ -s "$1" ]; then
		head -c 300 "$1" | tr '\n' '|'
	else
		echo "<empty>"
	fi
}

# check_one_error_line DESC STDERR_FILE: stderr is exactly one line "nsdump: ...".
check_one_error_line() {
	local n
	n=$(grep -c '' "$2" 2>/dev/null)
	if [ "$n" = 1 ] && grep -q '^nsdump: ' "$2"; then
		ok "$1"
	else
		not_ok "$1" "want one line 'nsdump: ...', got $n line(s): $(nd_excerpt "$2")"
	fi
}

# The plan goes last: the count of what ran, so nobody counts by hand. A script that stops
# before it (a crash, a `set -e` exit, a missing tool) has none, and tests/run-step.sh fails it.
nd_finish() {
	if [ "$ND_COUNT" -eq 0 ]; then
		not_ok "$ND_SCRIPT ran no assertion"
	fi
	echo "1..$ND_COUNT"
	if [ "$ND_FAILED" -ne 0 ]; then exit 1; fi
	exit 0
}

# Skip the whole script (loudly) when a precondition cannot be met.
nd_skip_all() {
	skip "$ND_SCRIPT" "$1"
	echo "1..$ND_COUNT"
	exit 0
}

# ---- preconditions ------------------------------------------------------

need_root() {
	[ "$(id -u)" -eq 0 ] || nd_skip_all "needs root (network namespaces, veth)"
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || nd_skip_all "command '$c' not installed (make deps)"
	done
}

# The programs under test must exist: their absence is a failure, not a skip.
need_binaries() {
	if [ ! -x "$NSDUMP" ]; then
		not_ok "$ND_SCRIPT: nsdump binary" "NSDUMP=$NSDUMP is not an executable file; build it first"
		exit 1
	fi
	if [ ! -x "$UDPSEND" ]; then
		not_ok "$ND_SCRIPT: udpsend binary" "UDPSEND=$UDPSEND is not an executable file (make build/tools/udpsend)"
		exit 1
	fi
}

# Everything the namespace tests need.
nd_preconditions() {
	need_root
	need_cmd ip tcpdump tshark capinfos sysctl
	need_binaries
	local probe="ndtP$ND_SUF"
	if ! ip netns add "$probe" 2>"$ND_TMP/probe.err"; then
		nd_skip_all "cannot create a network namespace: $(nd_excerpt "$ND_TMP/probe.err")"
	fi
	ip netns del "$probe" 2>/dev/null
}

# ---- cleanup ------------------------------------------------------------

# True when PID is alive or a zombie and still our child (so never someone
# else's process that reused a PID we started long ago).
nd_is_ours() {
	local ppid
	ppid=$(awk '/^PPid:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
	[ "$ppid" = "$$" ]
}

nd_cleanup() {
	local pid ns i
	trap - EXIT INT TERM HUP
	for ((i = ${#ND_SYSCTLS[@]} - 1; i >= 0; i--)); do
		sysctl -qw "${ND_SYSCTLS[i]}" >/dev/null 2>&1 ||
			echo "# cleanup: could not restore sysctl ${ND_SYSCTLS[i]} (set it by hand)"
	done
	for pid in "${ND_PIDS[@]}"; do
		if nd_is_ours "$pid"; then kill -TERM "$pid" 2>/dev/null; fi
	done
	for pid in "${ND_PIDS[@]}"; do
		for i in 1 2 3 4 5 6 7 8 9 10; do
			nd_exited "$pid" && break
			sleep 0.05
		done
		if nd_is_ours "$pid" && ! nd_exited "$pid"; then kill -KILL "$pid" 2>/dev/null; fi
		wait "$pid" 2>/dev/null
	done
	for ns in "${ND_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	# shellcheck disable=SC2086 # a list of names, split on purpose
	# userdel refuses while a process of the user is still ending: again until it is gone
	# (10 s at most), and say so if the user stays behind.
	for u in $ND_USERDEL; do
		for i in $(seq 1 100); do
			userdel "$u" 2>/dev/null && break
			sleep 0.1
		done
		id -u "$u" >/dev/null 2>&1 && echo "# cleanup: could not remove user $u (userdel $u by hand)"
	done
	if [ -n "$ND_GROUPDEL" ]; then groupdel "$ND_GROUPDEL" 2>/dev/null; fi
	rm -rf "$ND_TMP"
}
trap nd_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

nd_track_pid() { ND_PIDS+=("$1"); }

# ---- users and the nsdump group ------------------------------------------

# The group a setuid or file-capability nsdump admits (make NSDUMP_GROUP=...).
ND_GROUP=${ND_GROUP:-nsdump}

# Machine-wide lock for whatever creates or removes group nsdump, installs into /usr or
# /usr/local, or installs or removes the nsdump package: tests of other checkouts do the
# same at the same time.  The file is opened here, and only locked by nd_group_lock, so
# that runtimes.sh can keep its daemons from inheriting it ({ND_GROUP_LOCK_FD}>&-).  Lock
# order: runtimes.sh's lock first (it is taken when sourced), then this one.
exec {ND_GROUP_LOCK_FD}>>"${ND_GROUP_LOCK:-/tmp/nsdump-group.lock}" || {
	echo "not ok - $ND_SCRIPT: cannot open ${ND_GROUP_LOCK:-/tmp/nsdump-group.lock}"
	exit 1
}
ND_GROUP_LOCKED=""

# nd_group_lock: hold the lock until the script exits (waits up to 15 min for another
# test to finish; skips the script, loudly, after that).  Calling it again is harmless.
nd_group_lock() {
	[ -n "$ND_GROUP_LOCKED" ] && return 0
	flock -w 900 "$ND_GROUP_LOCK_FD" ||
		nd_skip_all "another test held ${ND_GROUP_LOCK:-/tmp/nsdump-group.lock} for 15 minutes"
	ND_GROUP_LOCKED=yes
}

# nd_group_setup: make sure group $ND_GROUP exists (created here, and removed at exit, unless
# it was already there); sets ND_GROUP_GID.  Skips the script when it cannot.  Holds the
# group lock from here to the end of the script.
nd_group_setup() {
	nd_group_lock
	if ! getent group "$ND_GROUP" >/dev/null; then
		groupadd --system "$ND_GROUP" 2>"$ND_TMP/groupadd.err" ||
			nd_skip_all "cannot create group $ND_GROUP: $(nd_excerpt "$ND_TMP/groupadd.err")"
		ND_GROUPDEL=$ND_GROUP
	fi
	# shellcheck disable=SC2034 # for the scripts that source this file
	ND_GROUP_GID=$(getent group "$ND_GROUP" | cut -d: -f3)
}

# nd_user_new NAME: a system user without home or shell, removed at exit.  Skips on failure.
nd_user_new() {
	useradd --system --no-create-home --shell /usr/sbin/nologin "$1" 2>"$ND_TMP/useradd.err" ||
		nd_skip_all "cannot create user $1: $(nd_excerpt "$ND_TMP/useradd.err")"
	ND_USERDEL="$ND_USERDEL $1"
}

# ---- machine-wide settings ------------------------------------------------

# nd_sysctl_set NAME VALUE: set a sysctl for this script; the EXIT trap puts the value found
# back, on every exit path.  Returns 1 (after a "not ok") when it cannot be set.  Settings of
# the whole machine change what other checkouts' tests see: hold nd_group_lock meanwhile if
# they could notice.
nd_sysctl_set() {
	local old
	old=$(sysctl -n "$1" 2>"$ND_TMP/sysctl.err") || {
		not_ok "read sysctl $1" "$(nd_excerpt "$ND_TMP/sysctl.err")"
		return 1
	}
	ND_SYSCTLS+=("$1=$old")
	sysctl -qw "$1=$2" >/dev/null 2>"$ND_TMP/sysctl.err" || {
		not_ok "set sysctl $1=$2" "$(nd_excerpt "$ND_TMP/sysctl.err")"
		return 1
	}
}

# ---- time and waiting ---------------------------------------------------

nd_now_ms() {
	local t=${EPOCHREALTIME//[.,]/}
	echo $((t / 1000))
}

# True when PID (our child) has exited: gone or a zombie.
nd_exited() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
	case "$st" in
	Z* | X* | "") return 0 ;;
	esac
	return 1
}

# nd_wait_exit PID TIMEOUT_S: wait (bounded) for a child to exit; sets
# ND_RC to its exit status.  Returns 1 on timeout, after killing it (ND_RC=timeout).
nd_wait_exit() {
	local pid=$1 limit=$(($(nd_now_ms) + ${2%.*} * 1000))
	while ! nd_exited "$pid"; do
		if [ "$(nd_now_ms)" -ge "$limit" ]; then
			nd_is_ours "$pid" && kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			ND_RC=timeout
			return 1
		fi
		sleep 0.02
	done
	wait "$pid"
	ND_RC=$?
	return 0
}

# nd_wait_file_grep FILE REGEX TIMEOUT_S [PID]: poll until a line of FILE
# matches; gives up early if PID exits.  Returns 1 on timeout/exit.
nd_wait_file_grep() {
	local file=$1 re=$2 limit=$(($(nd_now_ms) + ${3%.*} * 1000)) pid=${4:-}
	while ! grep -Eq -- "$re" "$file" 2>/dev/null; do
		if [ -n "$pid" ] && nd_exited "$pid"; then
			grep -Eq -- "$re" "$file" 2>/dev/null
			return
		fi
		[ "$(nd_now_ms)" -ge "$limit" ] && return 1
		sleep 0.02
	done
	return 0
}

# Waiting on conditions, never on guessed times: the machines that run the tests are shared
# and loaded, so "0.2 s is enough" is only true on a quiet one.  Every wait is bounded by a
# generous limit (ND_WAIT_S, 30 s) and, when it gives up, says what it waited for in a
# "not ok" line.  A condition may leave what it saw in ND_SEEN for that line.
ND_WAIT_S=${ND_WAIT_S:-30}

# nd_poll LIMIT_S WHAT CMD...: run CMD every 20-100 ms until it succeeds (0) or LIMIT_S
# seconds have passed: then "not ok - waited for WHAT" and 1.
nd_poll() {
	local secs=${1%.*} what=$2 pause=0.02 limit
	limit=$(($(nd_now_ms) + secs * 1000))
	shift 2
	ND_SEEN=""
	until "$@"; do
		if [ "$(nd_now_ms)" -ge "$limit" ]; then
			not_ok "waited for $what" "not within $secs s${ND_SEEN:+; saw $ND_SEEN}"
			return 1
		fi
		sleep "$pause"
		pause=0.1
	done
	return 0
}

# nd_cond_count N FILE [tcpdump filter words]: FILE holds at least N packets (read whole by
# tcpdump: a file cut inside a record counts as not yet).
nd_cond_count() {
	local n
	n=$(count_tcpdump "$2" "${@:3}")
	ND_SEEN="$n packets"
	[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge "$1" ]
}

# nd_cond_total N FILE...: the files hold at least N packets together.
nd_cond_total() {
	local want=$1 t=0 n f
	shift
	for f in "$@"; do
		n=$(count_tcpdump "$f")
		[[ $n =~ ^[0-9]+$ ]] || n=0
		t=$((t + n))
	done
	ND_SEEN="$t packets in $# file(s)"
	[ "$t" -ge "$want" ]
}

# nd_wait_count FILE N [tcpdump filter words]: until the capture has written N packets to
# FILE.  Before stopping a capture whose every packet is checked: the packets are then
# counted in the output, not guessed to have arrived (nsdump writes a file at least once a
# second, and at once with -U or to a pipe).
nd_wait_count() {
	nd_poll "$ND_WAIT_S" "$2 packets written to $(basename "$1")" nd_cond_count "$2" "$1" "${@:3}"
}

# nd_wait_total N DIR: until the files in DIR hold N packets together (rotation).
nd_wait_total() {
	nd_poll "$ND_WAIT_S" "$1 packets written to the files in $(basename "$2")/" nd_dir_total "$1" "$2"
}
nd_dir_total() {
	local files
	mapfile -t files < <(find "$2" -type f 2>/dev/null | sort)
	nd_cond_total "$1" "${files[@]}"
}

# nd_cond_lines N FILE: FILE has at least N lines (a reader's output, one line a packet).
nd_cond_lines() {
	local n
	n=$(grep -c '' "$2" 2>/dev/null) || n=0
	ND_SEEN="$n lines"
	[ "$n" -ge "$1" ]
}

# nd_cond_size BYTES FILE: FILE has at least BYTES bytes.
nd_cond_size() {
	local n
	n=$(stat -c %s "$2" 2>/dev/null) || n=0
	ND_SEEN="$n bytes"
	[ "$n" -ge "$1" ]
}

# nd_cond_gone PID: no process PID (any process, not only our children; a zombie child
# counts as gone).
nd_cond_gone() {
	[ ! -e "/proc/$1" ] || nd_exited "$1"
}

# nd_cond_pipe_full PID FD: the pipe PID writes to on FD holds at least 60 KiB unread (of
# the 64 KiB a pipe holds by default): its writer is ahead of the reader and about to wait.
# FIONREAD through a second, non-blocking read end that reads nothing.  Debian's python3:
# one earlier on PATH (a pyenv shim) can take seconds to start.
nd_cond_pipe_full() {
	local n
	n=$(/usr/bin/python3 -c 'import fcntl, os, struct, sys, termios
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
print(struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0])' "/proc/$1/fd/$2" 2>/dev/null) || n=0
	ND_SEEN="$n bytes in the pipe"
	[ "$n" -ge 61440 ]
}

# nd_cond_out_stopping PID: nsdump PID, stopped by a signal while its pipe is full, waits for
# the reader with its give-up timer running: it sits in poll(2) on the output alone (nfds 1,
# a timeout), where before the signal it polls the output and the signal descriptor (nfds 2,
# no timeout; output.c's out_write).  /proc/PID/syscall: number and arguments (x86-64: poll
# is 7; other machines are not told apart here and never match).
nd_cond_out_stopping() {
	local nr args
	read -r nr args <"/proc/$1/syscall" 2>/dev/null || return 1
	ND_SEEN="syscall $nr $args"
	# shellcheck disable=SC2086 # the arguments, split on purpose
	set -- $args
	[ "$nr" = 7 ] && [ "${2:-}" = 0x1 ] && [ "${3:-}" != 0xffffffffffffffff ]
}

# nd_cond_link_up NS DEV: DEV in NS has its carrier (operstate UP).
nd_cond_link_up() {
	ip -n "$1" -o link show dev "$2" 2>/dev/null | grep -q 'state UP'
}

# ---- namespaces and traffic ---------------------------------------------

nd_mac() {
	ip -n "$1" -o link show dev "$2" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2
}

# nd_netns_new NAME: an empty namespace with IPv6 off, IPv4 forwarding off, and lo up.
nd_netns_new() {
	ip netns add "$1" || return 1
	ND_NETNS+=("$1")
	# A new namespace inherits the host's IPv4 "all"/"default" settings: with Docker running
	# the host forwards, and so would the namespace (answering sink traffic with redirects).
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 net.ipv4.ip_forward=0 \
		net.ipv4.conf.all.forwarding=0 net.ipv4.conf.default.forwarding=0 \
		net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0 >/dev/null || return 1
	ip -n "$1" link set lo up
}

# nd_topo TAG X: namespaces ndtA<TAG><suf> / ndtB<TAG><suf>, veth eth0/eth0,
# 198.18.X.1 / 198.18.X.2, static neighbours (see the top of this file), and a
# target process in A.  Sets NS_A NS_B IP_A IP_B SINK_B SINK_A TARGET_PID.
# Returns 1 (after a "not ok") if anything failed.
nd_topo() {
	local tag=$1 x=$2 mac_a mac_b
	NS_A="ndtA$tag$ND_SUF"
	NS_B="ndtB$tag$ND_SUF"
	IP_A="198.18.$x.1"
	IP_B="198.18.$x.2"
	SINK_B="198.18.$x.3"
	SINK_A="198.18.$x.4"
	TARGET_PID=""
	if ! {
		nd_netns_new "$NS_A" && nd_netns_new "$NS_B" &&
			ip link add eth0 netns "$NS_A" type veth peer name eth0 netns "$NS_B" &&
			ip -n "$NS_A" addr add "$IP_A/24" dev eth0 &&
			ip -n "$NS_B" addr add "$IP_B/24" dev eth0 &&
			ip -n "$NS_A" link set eth0 up &&
			ip -n "$NS_B" link set eth0 up &&
			mac_a=$(nd_mac "$NS_A" eth0) && mac_b=$(nd_mac "$NS_B" eth0) &&
			ip -n "$NS_A" neigh replace "$IP_B" lladdr "$mac_b" dev eth0 nud permanent &&
			ip -n "$NS_A" neigh replace "$SINK_B" lladdr "$mac_b" dev eth0 nud permanent &&
			ip -n "$NS_B" neigh replace "$IP_A" lladdr "$mac_a" dev eth0 nud permanent &&
			ip -n "$NS_B" neigh replace "$SINK_A" lladdr "$mac_a" dev eth0 nud permanent
	} 2>"$ND_TMP/topo.err"; then
		not_ok "set up namespaces $NS_A/$NS_B" "$(nd_excerpt "$ND_TMP/topo.err")"
		return 1
	fi
	nd_target_start "$NS_A" || return 1
	return 0
}

# nd_target_start NS: a process (sleep) inside NS; sets TARGET_PID once it
# has really entered NS (ip netns exec needs a moment to setns and exec).  It lives an hour
# (the EXIT trap ends it): a script may wait up to 15 min for the group lock after making its
# targets, and 300 s was seen to run out there (t_privs: "no process with PID ...").
nd_target_start() {
	local ns=$1
	ip netns exec "$ns" sleep 3600 &
	TARGET_PID=$!
	nd_track_pid "$TARGET_PID"
	nd_poll "$ND_WAIT_S" "a target process in $ns (it enters the namespace, then runs sleep)" \
		nd_in_netns "$TARGET_PID" "$ns" sleep
}

# nd_in_netns PID NS COMM: PID is in namespace NS and runs COMM.
nd_in_netns() {
	[ "$(stat -L -c %i "/proc/$1/ns/net" 2>/dev/null)" = "$(stat -L -c %i "/run/netns/$2")" ] &&
		[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$3" ]
}

# nd_send NS COUNT [udpsend options...] DST: send exactly COUNT datagrams from
# NS ("" = host); "not ok" when udpsend did not report exactly that.
nd_send() {
	local ns=$1 n=$2 out
	shift 2
	if [ -n "$ns" ]; then
		out=$(ip netns exec "$ns" "$UDPSEND" -c "$n" "$@" 2>&1)
	else
		out=$("$UDPSEND" -c "$n" "$@" 2>&1)
	fi
	if [ "$out" != "sent $n" ]; then
		not_ok "udpsend -c $n $*" "$out"
		return 1
	fi
	return 0
}

# ---- nsdump ---------------------------------------------------------------

# nd_start TAG ARGS...: run "$NSDUMP ARGS" in the background, stdout to
# $ND_TMP/TAG.out (unless ND_STDOUT names another file), stderr to
# $ND_TMP/TAG.err.  Sets ND_PID.
nd_start() {
	local tag=$1
	shift
	: >"$ND_TMP/$tag.err"
	"$NSDUMP" "$@" >"${ND_STDOUT:-$ND_TMP/$tag.out}" 2>"$ND_TMP/$tag.err" &
	ND_PID=$!
	nd_track_pid "$ND_PID"
}

# nd_wait_ready TAG: wait (<= ND_WAIT_S) for "listening on" from nsdump -v: it is printed
# once the capture is open, its filter attached and the privileges dropped.
# On failure prints "not ok" and returns 1.
nd_wait_ready() {
	if nd_wait_file_grep "$ND_TMP/$1.err" 'listening on' "$ND_WAIT_S" "$ND_PID"; then
		return 0
	fi
	if nd_exited "$ND_PID"; then
		nd_wait_exit "$ND_PID" 1
		not_ok "$1: nsdump ready" "exited with $ND_RC before 'listening on': $(nd_excerpt "$ND_TMP/$1.err")"
	else
		not_ok "$1: nsdump ready" "no 'listening on' within $ND_WAIT_S s: $(nd_excerpt "$ND_TMP/$1.err")"
	fi
	return 1
}

# nd_packet_socket: ND_PID holds a running packet socket in TARGET_PID's namespace
# (/proc/TARGET_PID/net/packet lists that namespace's sockets; column 6 is "running").
nd_packet_socket() {
	local inodes
	inodes=$(find "/proc/$ND_PID/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null | tr -dc '0-9\n')
	[ -n "$inodes" ] &&
		awk -v list="$inodes" 'BEGIN { n = split(list, a, "\n"); for (i = 1; i <= n; i++) s[a[i]] = 1 }
			NR > 1 && $6 == 1 && ($9 in s) { found = 1 } END { exit !found }' \
			"/proc/$TARGET_PID/net/packet" 2>/dev/null
}

# nd_packet_filter: one of ND_PID's packet sockets in TARGET_PID's namespace has a BPF
# filter attached (ss prints it under the socket, from the kernel's PACKET_DIAG_FILTER).
nd_packet_filter() {
	nsenter -t "$TARGET_PID" -n ss -H -0 -b -n -p 2>/dev/null |
		awk -v pid="pid=$ND_PID," '/^[^ \t]/ { mine = index($0, pid) > 0 } mine && /bpf filter/ { found = 1 }
			END { exit !found }'
}

# nd_sandboxed: ND_PID runs under its seccomp filter (Seccomp: 2), the last step of its
# setup: capture open, filter attached, output open, privileges dropped.
nd_sandboxed() {
	[ "$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$ND_PID/status" 2>/dev/null)" = 2 ]
}

# nd_socket_ready MODE: the condition nd_wait_socket waits for.
nd_socket_ready() {
	nd_exited "$ND_PID" && return 0 # nd_wait_socket says so
	nd_packet_socket || {
		ND_SEEN="no running packet socket"
		return 1
	}
	case "$1" in
	socket) return 0 ;;
	filter) nd_packet_filter || ND_SEEN="a packet socket without a filter" ;;
	*) nd_sandboxed || ND_SEEN="a packet socket, but not yet sandboxed (setup not done)" ;;
	esac
}

# nd_wait_socket TAG [MODE]: readiness without -v (for -q, which excludes it), seen from
# /proc: one of nsdump's sockets is a running packet socket in the target's namespace, and
#   (default) nsdump has entered its sandbox, which it does once everything is set up;
#   filter:   its BPF filter is attached (for --wait-stdin, which waits before the sandbox);
#   socket:   nothing more (a capture that waits for its FIFO's reader).
# Packets sent before the filter is attached are thrown away by libpcap, hence the wait.
nd_wait_socket() {
	if ! nd_poll "$ND_WAIT_S" "$1: nsdump ready (${2:-sandboxed} packet socket)" nd_socket_ready "${2:-}"; then
		return 1
	fi
	if nd_exited "$ND_PID"; then
		not_ok "$1: nsdump ready" "it exited: $(nd_excerpt "$ND_TMP/$1.err")"
		return 1
	fi
	return 0
}

# nd_start_ready TAG ARGS...: nd_start then nd_wait_ready.
nd_start_ready() {
	nd_start "$@"
	nd_wait_ready "$1"
}

# nd_stop SIGNAL [TIMEOUT_S]: signal ND_PID, wait for it; sets ND_RC.
nd_stop() {
	nd_is_ours "$ND_PID" && kill "-$1" "$ND_PID" 2>/dev/null
	nd_wait_exit "$ND_PID" "${2:-5}"
}

# nd_run TAG ARGS...: run nsdump in the foreground (bounded to 10 s); sets
# ND_RC; stdout/stderr in $ND_TMP/TAG.out / .err.
nd_run() {
	local tag=$1
	shift
	timeout -s KILL 10 "$NSDUMP" "$@" >"$ND_TMP/$tag.out" 2>"$ND_TMP/$tag.err" </dev/null
	ND_RC=$?
}

# ---- reading pcap files -------------------------------------------------

# Packet counts; each prints "ERR(...)" instead when the reader failed
# (unreadable or truncated file), so a count comparison then fails.
count_tcpdump() {
	local out rc
	out=$(tcpdump -r "$1" -n "${@:2}" 2>"$ND_TMP/tcpdump.err" | wc -l)
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ]; then
		echo "ERR(tcpdump rc=$rc: $(nd_excerpt "$ND_TMP/tcpdump.err"))"
	else
		echo "$out"
	fi
}

count_tshark() {
	local out rc
	out=$(tshark -r "$1" "${@:2}" 2>"$ND_TMP/tshark.err" | wc -l)
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ]; then
		echo "ERR(tshark rc=$rc: $(grep -v 'Running as user' "$ND_TMP/tshark.err" | head -c 200 | tr '\n' '|'))"
	else
		echo "$out"
	fi
}

count_capinfos() {
	local out
	if out=$(capinfos -c -M "$1" 2>&1); then
		echo "$out" | awk -F: '/Number of packets/ { gsub(/ /, "", $2); print $2 }'
	else
		echo "ERR(capinfos: $(echo "$out" | head -c 200 | tr '\n' '|'))"
	fi
}

# nd_per_if FILE: "count name" per pcapng interface, sorted by name, joined by '|';
# nd_want "count name"...: the same form for the expected values.
nd_per_if() {
	tshark -r "$1" -T fields -e frame.interface_name 2>/dev/null | LC_ALL=C sort | uniq -c |
		awk '{ print $1, $2 }' | paste -sd'|'
}
nd_want() {
	printf '%s\n' "$@" | LC_ALL=C sort -k2 | paste -sd'|'
}

# check_count DESC FILE N [tcpdump filter words]: exactly N by tcpdump.
check_count() {
	local n
	n=$(count_tcpdump "$2" "${@:4}")
	check_eq "$1" "$3" "$n"
}

# check_count_all DESC FILE N: exactly N by tcpdump, tshark and capinfos.
check_count_all() {
	local a b c
	a=$(count_tcpdump "$2")
	b=$(count_tshark "$2")
	c=$(count_capinfos "$2")
	check_eq "$1" "$3/$3/$3" "$a/$b/$c" "tcpdump/tshark/capinfos"
}

# check_stats DESC STDERR_FILE N: tcpdump-style statistics, N captured.
check_stats() {
	local f=$2 missing=""
	grep -Eq "^$3 packets? captured$" "$f" || missing="'$3 packets captured'"
	grep -Eq '^[0-9]+ packets? received by filter$' "$f" || missing="$missing 'received by filter'"
	grep -Eq '^[0-9]+ packets? dropped by kernel$' "$f" || missing="$missing 'dropped by kernel'"
	if [ -z "$missing" ]; then
		ok "$1"
	else
		not_ok "$1" "missing$missing in: $(nd_excerpt "$f")"
	fi
}
