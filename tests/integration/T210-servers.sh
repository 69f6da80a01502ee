#!/bin/bash
# T210: servers that fail in the middle of the work.  Postfix answers one
# recipient of a batch "451 try again later" and a later one "421 closing"
# and hangs up (check_recipient_access): the mails before go out, the 451
# recipient waits with the reply shown by tidings outbox, and after the 421
# the rest wait; once the server answers again and the backoff has passed,
# each waiting mail goes out exactly once.  Dovecot drops tidings'
# connection in the middle of a large FETCH, once kicked by doveadm and
# once with its IMAP process killed, Dovecot itself staying up: tidings
# reconnects and ends with every mail stored exactly once.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"

reason=$(mailstack_available) || skip_all "$reason"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"
PROBE="$TOP_BUILDDIR/tests/integration/outbox-probe"
gen="$TOP_BUILDDIR/tests/bench/gen-maildir"
[ -x "$PROBE" ] || skip_all "outbox-probe is not built"
[ -x "$gen" ] || skip_all "tests/bench/gen-maildir is not built"

for u in standup alice bob carol dave; do mailstack_add_user "$u" secret; done
mailstack_start "$TEST_DIR/mailstack" || bail_out "no mail stack"
etc="$MAILSTACK_DIR/postfix/etc"
D=$MAIL_DOMAIN
db="$TEST_DIR/tidings.db"
printf 'secret\n' >"$TEST_DIR/imap-password"
chmod 600 "$TEST_DIR/imap-password"
cat >"$TEST_DIR/tidings.conf" <<EOF
[tidings]
address = tidings@$D
database = $db
[imap]
host = 127.0.0.1
port = $IMAP_PORT
security = none
user = standup
password-file = $TEST_DIR/imap-password
timeout = 10s
[smtp]
host = 127.0.0.1
port = $SMTP_PORT
security = none
timeout = 10s
EOF
t() { run "$TIDINGS" --config "$TEST_DIR/tidings.conf" "$@"; }
later() { run env TIDINGS_NOW=$(($(date +%s) + $1)) "$TIDINGS" --config "$TEST_DIR/tidings.conf" "${@:2}"; }
sql() { sqlite3 -readonly "$db" "$1" 2>/dev/null; }

# --- 451 and 421 in the middle of a batch ------------------------------------------
# access MAP-LINES: the recipient access map, Postfix restarted to read it.
access() {
	printf '%s' "$1" >"$etc/rcpt_access"
	touch -d "@$((EPOCHSECONDS - 10))" "$etc/rcpt_access"
	mailstack_stop_postfix && mailstack_start_postfix
}
mailstack_postconf -e "smtpd_recipient_restrictions = check_recipient_access texthash:$etc/rcpt_access, permit_mynetworks, reject_unauth_destination"
access "bob@$D 451 4.3.0 try again later
carol@$D 421 4.3.2 closing
" || bail_out "Postfix with the access map"

