#!/bin/bash
# T058: `tidings parse --json` reads every mail of tests/data and of the
# shared corpora as tests/data/parse-golden.txt records it, so that a
# change in how mail is read is seen and recorded on purpose
# (tests/parse-golden --update), never by accident.

. "$(dirname "$0")/../lib.sh"

command -v python3 >/dev/null || skip_all "python3 is not installed"
command -v sha256sum >/dev/null || skip_all "sha256sum is not installed"

golden=$TOP_SRCDIR/tests/parse-golden
out=$("$golden" "$TIDINGS" "$TOP_SRCDIR" "$SHARED_DIR" 2>&1)
st=$?
printf '%s\n' "$out" | sed 's/^/# /'
ok $st "every mail is read as recorded"
[ -d "$SHARED_DIR/corpus" ] ||
    skip "the corpora are read as recorded" "no $SHARED_DIR/corpus"

# The check can fail: a tree whose record of one mail differs.
mkdir -p "$TEST_DIR/top/tests"
cp -r "$TOP_SRCDIR/tests/data" "$TEST_DIR/top/tests/"
rec=$TEST_DIR/top/tests/data/parse-golden.txt
path=$(grep -v '  corpus/' "$rec" | head -1 | cut -c67-)
sed -i "s|^[0-9a-f]*  $path\$|$(printf '0%.0s' $(seq 64))  $path|" "$rec"
out=$("$golden" "$TIDINGS" "$TEST_DIR/top" "$SHARED_DIR" 2>&1)
st=$?
[ $st -eq 1 ] && [ "$(printf '%s\n' "$out" | grep -c '^differs ')" = 1 ] &&
    printf '%s\n' "$out" | grep -qx "differs $path"
ok $? "a mail read differently is reported"

done_testing
