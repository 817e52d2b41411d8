#!/bin/bash
# Errors and their exit codes: 3 target not found, 2 usage and bad interface;
# each error is one line starting "nsdump: ".  --help and --version exit 0.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
nd_topo 1 60 || nd_finish

# expect_error DESC CODE ARGS...: exit CODE, one "nsdump: " line, and no -w
# file when ARGS wrote to $ND_TMP/err.pcap.
expect_error() {
	local desc=$1 code=$2
	shift 2
	rm -f "$ND_TMP/err.pcap"
	nd_run err "$@"
	check_eq "$desc: exit $code" "$code" "$ND_RC" "$(nd_excerpt "$ND_TMP/err.err")"
	check_one_error_line "$desc: one 'nsdump: ' error line" "$ND_TMP/err.err"
	if [ -e "$ND_TMP/err.pcap" ]; then
		not_ok "$desc: no output file" "$ND_TMP/err.pcap exists ($(stat -c %s "$ND_TMP/err.pcap") bytes)"
	fi
}

# A PID that surely does not exist: one of ours that has exited and been reaped.
sleep 0 &
gone=$!
wait "$gone"
if [ -e "/proc/$gone" ]; then
	skip "unknown PID" "PID $gone was reused at once"
else
	expect_error "unknown PID $gone" 3 --pid "$gone" -w "$ND_TMP/err.pcap"
fi
expect_error "unknown netns name" 3 --netns "ndtnosuch$ND_SUF" -w "$ND_TMP/err.pcap"

# Bad interfaces.
expect_error "-i nosuch" 2 --pid "$TARGET_PID" -i nosuch -w "$ND_TMP/err.pcap"
check_grep "-i nosuch: message lists eth0" "$ND_TMP/err.err" 'eth0'

# Two non-loopback interfaces, neither called eth0: ambiguous.
ns_c="ndtC$ND_SUF"
if nd_netns_new "$ns_c" &&
	ip -n "$ns_c" link add "ndtx$ND_SUF" type veth peer name "ndty$ND_SUF" 2>"$ND_TMP/c.err" &&
	ip -n "$ns_c" link set "ndtx$ND_SUF" up && ip -n "$ns_c" link set "ndty$ND_SUF" up; then
	expect_error "ambiguous interface" 2 --netns "$ns_c" -w "$ND_TMP/err.pcap"
	check_grep "ambiguous interface: message lists the first" "$ND_TMP/err.err" "ndtx$ND_SUF"
	check_grep "ambiguous interface: message lists the second" "$ND_TMP/err.err" "ndty$ND_SUF"
	# With -i the same namespace is fine.
	nd_run amb-i --netns "$ns_c" -i "ndtx$ND_SUF" --duration 1 -w "$ND_TMP/amb.pcap"
	check_eq "ambiguous namespace with -i: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/amb-i.err")"
	check_count "ambiguous namespace with -i: a valid, empty capture" "$ND_TMP/amb.pcap" 0
else
	not_ok "set up a namespace with two interfaces" "$(nd_excerpt "$ND_TMP/c.err")"
fi

# Usage errors.
expect_error "no target" 2 -w "$ND_TMP/err.pcap"
expect_error "--pid abc" 2 --pid abc -w "$ND_TMP/err.pcap"
expect_error "--pid 12abc" 2 --pid 12abc -w "$ND_TMP/err.pcap"
expect_error "-D with two targets" 2 --pid 1 --netns x -D
expect_error "unknown option" 2 --pid "$TARGET_PID" --no-such-option -w "$ND_TMP/err.pcap"
expect_error "-c abc" 2 --pid "$TARGET_PID" -c abc -w "$ND_TMP/err.pcap"
# -B: libpcap takes the ring's size in bytes as an int; 2 GiB would overflow it, and libpcap
# would ignore the value without a word.
expect_error "-B 2097152" 2 --pid "$TARGET_PID" -B 2097152 --duration 1 -w "$ND_TMP/err.pcap"
check_grep "-B 2097152: the message gives the range" "$ND_TMP/err.err" \
	"^nsdump: invalid value '2097152' for -B: expected a size in KiB, 1 to 2097151$"
expect_error "-Q sideways" 2 --pid "$TARGET_PID" -Q sideways -w "$ND_TMP/err.pcap"

# --help and --version: exit 0, on stdout.
nd_run help --help
check_eq "--help: exit 0" 0 "$ND_RC"
check_grep "--help: mentions --pid" "$ND_TMP/help.out" '--pid'
check_grep "--help: mentions exit codes" "$ND_TMP/help.out" '[Ee]xit'
nd_run version --version
check_eq "--version: exit 0" 0 "$ND_RC"
check_grep "--version: prints a version number" "$ND_TMP/version.out" '[0-9]+\.[0-9]+'
# Every spelling getopt_long takes is the option itself: abbreviations, -h among other short
# options, after a bad option; nothing on stderr.
for w in --hel --he -qh -hq "--pid $TARGET_PID --no-such-option --help"; do
	# shellcheck disable=SC2086 # words, split on purpose
	nd_run help-abbrev $w
	check_eq "'$w': exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/help-abbrev.err")"
	check_grep "'$w': prints the usage" "$ND_TMP/help-abbrev.out" '^Usage: nsdump '
	check_eq "'$w': nothing on stderr" "" "$(cat "$ND_TMP/help-abbrev.err")"
done
for w in --vers --versi; do
	nd_run version-abbrev "$w"
	check_eq "'$w': exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/version-abbrev.err")"
	check_grep "'$w': prints the version" "$ND_TMP/version-abbrev.out" '^nsdump [0-9]+\.[0-9]+'
done
expect_error "--ver (ambiguous: --verbose, --version)" 2 --ver
check_grep "--ver: names both options" "$ND_TMP/err.err" "ambiguous: --verbose, --version"

nd_finish
