#!/usr/bin/env bash
# Builds build-static/libmnl/libmnl.a from Debian's own libmnl source package, for `make
# static`: Debian ships no libmnl.a, and nsdump uses libmnl rather than its own netlink code.
#   scripts/static-libmnl.sh OUTDIR CC
#   LIBMNL_SRC=DIR|TARBALL scripts/static-libmnl.sh OUTDIR CC
# LIBMNL_SRC names a libmnl source tree or release tarball to use instead of apt-get source,
# for machines whose mirror serves no source packages (take it from Debian: `apt-get source
# libmnl` or the .orig.tar.bz2 of the version libmnl-dev has, on another machine).
# The source comes through apt (a deb-src entry for the Debian mirror already configured is
# added under /etc/apt/sources.list.d/ when none exists), so it is the version libmnl-dev
# has, with Debian's patches applied by dpkg-source.  Needs root only to add that entry.
set -euo pipefail
out=${1:?usage: static-libmnl.sh OUTDIR CC}
cc=${2:-cc}
src_list=/etc/apt/sources.list.d/nsdump-deb-src.sources

if [ -f "$out/libmnl.a" ]; then
	exit 0
fi
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/nsdump-libmnl.XXXXXX")
trap 'rm -rf "$work"' EXIT
ver=$(dpkg-query -W -f='${Version}' libmnl-dev 2>/dev/null) || {
	echo "static-libmnl: libmnl-dev is not installed (make deps)" >&2
	exit 1
}

if [ -n "${LIBMNL_SRC:-}" ]; then
	dir=""
	if [ -d "$LIBMNL_SRC" ]; then
		dir=$LIBMNL_SRC
	elif [ -f "$LIBMNL_SRC" ] && mkdir -p "$work/src" && tar -C "$work/src" -xf "$LIBMNL_SRC"; then
		dir=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	fi
	if [ -z "$dir" ] || [ ! -f "$dir/src/socket.c" ]; then
		echo "static-libmnl: LIBMNL_SRC=$LIBMNL_SRC holds no libmnl source (src/socket.c)" >&2
		exit 1
	fi
else
	# Any deb-src entry at all?  apt-get source needs one; mirror the binary entry's URIs.
	if ! grep -rqs '^\(Types:.*deb-src\|deb-src \)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		if [ "$(id -u)" -ne 0 ]; then
			echo "static-libmnl: no deb-src entry in apt's sources; run once as root to add one" >&2
			exit 1
		fi
		uri=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
		suite=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
		printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
			"${uri:-http://deb.debian.org/debian}" "$suite" >"$src_list"
		apt-get update -qq
	fi

	# The exact version installed (its headers are the ones nsdump is compiled against).
	if ! (cd "$work" && apt-get source -qq "libmnl=$ver" >"$work/apt.log" 2>&1); then
		sed 's/^/static-libmnl:   /' "$work/apt.log" >&2
		echo "static-libmnl: apt-get source libmnl=$ver failed: Debian's libmnl source is needed (the mirror must serve source packages)" >&2
		exit 1
	fi
	dir=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'libmnl-*' | head -n 1)
	[ -n "$dir" ] || {
		echo "static-libmnl: apt-get source libmnl=$ver unpacked nothing" >&2
		exit 1
	}
fi
# src/internal.h includes configure's config.h, which only tells it whether to mark the
# exported functions visible; in a static archive every function is, so an empty one does.
: >"$work/config.h"
objs=()
for c in "$dir"/src/*.c; do
	o=$work/$(basename "$c" .c).o
	"$cc" -O2 -fPIE -I"$work" -I"$dir/include" -I"$dir/src" -c -o "$o" "$c"
	objs+=("$o")
done
rm -f "$out/libmnl.a.tmp"
ar rcs "$out/libmnl.a.tmp" "${objs[@]}"
mv "$out/libmnl.a.tmp" "$out/libmnl.a"
echo "static-libmnl: built $out/libmnl.a from Debian's libmnl $ver"
