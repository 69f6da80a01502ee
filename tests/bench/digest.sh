#!/bin/sh
# The digest benchmark (make bench): a team of 1,000 members with 5,000
# answers (one in ten a blocker); prints the seconds digest_build() and
# digest_mail() take for each format.  The target is under a second for
# build and mail together.  Nothing is asserted.
set -u

: "${DIGEST_BENCH:=tests/bench/digest-bench}"
[ -x "$DIGEST_BENCH" ] || { echo "digest benchmark: skipped: $DIGEST_BENCH is not built"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/tidings-bench-digest.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$DIGEST_BENCH" "$work" "${BENCH_MEMBERS:-1000}"
