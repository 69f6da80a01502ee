#!/bin/sh
# Teams and members: the happy path, and each bad value rejected with a
# message naming the value and what is accepted.
. "$(dirname "$0")/../lib.sh"

t() { run "$TIDINGS" --db "$TEST_DIR/t.db" "$@"; }

t team add platform --title "Platform" --zone Europe/Berlin
expect_rc 0 "team add: exit 0"
t team add platform
expect_rc 65 "team add twice: exit 65"
expect_grep err "team 'platform' already exists" "team add twice: says so"

t team add Platform
expect_rc 64 "a bad team name: exit 64"
expect_grep err "'Platform' is not a team name.*lower-case" "a bad team name: names it and what is accepted"

t team add web --zone Mars/Olympus
expect_rc 64 "an unknown team zone: exit 64"
expect_grep err "unknown time zone 'Mars/Olympus'" "an unknown zone: named"
expect_grep err "IANA name like Europe/Berlin" "an unknown zone: what is accepted"

t member add ana@example.org --team platform --name "Ana Lima" \
    --zone America/Sao_Paulo --hours 08:00-16:00 --days mon-thu
expect_rc 0 "member add: exit 0"
t member add RAJ@Example.org --team platform --zone Asia/Kolkata --owner
expect_rc 0 "member add an owner: exit 0"
t member add kim@example.org --team platform --zone America/New_Yrok
expect_rc 64 "member add, a misspelt zone: exit 64"
expect_grep err "did you mean America/New_York" "a misspelt zone: suggests the right one"
t member add kim@example.org --team platform --hours 9-5pm
expect_rc 64 "bad working hours: exit 64"
expect_grep err "'9-5pm' is not a range of working hours.*HH:MM-HH:MM" "bad working hours: named, with the format"
t member add kim@example.org --team platform --days mon-funday
expect_rc 64 "bad workdays: exit 64"
expect_grep err "'mon-funday' is not a set of workdays" "bad workdays: named"
t member add kim@ --team platform
expect_rc 64 "a bad address: exit 64"
expect_grep err "'kim@' is not an e-mail address" "a bad address: named"
t member add kim@example.org --team platform --name "$(printf 'Kim\r\nBcc: eve@example.org')"
expect_rc 64 "a name with CR/LF: refused"
t member add kim@example.org --team nope
expect_rc 65 "member add to an unknown team: exit 65"
expect_grep err "no team 'nope'" "an unknown team: named"
t member show kim@example.org
expect_rc 65 "no half-added member after the failures"
t member add ana@example.org --team platform
expect_rc 65 "member add twice: exit 65"
expect_grep err "already a member" "member add twice: says so"

t member list --team platform
expect_rc 0 "member list: exit 0"
expect_grep out "^ana@example.org +Ana Lima +America/Sao_Paulo +08:00-16:00 +mon-thu +member" "member list: ana with her settings"
expect_grep out "^RAJ@example.org .*Asia/Kolkata +09:00-17:00 +mon-fri +owner" "member list: raj, domain lower-cased, defaults"
t member show raj@EXAMPLE.org
expect_grep out "^email: +RAJ@example.org" "addresses match without regard to case"

t member set ana@example.org --zone Europe/Lisbon --days sun-thu
expect_rc 0 "member set: exit 0"
t member show ana@example.org
expect_grep out "^zone: +Europe/Lisbon" "member show: the new zone"
expect_grep out "^days: +mon-thu,sun" "member show: the new days"
expect_grep out "^now: +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9][0-9]:[0-9][0-9]" "member show: local time now"
t member set ana@example.org --hours 25:00-26:00
expect_rc 64 "member set, bad hours: exit 64"
t member set ana@example.org
expect_rc 64 "member set with nothing to set: exit 64"
t member set zed@example.org --zone UTC
expect_rc 65 "member set, unknown person: exit 65"

t team list
expect_grep out "^platform +2 +Europe/Berlin +Platform" "team list: the team and its size"
t team show platform
expect_grep out "ana@example.org" "team show: lists members"

t team remove platform
expect_rc 65 "team remove with members: refused"
expect_grep err "has 2 members.*--force" "team remove with members: says how"
t member remove raj@example.org --team platform
expect_rc 0 "member remove --team: exit 0"
t team remove platform --force
expect_rc 0 "team remove --force: exit 0"
t team show platform
expect_rc 65 "the team is gone"
t member show ana@example.org
expect_rc 0 "its people stay"
expect_grep out "^teams: +\(none\)" "and belong to no team"
t member remove ana@example.org
expect_rc 0 "member remove without --team: forgets the person"
t member show ana@example.org
expect_rc 65 "the person is gone"

done_testing
