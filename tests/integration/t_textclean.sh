#!/bin/bash
# Names a container controls never reach the terminal raw (issue 13, finding 3): an
# interface named ESC[1;31mRED and a process that named itself ESC]0;owned BEL ESC[2J
# (set the terminal's title, clear the screen) show up as '?' in -D, in error messages that
# list interfaces, and in the "listening on" line; stdout and stderr hold no ESC or BEL byte.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions

RED=$'\e[1;31mRED'
SHOWN='?[1;31mRED'
NS="ndtE$ND_SUF"
# This kernel has no dummy driver: a veth pair inside the namespace stands in.
if ! {
	nd_netns_new "$NS" &&
		ip -n "$NS" link add "$RED" type veth peer name "ndtq$ND_SUF" &&
		ip -n "$NS" link set "$RED" up && ip -n "$NS" link set "ndtq$ND_SUF" up
} 2>"$ND_TMP/setup.err"; then
	not_ok "set up a namespace with an interface named ESC[1;31mRED" "$(nd_excerpt "$ND_TMP/setup.err")"
	nd_finish
fi

# check_clean DESC FILE: FILE holds no ESC (0x1b) and no BEL (0x07).
check_clean() {
	local n
	n=$(LC_ALL=C tr -cd '\033\007' <"$2" | wc -c)
	check_eq "$1: no ESC or BEL byte" 0 "$n" "$(cat -v "$2" | head -c 300 | tr '\n' '|')"
}

nd_run list --netns "$NS" -D
check_eq "-D: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/list.err")"
check_clean "-D: stdout" "$ND_TMP/list.out"
check_grep "-D: the interface is listed, its escape shown as '?'" "$ND_TMP/list.out" "^\\?\\[1;31mRED +[0-9]+ veth "

nd_run nosuch --netns "$NS" -i nosuch -w "$ND_TMP/x.pcapng"
check_eq "-i nosuch: exit 2" 2 "$ND_RC" "$(nd_excerpt "$ND_TMP/nosuch.err")"
check_one_error_line "-i nosuch: one error line" "$ND_TMP/nosuch.err"
check_clean "-i nosuch: stderr" "$ND_TMP/nosuch.err"
check_grep "-i nosuch: the list names the interface, cleaned" "$ND_TMP/nosuch.err" "it has: .*\\?\\[1;31mRED"

nd_run ambiguous --netns "$NS" -w "$ND_TMP/x.pcapng"
check_eq "no -i, two interfaces: exit 2" 2 "$ND_RC" "$(nd_excerpt "$ND_TMP/ambiguous.err")"
check_clean "no -i, two interfaces: stderr" "$ND_TMP/ambiguous.err"
check_grep "no -i, two interfaces: both listed" "$ND_TMP/ambiguous.err" "ndtq$ND_SUF, \\?\\[1;31mRED"

nd_run capture --netns "$NS" -i "$RED" --duration 0.3 -w "$ND_TMP/red.pcapng"
check_eq "-i ESC[1;31mRED: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/capture.err")"
check_clean "-i ESC[1;31mRED: stderr" "$ND_TMP/capture.err"
check_grep "-i ESC[1;31mRED: 'listening on' names it, cleaned" "$ND_TMP/capture.err" \
	"^nsdump: listening on \\?\\[1;31mRED in netns $NS,"
check_eq "-i ESC[1;31mRED: if_name in the file, cleaned" "$NS/$SHOWN" \
	"$(capinfos -I "$ND_TMP/red.pcapng" 2>/dev/null | sed -n 's/^ *Name = //p' | head -1)"

# A process that gave itself a name a terminal would act on (set the window title, clear
# the screen). It stays bash (a builtin read), so the name stays.
mkfifo "$ND_TMP/hold"
# shellcheck disable=SC2016 # expanded by the inner bash
ip netns exec "$NS" bash -c 'printf "\033]0;owned\a\033[2J" >/proc/self/comm && read -r -t 300 _ <>"$0"' "$ND_TMP/hold" &
P=$!
nd_track_pid "$P"
for i in $(seq 1 1500); do # 30 s at most
	[ "$(cat "/proc/$P/comm" 2>/dev/null)" = $'\e]0;owned\a\e[2J' ] && break
	sleep 0.02
done
if [ "$(cat "/proc/$P/comm" 2>/dev/null)" != $'\e]0;owned\a\e[2J' ]; then
	not_ok "a process named ESC]0;owned BEL ESC[2J" "comm is '$(cat -v "/proc/$P/comm" 2>/dev/null)' (i=$i)"
	nd_finish
fi
COMM_SHOWN='?]0;owned??[2J'

nd_run pnosuch --pid "$P" -i nosuch -w "$ND_TMP/x.pcapng"
check_eq "--pid (escape name) -i nosuch: exit 2" 2 "$ND_RC" "$(nd_excerpt "$ND_TMP/pnosuch.err")"
check_clean "--pid (escape name) -i nosuch: stderr" "$ND_TMP/pnosuch.err"
check_grep "--pid (escape name) -i nosuch: the process name is shown, cleaned" "$ND_TMP/pnosuch.err" \
	"^nsdump: PID $P \\(\\?\\]0;owned\\?\\?\\[2J\\): no interface 'nosuch'"

nd_run pcap --pid "$P" -i lo --duration 0.3 -v -w "$ND_TMP/p.pcapng"
check_eq "--pid (escape name): exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/pcap.err")"
check_clean "--pid (escape name): stderr" "$ND_TMP/pcap.err"
check_grep "--pid (escape name): 'listening on' shows the name cleaned" "$ND_TMP/pcap.err" \
	"^nsdump: listening on lo in PID $P \\(\\?\\]0;owned\\?\\?\\[2J\\),"
check_eq "--pid (escape name): if_description names the process, cleaned" \
	"PID $P ($COMM_SHOWN); netns" \
	"$(capinfos -I "$ND_TMP/p.pcapng" 2>/dev/null | sed -n 's/^ *Description = \(.*; netns\).*/\1/p' | head -1)"

nd_finish
