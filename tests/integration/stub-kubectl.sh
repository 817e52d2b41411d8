#!/bin/bash
# A stand-in for kubectl, for t_kubectl.sh (no cluster here), linked as `kubectl` on PATH.
# It answers only what kubectl-nsdump asks, logs every call to $STUB_DIR/calls.log, and:
#   get pods [-n NS] [-l K=V] -o jsonpath=...   from the recorded $STUB_DIR/pods.json, through
#                                               jq, for the two templates the plugin uses
#   debug node/NODE ... -- nsdump ARGS          "creates" node-debugger-NODE-xxxxx (listed by
#                                               get pods until deleted) and runs the real
#                                               $STUB_NSDUMP with --pod P as --netns P (the
#                                               test names a network namespace after each
#                                               pod), without --root /host, and without
#                                               --follow (nsdump refuses it with --netns;
#                                               calls.log keeps the plugin's arguments)
#   delete pod [-n NS] --wait=false NAME...     forgets the pods and ends their nsdump
# STUB_FAIL_NODE=NODE: `debug node/NODE` fails as RBAC would refuse it.
# Anything else fails, so a call the plugin should not make shows up as a failure.
set -u
: "${STUB_DIR:?}" "${STUB_NSDUMP:?}"
printf '%s\n' "$*" >>"$STUB_DIR/calls.log"

pods_jp='{range .items[*]}{.metadata.name}{"|"}{.spec.nodeName}{"|"}{.status.phase}{"\n"}{end}'
names_jp='{range .items[*]}{.metadata.name}{"\n"}{end}'

get_pods() {
	local ns=default sel="" out=""
	while [ $# -gt 0 ]; do
		case "$1" in
		-n) ns=$2; shift 2 ;;
		-l) sel=$2; shift 2 ;;
		-o) out=$2; shift 2 ;;
		*) echo "stub: get pods: unexpected '$1'" >&2; exit 1 ;;
		esac
	done
	case "$out" in
	"jsonpath=$pods_jp")
		jq -r --arg ns "$ns" --arg k "${sel%%=*}" --arg v "${sel#*=}" --arg sel "$sel" '
			.items[] | select(.metadata.namespace == $ns)
			| select($sel == "" or .metadata.labels[$k] == $v)
			| [.metadata.name, (.spec.nodeName // ""), .status.phase] | join("|")' "$STUB_DIR/pods.json" ;;
	"jsonpath=$names_jp")
		jq -r --arg ns "$ns" '.items[] | select(.metadata.namespace == $ns) | .metadata.name' \
			"$STUB_DIR/pods.json"
		awk -v ns="$ns" '$3 == ns { print $1 }' "$STUB_DIR/debugpods" ;;
	*) echo "stub: get pods: unexpected output format '$out'" >&2; exit 1 ;;
	esac
}

debug_node() {
	local node=${1#node/} ns=default name suffix args=()
	shift
	if [ "$node" = "${STUB_FAIL_NODE:-}" ]; then
		echo "Error from server (Forbidden): nodes \"$node\" is forbidden" >&2
		exit 1
	fi
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		case "$1" in
		-n) ns=$2; shift 2 ;;
		*) shift ;;
		esac
	done
	shift
	[ "${1:-}" = nsdump ] || { echo "stub: debug: the command is not nsdump: $*" >&2; exit 1; }
	shift
	while [ $# -gt 0 ]; do
		case "$1" in
		--root) [ "$2" = /host ] || exit 1; shift 2 ;;
		--pod) args+=(--netns "$2"); shift 2 ;;
		--follow) shift ;;
		-n) shift 2 ;;
		*) args+=("$1"); shift ;;
		esac
	done
	suffix=$(tr -dc 'a-z0-9' </dev/urandom | head -c 5)
	name="node-debugger-$node-$suffix"
	# This process becomes nsdump: its PID is the "pod's" process.
	echo "$name $$ $ns" >>"$STUB_DIR/debugpods"
	echo "$name $$" >>"$STUB_DIR/created"
	exec "$STUB_NSDUMP" "${args[@]}" 2>"$STUB_DIR/$name.err"
}

delete_pods() {
	local ns=default name pid
	while [ $# -gt 0 ]; do
		case "$1" in
		-n) ns=$2; shift 2 ;;
		--wait=false) shift ;;
		-*) echo "stub: delete: unexpected '$1'" >&2; exit 1 ;;
		*)
			name=$1
			shift
			pid=$(awk -v n="$name" -v ns="$ns" '$1 == n && $3 == ns { print $2 }' "$STUB_DIR/debugpods")
			[ -n "$pid" ] || { echo "stub: pod $name not found" >&2; exit 1; }
			awk -v n="$name" '$1 != n' "$STUB_DIR/debugpods" >"$STUB_DIR/debugpods.new"
			mv "$STUB_DIR/debugpods.new" "$STUB_DIR/debugpods"
			echo "$name" >>"$STUB_DIR/deleted"
			# The pod's process, when the stub started one (the test's own child).
			if [ "$pid" != 0 ]; then kill -TERM "$pid" 2>/dev/null || true; fi
			;;
		esac
	done
}

case "${1:-} ${2:-}" in
"get pods") shift 2; get_pods "$@" ;;
"delete pod") shift 2; delete_pods "$@" ;;
"debug "node/*) shift; debug_node "$@" ;;
*) echo "stub: unexpected kubectl call: $*" >&2; exit 1 ;;
esac
