#!/bin/bash
# bash completion (packaging/bash-completion/nsdump), driven through bash-completion with
# COMP_WORDS/COMP_CWORD: every option of --help, the values of --format, --mode, --compress,
# -Q and --runtime, file names for -w and --merge, the names of real Docker containers and of
# a Docker-run pod for -t and --pod (from nsdump --list --json), and nothing at all on
# stderr or offered when nsdump refuses the user.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=runtimes.sh
. "$(dirname "$0")/runtimes.sh"
need_root
need_cmd setpriv useradd
need_binaries
[ -r /usr/share/bash-completion/bash_completion ] ||
	nd_skip_all "bash-completion is not installed (make deps)"
COMPLETION=$ND_ROOT/packaging/bash-completion/nsdump

# comp WORD...: the completions bash would offer for the last WORD (the command line being
# WORD...), sorted, one per line; stderr of the whole run in $ND_TMP/comp.err.  Runs in a
# fresh bash with bash-completion and nsdump's completion loaded, in $ND_TMP/cwd.
comp() {
	(cd "$ND_TMP/cwd" && bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$0"
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_nsdump
		printf "%s\n" "${COMPREPLY[@]}" | sort' "$COMPLETION" "$@") 2>"$ND_TMP/comp.err"
}
# check_comp DESC EXPECTED WORD...: the completions, space-separated, are EXPECTED; nothing
# on stderr.
check_comp() {
	local desc=$1 want=$2 got
	shift 2
	got=$(comp "$@" | tr '\n' ' ')
	check_eq "$desc" "$want" "${got% }" "stderr: $(nd_excerpt "$ND_TMP/comp.err")"
}
mkdir -p "$ND_TMP/cwd"
touch "$ND_TMP/cwd/a.pcapng" "$ND_TMP/cwd/b.pcap" "$ND_TMP/cwd/filter.txt"

# Options: every one that --help lists (parsed as t_manpage.sh does), nothing unknown.
"$NSDUMP" --help >"$ND_TMP/help.out" 2>&1
mapfile -t opts < <(grep -E '^ +-' "$ND_TMP/help.out" | sed -E 's/^ +//; s/  .*//' |
	grep -oE '(^|[ ,])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[ ,]*//' | sort -u)
comp "$NSDUMP" - >"$ND_TMP/dash.out"
missing=""
for o in "${opts[@]}"; do grep -qxF -- "$o" "$ND_TMP/dash.out" || missing="$missing $o"; done
check_eq "'-' offers every option of --help (${#opts[@]})" "" "$missing"
check_eq "'-' prints nothing on stderr" "" "$(cat "$ND_TMP/comp.err")"
check_comp "--for completes to --format" "--format" "$NSDUMP" --for
check_comp "--list-i completes to --list-interfaces" "--list-interfaces" "$NSDUMP" --list-i
check_comp "--fol completes to --follow" "--follow" "$NSDUMP" -t x --fol
check_comp "--follow takes no value: the next word is an option again" "--fifo --filter-file --follow --format" \
	"$NSDUMP" -t x --follow --f
check_comp "--format values" "pcap pcapng" "$NSDUMP" -t x --format ""
check_comp "--format=pc (one word)" "pcap pcapng" "$NSDUMP" -t x --format=pc
check_comp "--mode values" "auto setns veth" "$NSDUMP" --mode ""
check_comp "--compress values" "gzip" "$NSDUMP" --compress ""
check_comp "-Q values" "in inout out" "$NSDUMP" -Q ""
check_comp "--runtime: the next element of a list" "docker,containerd docker,crio" "$NSDUMP" --runtime docker,c
check_comp "-w: files" "a.pcapng b.pcap filter.txt" "$NSDUMP" -w ""
check_comp "-w a: files starting with a" "a.pcapng" "$NSDUMP" -w a
check_comp "--merge: files after it" "a.pcapng b.pcap filter.txt" "$NSDUMP" --merge a.pcapng ""
check_comp "-F: files" "filter.txt" "$NSDUMP" -t x -F f

# Names of real containers, and of a pod run through Docker, from nsdump --list --json.
if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null || ! command -v curl >/dev/null; then
	skip "container names" "docker is not installed (make deps)"
elif ! rt_docker_up; then
	skip "container names" "dockerd does not start: $(nd_excerpt "$ND_TMP/dockerd.log")"
elif ! rt_docker_image 2>"$ND_TMP/img.err"; then
	not_ok "build the busybox image offline" "$(nd_excerpt "$ND_TMP/img.err")"
else
	web=$RT_PREFIX-web
	db=$RT_PREFIX-db
	pod=$RT_PREFIX-pod
	if { rt_docker_run "$web" "$RT_IMAGE" /bin/busybox sleep 300 &&
		rt_docker_run "$db" "$RT_IMAGE" /bin/busybox sleep 300 &&
		rt_docker_run "$RT_PREFIX-sb" --label "io.kubernetes.pod.name=$pod" \
			--label "io.kubernetes.pod.namespace=ns$ND_SUF" \
			--label io.kubernetes.docker.type=podsandbox "$RT_IMAGE" /bin/busybox sleep 300; } \
		2>"$ND_TMP/run.err"; then
		check_comp "-t: the test's two containers (and its pod sandbox) by name prefix" \
			"$db $RT_PREFIX-sb $web" "$NSDUMP" -t "$RT_PREFIX-"
		check_comp "--container ...-w: the one whose name starts so" "$web" "$NSDUMP" --container "$RT_PREFIX-w"
		check_comp "--pod: the pod's name" "$pod" "$NSDUMP" --pod "$RT_PREFIX"
		check_comp "--pod after -n NS: the pod of NS" "$pod" "$NSDUMP" -n "ns$ND_SUF" --pod ""
		check_comp "--pod after -n other: none" "" "$NSDUMP" -n "other$ND_SUF" --pod "$RT_PREFIX"
		check_comp "-n: the pod's Kubernetes namespace" "ns$ND_SUF" "$NSDUMP" --pod x -n "ns$ND_SUF"
	else
		not_ok "docker run the test's containers" "$(nd_excerpt "$ND_TMP/run.err")"
	fi
fi

# A user nsdump refuses (a setuid copy, the user outside its group: status 4 and a message):
# no completion, and not a byte on stderr.
USER_NAME="ndtc$ND_SUF"
nd_user_new "$USER_NAME"
mkdir -p "$ND_TMP/bin"
chmod 755 "$ND_TMP" "$ND_TMP/bin" "$ND_TMP/cwd"
install -m 4755 -o root -g root "$NSDUMP" "$ND_TMP/bin/nsdump"
# The user may not be able to read the checkout (a clone in /root, mode 0700): it gets a copy.
install -m 0644 "$COMPLETION" "$ND_TMP/bin/completion"
export ASAN_OPTIONS=detect_leaks=0
as_user() { setpriv --reuid="$(id -u "$USER_NAME")" --regid="$(id -g "$USER_NAME")" --clear-groups -- "$@"; }
as_user "$ND_TMP/bin/nsdump" --list --json >"$ND_TMP/refused.out" 2>"$ND_TMP/refused.err"
check_eq "the refused user: nsdump --list --json exits 4" 4 "$?" "$(nd_excerpt "$ND_TMP/refused.err")"
check_grep "the refused user: nsdump says why" "$ND_TMP/refused.err" '^nsdump: not permitted'
# shellcheck disable=SC2016 # expanded by the inner bash
(cd "$ND_TMP/cwd" && as_user bash -c '
	. /usr/share/bash-completion/bash_completion
	. "$0"
	COMP_WORDS=("$1" -t "")
	COMP_CWORD=2
	COMP_LINE="$1 -t "
	COMP_POINT=${#COMP_LINE}
	_nsdump
	printf "%s\n" "${COMPREPLY[@]}"' "$ND_TMP/bin/completion" "$ND_TMP/bin/nsdump") >"$ND_TMP/ref-comp.out" 2>"$ND_TMP/ref-comp.err"
check_eq "the refused user: -t completion prints nothing on stderr" "" "$(cat "$ND_TMP/ref-comp.err")"
check_eq "the refused user: -t offers nothing" "" "$(tr -d '\n' <"$ND_TMP/ref-comp.out")"
# nsdump not installed at all: no error either.
(cd "$ND_TMP/cwd" && PATH=/usr/bin:/bin bash -c '
	. /usr/share/bash-completion/bash_completion
	. "$0"
	COMP_WORDS=(nsdump --container "")
	COMP_CWORD=2
	COMP_LINE="nsdump --container "
	COMP_POINT=${#COMP_LINE}
	_nsdump
	printf "%s\n" "${COMPREPLY[@]}"' "$COMPLETION") >"$ND_TMP/none.out" 2>"$ND_TMP/none.err"
check_eq "nsdump not on PATH: nothing on stderr, nothing offered" "" \
	"$(cat "$ND_TMP/none.err" "$ND_TMP/none.out" | tr -d '\n')"
nd_finish
