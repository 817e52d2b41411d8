#!/usr/bin/env bash
# The integration tests' waits (tests/integration/lib.sh): a bounded wait gives up after its
# limit with a "not ok" naming what it waited for, returns at once when its condition holds,
# and each condition is false until the thing it names has happened.  Needs no root and no
# network: files, pipes and processes of its own.
# shellcheck source-path=SCRIPTDIR source=../integration/lib.sh
. "$(dirname "$0")/../integration/lib.sh"
need_cmd tcpdump /usr/bin/python3

# In a subshell, so that the "not ok" it prints is looked at here, not counted.
out=$(
	t0=$(nd_now_ms)
	nd_poll 1 "the moon to turn blue" false
	echo "rc=$? ms=$(($(nd_now_ms) - t0))"
)
check_grep "nd_poll gives up with a not ok naming what it waited for" <(echo "$out") \
	'^not ok - waited for the moon to turn blue \(not within 1 s\)$'
rc=$(echo "$out" | sed -n 's/^rc=\([0-9]*\) .*/\1/p')
ms=$(echo "$out" | sed -n 's/.* ms=\([0-9]*\)$/\1/p')
check_eq "nd_poll returns 1 when it gives up" 1 "$rc"
# A lower bound only: the limit is kept, never cut short (no upper bound: a loaded machine).
check "nd_poll waited its whole limit ($ms ms)" "$([ "${ms:-0}" -ge 1000 ]; echo $?)"

# What the condition saw goes into the message.
# shellcheck disable=SC2317 # called through nd_poll
seen() {
	ND_SEEN="3 of 4"
	return 1
}
out=$(nd_poll 1 "four" seen)
check_grep "nd_poll's message says what the condition saw last" <(echo "$out") \
	'^not ok - waited for four \(not within 1 s; saw 3 of 4\)$'

# A condition that comes true later: no output, status 0.
(
	sleep 0.3 # the stand-in event, not a guess at one
	touch "$ND_TMP/flag"
) &
nd_track_pid $!
out=$(nd_poll 30 "a flag" test -e "$ND_TMP/flag")
check_eq "nd_poll returns 0 once the condition holds" "0:" "$?:$out"

# nd_cond_count: a pcap cut inside its second record is one packet, not two.
pcap_header() { printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x01\x00\x00\x00'; }
pcap_record() { # 60 bytes of frame
	printf '\x01\x00\x00\x00\x00\x00\x00\x00\x3c\x00\x00\x00\x3c\x00\x00\x00'
	head -c 60 /dev/zero
}
f=$ND_TMP/two.pcap
{ pcap_header && pcap_record && pcap_record; } >"$f"
check "nd_cond_count: a file of 2 packets holds 2" "$(nd_cond_count 2 "$f"; echo $?)"
check "nd_cond_count: ... and not 3" "$(! nd_cond_count 3 "$f"; echo $?)"
head -c $((24 + 76 + 40)) "$f" >"$ND_TMP/cut.pcap"
check "nd_cond_count: a file cut inside its second record does not hold 2" \
	"$(! nd_cond_count 2 "$ND_TMP/cut.pcap"; echo $?)"
check "nd_cond_count: no file holds nothing" "$(! nd_cond_count 1 "$ND_TMP/none.pcap"; echo $?)"
mkdir -p "$ND_TMP/rot"
cp "$f" "$ND_TMP/rot/a"
cp "$f" "$ND_TMP/rot/b"
check "nd_dir_total: two files of 2 hold 4" "$(nd_dir_total 4 "$ND_TMP/rot"; echo $?)"
check "nd_dir_total: ... and not 5" "$(! nd_dir_total 5 "$ND_TMP/rot"; echo $?)"

# nd_cond_pipe_full: a writer ahead of a reader that reads nothing.
mkfifo "$ND_TMP/p"
# shellcheck disable=SC2217 # the reader that reads nothing: it only holds the pipe open
sleep 60 <"$ND_TMP/p" &
reader=$!
nd_track_pid "$reader"
exec {w}>"$ND_TMP/p"
check "nd_cond_pipe_full: an empty pipe is not full" "$(! nd_cond_pipe_full $$ "$w"; echo $?)"
head -c 100000 /dev/zero >"$ND_TMP/p" &
writer=$!
nd_track_pid "$writer"
nd_poll 30 "a writer to fill a pipe" nd_cond_pipe_full "$writer" 1
check "nd_cond_pipe_full: the writer of 100000 bytes fills it" "$(nd_cond_pipe_full "$writer" 1; echo $?)"
exec {w}>&-
kill "$writer" "$reader" 2>/dev/null

# nd_cond_gone.
sleep 60 &
p=$!
nd_track_pid "$p"
check "nd_cond_gone: a running process is not gone" "$(! nd_cond_gone "$p"; echo $?)"
kill "$p"
nd_poll 30 "a killed process to end" nd_cond_gone "$p"
check "nd_cond_gone: a killed process is" "$(nd_cond_gone "$p"; echo $?)"

nd_finish
