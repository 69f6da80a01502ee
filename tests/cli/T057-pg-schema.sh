#!/bin/bash
# T057: the migrations for PostgreSQL (src/schema/pg/) are the twins of
# SQLite's (src/schema/): one for each, of the same name, listed in
# Makefile.am beside it; on a fresh PostgreSQL cluster every one applies
# in order, each in one transaction; and the schema they make has the
# tables, columns (with their types and NOT NULL) and indexes SQLite's
# make, so that the store's statements find the same names.  A PostgreSQL
# database behaves as the store expects: addresses unique whatever their
# case, the functions of SQLite the store uses, search through the index
# as pg/001-initial.sql describes it.
#
# The migrations are applied with psql here, as the store's migration
# runner does: one transaction per file, its version recorded in
# tidings_schema.

. "$(dirname "$0")/../lib.sh"
. "$TOP_SRCDIR/tests/pg.sh"

schema=$TOP_SRCDIR/src/schema

is() {	# is ACTUAL EXPECTED DESCRIPTION
	[ "$1" = "$2" ]
	ok $? "$3" || diag "got '$1', expected '$2'"
}

names() { (cd "$1" && ls -- [0-9][0-9][0-9]-*.sql); }
names "$schema" >"$TEST_DIR/sqlite.names"
names "$schema/pg" >"$TEST_DIR/pg.names"
diff -u "$TEST_DIR/sqlite.names" "$TEST_DIR/pg.names" >"$TEST_DIR/names.diff"
ok $? "every migration has its PostgreSQL twin, and no other" ||
	sed 's/^/# /' "$TEST_DIR/names.diff"

# The Makefile's two lists name the same migrations, in the same order.
listed() {
	sed -n "/^$1 =/,/^[^[:space:]]/p" "$TOP_SRCDIR/Makefile.am" |
		tr ' \t\\' '\n\n\n' | grep "\.sql$" | sed 's|.*/||'
}
listed SCHEMA_FILES >"$TEST_DIR/sqlite.listed"
listed PG_SCHEMA_FILES >"$TEST_DIR/pg.listed"
cmp -s "$TEST_DIR/sqlite.listed" "$TEST_DIR/sqlite.names" &&
	cmp -s "$TEST_DIR/pg.listed" "$TEST_DIR/pg.names"
ok $? "SCHEMA_FILES and PG_SCHEMA_FILES list every migration"

if ! reason=$(pg_available); then
	skip "the migrations apply on PostgreSQL" "$reason"
	done_testing
fi
pg_start "$TEST_DIR/pg" || bail_out "the PostgreSQL cluster did not start"

pg_psql -c "CREATE TABLE tidings_schema (version integer NOT NULL,
	application text NOT NULL)"
