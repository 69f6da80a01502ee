#!/bin/bash
# T110: tidings as the mail delivery agent of a real Postfix, through the
# pipe(8) transport of contrib/mda/postfix-master.cf: mail sent over SMTP to
# tidings' address (and its +subaddresses) is stored; a busy database, or
# one tidings cannot write, makes Postfix keep the mail and deliver it once
# the database is free.  On PostgreSQL (backend.sh) the server stopped and
# started again does the same.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"
. "$(dirname "$0")/backend.sh"

reason=$(mailstack_available) || skip_all "$reason"
reason=$(backend_available) || skip_all "$reason"

mailstack_start "$TEST_DIR/mailstack" || bail_out "no mail stack"
etc="$MAILSTACK_DIR/postfix/etc"

# tidings runs as the vmail user there, from a copy it can reach.
home="$MAILSTACK_DIR/tidings"
mkdir -p "$home"
cp "$TIDINGS" "$home/tidings"
# On SQLite the file beside the configuration, as the recipe's comment says.
backend_db db "$home/tidings.db"
backend_pg || db=tidings.db
printf '[tidings]\naddress = standup@%s\ndatabase = %s\nbusy-timeout = 1s\n' \
	"$MAIL_DOMAIN" "$db" >"$home/tidings.conf"
chown -R vmail:vmail "$home"
chmod 755 "$home"

# The service exactly as contrib/mda/postfix-master.cf has it (its lines
# that are not comments, the second one a continuation), with this stack's
# user and paths put in, and the sanitizer settings of the test run (the
# pipe passes no environment).
recipe="$TOP_SRCDIR/contrib/mda/postfix-master.cf"
service=$(grep -v '^#' "$recipe" | grep -v '^[[:space:]]*$' | tr -s ' \t\n' ' ' | sed 's/ $//')
case "$service" in
"tidings unix "*" pipe flags=DR user=tidings argv=/usr/local/bin/tidings --config /etc/tidings/tidings.conf ingest")
	ok 0 "contrib/mda/postfix-master.cf holds the tidings service" ;;
*)
	ok 1 "contrib/mda/postfix-master.cf holds the tidings service"
	diag "read: $service" ;;
esac
service=$(printf '%s\n' "$service" | sed \
	-e 's| user=tidings | user=vmail |' \
	-e "s| argv=/usr/local/bin/tidings | argv=/usr/bin/env ASAN_OPTIONS=detect_leaks=0 $home/tidings |" \
	-e "s| /etc/tidings/tidings.conf | $home/tidings.conf |")
mailstack_postconf -M "tidings/unix=$service"
printf 'standup@%s tidings:\n' "$MAIL_DOMAIN" >"$etc/tidings_transport"
mailstack_postconf -e "transport_maps = texthash:$etc/tidings_transport" \
	"recipient_delimiter = +" "minimal_backoff_time = 2s" \
	"maximal_backoff_time = 2s" "queue_run_delay = 1s"
# A mailbox makes the address valid; the transport takes its mail.  Adding
# it reloads Postfix, with the settings above.
mailstack_add_user standup secret

# db SQL: a read-only query, which never creates the file before tidings.
if backend_pg; then
	db() { backend_sql "$TIDINGS_PG_URI" "$1"; }
else
	db() { [ -f "$home/tidings.db" ] && sqlite3 -readonly "$home/tidings.db" "$1"; }
fi

stored() {	# stored N TIMEOUT: waits until tidings holds N mails, processed
	local i
	for i in $(seq 1 $((${2:-20} * 10))); do
		[ "$(db "SELECT count(*) FROM messages WHERE state != 'new'" 2>/dev/null)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

make_mail "$TEST_DIR/m1.eml" "pipe-1@$MAIL_DOMAIN" "Re: Check-in" \
	"In-Reply-To: <prompt-1@$MAIL_DOMAIN>"
mailstack_send "ana@$MAIL_DOMAIN" "standup@$MAIL_DOMAIN" "$TEST_DIR/m1.eml"
ok $? "Postfix accepts mail for tidings' address"
stored 1 20
ok $? "the mail reaches tidings through the pipe transport" || mailstack_logs 30
kind=$(db "SELECT kind || ' ' || source FROM messages WHERE message_id = 'pipe-1@$MAIL_DOMAIN'")
[ "$kind" = "reply mda" ]
ok $? "it is stored as a reply from the MDA ($kind)"
db "SELECT $(sql_hex raw) FROM messages_raw" |
	python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().strip()))' |
	grep -q "^Delivered-To: standup@$MAIL_DOMAIN"
ok $? "Postfix's Delivered-To is kept with the raw mail"

make_mail "$TEST_DIR/m2.eml" "pipe-2@$MAIL_DOMAIN" "Re: Check-in"
mailstack_send "ana@$MAIL_DOMAIN" "standup+k7q2mzx4@$MAIL_DOMAIN" "$TEST_DIR/m2.eml"
stored 2 20
ok $? "a +subaddress reaches tidings too" || mailstack_logs 30

