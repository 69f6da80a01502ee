#!/bin/sh
# tidings demo: runs without any configuration and leaves a database the
# other commands can read.
. "$(dirname "$0")/../lib.sh"

run "$TIDINGS" --config "$TEST_DIR/does-not-matter.conf" demo --dir "$TEST_DIR/demo"
expect_rc 0 "demo: exit 0, without a configuration"
expect_grep out "4 members in 4 time zones" "demo: a team of four in four zones"
for zone in America/Sao_Paulo Europe/Berlin Asia/Kolkata Australia/Sydney; do
	expect_grep out "$zone .*(working|outside working hours)" "demo: shows local time in $zone"
done
expect_grep out "tidings --db $TEST_DIR/demo/tidings.db team show demo" "demo: says where its database is"

run "$TIDINGS" --db "$TEST_DIR/demo/tidings.db" team show demo
expect_rc 0 "the demo database opens with the other commands"
expect_grep out "^members: 4" "it holds the demo team"

run "$TIDINGS" demo --dir "$TEST_DIR/demo"
expect_rc 73 "demo into a used directory: refused"
expect_grep err "exists" "demo into a used directory: says why"

run "$TIDINGS" demo
expect_rc 0 "demo without --dir: a temporary directory"
db=$(sed -n 's/^  tidings --db \(.*\) team show demo$/\1/p' "$TEST_DIR/out")
test -f "$db"
ok $? "demo without --dir: the database exists ($db)"
rm -rf "$(dirname "$db")"

done_testing
