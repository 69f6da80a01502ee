#!/bin/bash
# tidings migrate: the database copied into another, whole, verified by
# each table's rows and the raw mail, and the same export from both; the
# way back; a target that holds something is refused.  With a PostgreSQL
# server (tests/pg.sh), SQLite -> PostgreSQL -> SQLite gives the same
# export.
. "$(dirname "$0")/../lib.sh"

export TIDINGS_NOW=2026-03-25T12:00:00Z
demo=$TEST_DIR/demo
"$TIDINGS" demo --dir "$demo" >/dev/null 2>&1 || bail_out "the demo failed"
db=$demo/tidings.db
run "$TIDINGS" --db "$db" export --full
expect_rc 0 "export --full of the original"
cp "$TEST_DIR/out" "$TEST_DIR/first.json"

run "$TIDINGS" --db "$db" migrate
expect_rc 64 "without --to: exit 64"
expect_grep err "--to TARGET" "says what is missing"

copy=$TEST_DIR/copy.db
run "$TIDINGS" --db "$db" migrate --to "$copy"
expect_rc 0 "migrate --to a new SQLite file"
expect_grep out "^.*copy.db: [0-9]+ rows copied from .*tidings.db" "says how many rows"
expect_grep out "raw mail SHA-256 [0-9a-f]{64} in both" "and that the raw mail is the same"
run "$TIDINGS" --db "$copy" export --full
cmp -s "$TEST_DIR/out" "$TEST_DIR/first.json"
ok $? "the copy exports to the same bytes" ||
	diff "$TEST_DIR/first.json" "$TEST_DIR/out" | head -10 | sed 's/^/# /'
run "$TIDINGS" --db "$copy" search blocked
[ "$rc" = 0 ] && [ -s "$TEST_DIR/out" ] && ! grep -q "no mail matches" "$TEST_DIR/out"
ok $? "the copy's search index is built"

run "$TIDINGS" --db "$db" migrate --to "$copy"
expect_rc 73 "into a database that holds something: exit 73"
expect_grep err "is not empty \(teams: 1, .*a copy goes into a new database only" \
	"says what it holds"
run "$TIDINGS" --db "$db" migrate --to "$db"
expect_rc 64 "into itself: exit 64"

if [ -f "$TOP_SRCDIR/tests/pg.sh" ] && . "$TOP_SRCDIR/tests/pg.sh" &&
    pg_available; then
	pg_start "$TEST_DIR/pg" || bail_out "cannot start PostgreSQL"
	uri=$TIDINGS_PG_URI
	run "$TIDINGS" --db "$db" migrate --to "$uri"
	expect_rc 0 "migrate --to PostgreSQL"
	run "$TIDINGS" --db "$uri" export --full
	cmp -s "$TEST_DIR/out" "$TEST_DIR/first.json"
	ok $? "PostgreSQL exports the same bytes" ||
		diff "$TEST_DIR/first.json" "$TEST_DIR/out" | head -10 | sed 's/^/# /'
	run "$TIDINGS" --db "$uri" migrate --to "$TEST_DIR/back.db"
	expect_rc 0 "and back into SQLite"
	run "$TIDINGS" --db "$TEST_DIR/back.db" export --full
	cmp -s "$TEST_DIR/out" "$TEST_DIR/first.json"
	ok $? "SQLite -> PostgreSQL -> SQLite: the same export" ||
		diff "$TEST_DIR/first.json" "$TEST_DIR/out" | head -10 | sed 's/^/# /'
	run "$TIDINGS" --db "$uri" search blocked
	[ "$rc" = 0 ] && [ -s "$TEST_DIR/out" ] && ! grep -q "no mail matches" "$TEST_DIR/out"
	ok $? "search works on PostgreSQL"
	# The URI in a configuration file: a database, not a path beside it.
	mkdir "$TEST_DIR/etc"
	printf '[tidings]\ndatabase = %s\n' "$uri" >"$TEST_DIR/etc/tidings.conf"
	run "$TIDINGS" --config "$TEST_DIR/etc/tidings.conf" search blocked
	[ "$rc" = 0 ] && grep -qi blocked "$TEST_DIR/out" &&
		[ -z "$(ls "$TEST_DIR/etc" | grep -v '^tidings.conf$')" ]
	st=$?
	ok $st "database = URI in tidings.conf: that database, and no file made"
	[ $st = 0 ] || { cat "$TEST_DIR/out" "$TEST_DIR/err"; ls "$TEST_DIR/etc"; } | sed 's/^/# /'
	# init --db URI DIR: a configuration that names that database.
	fresh=$(pg_createdb fresh)
	run "$TIDINGS" --db "$fresh" init "$TEST_DIR/new"
	expect_rc 0 "init --db URI DIR: exit 0"
	grep -qxF "database = $fresh" "$TEST_DIR/new/tidings.conf" &&
		[ "$(stat -c %a "$TEST_DIR/new/tidings.conf")" = 600 ]
	ok $? "its configuration names the URI, and is of mode 0600"
	run "$TIDINGS" --config "$TEST_DIR/new/tidings.conf" team add ops --zone UTC
	[ "$rc" = 0 ] && [ ! -e "$TEST_DIR/new/tidings.db" ] &&
		[ "$(psql "$fresh" -X -A -t -c "SELECT name FROM teams")" = ops ]
	ok $? "a team added through it is in that PostgreSQL database"
else
	skip "SQLite -> PostgreSQL -> SQLite" "no PostgreSQL server here"
fi

done_testing
