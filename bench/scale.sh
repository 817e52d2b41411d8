# shellcheck shell=bash
# The benchmark's "scale" case: how the cost of finding containers grows with their number.
# Sourced by bench/run.sh after bench/docker.sh; run_scale is the case.
#
# Every run is one process timed from fork to exit (rusage's wall time): what a user waits
# for.  nsdump --list and nsdump --container NAME -D (resolve, enter, list the interfaces,
# exit: the shortest run that resolves) against docker ps and
# docker inspect -f '{{.State.Pid}}' NAME, in three series:
#
#   api    real Docker containers (busybox sleep, --network none), BENCH_SCALE_DOCKER of
#          them (1 100): nsdump asks the Engine API, as it does when the socket is there
#   disk   the same containers, the socket hidden from nsdump (DOCKER_HOST naming no
#          socket): it reads Docker's state on disk instead (config.v2.json, runc's
#          state.json), as it does for containerd and CRI-O always
#   state  BENCH_SCALE_STATE (10 100 1000) synthetic containers: each a process of its own
#          (unshare -n sleep) in a network namespace of its own, with Docker's state on
#          disk under a private --root: the real container's config.v2.json and runc
#          state.json, copied, with ID, name, PID, start time and /proc paths rewritten.
#          nsdump reads them exactly as it reads the real ones (series disk shows the
#          two agree); docker cannot be asked about them.
#   cstate the same processes as containerd tasks (namespace "default", IDs ndb...-cN as
#          ctr names them) under a second --root: the real container's task files, which
#          dockerd's containerd wrote (init.pid, the OCI config.json) and its runc
#          state.json, laid out where a containerd of its own keeps them
#          (/run/containerd/io.containerd.runtime.v2.task/NS/ID, /run/containerd/runc/NS/ID).
#          Podman and CRI-O have no series: Podman's state cannot be taken from a Docker
#          container, and CRI-O does not run here (not packaged for Debian 12).
#
# Why synthetic at 1000: starting 1000 real containers took 178 s here and removing them
# 87 s (docker run -d --network none, 4 at a time, 2 cores), more than the run's budget
# leaves; BENCH_SCALE_DOCKER="1 100 1000" measures them for real when there is time.

SC_PIDS=()   # the synthetic containers' processes (many: not in run.sh's PIDS)
SC_ROOT=""   # --root of the synthetic state
SC_CROOT=""  # --root of the synthetic containerd tasks ("" without a task template)
SC_TMPL=""   # directory holding the template state
SC_TMPL_ID="" SC_TMPL_PID="" SC_TMPL_START="" SC_TMPL_NAME=""

