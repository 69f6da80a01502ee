#!/bin/sh
# Blockers on the command line: one opened by a reply, listed as text and
# JSON, its team's escalation set (bad values refused), escalated by
# 'prompts --due' once its workdays have passed, and resolved by hand.
. "$(dirname "$0")/../lib.sh"

command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"

cat >"$TEST_DIR/tidings.conf" <<EOF
[tidings]
address = standup@example.org
database = $TEST_DIR/t.db
secret-file = $TEST_DIR/secret
EOF
printf 'a secret of some length\n' >"$TEST_DIR/secret"
chmod 600 "$TEST_DIR/secret"
NOW=2026-03-23T15:30:00Z
t() { TIDINGS_NOW=$NOW run "$TIDINGS" --config "$TEST_DIR/tidings.conf" "$@"; }

t team add platform --title "Platform"
t member add olga@example.org --team platform --owner --name "Olga Berg" --zone Europe/Berlin
t member add ana@example.org --team platform --name "Ana Lima" --zone Europe/Berlin
t checkin add platform Daily
t blockers
expect_rc 0 "blockers with none: exit 0"
expect_grep out "^no open blockers" "says there are none"

t prompts --due
token=$(sqlite3 "$TEST_DIR/t.db" "SELECT token FROM prompts p JOIN people e ON e.id = p.person_id WHERE e.email = 'ana@example.org'")
[ -n "$token" ]
ok $? "Ana was asked on Monday"
cat >"$TEST_DIR/reply.eml" <<EOF
From: Ana Lima <ana@example.org>
To: standup+$token@example.org
Subject: Re: Daily
Message-ID: <ana-1@example.org>
Date: Mon, 23 Mar 2026 17:00:00 +0100

1. The billing export
2. Refunds
3. Waiting for the design review of the export page
EOF
NOW=2026-03-23T16:00:00Z
t ingest <"$TEST_DIR/reply.eml"
expect_rc 0 "her reply is taken"
t blockers
expect_grep out "^1 +platform +Ana Lima +open +Mon 23 Mar +1 +- +Waiting for the design review" "blockers: hers, open"
t blockers --team platform --json
expect_rc 0 "blockers --json: exit 0"
json_ok "$TEST_DIR/out"
ok $? "blockers --json: JSON"
expect_grep out '"history":\[\{"what":"opened","text":"Waiting for the design review of the export page"' "blockers --json: with its history"
t blockers --team nosuch
expect_rc 65 "blockers of an unknown team: exit 65"

t team set platform --escalate-after 2h
expect_rc 64 "--escalate-after in hours: exit 64"
expect_grep err "not a number of workdays" "says what it wants"
t team set platform --escalate-to "not an address"
expect_rc 64 "--escalate-to a bad address: exit 64"
t team show platform
expect_grep out "^blockers: not escalated" "no escalation by default"
t team set platform --escalate-after 2d
expect_rc 0 "--escalate-after 2d"
t team show platform
expect_grep out "^blockers: mailed to the owners after 2 workdays open" "team show: the owners after 2 workdays"

NOW=2026-03-25T15:00:00Z
t prompts --due
expect_no_grep out "escalated" "not escalated before two workdays"
NOW=2026-03-25T16:01:00Z
t prompts --due
expect_grep out "^1 blocker escalated" "escalated after two workdays"
t outbox --json
expect_grep out '"olga@example.org"' "to the owner"
t blockers
expect_grep out "^1 +platform +Ana Lima +escalated" "now escalated"
NOW=2026-03-26T16:01:00Z
t prompts --due
expect_no_grep out "escalated" "not again the next day"

t blocker resolve x
expect_rc 64 "resolve a word: exit 64"
t blocker resolve 7
expect_rc 65 "resolve an unknown blocker: exit 65"
t blocker resolve 1
expect_rc 0 "resolve by hand"
t blocker resolve 1
expect_rc 65 "resolve it again: exit 65"
expect_grep err "resolved already" "says it is resolved already"
t blockers
expect_grep out "^no open blockers" "none open"
t blockers --all
expect_grep out "^1 +platform +Ana Lima +resolved" "--all: the resolved one"

done_testing
