#!/bin/bash
# Where -w files go, as root (docs/security.md):
# - in a directory others may write to (sticky /tmp), a planted symlink is not followed and a
#   file that is not the invoker's, or that has more than one link, is not reused; rotated
#   files likewise. The kernel's fs.protected_symlinks, protected_regular and
#   protected_hardlinks are turned off here (restored at exit): nsdump must not rely on them.
# - with rotation (-G/-C) every file is created, before the first packet as after it, with
#   the rights the capture loop keeps, in the one directory opened before the drop; a -w whose
#   directory part would vary is refused; a memory bug in the loop cannot create a file
#   outside that directory (Landlock; the test-hook binary tries).
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd useradd userdel setpriv
TESTHOOKS=${NSDUMP}-testhooks
if [ ! -x "$TESTHOOKS" ]; then
	not_ok "$ND_SCRIPT: test-hook binary" "$TESTHOOKS is not an executable file; build it first"
	exit 1
fi
nd_topo 1 77 || nd_finish

ATTACKER="ndtw$ND_SUF"
nd_user_new "$ATTACKER"
a_uid=$(id -u "$ATTACKER")
a_gid=$(id -g "$ATTACKER")
as_attacker() { setpriv --reuid="$a_uid" --regid="$a_gid" --clear-groups -- "$@"; }
nd_sysctl_set fs.protected_symlinks 0 || nd_finish
nd_sysctl_set fs.protected_regular 0 || nd_finish
nd_sysctl_set fs.protected_hardlinks 0 || nd_finish

chmod 755 "$ND_TMP"
shared=$ND_TMP/shared # like /tmp: sticky, world-writable
mkdir -m 1777 "$shared"
priv=$ND_TMP/priv # root's files the attacker can name but not read or write
mkdir -m 711 "$priv"
victim=$priv/victim
echo secret >"$victim"
chmod 600 "$victim"
cp -p "$victim" "$ND_TMP/victim.copy"
# untouched: the victim holds what it held, byte for byte.
untouched() { cmp -s "$victim" "$ND_TMP/victim.copy"; echo $?; }

# ---- a planted symlink, someone else's file, a hard link --------------------

as_attacker ln -s "$victim" "$shared/sym.pcap"
nd_run sym --pid "$TARGET_PID" --duration 0.3 -w "$shared/sym.pcap"
check_eq "symlink planted in a sticky directory: exit 4" 4 "$ND_RC" "$(nd_excerpt "$ND_TMP/sym.err")"
check_one_error_line "symlink: one error line" "$ND_TMP/sym.err"
check_grep "symlink: the message says why" "$ND_TMP/sym.err" "sym.pcap.*symbolic link"
check "symlink: the root-only file it points to is untouched" "$(untouched)"

as_attacker touch "$shared/theirs.pcap"
as_attacker chmod 666 "$shared/theirs.pcap"
nd_run theirs --pid "$TARGET_PID" --duration 0.3 -w "$shared/theirs.pcap"
check_eq "a 0666 file pre-created by another user: exit 4" 4 "$ND_RC" "$(nd_excerpt "$ND_TMP/theirs.err")"
check_one_error_line "their file: one error line" "$ND_TMP/theirs.err"
check_grep "their file: the message names its owner" "$ND_TMP/theirs.err" "theirs.pcap.*belongs to user $a_uid"
check_eq "their file: nothing written into it" 0 "$(stat -c %s "$shared/theirs.pcap")"

as_attacker ln "$victim" "$shared/hard.pcap"
nd_run hard --pid "$TARGET_PID" --duration 0.3 -w "$shared/hard.pcap"
check_eq "a hard link to a root-only file: exit 4" 4 "$ND_RC" "$(nd_excerpt "$ND_TMP/hard.err")"
check_one_error_line "hard link: one error line" "$ND_TMP/hard.err"
check_grep "hard link: the message says why" "$ND_TMP/hard.err" "hard.pcap.*2 links"
check "hard link: the root-only file is untouched" "$(untouched)"

# The invoker's own file there is reused, as before.
echo old >"$shared/mine.pcap"
nd_run mine --pid "$TARGET_PID" --duration 0.3 -w "$shared/mine.pcap"
check_eq "the invoker's own file in a sticky directory: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/mine.err")"
check_eq "their own file is rewritten: a capture of 0 packets" 0 "$(count_capinfos "$shared/mine.pcap")"

# ---- rotated files follow the same rules ----------------------------------

