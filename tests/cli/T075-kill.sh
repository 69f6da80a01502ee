#!/bin/bash
# T075: tidings killed with SIGKILL, which no handler sees: during an
# import of the generated corpus, twice, and as the mail delivery agent
# between keeping a mail and processing it.  Run again, every mail is
# stored exactly once and processed; none is left "new" or wrongly
# quarantined.  A mail on which tidings died three times is quarantined,
# so that one bad mail cannot crash every delivery.

. "$(dirname "$0")/../lib.sh"

command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"
gen="$TOP_BUILDDIR/tests/bench/gen-maildir"
[ -x "$gen" ] || skip_all "tests/bench/gen-maildir is not built"

db="$TEST_DIR/t.db"
sql() { sqlite3 -readonly "$db" "$1" 2>/dev/null; }
count() { sql "SELECT count(*) FROM messages ${1:-}"; }
more_than() { [ "$(count)" -gt "$1" ] 2>/dev/null; }

# --- import ------------------------------------------------------------------
n=2000
"$gen" "$TEST_DIR/Maildir" "$n" || bail_out "cannot generate the corpus"
kills=0
# The killed runs go at a pace that leaves the kill time to land in the
# middle, however fast the machine: an exec filter (a process for each
# mail) runs before each is stored, and past the batch that takes the
# count beyond AT it waits for the test, so that a killed run can never
# have finished.  The import commits every 500 mails, and each run filters
# every mail (those already stored too): the first run waits after 550
# (500 stored), the second after 1550 (1500 stored, whatever the first
# stored).  The run after them is a plain import, on the worker threads.
pace="$TEST_DIR/pace.sh"
cat >"$pace" <<EOF
#!/bin/sh
cat >/dev/null
echo x >>"$TEST_DIR/paced.n"
[ "\$(wc -l <"$TEST_DIR/paced.n")" -lt "\$(cat "$TEST_DIR/paced.limit")" ] && exit 0
while [ ! -e "$TEST_DIR/paced.go" ]; do sleep 0.05; done
exit 0
EOF
chmod +x "$pace"
printf '[tidings]\ndatabase = %s\n[filters]\nexec = %s\n' "$db" "$pace" \
	>"$TEST_DIR/paced.conf"
for at in 400 1200; do
	rm -f "$TEST_DIR/paced.n" "$TEST_DIR/paced.go"
	echo $(((at / 500 + 1) * 500 + 50)) >"$TEST_DIR/paced.limit"
	"$TIDINGS" --config "$TEST_DIR/paced.conf" import --maildir "$TEST_DIR/Maildir" >"$TEST_DIR/import.out" 2>&1 &
	pid=$!
	if wait_until 120 more_than "$at" && kill -KILL "$pid" 2>/dev/null; then
		kills=$((kills + 1))
	fi
	wait "$pid" 2>/dev/null
	touch "$TEST_DIR/paced.go"	# the filters left waiting end
	diag "import killed with $(count) of $n mails stored"
done
[ "$kills" = 2 ] && [ "$(count)" -lt "$n" ]
ok $? "import killed twice in the middle ($(count) of $n stored)"
run "$TIDINGS" --db "$db" import --maildir "$TEST_DIR/Maildir"
expect_rc 0 "the import run again: exit 0"
expect_grep out "^$n mails .*, 0 quarantined" "it quarantines nothing"
[ "$(count)" = "$n" ] && [ "$(sql 'SELECT count(DISTINCT message_id) FROM messages')" = "$n" ]
ok $? "every mail stored exactly once ($(count) rows, $n mails)"
[ "$(count "WHERE state = 'processed'")" = "$n" ]
ok $? "and processed: none left new, none quarantined" ||
	sql "SELECT state, count(*) FROM messages GROUP BY state" | sed 's/^/# /'
[ "$(sql 'SELECT count(*) FROM messages_raw')" = "$n" ]
ok $? "each with its raw mail"

# --- the MDA, killed between keeping a mail and processing it ---------------
# The exec filter runs between the two: it says it started, then waits for
# the test's go-ahead.  tidings is killed while it waits.
filter="$TEST_DIR/filter.sh"
cat >"$filter" <<EOF
#!/bin/sh
cat >/dev/null
echo \$\$ >>"$TEST_DIR/filter.pids"
while [ ! -e "$TEST_DIR/go" ]; do sleep 0.05; done
exit 0
EOF
chmod +x "$filter"
printf '[tidings]\naddress = standup@example.org\ndatabase = %s\n[filters]\nexec = %s\n' \
	"$TEST_DIR/mda.db" "$filter" >"$TEST_DIR/mda.conf"
