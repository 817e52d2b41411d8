#!/usr/bin/env bash
# nsdump's benchmark: nsdump against tcpdump at the same job, side by side,
# interleaved, in one run.  `make bench` runs it; bench/README.md says what is
# measured and how.  Knobs (environment):
#   BENCH_ROUNDS=5          runs per tool and case (medians need >= 5)
#   BENCH_COUNT=500000      packets per flat-out run
#   BENCH_RATE=10000        packets/s of the paced cases
#   BENCH_RATE_COUNT=30000  packets per paced run
#   BENCH_TAIL_COUNT=10000  packets per "stop at once" run (sent at BENCH_RATE)
#   BENCH_SETTLE=1.5        seconds between the last packet sent and the stop
#   BENCH_SENDERS=1         udpsend processes sharing a flat-out run (max1514x2 has 2)
#   BENCH_CASES="..."       subset of: max64 max1514 max1514x2 rate64 tail64 live-rate64
#                           live-max64 live-max1514 paced status64 startup follow scale
#   BENCH_PACED_RATES="10 100 1000"  the "paced" case's rates (packets/s): nsdump to a
#                           file and to a pipe, tcpdump --immediate-mode to the pipe
#   BENCH_PACED_SECONDS=3   how long each of those runs sends
#   BENCH_DOCKER=1          0: no Docker (startup without --container, no scale case)
#   BENCH_SCALE_DOCKER="10 100"     real Docker containers for the scale case
#   BENCH_SCALE_STATE="10 100 1000" synthetic containers (own netns + Docker's state
#                           on disk under --root) for the scale case
#   BENCH_LOCK_WAIT=300     seconds to wait for the runtime lock (a runtime test)
#   BENCH_DIR=/var/tmp      where the capture files are written (a real disk)
#   BENCH_OUT=docs/performance.md   the report; "-" prints it only
#   BENCH_KEEP=1            keep the raw results (path printed at the end)
#   BENCH_NSDUMP_ARGS=""    extra options for every nsdump run (e.g. "-B 8192")
#   BENCH_TCPDUMP_ARGS=""   extra options for every tcpdump run
#   NSDUMP=path UDPSEND=path   other binaries than build/
#   BENCH_NSDUMP_BASE=path  a second nsdump (say, an older build) whose start-up rows
#                           (base, base-veth, base-ctr) run in the same rounds: a before
#                           and after that shares the machine's state
#
# Network rule: traffic goes only to addresses in 198.18.0.0/15 inside the
# namespace made here.  Topology: namespace ndb<suffix> (the target, a sleep
# process in it) with eth0 198.19.X.1/24, the other end of the veth pair on the
# host (ndbh<suffix>, no address, IPv6 off).  Packets go to 198.19.X.3, which
# nobody owns: a permanent neighbour entry resolves it to a MAC address that is
# not the host end's, so the host takes them as PACKET_OTHERHOST and drops them
# in ip_rcv before routing (nothing is forwarded, whatever ip_forward says, and
# no ICMP comes back).  IPv6 is off on both ends, so the link carries exactly
# the packets sent.  The Docker cases (bench/docker.sh) add a container whose
# namespace gets a veth pair of its own, with the same arrangement.  Everything
# made is removed on every exit path.
set -u

BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_SRC/.." && pwd)
NSDUMP=${NSDUMP:-$ROOT/build/nsdump}
UDPSEND=${UDPSEND:-$ROOT/build/tools/udpsend}
HELPERS=$ROOT/build/bench

ROUNDS=${BENCH_ROUNDS:-5}
COUNT=${BENCH_COUNT:-500000}
RATE=${BENCH_RATE:-10000}
RATE_COUNT=${BENCH_RATE_COUNT:-30000}
TAIL_COUNT=${BENCH_TAIL_COUNT:-10000}
SETTLE=${BENCH_SETTLE:-1.5}
SENDERS=${BENCH_SENDERS:-1}
CASES=${BENCH_CASES:-max64 max1514 max1514x2 rate64 tail64 live-rate64 live-max64 live-max1514 paced status64 startup follow scale}
PACED_RATES=${BENCH_PACED_RATES:-10 100 1000}
PACED_SECONDS=${BENCH_PACED_SECONDS:-3}
DOCKER=${BENCH_DOCKER:-1}
SCALE_DOCKER=${BENCH_SCALE_DOCKER:-10 100}
SCALE_STATE=${BENCH_SCALE_STATE:-10 100 1000}
WORK_PARENT=${BENCH_DIR:-/var/tmp}
OUT_MD=${BENCH_OUT:-$ROOT/docs/performance.md}
KEEP=${BENCH_KEEP:-0}
read -r -a NSDUMP_ARGS <<<"${BENCH_NSDUMP_ARGS:-}"
read -r -a TCPDUMP_ARGS <<<"${BENCH_TCPDUMP_ARGS:-}"

SINK_MAC=02:00:00:00:be:03 # locally administered, owned by no interface here

die() {
	echo "bench: $*" >&2
	exit 1
}

for v in ROUNDS COUNT RATE RATE_COUNT TAIL_COUNT PACED_SECONDS; do
	case "${!v}" in
	'' | *[!0-9]*) die "BENCH_$v must be a positive integer, not '${!v}'" ;;
	esac
	[ "${!v}" -gt 0 ] || die "BENCH_$v must be positive"
