# shellcheck shell=bash
# Docker for the benchmark's container cases (startup with --container, resolution at
# scale).  Sourced by bench/run.sh after its own helpers (T, SUF, now_ns, track).
#
#   dk_begin     takes the machine's runtime lock, has dockerd answer on
#                /var/run/docker.sock (starts one when none runs) and the busybox image
#                ready; 1 (with DK_WHY set) when that cannot be done
#   dk_run NAME ARGS...   docker run -d --network none --name NAME ARGS IMAGE CMD...
#   dk_rm_all    removes every container of this run (named $DK_PREFIX-*)
#   dk_end       dk_rm_all, the image if made here, the dockerd if started here (by its
#                PID), net.ipv4.ip_forward as it was; releases the lock.  Safe to call
#                twice; run.sh's cleanup calls it on every exit path.
#
# The lock is the one tests/integration/runtimes.sh takes: one runtime user at a time on
# this machine, since a run that stops the dockerd it started would pull it from under
# another's feet.  Containers get no network from Docker (--network none); the start-up
# case adds its own veth pair (see run.sh), so no traffic leaves the namespaces made here.

DK_PREFIX="ndb$SUF"
DK_IMAGE=nsdump-bench:latest
DK_LOCK_FD=""
DK_STARTED=""
DK_IMAGE_MADE=0
DK_STATE=idle # idle | ready | failed | done
DK_WHY=""
DK_DESC="" # for the report
DK_IP_FORWARD=""
DK_LOCK_WAIT=${BENCH_LOCK_WAIT:-300}

dk_ping() {
	curl -sf --max-time 1 --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1
}

# dockerd turns IPv4 forwarding on for the whole host; it is put back at once.
dk_restore_forwarding() {
	if [ -n "$DK_IP_FORWARD" ]; then sysctl -qw "net.ipv4.ip_forward=$DK_IP_FORWARD"; fi
}

# A root file system of busybox (sleep, sh) as an image, built offline: no registry.
dk_image() {
	local r=$T/rootfs a
	docker image inspect "$DK_IMAGE" >/dev/null 2>&1 && return 0
	[ -x /bin/busybox ] || { DK_WHY="no /bin/busybox (busybox-static, make deps)"; return 1; }
	mkdir -p "$r/bin" && cp /bin/busybox "$r/bin/" || return 1
	for a in sh sleep; do ln -s busybox "$r/bin/$a" || return 1; done
	tar -C "$r" -cf "$T/rootfs.tar" . || return 1
	rm -rf "$r"
	if ! docker import -c 'CMD ["/bin/sh"]' "$T/rootfs.tar" "$DK_IMAGE" >/dev/null 2>"$T/import.err"; then
		DK_WHY="docker import: $(head -c 200 "$T/import.err")"
		return 1
	fi
	DK_IMAGE_MADE=1
	rm -f "$T/rootfs.tar"
}

dk_begin() {
	local c limit
	case "$DK_STATE" in
	ready) return 0 ;;
	failed | done) return 1 ;;
	esac
	DK_STATE=failed
	for c in docker dockerd curl flock; do
		command -v "$c" >/dev/null 2>&1 || { DK_WHY="command '$c' not found (make deps)"; return 1; }
	done
	exec {DK_LOCK_FD}>>"${ND_RT_LOCK:-/tmp/nsdump-runtimes.lock}" ||
		{ DK_WHY="cannot open the runtime lock"; return 1; }
	if ! flock -n "$DK_LOCK_FD"; then
		echo "bench: waiting up to $DK_LOCK_WAIT s for the runtime lock (a runtime test is running)"
		flock -w "$DK_LOCK_WAIT" "$DK_LOCK_FD" ||
			{ DK_WHY="the runtime lock stayed taken for $DK_LOCK_WAIT s"; return 1; }
	fi
	DK_IP_FORWARD=$(sysctl -n net.ipv4.ip_forward 2>/dev/null)
	if ! dk_ping; then
		# The daemon must not inherit the lock: it would hold it after we release ours.  A
		# session of its own keeps Ctrl-C from stopping it before the cleanup has removed the
		# containers through it (setsid execs in place: $! is dockerd's PID).
		setsid dockerd >"$T/dockerd.log" 2>&1 {DK_LOCK_FD}>&- </dev/null &
		DK_STARTED=$!
		limit=$(($(now_ns) + 30000000000))
		until dk_ping; do
			if exited "$DK_STARTED" || [ "$(now_ns)" -ge "$limit" ]; then
				DK_WHY="dockerd does not start: $(tail -n 3 "$T/dockerd.log" | tr '\n' ' ' | head -c 300)"
				return 1
			fi
			sleep 0.1
		done
		dk_restore_forwarding
	fi
	dk_image || { DK_WHY=${DK_WHY:-cannot build the busybox image}; return 1; }
	# shellcheck disable=SC2034 # for run.sh's report
	DK_DESC="Docker Engine $(docker version -f '{{.Server.Version}}' 2>/dev/null), storage driver $(docker info -f '{{.Driver}}' 2>/dev/null); dockerd $([ -n "$DK_STARTED" ] && echo "started by the run" || echo "already running")"
	DK_STATE=ready
}

# dk_run NAME CMD...: a container that sleeps (or runs CMD), with no network of Docker's.
dk_run() {
	local name=$1
	shift
	if ! docker run -d --network none --name "$name" "$DK_IMAGE" "$@" >/dev/null 2>"$T/run.err"; then
		echo "bench: docker run $name: $(head -c 300 "$T/run.err")" >&2
		return 1
	fi
}

dk_rm_all() {
	local ids
	[ "$DK_STATE" = idle ] && return 0
	dk_ping || return 0
	ids=$(docker ps -aq --filter "name=^/$DK_PREFIX-" 2>/dev/null)
	[ -n "$ids" ] || return 0
	# Fifty at a time: one docker rm per container costs a client start each.
	xargs -n 50 docker rm -f <<<"$ids" >/dev/null 2>&1
}

dk_end() {
	case "$DK_STATE" in
	idle | done) return 0 ;;
	esac
	dk_rm_all
	if [ "$DK_IMAGE_MADE" = 1 ]; then docker rmi "$DK_IMAGE" >/dev/null 2>&1; fi
	if [ -n "$DK_STARTED" ]; then
		kill -TERM "$DK_STARTED" 2>/dev/null
		wait_exit "$DK_STARTED" 30
		ip link del docker0 2>/dev/null
		DK_STARTED=""
	fi
	dk_restore_forwarding
	if [ -n "$DK_LOCK_FD" ]; then
		# Children started while the lock was held share its open file; unlocking the
		# file itself frees it for the others at once.
		flock -u "$DK_LOCK_FD"
		exec {DK_LOCK_FD}>&-
		DK_LOCK_FD=""
	fi
	DK_STATE="done"
}
