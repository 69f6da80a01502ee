#!/bin/bash
# T200: tidings run killed with SIGKILL against the harness's real Dovecot
# and Postfix: twice during the first IMAP sync of 2,000 mails, and twice
# while it sends a team's prompts and a digest to a hundred subscribers.
# Started again, every mail is stored exactly once, none left "new" or
# quarantined, and every prompt and digest copy is in its recipient's
# Maildir exactly once.  The outbox promises at-least-once: a copy the
# server accepted but that was not yet recorded as sent when tidings died
# goes again; the test names each such copy, and there can be one per kill.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"
. "$(dirname "$0")/agent.sh"

reason=$(mailstack_available) || skip_all "$reason"
reason=$(backend_available) || skip_all "$reason"
command -v python3 >/dev/null || skip_all "python3 is not installed"
gen="$TOP_BUILDDIR/tests/bench/gen-maildir"
[ -x "$gen" ] || skip_all "tests/bench/gen-maildir is not built"

agent_stack standup crew subs
agent_config
# Read while the daemon writes: a busy database is no answer.
sql() { backend_sql "$db" "$1" 2>/dev/null; }
count() { sql "SELECT count(*) FROM messages ${1:-}"; }
# daemon [TIME]: tidings run in the background, its clock at TIME; $daemon.
daemon() {
	TIDINGS_NOW=${1:-} "$TIDINGS" --config "$TEST_DIR/tidings.conf" run --foreground \
		>>"$TEST_DIR/run.out" 2>>"$TEST_DIR/run.err" &
	daemon=$!
}
tap_at_exit 'kill -KILL $daemon 2>/dev/null'
kill9() { kill -KILL "$daemon" && wait "$daemon" 2>/dev/null; return 0; }

# --- killed twice during the first sync of 2,000 mails -------------------------
n=2000
maildir="$MAILSTACK_DIR/mail/standup/Maildir"
rm -rf "$maildir"
"$gen" "$maildir" "$n" || bail_out "cannot generate the mailbox"
chown -R vmail:vmail "$maildir"
more_than() { [ "$(count)" -gt "$1" ] 2>/dev/null; }
kills=0
for at in 300 1100; do
	daemon
	wait_until 40 more_than "$at" && kill9 && kills=$((kills + 1))
	diag "tidings run killed with $(count) of $n mails stored, position UID $(sql 'SELECT last_uid FROM sync_state')"
done
[ "$kills" = 2 ] && [ "$(count)" -lt "$n" ]
ok $? "tidings run killed twice during the sync ($(count) of $n stored)"
[ "$(sql 'SELECT last_uid FROM sync_state')" = "$(count)" ]
ok $? "the position stored covers exactly the mail stored"
daemon
all_stored() { [ "$(count)" = "$n" ]; }
wait_until 40 all_stored
ok $? "started again, it stores the rest ($(count) of $n)" || tail -5 "$TEST_DIR/run.err" | sed 's/^/# /'
kill -TERM "$daemon"
wait "$daemon"
ok $? "and stops on SIGTERM"
[ "$(sql 'SELECT count(DISTINCT message_id) FROM messages')" = "$n" ]
ok $? "every mail stored exactly once"
[ "$(count "WHERE state = 'processed'")" = "$n" ]
ok $? "and processed: none left new, none quarantined" ||
	sql "SELECT state, reason, count(*) FROM messages GROUP BY 1, 2" | sed 's/^/# /'
expect_no_grep "$TEST_DIR/run.err" "did not finish|runtime error|Sanitizer" "no unfinished attempt, no sanitizer report"

# --- killed twice while prompts and a digest go out ------------------------------
# Thirty members are asked at 16:30 in Berlin, and the team's digest (a
# notice, nothing was answered yet) goes to a hundred subscribers at the
# same time: 130 mails to send at once, the prompts first.
members=30 subscribers=100
at 2026-03-30T12:00:00Z team add platform --title Platform --zone Europe/Berlin
at 2026-03-30T12:00:00Z team set platform --digest-at 16:30 --digest-days mon-fri --empty notice
at 2026-03-30T12:00:00Z checkin add platform Daily --at 16:30
for i in $(seq 1 $members); do
	TIDINGS_NOW=2026-03-30T12:00:00Z "$TIDINGS" --config "$TEST_DIR/tidings.conf" \
		member add "crew+m$i@$D" --team platform --zone Europe/Berlin >/dev/null 2>"$TEST_DIR/add.err" ||
		bail_out "member add: $(tail -1 "$TEST_DIR/add.err")"