failed=
while read -r f; do
	v=$((10#${f%%-*}))
	if ! pg_psql -1 -f "$schema/pg/$f" \
		-c "INSERT INTO tidings_schema VALUES ($v, 'tidings')" \
		>"$TEST_DIR/apply.out" 2>&1; then
		failed="$f"
		sed 's/^/# /' "$TEST_DIR/apply.out"
		break
	fi
done <"$TEST_DIR/pg.names"
[ -z "$failed" ]
ok $? "every migration applies on a fresh PostgreSQL, in order${failed:+ (not $failed)}"
is "$(pg_psql -c 'SELECT max(version) FROM tidings_schema')" \
	"$(tail -n 1 "$TEST_DIR/pg.names" | sed 's/^0*//; s/-.*//')" \
	"the last version is recorded"

# The same schema in SQLite, from its own migrations.
if command -v sqlite3 >/dev/null; then
	for f in $(cat "$TEST_DIR/sqlite.names"); do
		sqlite3 -bail "$TEST_DIR/s.db" <"$schema/$f" ||
			bail_out "SQLite migration $f failed"
	done
	# table.column type notnull, SQLite's types named as PostgreSQL's.
	sqlite3 "$TEST_DIR/s.db" "SELECT m.name || '.' || p.name || ' ' ||
		lower(p.type) || ' ' || max(p.\"notnull\", p.pk > 0)
		FROM sqlite_schema m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
		AND m.name NOT LIKE 'messages_fts%'" |
		sed 's/ integer / bigint /; s/ real / double precision /;
		    s/ blob / bytea /' | LC_ALL=C sort >"$TEST_DIR/sqlite.columns"
	pg_psql -c "SELECT table_name || '.' || column_name || ' ' ||
		data_type || ' ' || CASE is_nullable WHEN 'NO' THEN 1 ELSE 0 END
		FROM information_schema.columns WHERE table_schema = 'public'
		AND table_name <> 'tidings_schema'" |
		LC_ALL=C sort >"$TEST_DIR/pg.columns"
	diff -u "$TEST_DIR/sqlite.columns" "$TEST_DIR/pg.columns" \
		>"$TEST_DIR/columns.diff"
	ok $? "the same tables and columns, types and NOT NULL as SQLite's" ||
		sed 's/^/# /' "$TEST_DIR/columns.diff"

	# Named indexes; PostgreSQL's own for keys and its search index
	# aside.
	sqlite3 "$TEST_DIR/s.db" "SELECT name FROM sqlite_schema
		WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'" |
		LC_ALL=C sort >"$TEST_DIR/sqlite.indexes"
	pg_psql -c "SELECT indexname FROM pg_indexes
		WHERE schemaname = 'public' AND indexname NOT LIKE '%\_pkey'
		AND indexname NOT LIKE '%\_key' AND indexname <> 'messages_search'" |
		LC_ALL=C sort >"$TEST_DIR/pg.indexes"
	diff -u "$TEST_DIR/sqlite.indexes" "$TEST_DIR/pg.indexes" \
		>"$TEST_DIR/indexes.diff"
	ok $? "the same named indexes as SQLite's" ||
		sed 's/^/# /' "$TEST_DIR/indexes.diff"
else
	skip "the same tables and columns as SQLite's" "sqlite3 is not installed"
	skip "the same named indexes as SQLite's" "sqlite3 is not installed"
fi

# What the store relies on.
pg_psql -c "INSERT INTO people (email, created_at) VALUES
	('Ann@Example.ORG', 1)" >/dev/null
run pg_psql -c "INSERT INTO people (email, created_at) VALUES
	('ann@example.org', 2)"
expect_rc 1 "an address differing only in case is the same person"
expect_grep err "people_email_key" "by its unique key"
is "$(pg_psql -c "SELECT count(*) FROM people
	WHERE email = 'ANN@example.org'")" 1 "an address is found whatever its case"
is "$(pg_psql -c "INSERT INTO reply_counts (sender, hour)
	VALUES ('Bob@x.test', 1) ON CONFLICT (sender, hour) DO NOTHING;
	INSERT INTO reply_counts (sender, hour) VALUES ('bob@X.TEST', 1)
	ON CONFLICT (sender, hour) DO NOTHING;
	SELECT count(*) FROM reply_counts WHERE sender = 'BOB@x.test'")" 1 \
	"a sender's replies are counted whatever the case of the address"

pg_psql -c "INSERT INTO teams (name, created_at) VALUES ('b', 1), ('a', 1)" \
	>/dev/null
is "$(pg_psql -c "SELECT group_concat(name, ', ') FROM
	(SELECT name FROM teams ORDER BY name COLLATE NOCASE) t")" "a, b" \
	"group_concat and COLLATE NOCASE"
is "$(pg_psql -c "SELECT max(2, 5), min(2, 5),
	coalesce(max(1, NULL), -1), max(id) - min(id), sum(id > 0)
	FROM teams")" "5|2|-1|1|2" \
	"max and min of two, beside the aggregates; sum of truths"

# Mail is found by subject, sender (whole, or a part of the address) and
# body once processed, and not before; the search uses the index.
pg_psql -c "INSERT INTO messages (message_id, content_hash, sender,
	subject, body_text, received_at, source, state, date) VALUES
	('<1@x>', 'h1', 'carol.jones@example.net', 'Release plan',
	 'The deploy moved to Thursday.', 1, 'mda', 'processed', 10),
	('<2@x>', 'h2', 'dave@example.net', 'Lunch', 'Thursday lunch?',
	 1, 'mda', 'new', 11),
	('<3@x>', 'h3', 'erin@example.net', 'Out', 'Dropped thursday mail',
	 1, 'mda', 'dropped', 12)" >/dev/null
search() {
	pg_psql -c "SELECT string_agg(m.message_id, ' ' ORDER BY m.id)
		FROM messages m WHERE m.state IN ('processed', 'dropped')
		AND messages_document(m.subject, m.sender, m.body_text)
		@@ websearch_to_tsquery('simple', '$1')"
}
is "$(search 'release')" "<1@x>" "search 'release'"
is "$(search 'carol')" "<1@x>" "search 'carol'"
is "$(search 'carol.jones@example.net')" "<1@x>" "search 'carol.jones@example.net'"
is "$(search 'THURSDAY')" "<1@x> <3@x>" "search 'THURSDAY'"
is "$(search '"moved to thursday" -lunch')" "<1@x>" "search '\"moved to thursday\" -lunch'"
is "$(search 'lunch')" "" "unprocessed mail is not found"
pg_psql -c "UPDATE messages SET state = 'processed' WHERE message_id = '<2@x>'"
is "$(search 'lunch')" "<2@x>" "found once processed"
run pg_psql -c "SET enable_seqscan = off; EXPLAIN SELECT m.id FROM messages m
	WHERE m.state IN ('processed', 'dropped')
	AND messages_document(m.subject, m.sender, m.body_text)
	@@ websearch_to_tsquery('simple', 'plan')"
expect_grep out "messages_search" "the search uses the index"

# Version 14 widened the kinds.
run pg_psql -c "UPDATE messages SET kind = 'list' WHERE id = 1"
expect_rc 0 "a mail may be of the kind 'list'"
run pg_psql -c "UPDATE messages SET kind = 'nonsense' WHERE id = 1"
expect_rc 1 "but not of an unknown kind"

done_testing