db="$TEST_DIR/mda.db"
# filter_waits [N]: N filters (1) have started and wait.
filter_waits() { [ "$(cat "$TEST_DIR/filter.pids" 2>/dev/null | wc -l)" -ge "${1:-1}" ]; }
# killed_in_filter FILE: an MDA run on FILE killed while its filter runs.
killed_in_filter() {
	local pid
	rm -f "$TEST_DIR/go" "$TEST_DIR/filter.pids"
	"$TIDINGS" --config "$TEST_DIR/mda.conf" ingest <"$1" >/dev/null 2>&1 &
	pid=$!
	wait_until 20 filter_waits || { kill -KILL "$pid"; wait "$pid"; return 1; }
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	# The orphaned filter ends by itself on the go-ahead.
	touch "$TEST_DIR/go"
	return 0
}
mda() { run "$TIDINGS" --config "$TEST_DIR/mda.conf" ingest <"$1"; }

make_mail "$TEST_DIR/a.eml" "killed-once@example.org" "Re: Check-in"
killed_in_filter "$TEST_DIR/a.eml"
ok $? "the MDA is killed while the filters run"
[ "$(count "WHERE message_id = 'killed-once@example.org' AND state = 'new'")" = 1 ]
ok $? "the mail was kept first, and is left new"
touch "$TEST_DIR/go"
mda "$TEST_DIR/a.eml"
expect_rc 0 "the MTA delivers it again: exit 0"
[ "$(count "WHERE message_id = 'killed-once@example.org'")" = 1 ] &&
	[ "$(count "WHERE message_id = 'killed-once@example.org' AND state = 'processed'")" = 1 ]
ok $? "stored once, and processed, not quarantined" ||
	sql "SELECT id, state, reason FROM messages" | sed 's/^/# /'
expect_grep err "processing it again: 1 earlier attempt did not finish" \
	"it says an earlier attempt did not finish"
expect_no_grep err "quarantin" "and quarantines nothing"

# The same mail delivered twice at once (two addresses of tidings in one
# mail): the second finds it new, and processes it too; whichever records
# its outcome second finds it done, a duplicate.
make_mail "$TEST_DIR/c.eml" "twice-at-once@example.org" "Re: Check-in"
rm -f "$TEST_DIR/go" "$TEST_DIR/filter.pids"
"$TIDINGS" --config "$TEST_DIR/mda.conf" ingest "$TEST_DIR/c.eml" >"$TEST_DIR/c1.out" 2>&1 &
p1=$!
wait_until 20 filter_waits 1
"$TIDINGS" --config "$TEST_DIR/mda.conf" ingest "$TEST_DIR/c.eml" >"$TEST_DIR/c2.out" 2>&1 &
p2=$!
wait_until 20 filter_waits 2
ok $? "the same mail twice at once: both deliveries run the filters"
touch "$TEST_DIR/go"
wait "$p1"; rc1=$?
wait "$p2"; rc2=$?
[ "$rc1$rc2" = 00 ]
ok $? "both exit 0"
cat "$TEST_DIR/c1.out" "$TEST_DIR/c2.out" >"$TEST_DIR/c.out"
grep -q "c.eml: stored" "$TEST_DIR/c.out" && grep -q "c.eml: duplicate" "$TEST_DIR/c.out"
ok $? "one stored it, the other found it a duplicate" || sed 's/^/# /' "$TEST_DIR/c.out"
[ "$(count "WHERE message_id = 'twice-at-once@example.org'")" = 1 ] &&
	[ "$(count "WHERE message_id = 'twice-at-once@example.org' AND state = 'processed'")" = 1 ]
ok $? "one row, processed"

make_mail "$TEST_DIR/b.eml" "killed-thrice@example.org" "Re: Check-in"
for i in 1 2 3; do
	killed_in_filter "$TEST_DIR/b.eml" || break
done
ok $? "the MDA is killed three times on another mail"
[ "$(count "WHERE message_id = 'killed-thrice@example.org' AND state = 'new'")" = 1 ]
ok $? "it is stored once, still new"
mda "$TEST_DIR/b.eml"
expect_rc 0 "the fourth delivery: exit 0 (the mail is kept)"
[ "$(count "WHERE message_id = 'killed-thrice@example.org' AND state = 'quarantined'")" = 1 ]
ok $? "it is quarantined, not processed a fourth time"
expect_grep err "3 attempts to process it did not finish" "the reason says so"
run "$TIDINGS" --config "$TEST_DIR/mda.conf" quarantine
expect_grep out "3 attempts to process it did not finish" "tidings quarantine shows it"
[ "$(count)" = 3 ]
ok $? "three mails, three rows"

done_testing
