#!/bin/bash
# A non-root user cannot capture in a root-owned namespace: exit 4, one error
# line, and no output file, even in a directory that user may write to.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
nd_preconditions
need_cmd runuser useradd userdel
nd_topo 1 70 || nd_finish

# A user of our own, unique per run, so concurrent runs cannot remove it
# from under each other; removed again by the EXIT trap.
USER_NAME="ndtu$ND_SUF"
if ! useradd --system --no-create-home --shell /usr/sbin/nologin "$USER_NAME" 2>"$ND_TMP/useradd.err"; then
	nd_skip_all "cannot create user $USER_NAME: $(nd_excerpt "$ND_TMP/useradd.err")"
fi
ND_USERDEL=$USER_NAME

# The user must be able to run the binary: a world-readable copy in a
# world-traversable directory (ND_TMP itself is 0700).
bin_dir=$ND_TMP/bin
out_dir=$ND_TMP/out
mkdir -p "$bin_dir" "$out_dir"
chmod 755 "$ND_TMP" "$bin_dir"
chmod 1777 "$out_dir"
cp "$NSDUMP" "$bin_dir/nsdump"
chmod 755 "$bin_dir/nsdump"

if ! runuser -u "$USER_NAME" -- "$bin_dir/nsdump" --version >/dev/null 2>&1; then
	not_ok "$USER_NAME can execute nsdump at all" "runuser ... --version failed"
	nd_finish
fi

# as_user DESC ARGS...: run nsdump as the user, bounded.
as_user() {
	local desc=$1 f=$out_dir/$2.pcap
	shift 2
	rm -f "$f"
	timeout -s KILL 10 runuser -u "$USER_NAME" -- "$bin_dir/nsdump" "$@" -w "$f" \
		</dev/null >"$ND_TMP/user.out" 2>"$ND_TMP/user.err"
	ND_RC=$?
	check_eq "$desc: exit 4" 4 "$ND_RC" "$(nd_excerpt "$ND_TMP/user.err")"
	check_one_error_line "$desc: one 'nsdump: ' error line" "$ND_TMP/user.err"
	if [ -e "$f" ]; then
		not_ok "$desc: no file written" "$f exists ($(stat -c '%s bytes, owner %U' "$f"))"
	else
		ok "$desc: no file written"
	fi
}

# Traffic flows meanwhile, so a capture that wrongly succeeded would show.
ip netns exec "$NS_A" "$UDPSEND" -f -r 200 "$SINK_B" >"$ND_TMP/bg.out" 2>&1 &
bg=$!
nd_track_pid "$bg"

as_user "non-root --pid" pid --pid "$TARGET_PID"
as_user "non-root --netns NAME" name --netns "$NS_A"
as_user "non-root --netns /proc/PID/ns/net" path --netns "/proc/$TARGET_PID/ns/net"

kill -INT "$bg" 2>/dev/null
nd_wait_exit "$bg" 5

nd_finish
