#!/bin/sh
# An imported archive is history: its answers to known prompts are
# recorded as of the day they were written, and its commands, availability
# and the replies it once got are not replayed; with --process each mail is
# acted on as if it came now.
. "$(dirname "$0")/../lib.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"

printf 'a secret of some length\n' >"$TEST_DIR/secret"
chmod 600 "$TEST_DIR/secret"

# setup NAME: a team with Ana, asked Daily on Thursday 26 March.
setup() {
	cat >"$TEST_DIR/$1.conf" <<-EOF
	[tidings]
	address = standup@example.org
	database = $TEST_DIR/$1.db
	secret-file = $TEST_DIR/secret
	trusted-authserv-ids = mx.example.org
	EOF
	for args in "team add platform" \
	    "member add ana@example.org --team platform --zone UTC" \
	    "checkin add platform Daily"; do
		# shellcheck disable=SC2086
		TIDINGS_NOW=2026-03-26T12:00:00Z "$TIDINGS" \
		    --config "$TEST_DIR/$1.conf" $args >/dev/null 2>&1
	done
	TIDINGS_NOW=2026-03-26T16:30:10Z "$TIDINGS" \
	    --config "$TEST_DIR/$1.conf" prompts --due >/dev/null 2>&1
}
q() { sqlite3 "$TEST_DIR/$1.db" "$2"; }

setup archive
token=$(q archive "SELECT token FROM prompts")
[ -n "$token" ] || bail_out "no prompt was asked"

# The archive: Ana's answer, on time; a command; availability; a stranger
# asking for help.
auth="Authentication-Results: mx.example.org; dmarc=pass header.from=example.org"
cat >"$TEST_DIR/archive.mbox" <<EOF
From ana@example.org Thu Mar 26 17:00:00 2026
From: Ana <ana@example.org>
To: standup+$token@example.org
Subject: Re: Daily
Message-ID: <answer@example.org>
Date: Thu, 26 Mar 2026 17:00:00 +0000

Shipped the billing export.

From ana@example.org Fri Mar 27 08:00:00 2026
From: Ana <ana@example.org>
To: standup+$token@example.org
Subject: Re: Daily
Message-ID: <pause@example.org>
Date: Fri, 27 Mar 2026 08:00:00 +0000

pause until 24 December

From ana@example.org Fri Mar 27 09:00:00 2026
$auth
From: Ana <ana@example.org>
To: standup+availability@example.org
Subject: Availability
Message-ID: <avail@example.org>
Date: Fri, 27 Mar 2026 09:00:00 +0000

ooo 2026-04-20..2026-04-22

From eve@example.net Fri Mar 27 10:00:00 2026
From: Eve <eve@example.net>
To: standup@example.org
Subject: help
Message-ID: <help@example.net>
Date: Fri, 27 Mar 2026 10:00:00 +0000

help
EOF

queued=$(q archive "SELECT count(*) FROM outbox")
TIDINGS_NOW=2026-04-10T12:00:00Z run "$TIDINGS" --config "$TEST_DIR/archive.conf" \
	import --mbox "$TEST_DIR/archive.mbox"
expect_rc 0 "import of an archive"
expect_grep out "^4 mails .* 4 stored" "every mail stored"
[ "$(q archive "SELECT count(*) FROM outbox")" -eq "$queued" ]
ok $? "no mail queued by the import"
[ "$(q archive "SELECT count(*) FROM answers WHERE counted = 1")" -eq 1 ]
ok $? "the answer counted: it came on time, by its Date"
[ "$(q archive "SELECT state FROM prompts")" = answered ]
ok $? "the prompt is answered"
[ "$(q archive "SELECT count(*) FROM availability")" -eq 0 ]
ok $? "the old availability changed nothing"
[ -z "$(q archive "SELECT paused_until FROM people")" ]
ok $? "the old pause changed nothing"
TIDINGS_NOW=2026-04-10T12:00:00Z run "$TIDINGS" --config "$TEST_DIR/archive.conf" \
	show "<pause@example.org>"
expect_grep out "read from an archive: not carried out \(import --process acts on it\)" \
	"show says why the command was not carried out"
TIDINGS_NOW=2026-04-10T12:00:00Z run "$TIDINGS" --config "$TEST_DIR/archive.conf" \
	search billing
expect_grep out "Re: Daily" "the archive is searchable"

# The same archive with --process: acted on as if it came now.
setup live
[ "$(q live "SELECT token FROM prompts")" = "$token" ] || bail_out "another token"
queued=$(q live "SELECT count(*) FROM outbox")
TIDINGS_NOW=2026-04-10T12:00:00Z run "$TIDINGS" --config "$TEST_DIR/live.conf" \
	import --process --mbox "$TEST_DIR/archive.mbox"
expect_rc 0 "import --process"
[ "$(q live "SELECT count(*) FROM outbox")" -gt "$queued" ]
ok $? "--process answers the mail"
[ "$(q live "SELECT count(*) FROM answers WHERE counted = 1")" -eq 0 ]
ok $? "--process: the answer came now, after the close: not counted"
[ "$(q live "SELECT count(*) FROM availability")" -gt 0 ]
ok $? "--process: the availability is taken"
[ -n "$(q live "SELECT paused_until FROM people")" ]
ok $? "--process: the pause is carried out"

done_testing