as_attacker ln -s "$victim" "$shared/rot.pcap1"
nd_start_ready rot --pid "$TARGET_PID" -v -C 2k -w "$shared/rot.pcap" udp || nd_finish
nd_send "$NS_A" 10 -s 500 "$SINK_B" || true
nd_wait_exit "$ND_PID" 5
check_eq "rotation onto a planted symlink: exit 4" 4 "$ND_RC" "$(nd_excerpt "$ND_TMP/rot.err")"
check_grep "rotation onto a symlink: the message names the file and why" "$ND_TMP/rot.err" "rot.pcap1.*symbolic link"
check "rotation onto a symlink: the root-only file is untouched" "$(untouched)"
check_eq "rotation onto a symlink: the first file holds its 2 packets" 2 "$(count_capinfos "$shared/rot.pcap")"

# A ring in the sticky directory reuses its own files.
nd_start_ready ring --pid "$TARGET_PID" -v -C 2k -W 2 -w "$shared/ring.pcap" udp || nd_finish
nd_send "$NS_A" 20 -s 500 "$SINK_B" || true
# No count to wait for in a ring that drops its oldest file: the packets are queued to the
# capture when the send returns (the kernel hands a transmitted packet to packet sockets
# inside the send), and SIGINT makes nsdump read them (t_stop.sh).
nd_stop INT
check_eq "-C -W 2 in a sticky directory: exit 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/ring.err")"
check_eq "-C -W 2: two files, root's, mode 600" "root 600 ring.pcap0|root 600 ring.pcap1" \
	"$(find "$shared" -name 'ring.pcap*' -printf '%u %m %f\n' | sort | paste -sd'|')"

# ---- rotation: the rights of the loop, one fixed directory -----------------

# A directory root may write to only with CAP_DAC_OVERRIDE, which the loop does not keep:
# the first file would be created but not the second. Refused before the first packet.
nobody_dir=$ND_TMP/nobody
mkdir -m 755 "$nobody_dir"
chown nobody "$nobody_dir"
nd_run nobody --pid "$TARGET_PID" -v -G 1 --duration 3 -w "$nobody_dir/c-%S.pcapng"
check_eq "-G into a directory root writes only with capabilities: exit 4" 4 "$ND_RC" "$(nd_excerpt "$ND_TMP/nobody.err")"
check_one_error_line "-G, unwritable directory: one error line, before capturing" "$ND_TMP/nobody.err"
check_grep "-G, unwritable directory: the message says why" "$ND_TMP/nobody.err" "cannot create .*nobody/c-[0-9]{2}\\.pcapng: Permission denied \\(with -G or -C, files are created with root.s own rights, without capabilities"
check_eq "-G, unwritable directory: no file created" "" "$(find "$nobody_dir" -type f)"

# The directory part of -w must not change from file to file.
year=$(date +%Y)
mkdir -p "$ND_TMP/$year" "$ND_TMP/pid$TARGET_PID"
nd_run ydir --pid "$TARGET_PID" -G 1 --duration 0.3 -w "$ND_TMP/%Y/x.pcap"
check_eq "-G with a strftime conversion in the directory: exit 2" 2 "$ND_RC" "$(nd_excerpt "$ND_TMP/ydir.err")"
check_one_error_line "strftime in the directory: one error line" "$ND_TMP/ydir.err"
check_grep "strftime in the directory: the message says what to do" "$ND_TMP/ydir.err" "directory.*%Y/x.pcap"
nd_run ndir --pid "$TARGET_PID" -C 1 --duration 0.3 -w "$ND_TMP/%n/x.pcap"
check_eq "-C with %n in the directory: exit 2" 2 "$ND_RC" "$(nd_excerpt "$ND_TMP/ndir.err")"
check_grep "%n in the directory: the message says what to do" "$ND_TMP/ndir.err" "directory.*%n/x.pcap"
mkdir -p "$ND_TMP/slash"
nd_run slash --pid "$TARGET_PID" -G 1 --duration 0.3 -w "$ND_TMP/slash/x-%D.pcap"
check_eq "-G whose conversion makes a '/' (%D): exit 2" 2 "$ND_RC" "$(nd_excerpt "$ND_TMP/slash.err")"
check_eq "-G, %D: nothing created" "" "$(find "$ND_TMP/slash" -mindepth 1)"

# ---- a memory bug in the loop cannot create files elsewhere ------------