# queue KEY RCPT...: a mail of its own under KEY, its body marked with KEY.
queue() {
	local key=$1
	shift
	make_mail "$TEST_DIR/$key.eml" "$key@tidings.test" "Batch $key"
	printf 'marker-body-%s\n' "$key" >>"$TEST_DIR/$key.eml"
	"$PROBE" "$db" "$key" "tidings@$D" "$TEST_DIR/$key.eml" "$@" >/dev/null ||
		bail_out "outbox-probe failed"
}
state_of() { sql "SELECT state FROM outbox WHERE dedupe_key = '$1'"; }
rcpt_of() { sql "SELECT r.state FROM outbox_recipients r JOIN outbox o ON o.id = r.outbox_id WHERE o.dedupe_key = '$1' AND r.address = '$2'"; }
count_of() { grep -l "marker-body-$2\$" "$MAILSTACK_DIR/mail/$1/Maildir/"{new,cur}/* 2>/dev/null | wc -l; }
queue_empty() { [ -z "$(find "$MAILSTACK_DIR/postfix/spool/"{maildrop,incoming,active,deferred} -type f 2>/dev/null)" ]; }

queue b1 "alice@$D"
queue b2 "alice@$D"
queue b3 "alice@$D" "bob@$D"
queue b4 "dave@$D"
queue b5 "carol@$D"
queue b6 "alice@$D"
queue b7 "dave@$D"
"$TIDINGS" --config "$TEST_DIR/tidings.conf" -vv outbox --flush >"$TEST_DIR/out" 2>"$TEST_DIR/flush.err"
rc=$?
cp "$TEST_DIR/flush.err" "$TEST_DIR/err"
expect_rc 75 "451 for one recipient, 421 for a later one: flush exits 75 (try again)"
wait_until 20 queue_empty
[ "$(state_of b1)$(state_of b2)$(state_of b4)" = sentsentsent ] &&
	[ "$(count_of alice b1)$(count_of alice b2)$(count_of dave b4)" = 111 ]
ok $? "the mails before the 421 are sent and delivered"
[ "$(rcpt_of b3 "alice@$D")" = sent ] && [ "$(rcpt_of b3 "bob@$D")" = pending ] &&
	[ "$(state_of b3)" = queued ] && [ "$(count_of alice b3)" = 1 ]
ok $? "the mail for alice and bob: alice has it, bob waits"
expect_grep err "\(Batch b3\) waits \(try 1\): bob@$D: 451 4\.3\.0 .*try again later" \
	"the flush says bob waits, with the 451"
# Postfix hangs up after the 421: the trace ends the session there.
grep -q "S: 421 4.3.2 .*closing" "$TEST_DIR/flush.err" &&
	! sed -n '/S: 421 4.3.2/,$p' "$TEST_DIR/flush.err" | grep -q "C: "
ok $? "Postfix answers carol's RCPT with 421 and tidings sends nothing after it" ||
	grep "[CS]: " "$TEST_DIR/flush.err" | tail -8 | sed 's/^/# /'
[ "$(state_of b5)$(state_of b6)$(state_of b7)" = queuedqueuedqueued ] &&
	[ "$(count_of carol b5)$(count_of alice b6)$(count_of dave b7)" = 000 ]
ok $? "the mail refused with 421 and the mails after it wait, unsent"
expect_grep err "\(Batch b5\) waits \(try 1\): carol@$D: .*421 4\.3\.2 .*closing" "the flush says carol's mail waits, with the 421"
expect_grep err "\(Batch b7\) waits \(try 1\): dave@$D: " "and that the mails after it wait"
t outbox
expect_grep out "bob@$D +pending +451 4\.3\.0 .*try again later" "tidings outbox shows bob pending with the 451"
expect_grep out "error: +carol@$D: .*421 4\.3\.2" "and carol's mail waiting with the 421"
expect_grep out "subject: Batch b7" "and the last mail, waiting"
[ "$(sql "SELECT attempts FROM outbox WHERE dedupe_key = 'b7'")" = 1 ]
ok $? "one attempt made of it"

access "" || bail_out "Postfix without the access map"
t outbox --flush
expect_grep out "^0 due" "with the map cleared, the waiting mails are not due at once (backoff)"
later 7200 outbox --flush
expect_rc 0 "once the backoff has passed, the next flush delivers them"
expect_grep out "^4 due: 4 sent, 0 waiting, 0 failed" "the four that waited, and only those"
wait_until 20 queue_empty
ok $? "Postfix has delivered everything"
counts=""
for pair in alice:b1 alice:b2 alice:b3 bob:b3 dave:b4 carol:b5 alice:b6 dave:b7; do
	counts="$counts $pair=$(count_of "${pair%%:*}" "${pair#*:}")"
done
[ "$counts" = " alice:b1=1 alice:b2=1 alice:b3=1 bob:b3=1 dave:b4=1 carol:b5=1 alice:b6=1 dave:b7=1" ]
ok $? "each mail in each recipient's Maildir exactly once" || diag "$counts"
later 7200 outbox --flush
expect_grep out "^0 due" "nothing is due any more"
mailstack_postconf -e "smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination"

# --- the IMAP connection dropped in the middle of a FETCH ---------------------------
# 2,000 mails at first, 1,500 more later (the same generator's next ones).
n=2000 more=1500
maildir="$MAILSTACK_DIR/mail/standup/Maildir"
rm -rf "$maildir"
"$gen" "$TEST_DIR/gen" $((n + more)) || bail_out "cannot generate the mailbox"
mkdir -p "$maildir/new" "$maildir/tmp" "$maildir/cur"
(cd "$TEST_DIR/gen/cur" && find . -name '*.bench*' | sort | head -n "$n" | xargs mv -t "$maildir/cur")
chown -R vmail:vmail "$maildir"
count() { sql "SELECT count(*) FROM messages WHERE source LIKE 'imap:%'"; }
more_than() { [ "$(count)" -gt "$1" ] 2>/dev/null; }
all_stored() { [ "$(count)" = "$1" ]; }
# The IMAP processes of the standup user, which run in its home.
imap_pids() { find /proc -mindepth 2 -maxdepth 2 -name exe -lname '/usr/lib/dovecot/imap' -printf '%h\n' 2>/dev/null |
	while read -r p; do [ "$(readlink "$p/cwd")" = "$MAILSTACK_DIR/mail/standup" ] && echo "${p#/proc/}"; done; }
dovecot_before=$(mailstack_pids dovecot | sort | head -n 1)
"$TIDINGS" --config "$TEST_DIR/tidings.conf" -v run --foreground >"$TEST_DIR/run.out" 2>"$TEST_DIR/run.err" &
daemon=$!
tap_at_exit 'kill -KILL $daemon 2>/dev/null'
logins() { grep -c "logged in as standup" "$TEST_DIR/run.err"; }
relogged() { [ "$(logins)" -ge "$1" ]; }
fetch_cut() { [ "$(grep -c "cannot fetch messages .*: the server closed the connection" "$TEST_DIR/run.err")" -ge "$1" ]; }

wait_until 40 more_than 300
before=$(count)
doveadm -c "$MAILSTACK_DIR/dovecot/dovecot.conf" kick standup >"$TEST_DIR/kick.out" 2>&1
ok $? "doveadm kick standup in the middle of the first sync ($before of $n stored)" || sed 's/^/# /' "$TEST_DIR/kick.out"
wait_until 20 fetch_cut 1
ok $? "tidings sees the connection closed during a FETCH" ||
	grep -v "S: \|C: \|stored, id" "$TEST_DIR/run.err" | tail -5 | sed 's/^/# /'
wait_until 30 relogged 2
ok $? "and logs in again by itself"
wait_until 40 all_stored "$n"
ok $? "every mail stored ($(count) of $n)"

# More mail while tidings idles; its IMAP process killed during the FETCH.
(cd "$TEST_DIR/gen/cur" && find . -name '*.bench*' | xargs mv -t "$maildir/cur")
chown -R vmail:vmail "$maildir"
n=$((n + more))
wait_until 40 more_than $((n - more + 300))
before=$(count)
pids=$(imap_pids)
[ -n "$pids" ] && [ "$before" -lt "$n" ] && kill -KILL $pids
ok $? "the IMAP process killed in the middle of the next sync ($before of $n stored), Dovecot left up"
wait_until 20 fetch_cut 2
ok $? "tidings sees the connection closed during a FETCH" ||
	grep -v "S: \|C: \|stored, id" "$TEST_DIR/run.err" | tail -5 | sed 's/^/# /'
wait_until 30 relogged 3
ok $? "and logs in again"
wait_until 40 all_stored "$n"
ok $? "every mail stored ($(count) of $n)" || tail -5 "$TEST_DIR/run.err" | sed 's/^/# /'
kill -TERM "$daemon"
wait "$daemon"
ok $? "tidings run stops on SIGTERM"
[ "$(sql "SELECT count(DISTINCT message_id) FROM messages WHERE source LIKE 'imap:%'")" = "$n" ]
ok $? "each exactly once"
[ "$(sql "SELECT count(*) FROM messages WHERE source LIKE 'imap:%' AND state = 'processed'")" = "$n" ]
ok $? "all processed, none new, none quarantined"
mailstack_pids dovecot | grep -qx "$dovecot_before"
ok $? "Dovecot itself stayed up throughout"
expect_no_grep "$TEST_DIR/run.err" "runtime error|Sanitizer" "no sanitizer report"

done_testing