deferred() { grep -q "relay=tidings.*status=deferred" "$MAILSTACK_DIR/log/postfix.log"; }
if backend_pg; then
	# The server down: tidings cannot connect and exits 75, Postfix keeps
	# the mail, and delivers it once the server is back.
	pg_server_stop
	ok $? "the PostgreSQL server is stopped"
	make_mail "$TEST_DIR/m3.eml" "pipe-3@$MAIL_DOMAIN" "Re: Check-in"
	mailstack_send "ana@$MAIL_DOMAIN" "standup@$MAIL_DOMAIN" "$TEST_DIR/m3.eml"
	wait_until 30 deferred
	ok $? "the database unreachable: Postfix defers the mail (tidings exited 75)" || mailstack_logs 30
	grep "relay=tidings.*status=deferred" "$MAILSTACK_DIR/log/postfix.log" | tail -n 1 |
		grep -q "connection to server"
	ok $? "the deferral says why" || mailstack_logs 10
	! grep -q "relay=tidings.*status=bounced" "$MAILSTACK_DIR/log/postfix.log"
	ok $? "nothing bounced"
	pg_server_start
	ok $? "the server started again"
	stored 3 30
	ok $? "once the server is back the mail is stored" || mailstack_logs 30
	n=$(db "SELECT count(*) FROM messages WHERE message_id = 'pipe-3@$MAIL_DOMAIN'")
	[ "$n" = 1 ]
	ok $? "and stored once ($n)"
	done_testing
fi

# A writer holding the database: tidings exits 75, Postfix keeps the mail,
# and delivers it when the lock is gone.  The lock is held until the test
# has seen the deferral (at most 60 s), not for a fixed time.
unlock="$TEST_DIR/unlock"
# The locker waits its turn, should tidings still be closing the database
# after the last mail (a checkpoint takes the lock for a moment).
(echo ".timeout 10000"; echo "BEGIN IMMEDIATE;"; wait_until 60 test -e "$unlock"; echo "COMMIT;") |
	sqlite3 "$home/tidings.db" &
locker=$!
locked() { ! sqlite3 "$home/tidings.db" "BEGIN IMMEDIATE; ROLLBACK;" 2>/dev/null; }
wait_until 20 locked
ok $? "another writer holds the database"
make_mail "$TEST_DIR/m3.eml" "pipe-3@$MAIL_DOMAIN" "Re: Check-in"
mailstack_send "ana@$MAIL_DOMAIN" "standup@$MAIL_DOMAIN" "$TEST_DIR/m3.eml"
wait_until 30 deferred
ok $? "a busy database: Postfix defers the mail (tidings exited 75)" || mailstack_logs 30
touch "$unlock"
wait "$locker"
stored 3 30
ok $? "once the database is free the mail is stored" || mailstack_logs 30
n=$(db "SELECT count(*) FROM messages WHERE message_id = 'pipe-3@$MAIL_DOMAIN'")
[ "$n" = 1 ]
ok $? "and stored once ($n)"

# A database the MDA's user cannot write (root's, mode 0444, in the
# user's own directory): SQLite says "attempt to write a readonly
# database", tidings exits 75, and Postfix keeps the mail in its queue:
# nothing bounces to the sender.  Once the file is the user's again, the
# mail is stored.
rm -f "$home/tidings.db-wal" "$home/tidings.db-shm"
chown root:root "$home/tidings.db"
chmod 444 "$home/tidings.db"
deferrals() { grep -c "relay=tidings.*status=deferred" "$MAILSTACK_DIR/log/postfix.log"; }
before=$(deferrals)
make_mail "$TEST_DIR/m4.eml" "pipe-4@$MAIL_DOMAIN" "Re: Check-in"
mailstack_send "ana@$MAIL_DOMAIN" "standup@$MAIL_DOMAIN" "$TEST_DIR/m4.eml"
deferred_again() { [ "$(deferrals)" -gt "$before" ]; }
wait_until 30 deferred_again
ok $? "a read-only database: Postfix defers the mail (tidings exited 75)" || mailstack_logs 30
grep "relay=tidings.*status=deferred" "$MAILSTACK_DIR/log/postfix.log" | tail -n 1 |
	grep -q "readonly database"
ok $? "the deferral says why" || mailstack_logs 10
postqueue -c "$etc" -p | grep -q "standup@$MAIL_DOMAIN"
ok $? "the mail waits in Postfix's queue" || postqueue -c "$etc" -p | sed 's/^/# /'
! grep -q "relay=tidings.*status=bounced" "$MAILSTACK_DIR/log/postfix.log"
ok $? "nothing bounced"
# (with the WAL files, which SQLite made with the database's mode)
chmod 644 "$home"/tidings.db*
chown vmail:vmail "$home"/tidings.db*
stored 4 90
ok $? "once the database can be written the mail is stored" || mailstack_logs 30
n=$(db "SELECT count(*) FROM messages WHERE message_id = 'pipe-4@$MAIL_DOMAIN'")
[ "$n" = 1 ]
ok $? "and stored once ($n)"

done_testing
