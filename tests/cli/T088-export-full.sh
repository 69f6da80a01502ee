#!/bin/bash
# The full export: everything tidings knows as one JSON document, restored
# by import --json into an empty database and exported again to the same
# bytes; a restore refuses a database that holds something, and a damaged
# export restores nothing.  tidings backup copies the database while
# another tidings writes it.
. "$(dirname "$0")/../lib.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"

export TIDINGS_NOW=2026-03-25T12:00:00Z
demo=$TEST_DIR/demo
"$TIDINGS" demo --dir "$demo" >/dev/null 2>&1 || bail_out "the demo failed"
db=$demo/tidings.db
t() { run "$TIDINGS" --config "$demo/tidings.conf" "$@"; }
q() { sqlite3 "$1" "$2"; }

# The demo's team, members, check-in, prompts and answers; and a
# subscriber, availability, a meeting, a digest and a comment on it.
export TIDINGS_NOW=2026-03-26T12:00:00Z
t subscriber add lead@example.org --team demo
t avail set jonas@demo.example 'ooo 2026-04-01..2026-04-03'
t meet --team demo --title Sync
t digest --team demo --send
q "$db" "INSERT INTO digests (team_id, period_start, period_end, message_id,
	created_at) VALUES (1, 1774000000, 1774500000, 'digest-x@demo.example', 1774500000);
	INSERT INTO comments (answer_id, digest_id, message, person_id, text, created_at)
	SELECT a.id, d.id, a.message, 2, 'Nice work', 1774500100
	FROM answers a, digests d LIMIT 1"
for table in teams people memberships checkins questions prompts messages \
    messages_raw answers digests comments subscriptions availability \
    meetings attendees outbox; do
	[ "$(q "$db" "SELECT count(*) FROM $table")" -gt 0 ] ||
		bail_out "the demo left $table empty"
done

run "$TIDINGS" --db "$db" export --full
expect_rc 0 "export --full"
cp "$TEST_DIR/out" "$TEST_DIR/first.json"
if command -v python3 >/dev/null; then
	python3 - "$TEST_DIR/first.json" >"$TEST_DIR/tables" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["tidings"] == "export" and doc["version"] == 1
for name, rows in doc["tables"].items():
    print(name, len(rows))
PY
	ok $? "the export is one JSON document"
	for table in teams people memberships checkins questions prompts \
	    answers comments subscriptions availability meetings attendees \
	    messages messages_raw digests outbox; do
		grep -q "^$table [1-9]" "$TEST_DIR/tables"
		ok $? "it holds the $table"
	done
fi
expect_grep "$TEST_DIR/first.json" '"raw":\{"base64":"' "mail as received, in base64"
# Every table of the schema is in the export, but for what a restore
# makes anew (the search index) or need not keep (the hourly reply
# counts, and which tidings run are running and what they hold): a table
# added by a migration must be added to the export too.
q "$db" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
	AND name NOT LIKE 'messages_fts%' AND name NOT IN ('reply_counts', 'processes', 'leases')" | LC_ALL=C sort >"$TEST_DIR/schema.tables"
if [ -s "$TEST_DIR/tables" ]; then
	cut -d' ' -f1 "$TEST_DIR/tables" | LC_ALL=C sort >"$TEST_DIR/export.tables"
	cmp -s "$TEST_DIR/schema.tables" "$TEST_DIR/export.tables"
	ok $? "every table of the schema is exported (src/store-export.c)" ||
		diff "$TEST_DIR/schema.tables" "$TEST_DIR/export.tables" | sed 's/^/# /'
fi

fresh=$TEST_DIR/fresh.db
run "$TIDINGS" --db "$fresh" import --json "$TEST_DIR/first.json"
expect_rc 0 "import --json into a new database"
expect_grep out "^[0-9]+ rows restored from " "says how many rows"
run "$TIDINGS" --db "$fresh" export --full
cmp -s "$TEST_DIR/out" "$TEST_DIR/first.json"
ok $? "exported again: the same bytes" ||
	diff "$TEST_DIR/first.json" "$TEST_DIR/out" | head -10 | sed 's/^/# /'
run "$TIDINGS" --db "$fresh" team show demo
expect_grep out "priya@demo.example" "the restored team has its members"
run "$TIDINGS" --db "$fresh" search blocked
expect_rc 0 "search in the restored database"
[ -s "$TEST_DIR/out" ] && ! grep -q "no mail matches" "$TEST_DIR/out"
ok $? "its search index is rebuilt"

run "$TIDINGS" --db "$fresh" import --json "$TEST_DIR/first.json"
expect_rc 73 "a restore into a database that holds something: exit 73"
expect_grep err "is not empty \(teams: 1, people: [0-9]+, mails: [0-9]+\).*new database" \
	"says what it holds and what to do"