done
case "$SETTLE" in
'' | *[!0-9.]*) die "BENCH_SETTLE must be a number of seconds, not '$SETTLE'" ;;
esac
case "$DOCKER" in
0 | 1) ;;
*) die "BENCH_DOCKER must be 0 or 1, not '$DOCKER'" ;;
esac
for c in $CASES; do
	case "$c" in
	max64 | max1514 | max1514x2 | rate64 | tail64 | live-rate64 | live-max64 | live-max1514 | paced | status64 | startup | follow | scale) ;;
	*) die "unknown case '$c' in BENCH_CASES" ;;
	esac
done
for r in $PACED_RATES; do
	case "$r" in
	'' | *[!0-9]* | 0) die "BENCH_PACED_RATES: '$r' is not a positive number of packets/s" ;;
	esac
done
# Counts of containers: each a positive integer, ascending (containers are only added).
for v in SCALE_DOCKER SCALE_STATE; do
	prev=0
	for c in ${!v}; do
		case "$c" in
		'' | *[!0-9]*) die "BENCH_$v: '$c' is not a number of containers" ;;
		esac
		[ "$c" -gt "$prev" ] || die "BENCH_$v must list positive counts in ascending order, not '${!v}'"
		prev=$c
	done
	[ "$prev" -gt 0 ] || die "BENCH_$v lists no count"
done

# ---- prerequisites --------------------------------------------------------

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, veth, capture)"
for c in ip tcpdump capinfos nsenter cc mkfifo awk sort sysctl stat; do
	command -v "$c" >/dev/null 2>&1 || die "command '$c' not found (make deps)"
done
[ -x "$NSDUMP" ] || die "no nsdump at $NSDUMP (make)"
[ -x "$UDPSEND" ] || die "no udpsend at $UDPSEND (make)"
[ "$ROUNDS" -ge 5 ] || echo "bench: note: BENCH_ROUNDS=$ROUNDS; the published figures use at least 5" >&2

mkdir -p "$HELPERS" || die "cannot create $HELPERS"
for h in rusage latency; do
	if [ ! -x "$HELPERS/$h" ] || [ "$BENCH_SRC/$h.c" -nt "$HELPERS/$h" ]; then
		cc -std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
			-Wmissing-prototypes -Wformat=2 -D_GNU_SOURCE -o "$HELPERS/$h" "$BENCH_SRC/$h.c" ||
			die "cannot build $HELPERS/$h"
	fi
done

# ---- cleanup ----------------------------------------------------------------

