#!/bin/bash
# nsdump(8) (docs/nsdump.8): groff -ww and man -l render it without a warning; every option
# that `nsdump --help` lists is the tag of an item in the page; EXIT STATUS lists exactly the
# exit codes of include/nsdump/err.h; the page's version is VERSION.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
need_cmd groff man
need_binaries
page=$ND_ROOT/docs/nsdump.8

groff -ww -man -Tutf8 "$page" >"$ND_TMP/groff.out" 2>"$ND_TMP/groff.err"
check_eq "groff -ww -man: exit 0" 0 "$?"
check_eq "groff -ww -man: no warning" "" "$(cat "$ND_TMP/groff.err")"
MANWIDTH=80 man --warnings -l "$page" >"$ND_TMP/man.out" 2>"$ND_TMP/man.err"
check_eq "man -l: exit 0" 0 "$?"
check_eq "man --warnings -l: no warning" "" "$(cat "$ND_TMP/man.err")"
check_grep "man -l renders the NAME section" "$ND_TMP/man.out" '^ +nsdump - capture a container'
check_grep "the page's version is VERSION's" "$page" "^\\.TH NSDUMP 8 [0-9-]+ \"nsdump $(cat "$ND_ROOT/VERSION")\""

# The options of --help: on the lines that start (after spaces) with "-", the words that
# look like options in the option column (up to the two spaces before the description).
"$NSDUMP" --help >"$ND_TMP/help.out" 2>&1
check_eq "nsdump --help: exit 0" 0 "$?"
mapfile -t opts < <(grep -E '^ +-' "$ND_TMP/help.out" | sed -E 's/^ +//; s/  .*//' |
	grep -oE '(^|[ ,])--?[A-Za-z][A-Za-z0-9-]*' | sed 's/^[ ,]*//' | sort -u)
check "--help lists at least 40 options (parsed: ${#opts[@]})" "$([ "${#opts[@]}" -ge 40 ]; echo $?)"

# Item tags: the line after each .TP, with roff's \- turned into -.
awk 'prev == ".TP" { print } { prev = $1 }' "$page" | sed 's/\\-/-/g' >"$ND_TMP/tags"
missing=""
for o in "${opts[@]}"; do
	grep -qE -- "(^|[^A-Za-z0-9-])$o([^A-Za-z0-9-]|\$)" "$ND_TMP/tags" || missing="$missing $o"
done
check_eq "every option of --help (${#opts[@]}) is an item of the man page" "" "$missing"

# EXIT STATUS: the codes err.h defines, and no other.
codes=$(sed -n 's/^[[:space:]]*ND_EXIT_[A-Z]* = \([0-9]*\),.*/\1/p' "$ND_ROOT/include/nsdump/err.h" | sort -n | tr '\n' ' ')
check "err.h defines exit codes ($codes)" "$([ -n "$codes" ]; echo $?)"
listed=$(awk '/^\.SH/ { in_es = ($0 ~ /EXIT STATUS/) } in_es && prev == ".TP" && $1 == ".B" { print $2 } { prev = $1 }' \
	"$page" | sort -n | tr '\n' ' ')
check_eq "EXIT STATUS lists exactly the codes of err.h" "$codes" "$listed"
nd_finish
