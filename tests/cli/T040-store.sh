#!/bin/sh
# The database: one from a newer tidings, one damaged, one that belongs to
# another program: each refused with a clear message, none reset.
. "$(dirname "$0")/../lib.sh"

command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"
db="$TEST_DIR/t.db"

run "$TIDINGS" --db "$db" team add web
expect_rc 0 "a new database is created"
v=$(sqlite3 "$db" 'PRAGMA user_version')
[ "$v" -ge 1 ]
ok $? "it has a schema version ($v)"

sqlite3 "$db" "PRAGMA user_version = $((v + 1))"
run "$TIDINGS" --db "$db" team list
expect_rc 78 "a database from a newer tidings: exit 78"
expect_grep err "written by a newer version of tidings.*upgrade tidings" "a newer database: says so"
expect_lines err 1 "a newer database: one line"
[ "$(sqlite3 "$db" 'PRAGMA user_version')" -eq $((v + 1)) ]
ok $? "a newer database: left as it was"
[ "$(sqlite3 "$db" 'SELECT name FROM teams')" = web ]
ok $? "a newer database: its data untouched"

head -c 4096 /dev/urandom >"$TEST_DIR/junk.db"
cp "$TEST_DIR/junk.db" "$TEST_DIR/junk.before"
run "$TIDINGS" --db "$TEST_DIR/junk.db" team list
expect_rc 65 "a file that is not a database: exit 65"
expect_grep err "junk.db" "a damaged database: names the file"
cmp -s "$TEST_DIR/junk.db" "$TEST_DIR/junk.before"
ok $? "a damaged database: never reset"

sqlite3 "$TEST_DIR/other.db" 'CREATE TABLE notes (x)'
run "$TIDINGS" --db "$TEST_DIR/other.db" team list
expect_rc 65 "another program's database: exit 65"
expect_grep err "not one of tidings'" "another program's database: says so"

run "$TIDINGS" --db /proc/version/t.db team list
expect_rc 74 "an impossible path: exit 74"

done_testing