SUF=$(printf '%x%02x' "$$" $((RANDOM % 256)))
NS=ndb$SUF
HOSTIF=ndbh$SUF
NET=198.19.$((($$ + RANDOM) % 250 + 2))
IP_A=$NET.1
SINK=$NET.3
PIDS=()
T=""
TARGET_PID=""
SKIPPED=() # parts not measured, and why (for the report)
# The start-up case's Docker container: its namespace gets eth0 (198.19.Y.1/24, its own
# sink), the other end on the host as ndbc<suffix>.
CTR_NAME=""
CTR_PID=""
CTR_BG=""
CTR_HOSTIF=ndbc$SUF
CNET=198.19.$(((${NET##*.} + 1) % 250 + 2))
CTR_SINK=$CNET.3
# shellcheck source-path=SCRIPTDIR source=docker.sh
. "$BENCH_SRC/docker.sh"
# shellcheck source-path=SCRIPTDIR source=scale.sh
. "$BENCH_SRC/scale.sh"
# shellcheck source-path=SCRIPTDIR source=follow.sh
. "$BENCH_SRC/follow.sh"

is_ours() {
	local ppid
	ppid=$(awk '/^PPid:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
	[ "$ppid" = "$$" ]
}

# True when our child PID has exited (gone or a zombie).  Without a fork: it runs in the
# loops that wait for a capturer, and a fork and exec cost a few ms of CPU here, taken from
# the process being measured (the start-up case starts waiting right after the launch).
exited() {
	local st
	{ read -r st <"/proc/$1/stat"; } 2>/dev/null || return 0
	st=${st##*) }
	case "$st" in
	Z* | X* | "") return 0 ;;
	esac
	return 1
}

# nap SECONDS: sleep without a fork (a read that times out on a FIFO nobody writes).
nap() {
	local _
	read -r -t "$1" -u "$NAP_FD" _
	return 0
}

cleanup() {
	local pid i
	trap - EXIT INT TERM HUP
	for pid in "${PIDS[@]}"; do
		# (SIGCONT: the start-up case keeps one of its senders stopped)
		if is_ours "$pid" && ! exited "$pid"; then kill -TERM "$pid" 2>/dev/null; kill -CONT "$pid" 2>/dev/null; fi
	done
	for pid in "${PIDS[@]}"; do
		for i in $(seq 1 40); do
			exited "$pid" && break
			sleep 0.05
		done
		if is_ours "$pid" && ! exited "$pid"; then kill -KILL "$pid" 2>/dev/null; fi
		wait "$pid" 2>/dev/null
	done
	sc_kill_all
	dk_end
	ip netns del "$NS" 2>/dev/null
	ip link del "$HOSTIF" 2>/dev/null
	ip link del "$CTR_HOSTIF" 2>/dev/null
	if [ -n "$T" ]; then
		if [ "$KEEP" = 1 ] || [ -n "$(ls -A "$T/anomalies" 2>/dev/null)" ]; then
			rm -rf "${T:?}/out" "${T:?}/bin"
			echo "bench: raw results kept in $T" >&2
		else
			rm -rf "$T"
		fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

track() { PIDS+=("$1"); }

T=$(mktemp -d "$WORK_PARENT/nsdump-bench.XXXXXX") || die "cannot create a directory in $WORK_PARENT"
# tcpdump writes its file after dropping to user tcpdump (Debian's default -Z), so the capture
# files go to a directory that user owns; the run directory only needs to be traversable.
chmod 711 "$T"
mkdir "$T/out"
if id tcpdump >/dev/null 2>&1; then chown tcpdump: "$T/out"; fi
RESULTS=$T/results.tsv
: >"$RESULTS"
mkdir "$T/anomalies"
mkfifo "$T/nap.fifo" || die "cannot make $T/nap.fifo"
exec {NAP_FD}<>"$T/nap.fifo" || die "cannot open $T/nap.fifo"

# The binaries under test are copied first: a rebuild in the tree during the run must not
# change what is measured halfway.  What they were built from is noted now, for the same reason.
mkdir "$T/bin"
{ cp "$NSDUMP" "$T/bin/nsdump" && cp "$UDPSEND" "$T/bin/udpsend"; } || die "cannot copy the binaries"
chmod 755 "$T/bin" "$T/bin/nsdump" "$T/bin/udpsend"
NSDUMP_BASE=
if [ -n "${BENCH_NSDUMP_BASE:-}" ]; then
	{ cp "$BENCH_NSDUMP_BASE" "$T/bin/nsdump-base" && chmod 755 "$T/bin/nsdump-base"; } ||
		die "cannot copy BENCH_NSDUMP_BASE ($BENCH_NSDUMP_BASE)"
	NSDUMP_BASE=$T/bin/nsdump-base
fi
NSDUMP_VERSION=$("$NSDUMP" --version 2>&1 | head -n1)
if [ "$NSDUMP" = "$ROOT/build/nsdump" ] && git -C "$ROOT" rev-parse --short HEAD >/dev/null 2>&1; then
	NSDUMP_FROM="commit $(git -C "$ROOT" rev-parse --short HEAD)"
	git -C "$ROOT" diff --quiet HEAD -- src include 2>/dev/null ||
		NSDUMP_FROM="$NSDUMP_FROM with uncommitted changes to src/ or include/"
else
	NSDUMP_FROM="$NSDUMP"
fi
NSDUMP=$T/bin/nsdump
UDPSEND=$T/bin/udpsend

now_ns() { echo "${EPOCHREALTIME//[.,]/}000"; }

# wait_exit PID TIMEOUT_S: wait for our child; kill it on timeout.
wait_exit() {
	local pid=$1 limit
	limit=$(($(now_ns) + $2 * 1000000000))
	while ! exited "$pid"; do
		if [ "$(now_ns)" -ge "$limit" ]; then
			is_ours "$pid" && kill -KILL "$pid" 2>/dev/null
			break
		fi
		nap 0.02
	done
	wait "$pid" 2>/dev/null
}

# kv FILE KEY: the value of KEY=... in a one-line report ("NA" when absent).
kv() {
	local v
	v=$(tr ' ' '\n' <"$1" 2>/dev/null | sed -n "s/^$2=//p" | head -n1)
	echo "${v:-NA}"
}

# ---- topology -----------------------------------------------------------------

setup() {
	local i want
	ip netns add "$NS" || return 1
	ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null || return 1
	ip -n "$NS" link set lo up || return 1
	# Both ends are created down; IPv6 goes off on the host end before it comes up.
	ip link add "$HOSTIF" type veth peer name eth0 netns "$NS" || return 1
	sysctl -qw "net.ipv6.conf.$HOSTIF.disable_ipv6=1" >/dev/null || return 1
	ip -n "$NS" addr add "$IP_A/24" dev eth0 || return 1
	ip -n "$NS" neigh replace "$SINK" lladdr "$SINK_MAC" dev eth0 nud permanent || return 1
	ip link set "$HOSTIF" up || return 1
	ip -n "$NS" link set eth0 up || return 1

	ip netns exec "$NS" sleep 100000 &
	TARGET_PID=$!
	track "$TARGET_PID"
	want=$(stat -L -c %i "/run/netns/$NS")
	for i in $(seq 1 250); do
		if [ "$(stat -L -c %i "/proc/$TARGET_PID/ns/net" 2>/dev/null)" = "$want" ] &&
			[ "$(cat "/proc/$TARGET_PID/comm" 2>/dev/null)" = sleep ]; then
			return 0
		fi
		sleep 0.02
	done
	echo "bench: the target process never entered $NS" >&2
	return 1
}

rx_packets() { cat "/sys/class/net/$HOSTIF/statistics/rx_packets"; }
tx_packets() { cat "/sys/class/net/$HOSTIF/statistics/tx_packets"; }

# send COUNT SIZE RATE [udpsend options]: from inside the target namespace.  Sets SENT and
# SEND_S (the sender's wall time).  Returns 1 unless udpsend reported exactly COUNT.
send() {
	local count=$1 size=$2 rate=$3 t0 t1 i each pids=() out bad=""
	shift 3
	# BENCH_SENDERS flat-out senders share the count (paced runs keep one).
	local n=1
	[ "$rate" = 0 ] && n=$SENDERS
	t0=$(now_ns)
	for i in $(seq 1 "$n"); do
		each=$((count / n + (i <= count % n ? 1 : 0)))
		ip netns exec "$NS" "$UDPSEND" -c "$each" -s "$size" -r "$rate" "$@" "$SINK" \
			>"$T/send.$i.out" 2>&1 &
		pids+=($!)
		track "$!"
	done
	wait "${pids[@]}"
	t1=$(now_ns)
	SEND_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
	SENT=$count
	for i in $(seq 1 "$n"); do
		each=$((count / n + (i <= count % n ? 1 : 0)))
		out=$(cat "$T/send.$i.out")
		[ "$out" = "sent $each" ] || bad="$bad $out"
	done
	if [ -n "$bad" ]; then
		echo "bench: udpsend:$bad" >&2
		SENT=NA
		return 1
	fi
	return 0
}

check_link() {
	local rx0 tx0
	rx0=$(rx_packets)
	tx0=$(tx_packets)
	send 1000 22 0 || return 1
	sleep 0.2
	[ "$(($(rx_packets) - rx0))" -eq 1000 ] ||
		{ echo "bench: the link is not quiet: sent 1000, host end got $(($(rx_packets) - rx0))" >&2; return 1; }
	[ "$(($(tx_packets) - tx0))" -eq 0 ] ||
		{ echo "bench: the host end transmitted packets" >&2; return 1; }
}

# ---- the tools ----------------------------------------------------------------

# nsdump's capture modes: "setns" (enter the target's namespace, capture on its eth0, like
# nsenter + tcpdump) and "veth" (capture on the host end of the pair, like tcpdump on the
# host).  Here the default, --mode auto, picks veth.  Builds without --mode only enter.
if "$NSDUMP" --help 2>/dev/null | grep -q -- '--mode'; then
	NSDUMP_SETNS=(--mode setns)
	HAVE_VETH=1
else
	NSDUMP_SETNS=()
	HAVE_VETH=0
fi

# tool_cmd TOOL OUT: the command line of a capturer, in CMD.
tool_cmd() {
	local out=$2 nd=("$NSDUMP" --pid "$TARGET_PID") td=(tcpdump "${TCPDUMP_ARGS[@]}")
	# shellcheck disable=SC2016 # docker-tcpdump-U: expanded by sh -c, and docker's template
	case "$1" in
	# nsdump-tty: the same command; measure gives it a pseudo-terminal for standard error,
	# where nsdump rewrites its status line once a second.
	nsdump | nsdump-tty) CMD=("${nd[@]}" "${NSDUMP_SETNS[@]}" "${NSDUMP_ARGS[@]}" -w "$out") ;;
	nsdump-veth) CMD=("${nd[@]}" --mode veth "${NSDUMP_ARGS[@]}" -w "$out") ;;
	netns-tcpdump) CMD=(ip netns exec "$NS" "${td[@]}" -i eth0 -w "$out") ;;
	nsenter-tcpdump) CMD=(nsenter -t "$TARGET_PID" -n "${td[@]}" -i eth0 -w "$out") ;;
	host-tcpdump) CMD=("${td[@]}" -i "$HOSTIF" -w "$out") ;;
	tcpdump-U) CMD=(nsenter -t "$TARGET_PID" -n "${td[@]}" -i eth0 -U -w "$out") ;;
	tcpdump-imm) CMD=(nsenter -t "$TARGET_PID" -n "${td[@]}" -i eth0 --immediate-mode -U -w "$out") ;;
	# The Docker container of the start-up case, by name, as a user would type it: nsdump's
	# default mode (veth here), setns mode, and the by-hand chain, timed as one command
	# from its launch (sh, then docker inspect, then nsenter execs tcpdump).
	nsdump-ctr) CMD=("$NSDUMP" --container "$CTR_NAME" "${NSDUMP_ARGS[@]}" -w "$out") ;;
	nsdump-ctr-setns) CMD=("$NSDUMP" --container "$CTR_NAME" --mode setns "${NSDUMP_ARGS[@]}" -w "$out") ;;
	base) CMD=("$NSDUMP_BASE" --pid "$TARGET_PID" --mode setns "${NSDUMP_ARGS[@]}" -w "$out") ;;
	base-veth) CMD=("$NSDUMP_BASE" --pid "$TARGET_PID" --mode veth "${NSDUMP_ARGS[@]}" -w "$out") ;;
	base-ctr) CMD=("$NSDUMP_BASE" --container "$CTR_NAME" "${NSDUMP_ARGS[@]}" -w "$out") ;;
	docker-tcpdump-U) CMD=(sh -c 'p=$(docker inspect -f "{{.State.Pid}}" "$1") && shift && exec nsenter -t "$p" -n "$@"'
		sh "$CTR_NAME" "${td[@]}" -i eth0 -U -w "$out") ;;
	*) die "unknown tool $1" ;;
	esac
}

