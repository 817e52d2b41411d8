#!/usr/bin/env bash
# Puts a libmnl.a in OUTDIR for `make static`. Debian 12's libmnl-dev ships no static archive
# and this machine's mirror serves no source tarballs (apt-get source: 404), but Debian 13's
# libmnl-dev (1.0.5-3) ships libmnl.a: it is taken from that package, fetched from the Debian
# mirror's pool and checked against the SHA-256 below, without installing it. libmnl 1.0.5
# keeps every function and structure of 1.0.4 (the headers nsdump compiles against), and its
# archive needs nothing newer from glibc than Debian 12 has (checked with nm: socket calls,
# malloc, string functions, __fprintf_chk).
#   scripts/static-libmnl.sh OUTDIR [CC]
#   LIBMNL_SRC=DIR|TARBALL scripts/static-libmnl.sh OUTDIR CC   build from a libmnl source instead
#   LIBMNL_DEB=URL LIBMNL_DEB_SHA256=HEX ...                     another package (other arches)
set -euo pipefail
out=${1:?usage: static-libmnl.sh OUTDIR [CC]}
cc=${2:-cc}
mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
deb_url=${LIBMNL_DEB:-${mirror:-http://deb.debian.org/debian}/pool/main/libm/libmnl/libmnl-dev_1.0.5-3_amd64.deb}
deb_sha=${LIBMNL_DEB_SHA256:-7f9a7c3f470ec400171981816df189ec86b11083c3f8d391d0800ed09a87bfc3}

if [ -f "$out/libmnl.a" ]; then
	exit 0
fi
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/nsdump-libmnl.XXXXXX")
trap 'rm -rf "$work"' EXIT

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
	# src/internal.h includes configure's config.h, which only says whether to mark the
	# exported functions visible; in a static archive every function is, so an empty one does.
	: >"$work/config.h"
	objs=()
	for c in "$dir"/src/*.c; do
		o=$work/$(basename "$c" .c).o
		"$cc" -O2 -fPIE -I"$work" -I"$dir/include" -I"$dir/src" -c -o "$o" "$c"
		objs+=("$o")
	done
	ar rcs "$out/libmnl.a.tmp" "${objs[@]}"
	mv "$out/libmnl.a.tmp" "$out/libmnl.a"
	echo "static-libmnl: built $out/libmnl.a from $LIBMNL_SRC"
	exit 0
fi

if [ "$deb_sha" = 7f9a7c3f470ec400171981816df189ec86b11083c3f8d391d0800ed09a87bfc3 ] &&
	[ "$(dpkg --print-architecture)" != amd64 ]; then
	echo "static-libmnl: the pinned libmnl-dev package is amd64's; set LIBMNL_DEB and LIBMNL_DEB_SHA256 (or LIBMNL_SRC) for $(dpkg --print-architecture)" >&2
	exit 1
fi
if ! curl -fsS --max-time 60 -o "$work/libmnl-dev.deb" "$deb_url" 2>"$work/curl.err"; then
	echo "static-libmnl: cannot fetch $deb_url: $(head -c 200 "$work/curl.err")" >&2
	exit 1
fi
got=$(sha256sum "$work/libmnl-dev.deb" | cut -d' ' -f1)
if [ "$got" != "$deb_sha" ]; then
	echo "static-libmnl: $deb_url has SHA-256 $got, not the expected $deb_sha" >&2
	exit 1
fi
dpkg-deb -x "$work/libmnl-dev.deb" "$work/x"
a=$(find "$work/x" -name libmnl.a | head -n 1)
if [ -z "$a" ]; then
	echo "static-libmnl: $deb_url holds no libmnl.a" >&2
	exit 1
fi
cp "$a" "$out/libmnl.a.tmp"
mv "$out/libmnl.a.tmp" "$out/libmnl.a"
echo "static-libmnl: $out/libmnl.a from Debian's $(basename "$deb_url")"