# sc_ours PID: PID is a child of this shell, told from /proc without a fork (there can be
# a thousand of them).
sc_ours() {
	local line f
	read -r line 2>/dev/null <"/proc/$1/stat" || return 1
	line=${line##*) }
	read -r -a f <<<"$line"
	[ "${f[1]}" = "$$" ]
}

sc_kill_all() {
	local p mine=()
	[ "${#SC_PIDS[@]}" -gt 0 ] || return 0
	for p in "${SC_PIDS[@]}"; do
		if sc_ours "$p"; then mine+=("$p"); fi
	done
	if [ "${#mine[@]}" -gt 0 ]; then
		kill -TERM "${mine[@]}" 2>/dev/null
		wait "${mine[@]}" 2>/dev/null
	fi
	SC_PIDS=()
}

# sc_docker_add TO: real containers until there are TO of ours, two docker clients at a
# time (more only queue up behind dockerd on 2 cores).
sc_docker_add() {
	local have
	have=$(docker ps -q --filter "name=^/$DK_PREFIX-s" | wc -l)
	[ "$have" -lt "$1" ] || return 0
	seq $((have + 1)) "$1" | xargs -P 2 -I{} docker run -d --network none --name "$DK_PREFIX-s{}" \
		"$DK_IMAGE" /bin/sleep 100000 >/dev/null 2>"$T/scale-run.err"
	have=$(docker ps -q --filter "name=^/$DK_PREFIX-s" | wc -l)
	[ "$have" -eq "$1" ] ||
		{ echo "bench: scale: $have containers running, not $1: $(head -c 300 "$T/scale-run.err")" >&2; return 1; }
}

# sc_template NAME: the state on disk of the real container NAME, copied as the template
# of the synthetic ones.
sc_template() {
	local d td
	SC_TMPL=$T/scale-template
	mkdir -p "$SC_TMPL" || return 1
	SC_TMPL_NAME=$1
	SC_TMPL_ID=$(docker inspect -f '{{.Id}}' "$1") || return 1
	SC_TMPL_PID=$(docker inspect -f '{{.State.Pid}}' "$1") || return 1
	cp "/var/lib/docker/containers/$SC_TMPL_ID/config.v2.json" "$SC_TMPL/" || return 1
	for d in /run/docker/runtime-runc/moby /run/containerd/runc/moby; do
		if [ -f "$d/$SC_TMPL_ID/state.json" ]; then
			cp "$d/$SC_TMPL_ID/state.json" "$SC_TMPL/" || return 1
			SC_TMPL_START=$(sed -n 's/.*"init_process_start":\([0-9]*\).*/\1/p' "$SC_TMPL/state.json")
			[ -n "$SC_TMPL_START" ] || return 1
			# containerd's task files of the same container (dockerd's containerd, or
			# the system's when dockerd uses it): the template of series cstate.
			rm -f "$SC_TMPL/config.json"
			for td in /run/docker/containerd/daemon/io.containerd.runtime.v2.task/moby \
				/run/containerd/io.containerd.runtime.v2.task/moby; do
				if [ -f "$td/$SC_TMPL_ID/config.json" ]; then
					cp "$td/$SC_TMPL_ID/config.json" "$SC_TMPL/" || return 1
					break
				fi
			done
			return 0
		fi
	done
	echo "bench: scale: no runc state.json for $1" >&2
	return 1
}

# sc_state_add FROM TO: synthetic containers FROM..TO, named $DK_PREFIX-xN.
sc_state_add() {
	local i p line f new=() want
	[ "$1" -le "$2" ] || return 0
	for i in $(seq "$1" "$2"); do
		unshare -n sleep 100000 &
		SC_PIDS+=("$!")
		new+=("$!")
	done
	# unshare execs sleep in the same process once the namespace is made.
	: >"$T/scale-new"
	i=$1
	for p in "${new[@]}"; do
		want=$(($(now_ns) + 10000000000))
		until read -r line 2>/dev/null <"/proc/$p/comm" && [ "$line" = sleep ]; do
			[ "$(now_ns)" -lt "$want" ] || { echo "bench: scale: process $p never ran sleep" >&2; return 1; }
			sleep 0.01
		done
		read -r line <"/proc/$p/stat" || return 1
		line=${line##*) }
		read -r -a f <<<"$line"
		# A random 64-hex-digit ID, as Docker's.
		printf -v line '%04x' $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM \
			$RANDOM $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM
		# stat field 22, the start time, is f[19] once pid and comm are cut off.
		echo "$line $DK_PREFIX-x$i $p ${f[19]}" >>"$T/scale-new"
		i=$((i + 1))
	done
	# The containerd task of synthetic container PREFIX-xN is PREFIX-cN.
	awk -v R="$SC_ROOT" -v CR="$SC_CROOT" '{
		print R "/var/lib/docker/containers/" $1; print R "/run/docker/runtime-runc/moby/" $1
		if (CR != "") {
			c = $2; sub(/-x[0-9]+$/, "", c); c = c "-c" substr($2, length(c) + 3)
			print CR "/run/containerd/io.containerd.runtime.v2.task/default/" c
			print CR "/run/containerd/runc/default/" c
		}
	}' "$T/scale-new" | xargs mkdir -p || return 1
	# One awk for all the files: a process per file would cost more than what is measured.
	awk -v R="$SC_ROOT" -v CR="$SC_CROOT" -v C="$SC_TMPL/config.v2.json" -v S="$SC_TMPL/state.json" \
		-v O="$SC_TMPL/config.json" \
		-v tid="$SC_TMPL_ID" -v tpid="$SC_TMPL_PID" -v tstart="$SC_TMPL_START" -v tname="$SC_TMPL_NAME" '
		function slurp(path,    s, l) {
			s = ""
			while ((getline l <path) > 0)
				s = s l "\n"
			close(path)
			return s
		}
		BEGIN { cfg = slurp(C); st = slurp(S); oci = CR != "" ? slurp(O) : ""; tshort = substr(tid, 1, 12) }
		{
			id = $1; name = $2; pid = $3; start = $4; short = substr(id, 1, 12)
			c = cfg
			gsub(tid, id, c); gsub(tshort, short, c)
			gsub("\"Pid\":" tpid ",", "\"Pid\":" pid ",", c)
			gsub("\"Name\":\"/" tname "\"", "\"Name\":\"/" name "\"", c)
			s = st
			gsub(tid, id, s); gsub(tshort, short, s)
			gsub("\"init_process_pid\":" tpid ",", "\"init_process_pid\":" pid ",", s)
			gsub("\"init_process_start\":" tstart ",", "\"init_process_start\":" start ",", s)
			gsub("/proc/" tpid "/", "/proc/" pid "/", s)
			f = R "/var/lib/docker/containers/" id "/config.v2.json"
			printf "%s", c >f
			close(f)
			f = R "/run/docker/runtime-runc/moby/" id "/state.json"
			printf "%s", s >f
			close(f)
			if (CR == "")
				next
			# containerd: the ID is the task name (ctr run ... ndb-cN), in every path.
			cid = name; sub(/-x[0-9]+$/, "", cid); cid = cid "-c" substr(name, length(cid) + 3)
			s = st
			gsub(tid, cid, s)
			gsub("\"init_process_pid\":" tpid ",", "\"init_process_pid\":" pid ",", s)
			gsub("\"init_process_start\":" tstart ",", "\"init_process_start\":" start ",", s)
			gsub("/proc/" tpid "/", "/proc/" pid "/", s)
			f = CR "/run/containerd/runc/default/" cid "/state.json"
			printf "%s", s >f
			close(f)
			c = oci
			gsub(tid, cid, c)
			gsub("/proc/" tpid "/", "/proc/" pid "/", c)
			f = CR "/run/containerd/io.containerd.runtime.v2.task/default/" cid "/config.json"
			printf "%s", c >f
			close(f)
			f = CR "/run/containerd/io.containerd.runtime.v2.task/default/" cid "/init.pid"
			printf "%d", pid >f
			close(f)
		}' "$T/scale-new"
}

# sc_cmd SERIES TOOL: the command line, in CMD.
sc_cmd() {
	local name=$DK_PREFIX-s1
	[ "$1" = state ] && name=$DK_PREFIX-x1
	[ "$1" = cstate ] && name=$DK_PREFIX-c1
	# shellcheck disable=SC2016 # docker's Go template
	case "$1/$2" in
	api/nsdump-list | disk/nsdump-list) CMD=("$NSDUMP" --list) ;;
	api/nsdump-D | disk/nsdump-D) CMD=("$NSDUMP" --container "$name" -D) ;;
	state/nsdump-list) CMD=("$NSDUMP" --root "$SC_ROOT" --list) ;;
	state/nsdump-D) CMD=("$NSDUMP" --root "$SC_ROOT" --container "$name" -D) ;;
	cstate/nsdump-list) CMD=("$NSDUMP" --root "$SC_CROOT" --list) ;;
	cstate/nsdump-D) CMD=("$NSDUMP" --root "$SC_CROOT" --container "$name" -D) ;;
	api/docker-ps) CMD=(docker ps) ;;
	api/docker-inspect) CMD=(docker inspect -f '{{.State.Pid}}' "$name") ;;
	*) die "scale: unknown $1/$2" ;;
	esac
}

