#!/usr/bin/env bash
# `make deb`: builds the Debian package from packaging/debian/ with dpkg-buildpackage, in a
# copy of the source tree (the checkout's own files, untracked ones included, build output
# excluded), so that nothing in the checkout is touched; puts the .deb, .buildinfo and
# .changes into build/deb/.  Needs the packages of scripts/deps.sh (dpkg-dev, debhelper).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

version=$(cat VERSION)
changelog_version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
if [ "$version" != "$changelog_version" ]; then
	echo "mkdeb: VERSION says $version but packaging/debian/changelog says $changelog_version;" \
		"add a changelog entry (dch -v $version)" >&2
	exit 1
fi

work=$(mktemp -d /tmp/nsdump-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
src=$work/nsdump-$version
mkdir "$src"
# git ls-files: what the checkout holds, without build/ and other ignored output.
git ls-files -z -co --exclude-standard | tar -C "$top" --null -T - -cf - | tar -C "$src" -xf -
cp -a packaging/debian "$src/debian"

(cd "$src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
	tail -n 40 "$work/build.log" >&2
	echo "mkdeb: dpkg-buildpackage failed (last lines above)" >&2
	exit 1
}

mkdir -p build/deb
rm -f build/deb/nsdump_* build/deb/nsdump-dbgsym_*
shopt -s nullglob
# The package, its debug symbols (nsdump-dbgsym, made by dh_strip), .buildinfo, .changes.
out=("$work"/nsdump*_"$version"_*.deb "$work"/nsdump_"$version"_*.buildinfo "$work"/nsdump_"$version"_*.changes)
if [ ! -e "$work/nsdump_${version}_$(dpkg-architecture -qDEB_HOST_ARCH).deb" ]; then
	echo "mkdeb: dpkg-buildpackage made no package" >&2
	exit 1
fi
cp "${out[@]}" build/deb/
cp "$work/build.log" build/deb/build.log
ls build/deb/nsdump_*.deb
