# shellcheck shell=bash
# The follow case (issue 15): nsdump --follow waiting for a Docker container, against the
# way without it (`docker start`, then `docker inspect` and `nsenter ... tcpdump -U` as soon
# as the start returns).  Sourced by bench/run.sh after docker.sh; writes its report section
# to $T/follow.md.
#
# Each round starts a stopped container whose first instruction prints the wall clock
# (busybox adjtimex, microseconds) and whose second pings a peer container 5 times, on a
# Docker network of the run's own (--internal, 198.18.X.0/24: no traffic leaves it).  Per
# round and tool: whether the 5 echo requests are in the capture; for nsdump, from the
# first instruction: when the host end of the container's veth came up (ip monitor), when
# nsdump's capture was open (-v), and when the first packet reached a pipe's reader.  Then
# the CPU nsdump uses while it waits 30 s for a start that does not come, per hour.

FW_NET="" FW_PEER="" FW_TGT=""

fw_setup() {
	local sub=198.18.$((${NET##*.} % 200 + 20))
	dk_begin || { SKIPPED+=("follow: $DK_WHY"); return 1; }
	FW_NET=$DK_PREFIX-fnet
	FW_PEER=$DK_PREFIX-fpeer
	FW_TGT=$DK_PREFIX-ftgt
	FW_PEER_IP=$sub.2
	docker network create --internal --subnet "$sub.0/24" "$FW_NET" >/dev/null 2>"$T/fw.err" ||
		{ SKIPPED+=("follow: docker network create: $(head -c 200 "$T/fw.err")"); return 1; }
	if ! docker run -d --network "$FW_NET" --ip "$FW_PEER_IP" --name "$FW_PEER" "$DK_IMAGE" \
		/bin/busybox sleep 100000 >/dev/null 2>"$T/fw.err" ||
		! docker create --network "$FW_NET" --name "$FW_TGT" "$DK_IMAGE" /bin/busybox sh -c \
			"/bin/busybox adjtimex; /bin/busybox ping -c 5 -i 0.2 -W 1 $FW_PEER_IP" \
			>/dev/null 2>>"$T/fw.err"; then
		SKIPPED+=("follow: the containers: $(head -c 200 "$T/fw.err")")
		return 1
	fi
}

fw_end() {
	dk_rm_all
	[ -n "$FW_NET" ] && docker network rm "$FW_NET" >/dev/null 2>&1
	FW_NET=""
	dk_release_if_last follow
}

# The wall clock the container's first instruction printed, last start: s.us
fw_exec_time() {
	docker logs "$FW_TGT" 2>/dev/null | awk '/time.tv_sec:/ { s = $2 } /time.tv_usec:/ { u = $2 }
		END { if (s != "") printf "%d.%06d\n", s, u }'
}

# ms between two s.frac wall-clock stamps (b - a), exactly enough for awk.
fw_ms() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-") { print "NA"; exit }
	split(a, A, "."); split(b, B, "."); fa = ("0." A[2]) + 0; fb = ("0." B[2]) + 0
	printf "%.1f\n", ((B[1] - A[1]) + (fb - fa)) * 1000 }'; }

fw_requests() { tshark -r "$1" -Y 'icmp.type == 8' 2>/dev/null | wc -l; }

# One round of nsdump --follow: waiting first, then the start.
fw_nsdump() {
	local tag=$1 fifo=$T/$1.fifo rpid cpid mpid exec up open arr
	mkfifo "$fifo"
	"$HELPERS/latency" -o "$T/$tag.lat" <"$fifo" &
	rpid=$!
	track "$rpid"
	"$NSDUMP" -v --container "$FW_TGT" --follow -w - 'icmp or arp' 2>"$T/$tag.err" </dev/null |
		tee "$T/$tag.pcapng" >"$fifo" &
	cpid=$!
	track "$cpid"
	for _ in $(seq 1 100); do grep -q 'waiting for it to start' "$T/$tag.err" && break; sleep 0.05; done
	ip -ts -o monitor link >"$T/$tag.mon" 2>/dev/null &
	mpid=$!
	track "$mpid"
	sleep 0.2
	docker start "$FW_TGT" >/dev/null 2>&1
	docker wait "$FW_TGT" >/dev/null 2>&1
	sleep 0.3
	pkill -INT -f -- "--container $FW_TGT --follow" 2>/dev/null
	kill "$mpid" 2>/dev/null
	wait_exit "$rpid" 10
	rm -f "$fifo"
	exec=$(fw_exec_time)
	# The host end of the veth, up: "[2026-...T04:30:00.123456] 123: vethX@if122: <...,UP,...>"
	up=$(awk '/veth/ && /state UP/ { gsub(/[][]/, "", $1); print $1; exit }' "$T/$tag.mon")
	[ -n "$up" ] && up=$(date -d "$up" +%s.%N 2>/dev/null)
	open=$(sed -n 's/.* captured from \([0-9.]*\),.*/\1/p' "$T/$tag.err" | tail -n1)
	arr=$(kv "$T/$tag.lat" first_arrival)
	printf '%s\t%s\t%s\t%s\t%s\n' "$(fw_requests "$T/$tag.pcapng")" "$(fw_ms "$exec" "$up")" \
		"$(fw_ms "$exec" "$open")" "$(fw_ms "$exec" "$arr")" \
		"$(grep -c '^nsdump: .*start [0-9]* (' "$T/$tag.err")" >>"$T/follow.nsdump"
}

# One round the way without --follow: capture once `docker start` has returned.
fw_nsenter() {
	local tag=$1 pid tpid
	docker start "$FW_TGT" >/dev/null 2>&1
	pid=$(docker inspect -f '{{.State.Pid}}' "$FW_TGT" 2>/dev/null)
	if [ -n "$pid" ] && [ "$pid" != 0 ]; then
		nsenter -t "$pid" -n tcpdump -U -i eth0 -w "$T/$tag.pcap" 'icmp or arp' 2>/dev/null &
		tpid=$!
		track "$tpid"
	fi
	docker wait "$FW_TGT" >/dev/null 2>&1
	sleep 0.3
	[ -n "${tpid:-}" ] && kill -INT "$tpid" 2>/dev/null && wait_exit "$tpid" 5
	if [ -f "$T/$tag.pcap" ]; then fw_requests "$T/$tag.pcap"; else echo 0; fi >>"$T/follow.nsenter"
}

# CPU ticks (user + system) of process $1 and its children (nsdump's writer).
fw_ticks() {
	local p t=0 v
	for p in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		v=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null)
		t=$((t + ${v:-0}))
	done
	echo "$t"
}

# The CPU nsdump --follow uses while it waits: 30 s without a start, measured from 3 s after
# it began (its start-up is not waiting), as "S s (N ticks in 30 s)".
fw_idle() {
	local pid a b hz
	hz=$(getconf CLK_TCK)
	"$NSDUMP" -q --container "$FW_TGT" --follow -w "$T/follow.idle.pcapng" \
		2>"$T/follow.idle.err" </dev/null &
	pid=$!
	track "$pid"
	sleep 3
	a=$(fw_ticks "$pid")
	sleep 30
	b=$(fw_ticks "$pid")
	kill -INT "$pid" 2>/dev/null
	wait_exit "$pid" 10
	awk -v d="$((b - a))" -v hz="$hz" 'BEGIN { printf "%.2f s (%d ticks of 1/%d s in 30 s)\n", d / hz * 120, d, hz }'
}

run_follow() {
	local r idle
	if [ "$DOCKER" = 0 ]; then
		SKIPPED+=("follow: BENCH_DOCKER=0")
		return 0
	fi
	echo "case follow: nsdump --follow waiting for a Docker container, $ROUNDS rounds"
	fw_setup || { fw_end; return 0; }
	: >"$T/follow.nsdump"
	: >"$T/follow.nsenter"
	for r in $(seq 1 "$ROUNDS"); do
		fw_nsdump "follow.nsdump.$r"
		fw_nsenter "follow.nsenter.$r"
		printf '  follow round %s: nsdump %s, docker start + nsenter tcpdump %s\n' "$r" \
			"$(tail -n1 "$T/follow.nsdump" | tr '\t' ' ')" "$(tail -n1 "$T/follow.nsenter")"
	done
	idle=$(fw_idle)
	fw_end
	awk -v rounds="$ROUNDS" -v idle="$idle" -v nsenter="$T/follow.nsenter" '
	function med(a, n,   i, j, t) {
		for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
		return n == 0 ? "NA" : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
	}
	function col(c,   i, n, v) { n = 0; for (i = 1; i <= NR; i++) if (F[i, c] != "NA") v[++n] = F[i, c] + 0
		return n ? sprintf("%s (%s to %s)", fmt(med(v, n)), fmt(v[1]), fmt(v[n])) : "NA" }
	function fmt(x) { return x == "NA" ? x : sprintf("%.1f", x) }
	{ for (c = 1; c <= NF; c++) F[NR, c] = $c; got += $1 }
	END {
		while ((getline l < nsenter) > 0) { ngot += l; nr++ }
		print "## --follow (issue 15): a Docker container from its first instruction"
		print ""
		print "Each round: a stopped container on a Docker network of the run, whose first"
		print "instruction prints the wall clock and whose second pings a peer container 5"
		print "times. Times are ms after that first instruction, median (min to max) over "rounds" rounds."
		print ""
		print "| | nsdump --follow (waiting before the start) | docker start, then nsenter tcpdump -U |"
		print "|---|---|---|"
		printf "| echo requests captured | %d of %d | %d of %d |\n", got, 5 * NR, ngot, 5 * nr
		printf "| host end of the veth up | %s | |\n", col(2)
		printf "| nsdump capture open | %s | |\n", col(3)
		printf "| first packet at a pipe reader | %s | |\n", col(4)
		printf "| CPU while waiting, per hour (30 s without a start, after start-up) | %s | |\n", idle
		print ""
		print "A negative time is before the first instruction (the runtime had the network up,"
		print "and nsdump its capture open, before it started the process)."
	}' "$T/follow.nsdump" >"$T/follow.md"
	cat "$T/follow.md"
}
