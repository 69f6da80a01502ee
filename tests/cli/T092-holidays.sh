#!/bin/sh
# A member's public holidays, from a holiday calendar imported as .ics,
# make them away on those days: not asked, shown away, and asked again the
# next working day.
. "$(dirname "$0")/../lib.sh"

printf 'a secret of some length\n' >"$TEST_DIR/secret"
chmod 600 "$TEST_DIR/secret"
cat >"$TEST_DIR/tidings.conf" <<EOF
[tidings]
address = standup@example.org
database = $TEST_DIR/t.db
secret-file = $TEST_DIR/secret
EOF
t() { run "$TIDINGS" --config "$TEST_DIR/tidings.conf" "$@"; }
export TIDINGS_NOW=2026-12-01T09:00:00Z
t team add platform
t member add ana@example.org --team platform --name "Ana Lima" --zone Europe/Berlin --days mon-sat
t checkin add platform Daily --days mon-sat
t avail import ana@example.org "$TOP_SRCDIR/tests/data/ics/holidays.ics"
expect_rc 0 "a holiday calendar imported"
t avail list ana@example.org
expect_grep out "^away +Fri 2026-12-25 00:00 +Sat 2026-12-26 00:00 .*Christmas Day" \
	"Christmas Day is a day away, in her zone"
expect_no_grep out "New Year's Eve" "an observance is not"

TIDINGS_NOW=2026-12-25T10:00:00Z t who --team platform
expect_grep out "Ana Lima .*away \(Christmas Day\)" "who: away on the holiday"
TIDINGS_NOW=2026-12-25T15:30:10Z t prompts --due
expect_grep out "^0 asked, 1 skipped" "not asked on Christmas Day"
TIDINGS_NOW=2026-12-26T15:30:10Z t prompts --due
expect_grep out "^0 asked, 1 skipped" "nor on the second day of Christmas"
TIDINGS_NOW=2026-12-28T15:30:10Z t prompts --due
expect_grep out "^1 asked, 0 skipped" "asked again on Monday"
TIDINGS_NOW=2026-12-28T16:00:00Z t prompts --since 2026-12-24
expect_grep out "away" "the prompts list says why she was not asked"

done_testing