# escape TAG HOOK ARG: the test-hook binary rotating into $ND_TMP/rotdir; after the first
# packet the loop tries HOOK with ARG (an absolute name, or one with ".."): refused with
# EACCES by Landlock (seccomp cannot see names), and the capture goes on.
outside=$ND_TMP/outside
mkdir -p "$outside" "$ND_TMP/rotdir"
escape() {
	local tag=$1
	NSDUMP_TEST_HOOK=$2 NSDUMP_TEST_HOOK_ARG=$3 "$TESTHOOKS" --pid "$TARGET_PID" \
		-v -G 60 -w "$ND_TMP/rotdir/r-$tag-%S.pcap" >/dev/null 2>"$ND_TMP/$tag.err" &
	ND_PID=$!
	nd_track_pid "$ND_PID"
	nd_wait_ready "$tag" || return 1
	nd_send "$NS_A" 3 "$SINK_B" || true
	nd_wait_file_grep "$ND_TMP/$tag.err" 'forbidden call returned' 3 "$ND_PID"
	check_grep "$tag: refused with EACCES" "$ND_TMP/$tag.err" 'forbidden call returned -1$'
	nd_stop INT
	check_eq "$tag: the capture goes on, SIGINT exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/$tag.err")"
}
if escape escape create-outside "$outside/escape"; then
	check "the loop cannot create a file outside the output directory by an absolute name" "$([ ! -e "$outside/escape" ]; echo $?)"
	check_grep "-v says what holds rotation to its directory" "$ND_TMP/escape.err" \
		"rotation creates files only in $ND_TMP/rotdir/ \\(seccomp: that directory's descriptor; Landlock ABI [0-9]+: nothing outside it\\)"
fi
if escape dotdot create-outside ../outside/escape2; then
	check "the loop cannot create a file outside the output directory through '..'" "$([ ! -e "$outside/escape2" ]; echo $?)"
fi
echo keep >"$outside/keep"
if escape remove remove-outside "$outside/keep"; then
	check_eq "the loop cannot remove a file outside the output directory" keep "$(cat "$outside/keep" 2>&1)"
fi

# A kernel (or a container runtime's seccomp profile) without Landlock: rotation still works,
# held by seccomp alone, and -v says so.
NOLANDLOCK=${NOLANDLOCK:-$ND_ROOT/build/tools/nolandlock}
if [ -x "$NOLANDLOCK" ]; then
	mkdir -p "$ND_TMP/noll"
	ND_PID=""
	"$NOLANDLOCK" "$NSDUMP" --pid "$TARGET_PID" -v -C 2k -W 2 -w "$ND_TMP/noll/n.pcap" udp \
		>/dev/null 2>"$ND_TMP/noll.err" &
	ND_PID=$!
	nd_track_pid "$ND_PID"
	if nd_wait_ready noll; then
		check_grep "no Landlock: -v says rotation is held by seccomp alone" "$ND_TMP/noll.err" \
			"rotation creates files in $ND_TMP/noll/ \\(seccomp: that directory's descriptor; no Landlock in this kernel"
		nd_send "$NS_A" 20 -s 500 "$SINK_B" || true
		# As for the ring above: queued when the send returns, read at SIGINT.
		nd_stop INT
		check_eq "no Landlock: the ring rotates, SIGINT exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/noll.err")"
		check_eq "no Landlock: two files" "n.pcap0 n.pcap1" "$(find "$ND_TMP/noll" -type f -printf '%f\n' | sort | paste -sd' ')"
	fi
else
	not_ok "$ND_SCRIPT: nolandlock" "$NOLANDLOCK is not an executable file (make build/tools/nolandlock)"
fi

# ---- 64 MiB to a file: writeback as it is written, the page cache let go -----
# Past 8 MiB written, nsdump starts the writeback of its output and drops what is behind from
# the page cache (sync_file_range, posix_fadvise; src/output.c), from inside the loop's
# sandbox: the file must come out whole, and (on a disk, not tmpfs) at most half of it may
# still be in memory at the end, where without it all of it is.
big=$ND_TMP/big.pcap
nbig=45000
if nd_start_ready big --pid "$TARGET_PID" -c "$nbig" -w "$big" udp; then
	nd_send "$NS_A" "$nbig" -s 1400 -r 30000 "$SINK_B" || true
	nd_wait_exit "$ND_PID" 30
	check_eq "64 MiB to a file: -c $nbig exits 0" 0 "$ND_RC" "$(nd_excerpt "$ND_TMP/big.err")"
	# (before anything reads the file back into the page cache)
	if [ "$(stat -f -c %T "$big")" != tmpfs ]; then
		size=$(stat -c %s "$big")
		res=$(fincore -nb -o RES "$big" | tr -d ' ')
		check "64 MiB to a file: at most half of it left in the page cache" \
			"$([ "$((res * 2))" -le "$size" ]; echo $?)" "$res of $size bytes resident"
	fi
	check_eq "64 MiB to a file: all $nbig packets" "$nbig" "$(count_capinfos "$big")"
	# --merge writes its output through the same code, inside a sandbox of its own.
	"$NSDUMP" --merge "$big" -w "$ND_TMP/bigm.pcapng" 2>"$ND_TMP/bigm.err"
	check_eq "--merge of it to a file: exits 0" 0 "$?" "$(nd_excerpt "$ND_TMP/bigm.err")"
	check_eq "--merge of it to a file: all $nbig packets" "$nbig" "$(count_capinfos "$ND_TMP/bigm.pcapng")"
	rm -f "$big" "$ND_TMP/bigm.pcapng"
fi

nd_finish
