#!/bin/sh
# Availability from the command line: avail set, list, clear and import,
# who (text and JSON) and overlap, on a fixed clock (Tuesday 1 December
# 2026, 10:00 in Berlin).
. "$(dirname "$0")/../lib.sh"

TIDINGS_NOW=2026-12-01T09:00:00Z; export TIDINGS_NOW
t() { run "$TIDINGS" --db "$TEST_DIR/t.db" "$@"; }
ICS="$TOP_SRCDIR/tests/data/ics"

t team add platform
t member add ana@example.org --team platform --name "Ana Lima" --zone Europe/Berlin
t member add bob@example.org --team platform --name "Bob Stone" --zone America/New_York
t member add priya@example.org --team platform --name "Priya Nair" --zone Asia/Kolkata
expect_rc 0 "three members in three zones"

t avail set ana@example.org 'ooo today..wednesday' 'status at a conference until friday'
expect_rc 0 "avail set: exit 0"
expect_grep out "out of office: Tue 1 Dec 2026 to Wed 2 Dec 2026" "avail set: says what it did"

t avail set bob@example.org 'hours 07:00-15:00' 'ooo 2026-13-01'
expect_rc 65 "a bad date: exit 65"
expect_grep err 'line 2: "ooo 2026-13-01"' "a bad date: names the line"
expect_grep err "nothing was changed" "a bad date: nothing changed"
t member show bob@example.org
expect_grep out "hours:  09:00-17:00" "a bad date: the good line was not carried out either"

t avail import bob@example.org "$ICS/freebusy.ics"
expect_rc 0 "avail import: exit 0"
t avail list bob@example.org
expect_grep out "away  *Sun 2026-12-06 19:00" "avail list: the busy-unavailable period, in Bob's time"
t avail import bob@example.org "$ICS/broken-line.ics"
expect_rc 65 "a broken calendar: exit 65"
expect_grep err 'line 6: "this is not a line"' "a broken calendar: names the line"

t who --team platform
expect_rc 0 "who: exit 0"
expect_grep out "Ana Lima .*Tue 10:00 *away .out of office. *at a conference until Fri 4 Dec *Thu 3 Dec 09:00" "who: Ana away, back Thursday"
expect_grep out "Bob Stone .*Tue 04:00 *off .*Tue 1 Dec 09:00" "who: Bob asleep, working at 09:00"
expect_grep out "Priya Nair .*Tue 14:30 *working .*now" "who: Priya working"
t who --team platform --json
json_ok "$TEST_DIR/out"
ok $? "who --json: one JSON object a line"
expect_grep out '"state":"away"' "who --json: states"

t overlap --team platform --week
expect_rc 0 "overlap: exit 0"
expect_grep out "^Near misses:" "overlap: near misses"
expect_grep out "all but Priya Nair" "overlap: who is missing"
expect_grep out "Bob Stone  *Thu 09:00-" "overlap: in each member's local time"

t avail clear ana@example.org --kind away
expect_grep out "1 blocks cleared" "avail clear: says how many"
t who --team platform
expect_grep out "Ana Lima .*Tue 10:00 *working" "avail clear: Ana working again"

done_testing
