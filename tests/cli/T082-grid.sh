#!/bin/sh
# tidings overlap --grid: the team's day as one band a member, aligned in
# the viewer's zone, on a fixed clock (Tuesday 1 December 2026, 10:00 in
# Berlin).  Ana (Berlin, deep work 09:00-11:00), Bob (New York) and Priya
# (Kolkata, away on her Wednesday, which starts at 19:30 in Berlin) all
# work 09:00-17:00 in their own zones.  Off a terminal the grid is plain
# ASCII; --color=always draws it as on one, in blocks and colour.  The
# team's around day, whose digest shows the week so, is set and unset.
. "$(dirname "$0")/../lib.sh"

TIDINGS_NOW=2026-12-01T09:00:00Z; export TIDINGS_NOW
t() { run "$TIDINGS" --db "$TEST_DIR/t.db" "$@"; }

t team add platform --zone Europe/Berlin
t member add ana@example.org --team platform --name "Ana Lima" --zone Europe/Berlin
t member add bob@example.org --team platform --name "Bob Stone" --zone America/New_York
t member add priya@example.org --team platform --name "Priya Nair" --zone Asia/Kolkata
t avail set ana@example.org 'deep work mon-fri 09:00-11:00'
t avail set priya@example.org 'ooo 2026-12-02..2026-12-02'
expect_rc 0 "three members in three zones"

t overlap --team platform --grid
expect_rc 0 "overlap --grid: exit 0"
expect_grep out "^Tue 1 Dec 2026 in Europe/Berlin, 30 min a cell$" "the day and the zone it is drawn in"
expect_grep out "^ {19}00 {4}03 {4}06 {4}09 {4}12 {4}15 {4}18 {4}21$" "a ruler of the viewer's hours"
expect_grep out '^Ana Lima {11}\.{18}={4}#{12}\.{14} Europe/Berlin$' "Ana: deep work 09:00-11:00, working to 17:00"
expect_grep out '^Bob Stone {10}\.{30}#{16}\.\. America/New_York$' "Bob: 15:00-23:00 in Berlin"
expect_grep out '^Priya Nair {9}\.{9}#{16}\.{14}x{9} Asia/Kolkata$' "Priya: 04:30-12:30 in Berlin, away from 19:30"
expect_grep out '^everyone {29}~{7} {5}~{4}$' "the near misses: Ana and Priya, then Ana and Bob"
expect_grep out '^# working  \+ busy  = deep work  x away  \. off$' "a legend"
esc=$(printf '\033')
if grep -q "$esc" "$TEST_DIR/out" || LC_ALL=C grep -q "$(printf '\342\226')" "$TEST_DIR/out"; then
	ok 1 "off a terminal: no escape sequence, no block character"
else
	ok 0 "off a terminal: no escape sequence, no block character"
fi

t overlap --team platform --grid --zone Asia/Kolkata
expect_grep out "^Tue 1 Dec 2026 in Asia/Kolkata, 30 min a cell$" "--zone: the viewer's zone"
expect_grep out '^Priya Nair {9}\.{18}#{16}\.{14} Asia/Kolkata$' "--zone: Priya's hours where they are in her zone"

t overlap --team platform --grid --color=always
expect_rc 0 "--color=always: exit 0"
expect_grep out "^Ana Lima .*${esc}\[34m(▓){4}${esc}\[0m${esc}\[32m(█){12}${esc}\[0m" "--color=always: deep work and working in blocks and colour"
expect_grep out "${esc}\[31m(░){9}${esc}\[0m Asia/Kolkata$" "--color=always: away in red"
expect_grep out "${esc}\[33m(△){7}${esc}\[0m" "--color=always: the near misses"

t overlap --team platform --grid --week
expect_rc 0 "--grid --week: exit 0"
expect_grep out "^Tue 1 Dec to Mon 7 Dec 2026 in Europe/Berlin, 3 hours a cell$" "--week: seven days, three hours a cell"
expect_grep out '^ {19}Tue {5}Wed {5}Thu {5}Fri {5}Sat {5}Sun {5}Mon$' "--week: a ruler of days"

# The digest's week at a glance: a team setting, one weekday or none.
t team set platform --around mon
expect_rc 0 "team set --around mon: exit 0"
t team show platform
expect_grep out "^around: +mon \(the digest shows who is around that week\)$" "team show: the around day"
t team set platform --around mon-fri
expect_rc 64 "--around with five days: exit 64"
expect_grep err "not one weekday" "says it takes one weekday"
t team set platform --around none
t team show platform
expect_no_grep out "^around:" "--around none: no around day"

t overlap --team platform --grid --zone Mars/Olympus
expect_rc 64 "an unknown zone: exit 64"
expect_grep err "Mars/Olympus" "names it"
t overlap --team platform --grid --color=sometimes
expect_rc 64 "a bad --color: exit 64"
expect_grep err "auto, always or never" "says what --color takes"
t overlap --team platform --zone UTC
expect_rc 64 "--zone without --grid: exit 64"

done_testing
