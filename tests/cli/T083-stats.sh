#!/bin/sh
# tidings stats on a history made on a moving clock: two members of a
# daily check-in at 09:00 UTC, asked by "prompts --due" each morning from
# Monday 30 November to Wednesday 9 December 2026, who answer by mail at
# the times below, skip one by mail and are away two days; the figures
# against those worked out by hand, as text, as JSON, and the chart as SVG.
. "$(dirname "$0")/../lib.sh"

command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 is not installed"
cat >"$TEST_DIR/tidings.conf" <<EOF
[tidings]
address = standup@example.org
database = $TEST_DIR/t.db
secret-file = $TEST_DIR/secret
EOF
printf 'a secret of some length\n' >"$TEST_DIR/secret"
chmod 600 "$TEST_DIR/secret"
at() { when=$1; shift; TIDINGS_NOW=$when run "$TIDINGS" --config "$TEST_DIR/tidings.conf" "$@"; }
now() { at 2026-12-09T12:00:00Z "$@"; }

# reply EMAIL WHEN TEXT: EMAIL answers their latest prompt at WHEN.
n=0
reply() {
	n=$((n + 1))
	tok=$(sqlite3 "$TEST_DIR/t.db" "SELECT p.token FROM prompts p JOIN people e ON e.id = p.person_id WHERE e.email = '$1' AND p.state = 'sent' ORDER BY p.due_at DESC LIMIT 1")
	[ -n "$tok" ] || bail_out "no prompt waits for $1 at $2"
	{
		printf 'From: %s\nTo: standup+%s@example.org\n' "$1" "$tok"
		printf 'Subject: Re: Daily\nMessage-ID: <r%d@example.org>\n' "$n"
		printf 'In-Reply-To: <prompt-%s@example.org>\n' "$tok"
		printf 'Date: Mon, 30 Nov 2026 09:00:00 +0000\n\n%s\n' "$3"
	} >"$TEST_DIR/r$n.eml"
	TIDINGS_NOW=$2 "$TIDINGS" --config "$TEST_DIR/tidings.conf" ingest <"$TEST_DIR/r$n.eml" ||
		bail_out "reply $n was not taken"
}
ask() { at "$1" prompts --due; }

at 2026-11-30T08:00:00Z team add platform
at 2026-11-30T08:00:00Z member add ana@example.org --team platform --name "Ana Lima" --zone UTC --hours 09:00-17:00
at 2026-11-30T08:00:00Z member add bob@example.org --team platform --name "Bob Stone" --zone UTC --hours 12:00-20:00
at 2026-11-30T08:00:00Z checkin add platform Daily --question "What did you do?" --at 09:00 --days mon-fri
expect_rc 0 "a team of two and a daily check-in"

# Week 1.  Ana: 30 min, 60 min, skip, 7 h 30 (at 16:30), nothing.
# Bob: 60 min (his hours start at 12:00), nothing, 10 min, away.
ask 2026-11-30T09:01:00Z
reply ana@example.org 2026-11-30T09:30:00Z "Planned the week."
reply bob@example.org 2026-11-30T13:00:00Z "Read the specs."
ask 2026-12-01T09:01:00Z
reply ana@example.org 2026-12-01T10:00:00Z "Wrote the importer."
ask 2026-12-02T09:01:00Z
reply ana@example.org 2026-12-02T09:10:00Z "skip"
reply bob@example.org 2026-12-02T12:10:00Z "Fixed the build."
at 2026-12-02T13:00:00Z avail set bob@example.org 'ooo 2026-12-03..2026-12-04'
expect_rc 0 "Bob is away Thursday and Friday"
ask 2026-12-03T09:01:00Z
reply ana@example.org 2026-12-03T16:30:00Z "Reviewed."
ask 2026-12-04T09:01:00Z
# Week 2.  Ana: 8 h (at 18:00), 20 min, open.  Bob: 30 min, 8 h (at
# 20:30), 0 (at 11:00, before his hours).
ask 2026-12-07T09:01:00Z
reply bob@example.org 2026-12-07T12:30:00Z "Back."
reply ana@example.org 2026-12-07T18:00:00Z "Late one."
ask 2026-12-08T09:01:00Z
reply ana@example.org 2026-12-08T09:20:00Z "Tests."
reply bob@example.org 2026-12-08T20:30:00Z "Release notes."
ask 2026-12-09T09:01:00Z
reply bob@example.org 2026-12-09T11:00:00Z "Early."