done
for i in $(seq 1 $subscribers); do
	TIDINGS_NOW=2026-03-30T12:00:00Z "$TIDINGS" --config "$TEST_DIR/tidings.conf" \
		subscriber add "subs+s$i@$D" --team platform --confirmed >/dev/null 2>"$TEST_DIR/add.err" ||
		bail_out "subscriber add: $(tail -1 "$TEST_DIR/add.err")"
done
[ "$(sql "SELECT count(*) FROM subscriptions WHERE state = 'active'")" = $subscribers ]
ok $? "$members members and $subscribers subscribers"

queue_empty() { [ -z "$(find "$MAILSTACK_DIR/postfix/spool/"{maildrop,incoming,active,deferred} -type f 2>/dev/null)" ]; }
sent() { sql "SELECT count(*) FROM outbox WHERE state = 'sent' AND dedupe_key LIKE '$1%'"; }
at_least() { [ "$(sent "$1")" -ge "$2" ] 2>/dev/null; }
: >"$TEST_DIR/unrecorded"
# kill_when KIND N: kills tidings once N mails of KIND are sent, then
# notes what Postfix accepted that tidings had not recorded.
kill_when() {
	wait_until 40 at_least "$1" "$2" && kill9 || return 1
	diag "killed with $(sent prompt:) prompts and $(sent digest:) digest copies recorded as sent"
	wait_until 20 queue_empty || return 1
	copies unrecorded | tee -a "$TEST_DIR/unrecorded" | sed 's/^/# accepted by Postfix, not yet recorded as sent: /'
	[ "$(copies unrecorded | wc -l)" -le 1 ]
}
: >"$TEST_DIR/run.err"
daemon 2026-03-30T14:29:58Z
kill_when prompt: 10
ok $? "killed while the prompts go out; at most one copy accepted but not recorded"
[ "$(sent prompt:)" -lt $members ] || diag "(all prompts were sent before the kill)"
daemon 2026-03-30T14:31:00Z
kill_when digest: 30
ok $? "killed again while the digest goes out; at most one copy accepted but not recorded"
[ "$(sent digest:)" -lt $subscribers ]
ok $? "part of the digest waits ($(sent digest:) of $subscribers copies sent)"
daemon 2026-03-30T14:32:00Z
all_sent() { [ "$(sql "SELECT count(*) FROM outbox WHERE state != 'sent'")" = 0 ]; }
wait_until 40 all_sent && wait_until 20 queue_empty
ok $? "started again, it sends the rest" || tail -5 "$TEST_DIR/run.err" | sed 's/^/# /'
kill -TERM "$daemon"
wait "$daemon"
[ "$(sql "SELECT count(*) FROM prompts")" = $members ] && [ "$(sql "SELECT count(*) FROM digests")" = 1 ]
ok $? "each prompt and the digest made once"

copies tally >"$TEST_DIR/tally"
prompts=$(grep -c " crew+m[0-9]*@" "$TEST_DIR/tally")
digests=$(grep -c " subs+s[0-9]*@$D <digest-" "$TEST_DIR/tally")
[ "$prompts" = $members ] && [ "$digests" = $subscribers ]
ok $? "every member has a prompt ($prompts), every subscriber the digest ($digests)"
# Twice is allowed only for a copy named above: accepted, not yet recorded.
awk '$1 > 1 { print $2, $3 }' "$TEST_DIR/tally" >"$TEST_DIR/twice"
unexplained=$(awk '{ print $2, $3 }' "$TEST_DIR/unrecorded" | sort -u | comm -23 <(sort -u "$TEST_DIR/twice") -)
[ -z "$unexplained" ] && ! awk '$1 > 2' "$TEST_DIR/tally" | grep -q .
ok $? "each exactly once in the Maildirs, but for a copy accepted and not recorded when killed" ||
	sed 's/^/# twice: /' "$TEST_DIR/twice"
[ -s "$TEST_DIR/twice" ] && sed 's/^/# arrived twice, as the at-least-once outbox allows: /' "$TEST_DIR/twice"
expect_no_grep "$TEST_DIR/run.err" "runtime error|Sanitizer" "no sanitizer report"

done_testing