if [ "$HAVE_VETH" = 1 ]; then
	FILE_TOOLS=(nsdump nsdump-veth netns-tcpdump nsenter-tcpdump host-tcpdump)
	LIVE_TOOLS=(nsdump nsdump-veth tcpdump-U tcpdump-imm)
else
	FILE_TOOLS=(nsdump netns-tcpdump nsenter-tcpdump host-tcpdump)
	LIVE_TOOLS=(nsdump tcpdump-U tcpdump-imm)
fi

# wait_ready ERRFILE PID: "listening on" on stderr (nsdump and tcpdump both say it once the
# socket is capturing), within 10 s.
wait_ready() {
	local i
	for i in $(seq 1 500); do
		if grep -q 'listening on' "$1" 2>/dev/null; then
			sleep 0.1
			return 0
		fi
		exited "$2" && return 1
		sleep 0.02
	done
	return 1
}

# record CASE TOOL ROUND SENT GOT DROPS CPU RSS_KIB LAT_MED LAT_P99 SEND_S STATUS NOTE LINKLOSS
record() {
	local IFS=$'\t'
	echo "$*" >>"$RESULTS"
}

count_file() {
	local n
	n=$(capinfos -c -M "$1" 2>/dev/null | awk -F: '/Number of packets/ { gsub(/ /, "", $2); print $2 }')
	echo "${n:-NA}"
}