now stats --team platform --weeks 2
expect_rc 0 "stats: exit 0"
expect_grep out "^platform, 2 weeks from Mon 30 Nov 2026 \(UTC\): 83% answered \(10 of 12\)" "the team's rate"
expect_grep out "^Ana Lima +5 of 6 +83% +2 +3 +1h 00m +1 +0 " "Ana: 5 of 6, streak 2, longest 3, median 1 h, one skip"
expect_grep out "^Bob Stone +5 of 6 +83% +4 +4 +30m +0 +2 " "Bob: 5 of 6, streak 4, median 30 min, two days away"
expect_grep out "Mon 30 Nov .* 71% +5 of 7 answered, 2 of 2 members" "week 1: 5 of 7"
expect_grep out "Mon 7 Dec .* 100% +5 of 5 answered, 2 of 2 members" "week 2: 5 of 5"
expect_grep out "^Participation per week: $(printf '\342\226\206\342\226\210')$" "a line of bars: 71% and 100%"

now stats --team platform --weeks 2 --json
expect_rc 0 "stats --json: exit 0"
json_ok "$TEST_DIR/out"
ok $? "stats --json: valid JSON"
python3 - "$TEST_DIR/out" <<'EOF' >"$TEST_DIR/json.txt" 2>&1
import json, sys
s = json.load(open(sys.argv[1]))
m = {x["email"]: x for x in s["members"]}
a, b = m["ana@example.org"], m["bob@example.org"]
assert (s["asked"], s["answered"], s["answer_rate"]) == (12, 10, 0.833), s
assert (a["asked"], a["answered"], a["missed"], a["skipped"], a["open"]) == (6, 5, 1, 1, 1), a
# The clock runs on from TIDINGS_NOW while tidings works: a minute's slack.
near = lambda x, want: want <= x < want + 60
assert (a["streak"], a["longest_streak"]) == (2, 3) and near(a["median_response_seconds"], 3600), a
assert (b["asked"], b["answered"], b["away"]) == (6, 5, 2), b
assert (b["streak"], b["longest_streak"]) == (4, 4) and near(b["median_response_seconds"], 1800), b
# No blocker question in this check-in: none opened, none standing.
assert a["blockers_opened"] == 0 and b["blockers_opened"] == 0 and s["longest_open_blocker"] is None
w = s["participation"]
assert [(x["week"], x["asked"], x["answered"], x["members"], x["active"]) for x in w] == \
    [("2026-11-30", 7, 5, 2, 2), ("2026-12-07", 5, 5, 2, 2)], w
print("json ok")
EOF
ok $? "stats --json: the numbers worked out by hand"
sed 's/^/# /' "$TEST_DIR/json.txt"


now stats --team platform --weeks 2 --svg "$TEST_DIR/pulse.svg"
expect_rc 0 "stats --svg: exit 0"
python3 - "$TEST_DIR/pulse.svg" <<'EOF' >"$TEST_DIR/svg.txt" 2>&1
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
assert root.tag == ns + "svg", root.tag
bars = [r for r in root.iter(ns + "rect") if r.get("fill") == "#3b7dd8"]
assert [int(r.get("height")) for r in bars] == [86, 120], [r.attrib for r in bars]
texts = [t.text for t in root.iter(ns + "text")]
assert "71%" in texts and "100%" in texts and "30 Nov" in texts and "7 Dec" in texts, texts
print("svg ok")
EOF
ok $? "stats --svg: well-formed SVG, a bar of 71% and one of 100%"
sed 's/^/# /' "$TEST_DIR/svg.txt"
expect_grep out "Ana Lima" "stats --svg FILE still prints the table"
now stats --team platform --weeks 2 --svg -
expect_grep out "^<svg xmlns" "stats --svg -: the SVG on standard output"
now stats --team platform --svg "$TEST_DIR/no/such/dir/pulse.svg"
expect_rc 73 "stats --svg into a missing directory: exit 73"
expect_grep err "no/such/dir/pulse.svg" "names the file"

now stats --team platform --weeks 0
expect_rc 64 "--weeks 0: exit 64"
expect_grep err "--weeks takes a number from 1 to" "says what --weeks takes"
now stats --team nosuch
expect_rc 65 "an unknown team: exit 65"
now stats
expect_rc 64 "without --team: exit 64"

done_testing
