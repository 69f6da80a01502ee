#!/bin/bash
# T215: tidings backup while tidings run syncs a large mailbox from the
# harness's Dovecot: the copy is whole, of one moment in the middle, and
# the daemon is not held up (it goes on and stores every mail once).

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"

reason=$(mailstack_available) || skip_all "$reason"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"

mailstack_add_user standup secret
mailstack_start "$TEST_DIR/mailstack" || bail_out "no mail stack"
maildir="$MAILSTACK_DIR/mail/standup/Maildir"
db="$TEST_DIR/tidings.db"
printf 'secret\n' >"$TEST_DIR/imap-password"
chmod 600 "$TEST_DIR/imap-password"
{
	printf '[tidings]\naddress = standup@%s\ndatabase = %s\n' "$MAIL_DOMAIN" "$db"
	printf '[imap]\nhost = 127.0.0.1\nport = %s\nsecurity = none\n' "$IMAP_PORT"
	printf 'user = standup\npassword-file = %s\ntimeout = 10s\n' "$TEST_DIR/imap-password"
} >"$TEST_DIR/tidings.conf"
count() { sqlite3 -readonly "$1" "SELECT count(*) FROM messages" 2>/dev/null; }

total=3000
mkdir -p "$maildir/new" "$maildir/cur" "$maildir/tmp"
for i in $(seq 1 "$total"); do
	make_mail "$maildir/new/$(printf '%08d' "$i").bulk.$$:2," "bulk-$i@x" "Re: Check-in $i"
done
chown -R vmail:vmail "$maildir"

"$TIDINGS" --config "$TEST_DIR/tidings.conf" run --foreground >/dev/null 2>"$TEST_DIR/run.err" &
daemon=$!
tap_at_exit "kill $daemon 2>/dev/null"
started() { [ "$(count "$db")" -gt 100 ] 2>/dev/null; }
wait_until 60 started || bail_out "the daemon stored nothing"

run "$TIDINGS" --db "$db" backup "$TEST_DIR/copy.db"
expect_rc 0 "backup while tidings run syncs"
kill -0 "$daemon" 2>/dev/null
ok $? "the daemon goes on"
[ "$(sqlite3 -readonly "$TEST_DIR/copy.db" "PRAGMA integrity_check")" = ok ]
ok $? "the copy is whole"
n=$(count "$TEST_DIR/copy.db")
[ "$n" -gt 100 ] && [ "$n" -le "$total" ]
ok $? "the copy holds the mail stored when it was made ($n)"
[ "$(sqlite3 -readonly "$TEST_DIR/copy.db" "SELECT count(*) FROM messages WHERE state = 'new'")" = 0 ]
ok $? "and none half-processed: a moment between two commits"

done_all() { [ "$(count "$db")" = "$total" ]; }
wait_until 300 done_all
ok $? "the daemon stored every mail ($(count "$db") of $total)"
kill -TERM "$daemon"
wait "$daemon"
ok $? "and exits 0 on SIGTERM"
run "$TIDINGS" --db "$TEST_DIR/copy.db" status
expect_rc 0 "the copy opens as a database of tidings"

done_testing