drops_of() {
	local n
	n=$(sed -n 's/^\([0-9][0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$1" | tail -n1)
	echo "${n:-NA}"
}

# measure CASE MODE(file|live) TOOL ROUND SIZE COUNT RATE SETTLE_S
measure() {
	local case=$1 mode=$2 tool=$3 round=$4 size=$5 count=$6 rate=$7 settle=$8
	local tag="$case.$tool.$round" out fifo rpid="" cpid got drops cpu rss med="NA" p99="NA" st note
	local rx0 rx1 linkloss=NA lost
	local err=$T/$tag.err ru=$T/$tag.ru lat=$T/$tag.lat sendopts=()
	local ruopts=(-o "$ru") rerr=$err shown
	# nsdump-tty: its standard error is a pseudo-terminal, copied to $err by rusage (whose
	# own messages go to $rerr).
	if [ "$tool" = nsdump-tty ]; then
		ruopts+=(-t "$err")
		rerr=$T/$tag.rusage-err
	fi
	SENT=NA
	SEND_S=NA
	if [ "$mode" = live ]; then
		fifo=$T/$tag.fifo
		mkfifo "$fifo"
		"$HELPERS/latency" -o "$lat" <"$fifo" &
		rpid=$!
		track "$rpid"
		tool_cmd "$tool" -
		"$HELPERS/rusage" -o "$ru" -- "${CMD[@]}" >"$fifo" 2>"$err" </dev/null &
		sendopts=(-t)
	else
		out=$T/out/$tag.pcap
		tool_cmd "$tool" "$out"
		"$HELPERS/rusage" "${ruopts[@]}" -- "${CMD[@]}" >/dev/null 2>"$rerr" </dev/null &
	fi
	cpid=$!
	track "$cpid"
	if wait_ready "$err" "$cpid"; then
		rx0=$(rx_packets)
		send "$count" "$size" "$rate" "${sendopts[@]}"
		sleep "$settle"
		rx1=$(rx_packets)
		[ "$SENT" != NA ] && linkloss=$((SENT - (rx1 - rx0)))
	else
		echo "bench: $tag: the capturer did not start: $(head -c 300 "$err")" >&2
	fi
	is_ours "$cpid" && kill -INT "$cpid" 2>/dev/null
	wait_exit "$cpid" 20
	if [ -n "$rpid" ]; then
		wait_exit "$rpid" 20
		got=$(kv "$lat" packets)
		med=$(kv "$lat" lat_med_ms)
		p99=$(kv "$lat" lat_p99_ms)
		rm -f "$fifo"
	else
		got=$(count_file "$out")
		rm -f "$out"
	fi
	drops=$(drops_of "$err")
	cpu=$(awk -v u="$(kv "$ru" user)" -v s="$(kv "$ru" sys)" \
		'BEGIN { if (u == "NA" || s == "NA") print "NA"; else printf "%.4f", u + s }')
	rss=$(kv "$ru" maxrss_kib)
	st=$(kv "$ru" status)
	note=""
	# The status line ("N packets, M dropped, ...") on a terminal, and only there.
	if [ "$case" = status64 ]; then
		shown=no
		grep -q 'packets\{0,1\}, [0-9]* dropped' "$err" && shown=yes
		case "$tool/$shown" in
		nsdump-tty/no) note="no status line on the terminal" ;;
		nsdump/yes) note="a status line with standard error a file" ;;
		esac
	fi
	# Packets neither captured nor reported as dropped: keep the tool's own words about it.
	# The captures on the host end cannot see what the veth pair itself dropped (linkloss:
	# sent, but never received by the host end); the ones inside see packets before that.
	# (tail64 shows tcpdump losing its last block: expected there, from tcpdump.)
	if [ "$SENT" != NA ] && [ "$got" != NA ] && [ "$drops" != NA ] && [ "$linkloss" != NA ]; then
		lost=$((SENT - got - drops))
		case "$tool" in
		nsdump-veth | host-tcpdump) lost=$((lost - linkloss)) ;;
		esac
		if [ "$lost" -ne 0 ] && { [ "$case" != tail64 ] || [ "${tool#nsdump}" != "$tool" ]; }; then
			cp "$err" "$T/anomalies/$tag.err"
			note="$lost unaccounted; lost on the link $linkloss; exit status $st; stderr: $(tr '\t\n' ' |' <"$err" | head -c 400)"
			echo "bench: $tag: $note" >&2
		fi
	fi
	record "$case" "$tool" "$round" "$SENT" "$got" "$drops" "$cpu" "$rss" "$med" "$p99" \
		"$SEND_S" "$st" "$note" "$linkloss"
	printf '  %-13s %-16s round %-2s sent %-7s got %-7s drops %-7s cpu %-7s rss %-6s lat %s/%s\n' \
		"$case" "$tool" "$round" "$SENT" "$got" "$drops" "$cpu" "$rss" "$med" "$p99"
}