# sc_measure SERIES COUNT TOOL ROUND: one timed run, its answer checked (the right number
# of containers listed, the interface list, a PID), one result line.
sc_measure() {
	local series=$1 n=$2 tool=$3 r=$4 tag=scale.$1.$2.$3.$4 st got=NA wall cpu rss
	local out=$T/$tag.out err=$T/$tag.err ru=$T/$tag.ru
	sc_cmd "$series" "$tool"
	if [ "$series" = disk ]; then
		DOCKER_HOST=unix://$T/no-docker.sock "$HELPERS/rusage" -o "$ru" -- "${CMD[@]}" >"$out" 2>"$err" </dev/null
	else
		"$HELPERS/rusage" -o "$ru" -- "${CMD[@]}" >"$out" 2>"$err" </dev/null
	fi
	st=$(kv "$ru" status)
	case "$tool" in
	nsdump-list) got=$(awk -v rt="$([ "$series" = cstate ] && echo containerd || echo docker)" \
		'$1 == rt' "$out" | wc -l) ;;
	docker-ps) got=$(($(wc -l <"$out") - 1)) ;;
	nsdump-D) got=$(awk '$1 == "lo"' "$out" | wc -l) && [ "$got" = 1 ] && got=$n ;;
	docker-inspect) got=$(grep -c '^[1-9][0-9]*$' "$out") && [ "$got" = 1 ] && got=$n ;;
	esac
	if [ "$st" != 0 ] || [ "$got" != "$n" ]; then
		echo "bench: $tag: exit status $st, answer for $got containers, not $n: $(head -c 300 "$err")" >&2
		st=fail
	fi
	wall=$(awk -v w="$(kv "$ru" wall)" 'BEGIN { if (w == "NA") print "NA"; else printf "%.3f", w * 1000 }')
	cpu=$(awk -v u="$(kv "$ru" user)" -v s="$(kv "$ru" sys)" \
		'BEGIN { if (u == "NA" || s == "NA") print "NA"; else printf "%.4f", u + s }')
	rss=$(kv "$ru" maxrss_kib)
	# Scale rows: SENT = containers, GOT = containers in the answer, LAT_MED = wall ms,
	# NOTE = series.
	record scale "$tool" "$r" "$n" "$got" NA "$cpu" "$rss" "$wall" NA NA "$st" "$series"
	printf '  %-6s %-5s %4s containers  %-15s round %-2s %8s ms\n' scale "$series" "$n" "$tool" "$r" "$wall"
	rm -f "$out" "$err" "$ru"
}

