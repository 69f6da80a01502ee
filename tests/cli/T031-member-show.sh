#!/bin/sh
# tidings member show: the pause and the stated status, as they stand now,
# in the member's time.
. "$(dirname "$0")/../lib.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"

export TIDINGS_NOW=2026-12-01T09:00:00Z	# Tuesday, 10:00 in Berlin
db=$TEST_DIR/t.db
t() { run "$TIDINGS" --db "$db" "$@"; }
t team add platform
t member add ana@example.org --team platform --name "Ana Lima" --zone Europe/Berlin

t member show ana@example.org
expect_grep out "^paused: no$" "not paused"
expect_grep out "^status: none$" "no status"

t avail set ana@example.org 'status at a conference until friday'
t member show ana@example.org
expect_grep out "^status: at a conference \(until the end of Fri 4 Dec 2026\)$" \
	"the status, until the end of the day it names"
t avail set ana@example.org 'status heads down'
t member show ana@example.org
expect_grep out "^status: heads down$" "a status without an end"

# A pause, as the mail command "pause until 24 December" leaves it: the
# start of that day in her zone.
sqlite3 "$db" "UPDATE people SET paused_until = strftime('%s', '2026-12-23T23:00:00Z')"
t member show ana@example.org
expect_grep out "^paused: until Thu 24 Dec 2026 \(no prompts before then; 'resume' ends it\)$" \
	"paused, until when in her time"
TIDINGS_NOW=2026-12-24T09:00:00Z t member show ana@example.org
expect_grep out "^paused: no$" "a pause that is over is no pause"

done_testing