printf '{"hello": "world"}\n' >"$TEST_DIR/other.json"
run "$TIDINGS" --db "$TEST_DIR/other.db" import --json "$TEST_DIR/other.json"
expect_rc 65 "a JSON file that is not an export: exit 65"
expect_grep err "not an export of tidings" "says so"
printf 'not json' >"$TEST_DIR/bad.json"
run "$TIDINGS" --db "$TEST_DIR/other.db" import --json "$TEST_DIR/bad.json"
expect_rc 65 "a file that is not JSON: exit 65"
run "$TIDINGS" --db "$TEST_DIR/other.db" import --json "$TEST_DIR/missing.json"
expect_rc 66 "a missing file: exit 66"
sed 's/"subject_key":/"subject_kee":/' "$TEST_DIR/first.json" >"$TEST_DIR/damaged.json"
run "$TIDINGS" --db "$TEST_DIR/damaged.db" import --json "$TEST_DIR/damaged.json"
expect_rc 65 "an export with an unknown column: exit 65"
expect_grep err "threads: .*no column \"subject_kee\"" "names the table and column"
[ "$(q "$TEST_DIR/damaged.db" "SELECT count(*) FROM teams")" = 0 ]
ok $? "and restores nothing of it"
sed 's/"team_id":1,"person_id":4/"team_id":9,"person_id":4/' "$TEST_DIR/first.json" >"$TEST_DIR/orphan.json"
run "$TIDINGS" --db "$TEST_DIR/orphan.db" import --json "$TEST_DIR/orphan.json"
[ "$rc" -ne 0 ] && [ "$(q "$TEST_DIR/orphan.db" "SELECT count(*) FROM teams")" = 0 ]
ok $? "a row that names a team not in the export: nothing restored"
run "$TIDINGS" --db "$db" export --full --team demo
expect_rc 64 "--full with --team: exit 64"

# --- backup --------------------------------------------------------------
run "$TIDINGS" --db "$db" backup "$TEST_DIR/copy.db"
expect_rc 0 "backup"
[ "$(q "$TEST_DIR/copy.db" "PRAGMA integrity_check")" = ok ]
ok $? "the copy is whole"
run "$TIDINGS" --db "$TEST_DIR/copy.db" export --full
cmp -s "$TEST_DIR/out" "$TEST_DIR/first.json"
ok $? "and holds everything"
[ ! -e "$TEST_DIR/copy.db-wal" ] && [ ! -e "$TEST_DIR/copy.db.partial" ]
ok $? "one file, nothing left beside it"
run "$TIDINGS" --db "$db" backup "$TEST_DIR/copy.db"
expect_rc 73 "a backup onto an existing file: exit 73"
expect_grep err "is there already" "says so"

# While another tidings writes: an import of many mails, at a pace that
# leaves the backup time to land in the middle.
gen="$TOP_BUILDDIR/tests/bench/gen-maildir"
if [ -x "$gen" ]; then
	"$gen" "$TEST_DIR/Maildir" 600 || bail_out "cannot generate mail"
	pace="$TEST_DIR/pace.sh"
	printf '#!/bin/sh\ncat >/dev/null\n' >"$pace"
	chmod +x "$pace"
	printf '[tidings]\ndatabase = %s\n[filters]\nexec = %s\n' "$db" "$pace" \
		>"$TEST_DIR/paced.conf"
	before=$(q "$db" "SELECT count(*) FROM messages")
	"$TIDINGS" --config "$TEST_DIR/paced.conf" import --maildir "$TEST_DIR/Maildir" \
		>"$TEST_DIR/import.out" 2>&1 &
	pid=$!
	grown() { [ "$(sqlite3 "$db" "SELECT count(*) FROM messages" 2>/dev/null)" -gt $((before + 50)) ] 2>/dev/null; }
	wait_until 60 grown
	run "$TIDINGS" --db "$db" backup "$TEST_DIR/during.db"
	expect_rc 0 "backup while an import writes"
	kill -0 "$pid" 2>/dev/null
	ok $? "the import was still working"
	wait "$pid"
	ok $? "and finishes"
	[ "$(q "$TEST_DIR/during.db" "PRAGMA integrity_check")" = ok ]
	ok $? "the copy is whole"
	n=$(q "$TEST_DIR/during.db" "SELECT count(*) FROM messages")
	[ "$n" -gt "$before" ] && [ "$n" -lt $((before + 600)) ]
	ok $? "of one moment in the middle ($n mails)"
else
	skip "backup while an import writes" "tests/bench/gen-maildir is not built"
fi

done_testing
