#!/bin/bash
# T130: tidings run against the harness's real Dovecot: a first sync of 500
# mails, new mail picked up in IDLE, a Dovecot restart in the middle of a
# sync, a UIDVALIDITY reset, a wrong password, a self-signed server, and
# SIGTERM during a sync.  Every mail stored exactly once.  On SQLite or
# PostgreSQL (backend.sh).

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"
. "$(dirname "$0")/backend.sh"

reason=$(mailstack_available) || skip_all "$reason"
reason=$(backend_available) || skip_all "$reason"

mailstack_add_user standup secret
mailstack_start "$TEST_DIR/mailstack" || bail_out "no mail stack"
maildir="$MAILSTACK_DIR/mail/standup/Maildir"
backend_db db "$TEST_DIR/tidings.db"
sql() { backend_sql "$db" "$1" 2>/dev/null; }

printf 'secret\n' >"$TEST_DIR/imap-password"
chmod 600 "$TEST_DIR/imap-password"
# conf SECURITY PORT [EXTRA-LINE...]: writes the configuration; the password
# comes from a file, or from $password_command when it is set.
password_command=
conf() {
	local security=$1 port=$2
	shift 2
	{
		printf '[tidings]\naddress = standup@%s\ndatabase = %s\n' "$MAIL_DOMAIN" "$db"
		printf '[imap]\nhost = 127.0.0.1\nport = %s\nsecurity = %s\n' "$port" "$security"
		if [ -n "$password_command" ]; then
			printf 'user = standup\npassword-command = %s\n' "$password_command"
		else
			printf 'user = standup\npassword-file = %s\n' "$TEST_DIR/imap-password"
		fi
		printf 'timeout = 10s\n'
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$TEST_DIR/tidings.conf"
}
t() { run "$TIDINGS" --config "$TEST_DIR/tidings.conf" "$@"; }
count() { sql "SELECT count(*) FROM messages ${1:-}"; }

# put N FIRST: N mails straight into the Maildir, as a delivery would.
put() {
	local i
	for i in $(seq "$2" $(($2 + $1 - 1))); do
		make_mail "$maildir/new/$(printf '%08d' "$i").bulk.$$:2," "bulk-$i@x" "Re: Check-in $i" \
			"In-Reply-To: <prompt-$((i / 5))@x>"
	done
	chown -R vmail:vmail "$maildir"
}

# --- a first sync of 500 mails ---------------------------------------------
put 500 1
conf none "$IMAP_PORT"
t run --once
expect_rc 0 "run --once: the first sync succeeds"
[ "$(count)" = 500 ]
ok $? "500 mails stored ($(count))"
[ "$(count "WHERE message_id LIKE 'bulk-%'" )" = 500 ] && \
	[ "$(sql 'SELECT count(DISTINCT message_id) FROM messages')" = 500 ]
ok $? "each stored once"
order=$(sql "SELECT substr(message_id, 6, length(message_id) - 7) FROM messages ORDER BY id" | paste -sd ' ')
[ "$order" = "$(seq -s ' ' 1 500)" ]
ok $? "stored in UID order"
# Dovecot keeps \Seen in the file name (:2,S), in cur/.
seen=$(find "$maildir/cur" -name '*.bulk.*:2,*S*' | wc -l)
[ "$seen" = 500 ]
ok $? "every stored mail flagged \\Seen on the server ($seen)"
t status
expect_grep out "^standup@127.0.0.1 INBOX" "status: the account and folder"
expect_grep out "position: +UIDVALIDITY [0-9]+, UID 500" "status: the UID position"
expect_grep out "^stored today: 500$" "status: the mail stored today"
expect_grep out "^quarantine: +0$" "status: an empty quarantine"
expect_grep out "last sync: +[0-9]{4}-" "status: when the last sync was"
expect_no_grep out "last error" "status: no error yet"
t status --json
json_ok "$TEST_DIR/out"
ok $? "status --json: valid JSON"
t run --once
expect_rc 0 "a second run --once"
[ "$(count)" = 500 ]
ok $? "nothing is fetched twice"

# --- IDLE ------------------------------------------------------------------
"$TIDINGS" --config "$TEST_DIR/tidings.conf" -vv run --foreground >"$TEST_DIR/run.out" 2>"$TEST_DIR/run.err" &
daemon=$!
tap_at_exit "kill $daemon 2>/dev/null"
# The state changes once the server has accepted IDLE.
idling() { grep -q -- "-> idle$" "$TEST_DIR/run.err" 2>/dev/null; }
wait_until 10 idling
ok $? "the daemon is in IDLE" || tail -5 "$TEST_DIR/run.err" | sed 's/^/# /'
make_mail "$TEST_DIR/idle.eml" "idle-1@x" "Re: Check-in"
start=$(date +%s.%N)
mailstack_send "ana@$MAIL_DOMAIN" "standup@$MAIL_DOMAIN" "$TEST_DIR/idle.eml"
for i in $(seq 1 100); do [ "$(count "WHERE message_id = 'idle-1@x'")" = 1 ] && break; sleep 0.05; done
took=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
[ "$(count "WHERE message_id = 'idle-1@x'")" = 1 ] && awk -v t="$took" 'BEGIN { exit !(t < 2) }'
ok $? "a mail delivered during IDLE is stored within 2 s (${took} s)" || sed 's/^/# /' "$TEST_DIR/run.err" | tail -20

expect_no_grep "$TEST_DIR/run.err" "secret" "the -vv protocol trace holds no password"
expect_grep "$TEST_DIR/run.err" "LOGIN|AUTHENTICATE" "while it does trace the login"
t run --once
if backend_pg; then
	expect_rc 75 "a second tidings run on the same database finds the mailbox read by the first"
	expect_grep err "imap standup@127.0.0.1 INBOX is read by another tidings run" \
		"and says so"
else
	expect_rc 75 "a second tidings run on the same database is refused"
	expect_grep err "another tidings run \(pid $daemon\)" "and the message names the running one"
fi

# --- PostgreSQL restarted under the running daemon ---------------------------------
# The mail that comes meanwhile waits in the mailbox; once the server is
# back, the daemon connects again by itself and stores it.
if backend_pg; then
	pg_server_stop
	make_mail "$TEST_DIR/pgdown.eml" "pgdown-1@x" "Re: Check-in"
	mailstack_send "ana@$MAIL_DOMAIN" "standup@$MAIL_DOMAIN" "$TEST_DIR/pgdown.eml"
	sleep 3
	kill -0 "$daemon"
	ok $? "PostgreSQL stopped: tidings run waits for it" || tail -5 "$TEST_DIR/run.err" | sed 's/^/# /'
	pg_server_start
	pgdown_stored() { [ "$(count "WHERE message_id = 'pgdown-1@x'" 2>/dev/null)" = 1 ]; }
	wait_until 60 pgdown_stored
	ok $? "PostgreSQL started again: the mail delivered meanwhile is stored, tidings run not restarted" ||
		grep -v "^S: \|^C: " "$TEST_DIR/run.err" | tail -10 | sed 's/^/# /'
	expect_grep "$TEST_DIR/run.err" "connection was lost; connected again" "and it says it connected again"
fi

# --- SIGHUP, SIGTERM ---------------------------------------------------------
kill -HUP "$daemon"
reloaded() { grep -q "reload: .* read again" "$TEST_DIR/run.err"; }
wait_until 10 reloaded
ok $? "SIGHUP: says the configuration was read again"
kill -0 "$daemon"
ok $? "SIGHUP: still running"
kill -TERM "$daemon"
wait "$daemon"
ok $? "SIGTERM: exit 0"

# --- polling, for servers without IDLE ------------------------------------------
cp "$TEST_DIR/tidings.conf" "$TEST_DIR/tidings.conf.idle"
conf none "$IMAP_PORT" "idle = no" "poll-interval = 1s"
"$TIDINGS" --config "$TEST_DIR/tidings.conf" -vv run --foreground >/dev/null 2>"$TEST_DIR/poll.err" &
poller=$!
polling() { grep -q -- "-> polling$" "$TEST_DIR/poll.err" 2>/dev/null; }
wait_until 10 polling
make_mail "$TEST_DIR/poll.eml" "poll-1@x" "Re: Check-in"
mailstack_send "ana@$MAIL_DOMAIN" "standup@$MAIL_DOMAIN" "$TEST_DIR/poll.eml"
for i in $(seq 1 50); do [ "$(count "WHERE message_id = 'poll-1@x'")" = 1 ] && break; sleep 0.1; done
[ "$(count "WHERE message_id = 'poll-1@x'")" = 1 ]
ok $? "without IDLE, polling every second finds new mail" || tail -5 "$TEST_DIR/poll.err" | sed 's/^/# /'
expect_no_grep "$TEST_DIR/poll.err" "C: [0-9A-Za-z]+ IDLE" "and IDLE is not used"
kill -TERM "$poller"
wait "$poller"
cp "$TEST_DIR/tidings.conf.idle" "$TEST_DIR/tidings.conf"

# --- Dovecot killed in the middle of a sync ----------------------------------
total=$(( $(count) + 1500 ))
put 1500 1001
"$TIDINGS" --config "$TEST_DIR/tidings.conf" run --foreground >/dev/null 2>"$TEST_DIR/run2.err" &
daemon=$!
for i in $(seq 1 500); do [ "$(count)" -gt $((total - 1400)) ] 2>/dev/null && break; sleep 0.01; done
# Killed, not stopped: the connection drops without a goodbye.
mailstack_kill_dovecot
stopped_at=$(count)
[ "$stopped_at" -lt "$total" ]
ok $? "Dovecot killed in the middle of the sync ($stopped_at of $total stored)"
# The outage lasts a few seconds on purpose: several reconnects fail.
sleep 3
mailstack_start_dovecot
for i in $(seq 1 300); do [ "$(count)" = "$total" ] && break; sleep 0.1; done
[ "$(count)" = "$total" ]
ok $? "Dovecot back: every mail stored ($(count) of $total)" || tail -5 "$TEST_DIR/run2.err" | sed 's/^/# /'
[ "$(sql 'SELECT count(DISTINCT message_id) FROM messages')" = "$total" ]
ok $? "and each once"
# New mail after the outage proves the daemon reconnected by itself.
make_mail "$TEST_DIR/after.eml" "after-outage@x" "Re: Check-in"
mailstack_send "ana@$MAIL_DOMAIN" "standup@$MAIL_DOMAIN" "$TEST_DIR/after.eml"
total=$((total + 1))
for i in $(seq 1 300); do [ "$(count)" = "$total" ] && break; sleep 0.1; done
[ "$(count "WHERE message_id = 'after-outage@x'")" = 1 ]
ok $? "the daemon reconnected by itself: mail sent after the outage is stored" || tail -5 "$TEST_DIR/run2.err" | sed 's/^/# /'
lines=$(grep "^tidings: imap: " "$TEST_DIR/run2.err" | grep -vc "new mails\|working again")
[ "$lines" -ge 1 ] && [ "$lines" -le 3 ]
ok $? "the outage is logged once per change, not at every retry ($lines lines)" || sed 's/^/# /' "$TEST_DIR/run2.err"
expect_grep "$TEST_DIR/run2.err" "working again" "and its end is logged"
kill -TERM "$daemon"; wait "$daemon"

# --- UIDVALIDITY reset -------------------------------------------------------
mailstack_stop_dovecot
rm -f "$maildir"/dovecot-uidlist "$maildir"/dovecot.index* "$maildir"/dovecot-uidvalidity*
mailstack_start_dovecot
t run --once
expect_rc 0 "after a UIDVALIDITY reset: run --once succeeds"
expect_grep err "UIDVALIDITY changed" "it says the folder was rescanned"
[ "$(count)" = "$total" ]
ok $? "no mail stored twice ($(count))"

# --- SIGTERM during a sync ------------------------------------------------------
put 400 3001
"$TIDINGS" --config "$TEST_DIR/tidings.conf" run --foreground >/dev/null 2>&1 &
daemon=$!
for i in $(seq 1 500); do [ "$(count)" -gt $((total + 50)) ] 2>/dev/null && break; sleep 0.01; done
kill -TERM "$daemon"
wait "$daemon"
ok $? "SIGTERM during a sync: exit 0"
n=$(count)
last=$(sql "SELECT last_uid FROM sync_state")
half=$(count "WHERE state = 'new'")
[ "$half" = 0 ]
ok $? "no mail half-processed (stored $n, position UID $last)"
t run --once
[ "$(count)" = $((total + 400)) ]
ok $? "the next run gets the rest ($(count) of $((total + 400)))"

# --- wrong password, self-signed TLS -----------------------------------------
printf 'wrong\n' >"$TEST_DIR/imap-password"
t run --once
expect_rc 77 "a wrong password: run --once exits 77"
expect_grep err "imap: .*(login|authenticat)" "and says the login was refused"
expect_no_grep err "wrong" "the password is not in the message"
t status
expect_grep out "^  last error: .*(login|authenticat).*\(20[0-9]{2}-" \
	"status: the last error, and when it happened"
t status --json
grep -q '"last_error":"[^"]*' "$TEST_DIR/out"
ok $? "status --json: the last error too"
printf 'secret\n' >"$TEST_DIR/imap-password"

conf tls "$IMAPS_PORT"
t run --once
expect_rc 78 "a self-signed server is refused by default (exit 78)"
expect_grep err "ca-file" "and the message says how to trust it"
conf tls "$IMAPS_PORT" "ca-file = $MAILSTACK_CA"
t run --once
expect_rc 0 "with its certificate as ca-file it is accepted"
conf starttls "$IMAP_PORT" "ca-file = $MAILSTACK_CA"
t run --once
expect_rc 0 "STARTTLS on the plain port, verified"

# --- a mail that cannot be parsed, the password from a command ---------------
# The bad mail is kept in quarantine and the sync goes on past it.
password_command="cat '$TEST_DIR/imap-password'"
conf none "$IMAP_PORT"
before=$(count)
q_before=$(count "WHERE state = 'quarantined'")
printf '\n\n\n' >"$maildir/new/$(printf '%08d' 5001).bulk.$$:2,"
put 2 5002
t run --once
expect_rc 0 "run --once (password-command) with a mail that cannot be parsed: exit 0"
[ "$(count)" = $((before + 3)) ] && [ "$(count "WHERE message_id IN ('bulk-5002@x', 'bulk-5003@x')")" = 2 ]
ok $? "the sync goes on past it: the mails after it are stored"
[ "$(count "WHERE state = 'quarantined'")" = $((q_before + 1)) ]
ok $? "the bad mail is kept in quarantine"
t quarantine
expect_grep out "cannot be parsed" "tidings quarantine lists it, with the reason"
t status
expect_grep out "^quarantine: +$((q_before + 1)) \(see tidings quarantine\)" \
	"status: the quarantine count"
expect_grep out "^stored today: $((before + 3))$" "status: stored today counts the new mail"
password_command="exit 3"
conf none "$IMAP_PORT"
t run --once
expect_rc 78 "a password-command that fails: exit 78"
expect_grep err "password-command failed" "and says so"
password_command=

# --- a folder that cannot be selected ------------------------------------------
conf none "$IMAP_PORT" "folder = NoSuchFolder"
t run --once
expect_rc 65 "a folder that cannot be selected: run --once exits 65"
expect_grep err "imap: .*NoSuchFolder" "the error names the folder"
t status
expect_grep out "^standup@127.0.0.1 NoSuchFolder" "status: the folder is listed"
expect_grep out "last error: .*NoSuchFolder" "with its error"

# --- processed-folder ----------------------------------------------------------
make_mail "$TEST_DIR/moved.eml" "moved-1@x" "Re: Check-in"
before=$(mailstack_count_mail standup)
mailstack_send "ana@$MAIL_DOMAIN" "standup@$MAIL_DOMAIN" "$TEST_DIR/moved.eml"
mailstack_wait_mail standup $((before + 1)) 20
conf none "$IMAP_PORT" "processed-folder = Processed"
t -v run --once
expect_rc 0 "run --once with processed-folder"
expect_grep err "C: [0-9A-Za-z]+ (LOGIN|AUTHENTICATE) .*\*\*\*" "-v: the protocol trace, the login masked"
expect_no_grep err "secret" "-v: no password in the trace"
[ "$(count "WHERE message_id = 'moved-1@x'")" = 1 ]
ok $? "the mail is stored"
grep -rlq "moved-1@x" "$maildir/.Processed/cur" "$maildir/.Processed/new" 2>/dev/null
ok $? "and moved to the Processed folder"
! grep -rlq "moved-1@x" "$maildir/cur" "$maildir/new" 2>/dev/null
ok $? "and gone from INBOX"

done_testing