# sc_rounds COUNT SERIES/TOOL...: ROUNDS rounds, each starting one tool further on.
sc_rounds() {
	local n=$1 r i k item
	shift
	local items=("$@")
	k=${#items[@]}
	for r in $(seq 1 "$ROUNDS"); do
		for i in $(seq 0 $((k - 1))); do
			item=${items[$(((i + r - 1) % k))]}
			sc_measure "${item%/*}" "$n" "${item#*/}" "$r"
		done
	done
}

run_scale() {
	local n prev=0 ours
	echo "case scale: nsdump --list and --container NAME -D against docker ps and docker inspect"
	if [ "$DOCKER" = 0 ]; then
		SKIPPED+=("scale (resolution at scale): BENCH_DOCKER=0")
		return 0
	fi
	if ! dk_begin; then
		echo "bench: scale: skipped: $DK_WHY" >&2
		SKIPPED+=("scale (resolution at scale): $DK_WHY")
		return 0
	fi
	for n in $SCALE_DOCKER; do
		sc_docker_add "$n" || { SKIPPED+=("scale: could not start $n Docker containers"); break; }
		ours=$n
		# What nsdump and docker see is every running container of this dockerd.
		n=$(docker ps -q | wc -l)
		[ "$n" = "$ours" ] || echo "bench: scale: dockerd runs $n containers, $ours of them ours"
		sc_rounds "$n" api/nsdump-list api/docker-ps api/nsdump-D api/docker-inspect \
			disk/nsdump-list disk/nsdump-D
	done
	if ! sc_template "$DK_PREFIX-s1"; then
		SKIPPED+=("scale, synthetic state: could not copy a real container's state")
		dk_rm_all
		dk_release_if_last scale
		return 0
	fi
	dk_rm_all
	dk_release_if_last scale
	if ! command -v unshare >/dev/null 2>&1; then
		SKIPPED+=("scale, synthetic state: command 'unshare' not found (util-linux)")
		return 0
	fi
	SC_ROOT=$T/scale-root
	mkdir -p "$SC_ROOT/var/lib/docker/containers" "$SC_ROOT/run/docker/runtime-runc/moby" || return 1
	if [ -f "$SC_TMPL/config.json" ]; then
		SC_CROOT=$T/scale-croot
		mkdir -p "$SC_CROOT/run/containerd/io.containerd.runtime.v2.task/default" \
			"$SC_CROOT/run/containerd/runc/default" || return 1
	else
		SKIPPED+=("scale, containerd series: no containerd task directory for $DK_PREFIX-s1")
	fi
	for n in $SCALE_STATE; do
		if ! sc_state_add $((prev + 1)) "$n"; then
			SKIPPED+=("scale: could not make $n synthetic containers")
			break
		fi
		prev=$n
		if [ -n "$SC_CROOT" ]; then
			sc_rounds "$n" state/nsdump-list state/nsdump-D cstate/nsdump-list cstate/nsdump-D
		else
			sc_rounds "$n" state/nsdump-list state/nsdump-D
		fi
	done
	sc_kill_all
	rm -rf "$SC_ROOT"
	[ -z "$SC_CROOT" ] || rm -rf "$SC_CROOT"
}
