#!/bin/sh
# Urgent mail on the command line: a team's urgent settings (bad values
# refused), who would get an urgent mail now, one taken by the MDA and
# sent to the one member working, escalated by 'prompts --due' after
# --ack-within, and every step shown by 'tidings urgent' as text and JSON.
. "$(dirname "$0")/../lib.sh"

cat >"$TEST_DIR/tidings.conf" <<EOF
[tidings]
address = standup@example.org
database = $TEST_DIR/t.db
secret-file = $TEST_DIR/secret
trusted-authserv-ids = mx.example.org
EOF
printf 'a secret of some length\n' >"$TEST_DIR/secret"
chmod 600 "$TEST_DIR/secret"
# Tuesday 24 March 2026, 11:00 UTC: only Lisbon works.
NOW=2026-03-24T11:00:00Z
t() { TIDINGS_NOW=$NOW run "$TIDINGS" --config "$TEST_DIR/tidings.conf" "$@"; }

t team add support --title "Support"
t member add ana@example.org --team support --name "Ana Lima" --zone Europe/Lisbon
t member add bo@example.org --team support --name "Bo Chen" --zone America/New_York
t member add chen@example.org --team support --name "Chen Wei" --zone Asia/Tokyo
t member add olga@example.org --team support --owner --name "Olga Berg" --zone Pacific/Auckland

t team set support --ack-within 10s
expect_rc 64 "--ack-within under a minute: exit 64"
t team set support --urgent-deep-work maybe
expect_rc 64 "--urgent-deep-work maybe: exit 64"
t team set support --urgent-senders "sam@example.com, not an address"
expect_rc 64 "--urgent-senders with a bad address: exit 64"
t team set support --oncall nobody@example.org
expect_rc 65 "--oncall with a stranger: exit 65"
expect_grep err "nobody@example.org is not a member of support" "says who is not a member"
t team set support --urgent-senders sam@example.com --ack-within 20m --oncall bo@example.org
expect_rc 0 "team set: urgent settings"
t team show support
expect_grep out "^urgent: +acknowledged within 20 min, on call: bo@example.org, also from: sam@example.com" "team show: the urgent settings"

t who --team support
expect_grep out "^An urgent mail now goes to: Ana Lima \(11:00 in Lisbon\)\.$" "who: an urgent mail would go to Ana"
t urgent
expect_rc 0 "urgent with none: exit 0"
expect_grep out "^no urgent mail" "says there is none"

cat >"$TEST_DIR/urgent.eml" <<EOF
Authentication-Results: mx.example.org; dkim=pass header.d=example.com
From: Sam <sam@example.com>
To: standup+urgent-support@example.org
Subject: The shop is down
Message-ID: <u1@example.com>
Date: Tue, 24 Mar 2026 11:00:00 +0000

Checkout answers 500.
EOF
t ingest <"$TEST_DIR/urgent.eml"
expect_rc 0 "the urgent mail is taken"
t urgent
expect_grep out "^1 +support +sam@example.com +open +- +The shop is down" "urgent: open"
expect_grep out "sent +ana@example.org +11:00 in Lisbon" "urgent: sent to Ana, and why"

NOW=2026-03-24T11:19:00Z
t prompts --due
expect_no_grep out "urgent" "not on before --ack-within"
NOW=2026-03-24T11:20:30Z
t prompts --due
expect_grep out "^1 urgent mail sent on" "on after 20 minutes"
t urgent --json
json_ok "$TEST_DIR/out"
ok $? "urgent --json: JSON"
expect_grep out '"what":"sent","email":"bo@example.org"' "to Bo, who starts next"
expect_grep out '"what":"told","email":"sam@example.com"' "Sam is told"
t urgent --team nosuch
expect_rc 65 "urgent of an unknown team: exit 65"

done_testing