# run_case CASE MODE SIZE COUNT RATE SETTLE TOOLS...: ROUNDS rounds, every tool once per
# round; each round starts one tool further on (A B C, B C A, ...), so no tool always runs
# right after the same other one.
run_case() {
	local case=$1 mode=$2 size=$3 count=$4 rate=$5 settle=$6 r i n
	shift 6
	local tools=("$@")
	n=${#tools[@]}
	local what="$rate pkt/s"
	[ "$rate" = 0 ] && what="flat out"
	echo "case $case: $mode, $((size + 42))-byte frames, $count packets, $what"
	for r in $(seq 1 "$ROUNDS"); do
		for i in $(seq 0 $((n - 1))); do
			measure "$case" "$mode" "${tools[$(((i + r - 1) % n))]}" "$r" "$size" "$count" \
				"$rate" "$settle"
		done
	done
}

# The "paced" case: at each of PACED_RATES, nsdump to a file and to a pipe (the latency
# reader), and tcpdump --immediate-mode to the pipe: the latency a live reader sees at low
# rates, and its CPU against nsdump's own file mode at the same rate. Each run sends for
# PACED_SECONDS (at least 20 packets); half a second settles before the stop (nsdump drains
# its rings itself, tcpdump --immediate-mode holds nothing back).
run_paced() {
	local r count file_tools=(nsdump) live_tools=(nsdump tcpdump-imm)
	if [ "$HAVE_VETH" = 1 ]; then
		file_tools+=(nsdump-veth)
		live_tools+=(nsdump-veth)
	fi
	for r in $PACED_RATES; do
		count=$((r * PACED_SECONDS))
		[ "$count" -ge 20 ] || count=20
		run_case "rate64@$r" file 22 "$count" "$r" 0.5 "${file_tools[@]}"
		run_case "live-rate64@$r" live 22 "$count" "$r" 0.5 "${live_tools[@]}"
	done
}

# ---- start-up -----------------------------------------------------------------

# dk_release_if_last CASE: Docker is let go (containers, image, a dockerd started here, the
# lock) once CASE is the last case of this run that needs it.
dk_release_if_last() {
	local c last=""
	for c in $CASES; do
		case "$c" in
		startup) [ "$DOCKER" = 1 ] && last=startup ;;
		follow) [ "$DOCKER" = 1 ] && last=follow ;;
		scale) last=scale ;;
		esac
	done
	[ "$last" = "$1" ] && dk_end
	return 0
}

# A Docker container (busybox sleep, --network none) whose namespace gets eth0 from a
# veth pair of ours, set up as the target namespace is (IPv6 off, a sink owned by nobody),
# with its own 10000 pkt/s of background traffic from a udpsend inside.
startup_container() {
	local i bg
	dk_begin || { echo "bench: startup: no --container rows: $DK_WHY" >&2; SKIPPED+=("startup with --container: $DK_WHY"); return 1; }
	CTR_NAME=$DK_PREFIX-web
	dk_run "$CTR_NAME" /bin/sleep 100000 || return 1
	CTR_PID=$(docker inspect -f '{{.State.Pid}}' "$CTR_NAME") || return 1
	nsenter -t "$CTR_PID" -n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null || return 1
	ip link add "$CTR_HOSTIF" type veth peer name eth0 netns "$CTR_PID" || return 1
	sysctl -qw "net.ipv6.conf.$CTR_HOSTIF.disable_ipv6=1" >/dev/null || return 1
	nsenter -t "$CTR_PID" -n ip addr add "$CNET.1/24" dev eth0 || return 1
	nsenter -t "$CTR_PID" -n ip neigh replace "$CTR_SINK" lladdr "$SINK_MAC" dev eth0 nud permanent || return 1
	ip link set "$CTR_HOSTIF" up || return 1
	nsenter -t "$CTR_PID" -n ip link set eth0 up || return 1
	nsenter -t "$CTR_PID" -n "$UDPSEND" -f -r 10000 -s 22 "$CTR_SINK" >"$T/bg-ctr.out" 2>&1 &
	bg=$!
	track "$bg"
	CTR_BG=$bg
	for i in $(seq 1 50); do
		[ "$(cat "/sys/class/net/$CTR_HOSTIF/statistics/rx_packets")" -gt 0 ] && return 0
		sleep 0.02
	done
	echo "bench: startup: no traffic from the container's eth0" >&2
	return 1
}

