#!/usr/bin/env bash
# Static checks: shellcheck on every script, clang-format (.clang-format), cppcheck and
# clang-tidy (.clang-tidy) on the C sources, groff's warnings on the man page. Prints ok/not ok
# lines.
set -u
cd "$(dirname "$0")/.." || exit 1
rc=0
n=0
# One result line per check, counted for the plan at the end.
pass() {
	n=$((n + 1))
	echo "ok - $1"
}
fail() {
	n=$((n + 1))
	echo "not ok - $1"
	indent "$2"
	rc=1
}
indent() { while IFS= read -r line; do printf '#   %s\n' "$line"; done <<<"$1"; }
mapfile -t scripts < <(git ls-files -co --exclude-standard '*.sh' .ci/run packaging/kubectl/kubectl-nsdump \
	packaging/bash-completion/nsdump packaging/debian/config packaging/debian/postinst \
	packaging/debian/postrm | sort -u)
if out=$(shellcheck -x --source-path=SCRIPTDIR "${scripts[@]}" 2>&1); then
	pass "shellcheck (${#scripts[@]} scripts)"
else
	fail "shellcheck" "$out"
fi
if out=$(cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
	--std=c11 --inline-suppr -Iinclude -D_GNU_SOURCE -DND_VERSION='"x"' \
	--suppress=missingIncludeSystem src tests/unit tests/tools tests/fuzz 2>&1); then
	pass "cppcheck"
else
	fail "cppcheck" "$out"
fi
# .clang-format is the house style: the tree is formatted with it, and any difference fails.
mapfile -t csrc < <(git ls-files -co --exclude-standard '*.c' '*.h')
if out=$(clang-format --dry-run --Werror "${csrc[@]}" 2>&1); then
	pass "clang-format (${#csrc[@]} files)"
else
	fail "clang-format: run 'clang-format -i' on the files below" \
		"$(grep -E '(warning|error):' <<<"$out" | cut -d: -f1 | sort -u | head -n 40)"
fi
# The same -I/-D as the build (Makefile), without the hardening and sanitizer flags.
mapfile -t pkgflags < <(pkg-config --cflags libpcap libmnl libcap zlib libseccomp json-c | tr ' ' '\n' | grep -v '^$')
if out=$(clang-tidy --quiet src/*.c -- -std=gnu11 -D_GNU_SOURCE -DND_VERSION='"x"' \
	-DND_GROUP='"nsdump"' -Iinclude "${pkgflags[@]}" 2>&1); then
	pass "clang-tidy"
else
	fail "clang-tidy" "$(grep -E '(warning|error):' <<<"$out")"
fi
# groff -ww: every warning category; any message on stderr is a defect in the roff source.
if out=$(groff -ww -man -Tutf8 docs/nsdump.8 2>&1 >/dev/null) && [ -z "$out" ]; then
	pass "groff -ww docs/nsdump.8"
else
	fail "groff -ww docs/nsdump.8" "$out"
fi
echo "1..$n"
exit $rc
