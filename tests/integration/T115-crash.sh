#!/bin/bash
# T115: no single mail stops delivery, through the real Postfix and
# Dovecot.  A mail that crashes tidings (an exec filter kills it with
# SIGSEGV while it processes that mail, as a fault in a parser would) sits
# between ordinary ones: delivered by Postfix's pipe transport, Postfix
# keeps it and tries again, and the second attempt quarantines it; synced
# from Dovecot by `tidings run`, the next run quarantines it.  Either way
# the ordinary mails are stored and processed.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"

reason=$(mailstack_available) || skip_all "$reason"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"

mailstack_start "$TEST_DIR/mailstack" || bail_out "no mail stack"
etc="$MAILSTACK_DIR/postfix/etc"

home="$MAILSTACK_DIR/tidings"
mkdir -p "$home"
cp "$TIDINGS" "$home/tidings"
cp "$DATA/filters/crash.sh" "$home/crash.sh"
chmod 755 "$home/crash.sh"
printf '[tidings]\naddress = standup@%s\ndatabase = %s/tidings.db\n[filters]\nexec = %s/crash.sh\n' \
	"$MAIL_DOMAIN" "$home" "$home" >"$home/tidings.conf"
chown -R vmail:vmail "$home"
chmod 755 "$home"

mailstack_postconf -M "tidings/unix=tidings unix - n n - - pipe flags=DR user=vmail argv=/usr/bin/env ASAN_OPTIONS=detect_leaks=0 $home/tidings --config $home/tidings.conf ingest"
printf 'standup@%s tidings:\n' "$MAIL_DOMAIN" >"$etc/tidings_transport"
mailstack_postconf -e "transport_maps = texthash:$etc/tidings_transport" \
	"recipient_delimiter = +" "minimal_backoff_time = 2s" \
	"maximal_backoff_time = 2s" "queue_run_delay = 1s"
mailstack_add_user standup secret

db() { [ -f "$home/tidings.db" ] && sqlite3 -readonly "$home/tidings.db" "$1" 2>/dev/null; }
settled() { [ "$(db "SELECT count(*) FROM messages WHERE state IN ('processed', 'quarantined')")" = "$1" ]; }

# --- the Postfix pipe ----------------------------------------------------------
for m in one bad two; do
	subject="Re: Check-in"
	[ "$m" = bad ] && subject="crash me"
	make_mail "$TEST_DIR/$m.eml" "pipe-$m@$MAIL_DOMAIN" "$subject"
done
mailstack_send "ana@$MAIL_DOMAIN" "standup@$MAIL_DOMAIN" "$TEST_DIR/one.eml" &&
	mailstack_send "ana@$MAIL_DOMAIN" "standup@$MAIL_DOMAIN" "$TEST_DIR/bad.eml" &&
	mailstack_send "ana@$MAIL_DOMAIN" "standup@$MAIL_DOMAIN" "$TEST_DIR/two.eml"
ok $? "Postfix accepts the three mails"
wait_until 60 settled 3
ok $? "all three settle" || { mailstack_logs 40; db "SELECT id, message_id, state, reason FROM messages" | sed 's/^/# /'; }
grep -q "died with signal 11" "$MAILSTACK_DIR"/postfix/*.log 2>/dev/null ||
	mailstack_logs 400 2>/dev/null | grep -q "died with signal 11"
ok $? "the bad mail crashed tidings once, and Postfix kept it"
[ "$(db "SELECT state FROM messages WHERE message_id = 'pipe-bad@$MAIL_DOMAIN'")" = quarantined ]
ok $? "at its next attempt it is quarantined"
db "SELECT reason FROM messages WHERE message_id = 'pipe-bad@$MAIL_DOMAIN'" | grep -q "tidings crashed processing it (signal 11"
ok $? "the reason says tidings crashed on it"
[ "$(db "SELECT count(*) FROM messages WHERE message_id IN ('pipe-one@$MAIL_DOMAIN', 'pipe-two@$MAIL_DOMAIN') AND state = 'processed'")" = 2 ]
ok $? "the ordinary mails around it are processed"
bounced() { mailstack_logs 400 2>/dev/null | grep -q "status=bounced"; }
! bounced
ok $? "nothing bounced back to the sender"

# --- IMAP from Dovecot ------------------------------------------------------
# tidings' own address delivers to the pipe; the mailbox gets mail straight
# into its Maildir, as a delivery to it would.
maildir="$MAILSTACK_DIR/mail/standup/Maildir"
mkdir -p "$maildir/new" "$maildir/cur" "$maildir/tmp"
for i in 1 2 3 4 5; do
	subject="Re: Check-in $i"
	[ "$i" = 3 ] && subject="crash me"
	make_mail "$maildir/new/$(printf '%08d' "$i").crash.$$:2," "imap-$i@x" "$subject"
done
chown -R vmail:vmail "$maildir"
idb="$TEST_DIR/imap.db"
printf 'secret\n' >"$TEST_DIR/imap-password"
chmod 600 "$TEST_DIR/imap-password"
{
	printf '[tidings]\naddress = standup@%s\ndatabase = %s\n' "$MAIL_DOMAIN" "$idb"
	printf '[imap]\nhost = 127.0.0.1\nport = %s\nsecurity = none\n' "$IMAP_PORT"
	printf 'user = standup\npassword-file = %s\ntimeout = 10s\n' "$TEST_DIR/imap-password"
	printf '[filters]\nexec = %s/crash.sh\n' "$home"
} >"$TEST_DIR/imap.conf"
icount() { sqlite3 -readonly "$idb" "SELECT count(*) FROM messages ${1:-}" 2>/dev/null; }
run "$TIDINGS" --config "$TEST_DIR/imap.conf" run --once
[ "$rc" -ne 0 ]
ok $? "the first sync crashes on the third mail (exit $rc)"
run "$TIDINGS" --config "$TEST_DIR/imap.conf" run --once
expect_rc 0 "the next run finishes"
[ "$(icount "WHERE state = 'processed'")" = 4 ] &&
	[ "$(icount "WHERE state = 'quarantined' AND reason LIKE 'tidings crashed%'")" = 1 ]
ok $? "the four ordinary mails processed, the bad one quarantined" ||
	sqlite3 -readonly "$idb" "SELECT id, message_id, state, reason FROM messages" | sed 's/^/# /'
run "$TIDINGS" --config "$TEST_DIR/imap.conf" status
expect_grep out "UID 5" "the position covers all five"
expect_grep out "^quarantine: +1 " "status counts one in quarantine"
run "$TIDINGS" --config "$TEST_DIR/imap.conf" run --once
expect_rc 0 "a third run"
[ "$(icount)" = 5 ]
ok $? "fetches nothing again: five rows"

done_testing