startup_container_end() {
	if [ -n "$CTR_BG" ]; then
		kill -CONT "$CTR_BG" 2>/dev/null
		kill -INT "$CTR_BG" 2>/dev/null
		wait_exit "$CTR_BG" 5
		CTR_BG=""
	fi
	dk_rm_all
	ip link del "$CTR_HOSTIF" 2>/dev/null
	dk_release_if_last startup
}

# Time from launching a capturer to (a) the kernel stamp of the first packet it captured
# (its socket is live) and (b) that packet reaching a reader through the pipe, with steady
# background traffic at 10000 packets/s (one every 0.1 ms).
run_startup() {
	local r i n tool tag fifo rpid cpid bg launch ts arr
	local tools=("${LIVE_TOOLS[@]}")
	if [ "$DOCKER" = 0 ]; then
		SKIPPED+=("startup with --container: BENCH_DOCKER=0")
	else
		if startup_container; then
			tools+=(nsdump-ctr nsdump-ctr-setns docker-tcpdump-U)
			[ -n "$NSDUMP_BASE" ] && tools+=(base-ctr)
		else
			# (dk_begin's failures are noted by startup_container itself)
			if [ "$DK_STATE" = ready ]; then
				SKIPPED+=("startup with --container: the container could not be set up")
			fi
			startup_container_end
		fi
	fi
	[ -n "$NSDUMP_BASE" ] && [ "$HAVE_VETH" = 1 ] && tools+=(base base-veth)
	n=${#tools[@]}
	echo "case startup: launch to first packet, background traffic 10000 pkt/s"
	ip netns exec "$NS" "$UDPSEND" -f -r 10000 -s 22 "$SINK" >"$T/bg.out" 2>&1 &
	bg=$!
	track "$bg"
	sleep 0.5
	for r in $(seq 1 "$ROUNDS"); do
		for i in $(seq 0 $((n - 1))); do
			tool=${tools[$(((i + r - 1) % n))]}
			tag=startup.$tool.$r
			fifo=$T/$tag.fifo
			mkfifo "$fifo"
			"$HELPERS/latency" -1 -o "$T/$tag.lat" <"$fifo" &
			rpid=$!
			track "$rpid"
			tool_cmd "$tool" -
			startup_traffic "$tool" "$bg"
			"$HELPERS/rusage" -o "$T/$tag.ru" -- "${CMD[@]}" >"$fifo" 2>"$T/$tag.err" </dev/null &
			cpid=$!
			track "$cpid"
			wait_exit "$rpid" 10
			is_ours "$cpid" && kill -INT "$cpid" 2>/dev/null
			wait_exit "$cpid" 10
			rm -f "$fifo"
			launch=$(kv "$T/$tag.ru" launch)
			ts=$(kv "$T/$tag.lat" first_ts)
			arr=$(kv "$T/$tag.lat" first_arrival)
			if [ "$launch" = NA ] || [ "$ts" = NA ] || [ "$ts" = - ] ||
				[ "$(kv "$T/$tag.lat" packets)" != 1 ]; then
				echo "bench: $tag: no first packet: $(head -c 300 "$T/$tag.err")" >&2
				record startup "$tool" "$r" NA NA NA NA NA NA NA NA fail
				continue
			fi
			# Whole seconds apart from the fractions, so no precision is lost in awk.
			read -r ts arr < <(awk -v l="$launch" -v t="$ts" -v a="$arr" 'BEGIN {
				split(l, L, "."); split(t, S, "."); split(a, A, ".")
				printf "%.3f %.3f\n", ((S[1] - L[1]) + (S[2] - L[2]) / 1e9) * 1000,
					((A[1] - L[1]) + (A[2] - L[2]) / 1e9) * 1000 }')
			# Start-up rows reuse the columns: LAT_MED = capture start, LAT_P99 = first at reader.
			record startup "$tool" "$r" NA NA NA NA NA "$ts" "$arr" NA "$(kv "$T/$tag.ru" status)"
			printf '  %-13s %-16s round %-2s capture starts %s ms, first packet at the reader %s ms\n' \
				startup "$tool" "$r" "$ts" "$arr"
		done
	done
	kill -CONT "$bg" 2>/dev/null
	kill -INT "$bg" 2>/dev/null
	wait_exit "$bg" 5
	[ "$DOCKER" = 1 ] && startup_container_end
}

# Only the sender that the next command captures runs (10000 pkt/s); the other is stopped,
# so that a row taking the target by PID does not start on a machine loaded with the
# container's traffic as well, nor the other way round.
startup_traffic() {
	local on=$2 off=${CTR_BG:-}
	case $1 in
	nsdump-ctr* | docker-* | base-ctr) on=${CTR_BG:-} off=$2 ;;
	esac
	[ -n "$off" ] && kill -STOP "$off" 2>/dev/null
	[ -n "$on" ] && kill -CONT "$on" 2>/dev/null
	sleep 0.05
}

# ---- report -------------------------------------------------------------------

machine() {
	local cpu mem fs
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
	mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	fs=$(stat -f -c %T "$WORK_PARENT")
	echo "- CPUs (nproc): $(nproc); CPU model: ${cpu:-unknown}; memory: $mem"
	echo "- kernel: $(uname -sr)"
	echo "- $(tcpdump --version 2>&1 | head -n1); $(tcpdump --version 2>&1 | sed -n 2p)"
	echo "- $NSDUMP_VERSION, built from $NSDUMP_FROM"
	echo "- capture files written to $WORK_PARENT ($fs); veth pair namespace <-> host, MTU 1500"
	echo "- load average (1, 5, 15 min) at the start: $LOAD_START; at the end: $LOAD_END"
}

settings() {
	echo "- rounds: $ROUNDS per tool and case, interleaved; flat-out runs: $COUNT packets;"
	echo "  paced runs: $RATE_COUNT packets at $RATE pkt/s; stop-at-once runs: $TAIL_COUNT packets at $RATE pkt/s;"
	echo "  settle before the stop signal: ${SETTLE} s; cases: $CASES"
	[ "$SENDERS" = 1 ] || echo "- flat-out runs send from $SENDERS udpsend processes at once, sharing the count"
	case " $CASES " in
	*" paced "*) echo "- paced: $PACED_SECONDS s at each of $PACED_RATES pkt/s (at least 20 packets), settle 0.5 s" ;;
	esac
	case " $CASES " in
	*" scale "*) echo "- scale: real Docker containers: $SCALE_DOCKER; synthetic ones: $SCALE_STATE" ;;
	esac
	if [ -n "$DK_DESC" ]; then echo "- $DK_DESC"; fi
	for s in "${SKIPPED[@]}"; do echo "- NOT MEASURED: $s"; done
}

# ---- main ---------------------------------------------------------------------

START_NS=$(now_ns)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
setup || die "cannot set up the namespace and veth pair"
check_link || die "the test link is not carrying exactly the packets sent"
echo "bench: namespace $NS (target PID $TARGET_PID), host end $HOSTIF, sending to $SINK; results in $T"

for c in $CASES; do
	case "$c" in
	max64) run_case max64 file 22 "$COUNT" 0 "$SETTLE" "${FILE_TOOLS[@]}" ;;
	max1514) run_case max1514 file 1472 "$COUNT" 0 "$SETTLE" "${FILE_TOOLS[@]}" ;;
	# The same with two senders, one per core (issue 16, part 4).
	max1514x2) SENDERS=2 run_case max1514x2 file 1472 "$COUNT" 0 "$SETTLE" "${FILE_TOOLS[@]}" ;;
	rate64) run_case rate64 file 22 "$RATE_COUNT" "$RATE" "$SETTLE" "${FILE_TOOLS[@]}" ;;
	tail64) run_case tail64 file 22 "$TAIL_COUNT" "$RATE" 0 "${FILE_TOOLS[@]}" ;;
	live-rate64) run_case live-rate64 live 22 "$RATE_COUNT" "$RATE" "$SETTLE" "${LIVE_TOOLS[@]}" ;;
	live-max64) run_case live-max64 live 22 "$COUNT" 0 "$SETTLE" "${LIVE_TOOLS[@]}" ;;
	live-max1514) run_case live-max1514 live 1472 "$COUNT" 0 "$SETTLE" "${LIVE_TOOLS[@]}" ;;
	paced) run_paced ;;
	# Issue 16, part 5: the live status line's cost. nsdump to a file with standard error a
	# file, and the same on a pseudo-terminal (the status line rewritten once a second),
	# paced for twice the rate64 run's length.
	status64) run_case status64 file 22 "$((RATE_COUNT * 2))" "$RATE" "$SETTLE" nsdump nsdump-tty ;;
	startup) run_startup ;;
	follow) run_follow ;;
	scale) run_scale ;;
	esac
done

[ "$(tx_packets)" -eq 0 ] || echo "bench: warning: the host end of the veth transmitted $(tx_packets) packets" >&2
ELAPSED=$((($(now_ns) - START_NS) / 1000000000))
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

REPORT=$T/report.md
{
	echo "# Performance: nsdump against tcpdump"
	echo
	echo "Generated by \`make bench\` (bench/run.sh; how it measures: bench/README.md) on"
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), in $((ELAPSED / 60)) min $((ELAPSED % 60)) s. The tables are rewritten by every run."
	echo
	echo "## Machine and settings"
	echo
	machine
	settings
	echo
	awk -f "$BENCH_SRC/report.awk" "$RESULTS"
	echo
	if [ -f "$T/follow.md" ]; then
		cat "$T/follow.md"
		echo
	fi
	cat "$BENCH_SRC/notes.md"
} >"$REPORT"

cat "$REPORT"
if [ "$OUT_MD" != - ]; then
	cp "$REPORT" "$OUT_MD" || die "cannot write $OUT_MD"
	echo "bench: wrote $OUT_MD (${ELAPSED} s)"
fi
