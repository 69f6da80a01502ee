#!/bin/bash
# T140: tidings outbox --flush against the harness's real Postfix: mail
# queued as the scheduler queues it arrives in the users' Maildirs; STARTTLS
# and implicit TLS verified against the harness's CA and refused without
# it; a stopped Postfix makes mail wait, and it goes out exactly once when
# Postfix is back, also when Postfix stops in the middle of a batch of 300;
# a recipient refused with 550 fails alone; a dedupe key sends once; AUTH
# PLAIN and LOGIN through Dovecot's SASL; no password and no body in the
# protocol trace.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"

reason=$(mailstack_available) || skip_all "$reason"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"
PROBE="$TOP_BUILDDIR/tests/integration/outbox-probe"
[ -x "$PROBE" ] || skip_all "outbox-probe is not built"

mailstack_add_user alice wonderland
mailstack_add_user bob builder
mailstack_add_user carol cellist
mailstack_add_user dave diver
mailstack_start "$TEST_DIR/mailstack" || bail_out "no mail stack"
db="$TEST_DIR/tidings.db"
D=$MAIL_DOMAIN

printf 'wonderland\n' >"$TEST_DIR/smtp-password"
chmod 600 "$TEST_DIR/smtp-password"
conf() {	# conf SECURITY [EXTRA-LINE...]: writes the configuration;
		# the port is $port, else Postfix's smtpd
	local security=$1
	shift
	{
		printf '[tidings]\naddress = tidings@%s\ndatabase = %s\n' "$D" "$db"
		printf '[smtp]\nhost = 127.0.0.1\nport = %s\nsecurity = %s\n' "${port:-$SMTP_PORT}" "$security"
		printf 'timeout = 10s\nhelo = tidings.test\n'
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$TEST_DIR/tidings.conf"
}
t() { run "$TIDINGS" --config "$TEST_DIR/tidings.conf" "$@"; }
later() { run env TIDINGS_NOW=$(($(date +%s) + $1)) "$TIDINGS" --config "$TEST_DIR/tidings.conf" "${@:2}"; }
sql() { sqlite3 -readonly "$db" "$1" 2>/dev/null; }

# queue KEY RCPT...: queues a mail with a body of its own under KEY.
n=0
queue() {
	local key=$1
	shift
	n=$((n + 1))
	make_mail "$TEST_DIR/mail-$n.eml" "out-$n@tidings.test" "Check-in $key"
	printf '.a line with a leading dot\nmarker-body-%s\n' "$key" >>"$TEST_DIR/mail-$n.eml"
	"$PROBE" "$db" "$key" "tidings@$D" "$TEST_DIR/mail-$n.eml" "$@" >"$TEST_DIR/probe.out" ||
		bail_out "outbox-probe failed"
}
id_of() { sql "SELECT id FROM outbox WHERE dedupe_key = '$1'"; }
state_of() { sql "SELECT state FROM outbox WHERE dedupe_key = '$1'"; }
# mail_of USER KEY: the file in USER's Maildir holding the mail of KEY.
mail_of() { grep -l "marker-body-$2\$" "$MAILSTACK_DIR/mail/$1/Maildir/new/"* 2>/dev/null; }
count_of() { mail_of "$1" "$2" | wc -l; }
# wait_until SECONDS CMD...: polls CMD every 20 ms until it succeeds.
wait_until() {
	local deadline=$((EPOCHSECONDS + $1))
	shift
	until "$@"; do
		[ "$EPOCHSECONDS" -ge "$deadline" ] && return 1
		sleep 0.02
	done
}

# --- plain SMTP on loopback: two recipients -----------------------------------
conf none
queue first "alice@$D" "bob@$D"
t outbox
expect_rc 0 "outbox lists what waits"
expect_grep out "^mail 1  test  queued, 0 attempts, next try now" "the queued mail, due now"
expect_grep out "alice@$D +pending" "and its recipients, pending"
"$TIDINGS" --config "$TEST_DIR/tidings.conf" -vv outbox --flush >"$TEST_DIR/out" 2>"$TEST_DIR/flush1.err"
rc=$?
expect_rc 0 "outbox --flush delivers over plain SMTP (security = none)"
expect_grep out "^1 due: 1 sent, 0 waiting, 0 failed" "it says so"
mailstack_wait_mail alice 1 && mailstack_wait_mail bob 1
ok $? "the mail arrives in both Maildirs"
f=$(mail_of alice first)
grep -q '^\.a line with a leading dot' "$f" && ! grep -q '^\.\.a line' "$f"
ok $? "a line starting with a dot arrives intact (dot-stuffed on the wire)"
[ "$(state_of first)" = sent ] && [ "$(sql "SELECT count(*) FROM outbox_recipients WHERE state = 'sent' AND code = 250")" = 2 ]
ok $? "the mail and both recipients are sent, with the server's 250"
expect_grep "$TEST_DIR/flush1.err" "C: MAIL FROM:<tidings@$D>" "the -vv trace shows the envelope"
expect_grep "$TEST_DIR/flush1.err" "C: EHLO tidings.test" "and EHLO with the configured name"
grep -A1 "C: RCPT TO:<bob@$D>" "$TEST_DIR/flush1.err" | grep -q "C: DATA"
ok $? "with PIPELINING, DATA goes in the same flight as the envelope"
expect_grep "$TEST_DIR/flush1.err" "bytes of the message left out" "the body is left out of the trace"
expect_no_grep "$TEST_DIR/flush1.err" "marker-body" "no line of the body is traced"
t outbox
expect_grep out "^no mail waits to be sent" "nothing waits any more"
t outbox --all --json
json_ok "$TEST_DIR/out" && grep -q '"state":"sent"' "$TEST_DIR/out"
ok $? "outbox --all --json: valid JSON with the sent mail"

# --- dedupe ---------------------------------------------------------------------
queue digest-1 "alice@$D"
queue digest-1 "alice@$D"
expect_grep "$TEST_DIR/probe.out" "^queued before" "the same dedupe key is not queued twice"
t outbox --flush --stats
expect_rc 0 "flush"
expect_grep out "^time: 1 mails in [0-9.]* s over 1 connection, 1.0 a commit" "--stats: the mails, the connections and the mails a commit"
for stage in claim record idle send hold; do
	expect_grep out "^  $stage  *[0-9.]* s  *[0-9.]* us/mail$" "--stats: where the time went: $stage"
done
t outbox --stats
expect_rc 64 "--stats without --flush is refused"
expect_grep err "goes with --flush" "and says why"
mailstack_wait_mail alice 2
sleep 0.5
[ "$(count_of alice digest-1)" = 1 ]
ok $? "the mail queued twice under one key arrives once"

# --- STARTTLS -----------------------------------------------------------------
conf starttls
queue tls-1 "alice@$D"
t outbox --flush
expect_rc 78 "STARTTLS without the CA: the self-signed certificate is refused (78)"
expect_grep err "127\.0\.0\.1:$SMTP_PORT.*not trusted" "the refusal names the server and says why"
expect_grep err "set ca-file in \[smtp\]" "and how to trust it"
t outbox
expect_grep out "error: +alice@$D: .*not trusted" "the waiting mail shows the error"
[ "$(count_of alice tls-1)" = 0 ]
ok $? "nothing was sent"
conf starttls "ca-file = $MAILSTACK_CA"
t outbox --flush
expect_grep out "^0 due" "the refused mail is not due again at once (backoff)"
t outbox --retry "$(id_of tls-1)"
expect_rc 0 "outbox --retry makes it due now"
"$TIDINGS" --config "$TEST_DIR/tidings.conf" -vv outbox --flush >"$TEST_DIR/out" 2>"$TEST_DIR/tls.err"
rc=$?
expect_rc 0 "STARTTLS with the harness's CA as ca-file: delivered"
expect_grep "$TEST_DIR/tls.err" "C: STARTTLS" "STARTTLS was used"
expect_grep "$TEST_DIR/tls.err" "TLS1\.[23]" "and TLS negotiated"
mailstack_wait_mail alice 3
[ "$(count_of alice tls-1)" = 1 ]
ok $? "the mail arrived once"

# --- implicit TLS (security = tls, as on port 465) --------------------------------
# For this part only, Postfix offers smtpd in TLS wrapper mode on a port of
# its own, beside the usual listener.
port=
for _ in $(seq 1 50); do
	p=$((20000 + RANDOM % 12000))
	case " $SMTP_PORT $IMAP_PORT $IMAPS_PORT " in *" $p "*) continue ;; esac
	[ -z "$(ss -Htan "( sport = :$p )")" ] && { port=$p; break; }
done
smtps="127.0.0.1:$port/inet"
pf_reload() { postfix -c "$MAILSTACK_DIR/postfix/etc" reload >/dev/null 2>&1; }
greets_tls() { timeout 2 openssl s_client -connect "127.0.0.1:$port" -quiet </dev/null 2>/dev/null | grep -q '^220 '; }
[ -n "$port" ] && mailstack_postconf -M "$smtps=127.0.0.1:$port inet n - n - - smtpd" &&
	mailstack_postconf -P "$smtps/smtpd_tls_wrappermode=yes" && pf_reload &&
	wait_until 10 greets_tls || bail_out "no smtps listener"
conf tls
queue tls-465 "carol@$D"
t outbox --flush
expect_rc 78 "implicit TLS without the CA: the self-signed certificate is refused (78)"
expect_grep err "127\.0\.0\.1:$port.*not trusted" "the refusal names the server and says why"
expect_grep err "set ca-file in \[smtp\]" "and how to trust it"
[ "$(state_of tls-465)" = queued ] && [ "$(count_of carol tls-465)" = 0 ]
ok $? "the mail waits, nothing was sent"
conf tls "ca-file = $MAILSTACK_CA"
t outbox --retry "$(id_of tls-465)"
"$TIDINGS" --config "$TEST_DIR/tidings.conf" -vv outbox --flush >"$TEST_DIR/out" 2>"$TEST_DIR/tls465.err"
rc=$?
expect_rc 0 "implicit TLS with the harness's CA as ca-file: delivered"
expect_grep "$TEST_DIR/tls465.err" "TLS1\.[23]" "TLS negotiated"
expect_no_grep "$TEST_DIR/tls465.err" "C: STARTTLS" "from the first byte: no STARTTLS"
mailstack_wait_mail carol 1
[ "$(count_of carol tls-465)" = 1 ] && [ "$(state_of tls-465)" = sent ]
ok $? "the mail arrived once and is sent"
mailstack_postconf -MX "$smtps" && pf_reload || bail_out "postfix reload"
port=

# --- Postfix down -------------------------------------------------------------
conf none
queue down-1 "bob@$D"
mailstack_stop_postfix
t outbox --flush
expect_rc 75 "Postfix stopped: flush exits 75"
expect_grep err "waits .*cannot connect to 127\.0\.0\.1:$SMTP_PORT" "one line says which mail waits and why"
t outbox
expect_grep out "queued, 1 attempt, next try" "the mail waits, one attempt made"
expect_grep out "error: +bob@$D: cannot connect" "with the error"
mailstack_start_postfix || bail_out "postfix does not start again"
t outbox --flush
expect_grep out "^0 due" "right after, it is not due yet"
later 7200 outbox --flush
expect_rc 0 "Postfix back, once the backoff has passed: delivered"
mailstack_wait_mail bob 2
sleep 1
[ "$(count_of bob down-1)" = 1 ]
ok $? "exactly once in the Maildir"
later 7200 outbox --flush
expect_grep out "^0 due" "and nothing is due any more"

# --- Postfix stopped in the middle of a batch -----------------------------------
# Each mail of the batch has a Message-ID of its own; Postfix stops while the
# flush is under way, cutting the connection wherever it is.
batch=300
{
	printf 'From: tidings@%s\nTo: carol@%s, dave@%s\n' "$D" "$D" "$D"
	printf 'Subject: Batch %%N\nMessage-ID: <batch-%%N@tidings.test>\n'
	printf 'Date: Mon, 09 Mar 2026 16:00:00 +0000\n\nmarker-batch-%%N\n'
} >"$TEST_DIR/batch.eml"
"$PROBE" --many "$batch" "$db" "tidings@$D" "$TEST_DIR/batch.eml" "carol@$D" "dave@$D" \
	>/dev/null || bail_out "outbox-probe --many failed"
batch_sent() { sql "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'many-%' AND state = '$1'"; }
carol_before=$(mailstack_count_mail carol)
some_arrived() { [ "$(mailstack_count_mail carol)" -gt "$carol_before" ]; }
"$TIDINGS" --config "$TEST_DIR/tidings.conf" outbox --flush >"$TEST_DIR/out" 2>"$TEST_DIR/batch.err" &
flush=$!
wait_until 20 some_arrived
ok $? "the batch starts to arrive"
mailstack_stop_postfix
wait "$flush"
rc=$?
cp "$TEST_DIR/batch.err" "$TEST_DIR/err"
expect_rc 75 "Postfix stopped during the flush: it exits 75"
sent=$(batch_sent sent) queued=$(batch_sent queued)
[ "$sent" -gt 0 ] && [ "$queued" -gt 0 ] && [ $((sent + queued)) = "$batch" ]
ok $? "some mails went out, the rest wait ($sent sent, $queued queued)"
expect_grep err "waits \(try 1\): carol@$D: .*127\.0\.0\.1:$SMTP_PORT" "the flush says which mails wait and why"
t outbox
expect_grep out "error: +carol@$D: .*127\.0\.0\.1:$SMTP_PORT" "and so does tidings outbox"
mailstack_start_postfix || bail_out "postfix does not start again"
later 7200 outbox --flush
expect_rc 0 "Postfix back, once the backoff has passed: the rest is delivered"
expect_grep out "^$queued due: $queued sent, 0 waiting" "every mail that waited, and only those"
# Once Postfix's queue is empty, nothing more can arrive.  A queue file is
# whole once Postfix has made it executable by its owner; one that is not
# was being received when Postfix was stopped (the mail in hand), and is
# never delivered.
queue_empty() { [ -z "$(find "$MAILSTACK_DIR/postfix/spool/"{maildrop,incoming,active,deferred} -type f -perm -u=x 2>/dev/null)" ]; }
# 600 deliveries; under the sanitizers on a busy machine that can take
# more than a minute.
wait_until 180 queue_empty
rc=$?
ok $rc "Postfix has delivered everything"
if [ "$rc" -ne 0 ]; then
	find "$MAILSTACK_DIR/postfix/spool/"{maildrop,incoming,active,deferred} -type f 2>/dev/null |
		while read -r f; do
			diag "left in Postfix's queue: $(ls -l "$f")"
			postcat -c "$MAILSTACK_DIR/postfix/etc" -q "${f##*/}" 2>&1 | head -30 | sed 's/^/#   /'
		done
	mailstack_logs 20
fi
# One mail only can arrive twice: the one in hand when the connection
# dropped, if its whole message had gone and Postfix queued it but was
# stopped before its 250 reached tidings (RFC 1047).  Its error, first of
# the flush's lines, then says "the end of the message".
in_hand=$(sed -n 's/^.*(Batch \([0-9]*\)) waits (try 1): carol@[^ ]*: the end of the message.*/\1/p;q' \
	"$TEST_DIR/batch.err")
# queue_ids USER MESSAGE-ID: the Postfix queue id under which each copy of
# the mail reached USER, from the Received header Postfix wrote when it
# accepted it.
queue_ids() {
	grep -l -F "Message-ID: $2" "$MAILSTACK_DIR/mail/$1/Maildir/"{new,cur}/* 2>/dev/null |
		while read -r f; do
			sed -n 's/.*(Postfix) with E\{0,1\}SMTPS\{0,1\} id \([0-9A-Za-z]*\).*/\1/p' "$f" | head -n 1
		done
}
for u in carol dave; do
	cat "$MAILSTACK_DIR/mail/$u/Maildir/"{new,cur}/* 2>/dev/null |
		grep '^Message-ID: <batch-' >"$TEST_DIR/$u.ids"
	total=$(wc -l <"$TEST_DIR/$u.ids") distinct=$(sort -u "$TEST_DIR/$u.ids" | wc -l)
	twice=$(sort "$TEST_DIR/$u.ids" | uniq -d | tr -d '\r')
	# Postfix itself delivers a mail twice when it is stopped between
	# writing it into the Maildir and noting that it did: both copies then
	# carry the queue id of one submission.  What tidings sent twice came
	# in two submissions, under two queue ids.
	resent=
	for id in $(printf '%s\n' "$twice" | sed -n 's/^Message-ID: //p'); do
		[ "$(queue_ids "$u" "$id" | sort -u | grep -c .)" -gt 1 ] &&
			resent="$resent${resent:+ }$id"
	done
	# The one in hand is named by its error when tidings saw the message
	# go; when the drop came between the dot and the reply, the error says
	# only that the server closed the connection: then one mail, any, may
	# have been sent twice, and no more.
	[ "$distinct" = "$batch" ] &&
		{ [ -z "$resent" ] || [ "$resent" = "<batch-$in_hand@tidings.test>" ] ||
		{ [ -z "$in_hand" ] && [ "$(printf '%s\n' $resent | grep -c .)" = 1 ]; }; }
	ok $? "$u has every mail of the batch, none sent twice but the one in hand ($distinct distinct of $total, $batch queued)"
	[ -n "$twice" ] && diag "twice: $twice; sent twice by tidings: ${resent:-none} (in hand: ${in_hand:-none})"
done

# --- a recipient refused with 550 ---------------------------------------------
sqlite3 "$db" "INSERT INTO people (email, created_at) VALUES ('Nobody@$D', 0)"
queue mixed "alice@$D" "nobody@$D" "bob@$D"
t outbox --flush
expect_rc 65 "a recipient refused for good: flush exits 65"
expect_grep err "to nobody@$D failed: 550 " "one line names the refused recipient"
mailstack_wait_mail alice 4 && mailstack_wait_mail bob 3
ok $? "the other recipients get the mail"
[ "$(state_of mixed)" = sent ]
ok $? "the mail is sent (one recipient failed)"
t outbox --all
expect_grep out "nobody@$D +failed +550 +5\.1\.1 .*User unknown" "outbox --all shows the recipient failed, with the 5xx text"
[ -n "$(sql "SELECT delivery_error FROM people WHERE email = 'nobody@$D' AND delivery_error LIKE '550 5.1.1%' AND delivery_error_at > 0")" ]
ok $? "the known person gets the delivery error"
queue nobody-only "nobody@$D"
t outbox --flush
[ "$(state_of nobody-only)" = failed ]
ok $? "a mail whose only recipient is refused fails"

# --- without PIPELINING: one command at a time, RSET between mails ------------------
mailstack_postconf -e "smtpd_discard_ehlo_keywords = pipelining"
mailstack_stop_postfix && mailstack_start_postfix || bail_out "postfix restart"
queue nopipe-1 "alice@$D" "bob@$D"
queue nopipe-2 "alice@$D" "bob@$D"
"$TIDINGS" --config "$TEST_DIR/tidings.conf" -vv outbox --flush >"$TEST_DIR/out" 2>"$TEST_DIR/nopipe.err"
rc=$?
expect_rc 0 "without PIPELINING: two mails delivered"
mailstack_wait_mail alice 6 && mailstack_wait_mail bob 5
ok $? "both arrive for both recipients"
[ "$(grep -c 'C: RSET' "$TEST_DIR/nopipe.err")" = 1 ] && [ "$(grep -c 'C: EHLO' "$TEST_DIR/nopipe.err")" = 1 ]
ok $? "one connection, RSET between the two mails"
mailstack_postconf -e "smtpd_discard_ehlo_keywords ="

# --- AUTH through Dovecot's SASL ------------------------------------------------
# Dovecot is stopped before its configuration changes: doveadm stop reads it.
auth_socket="$MAILSTACK_DIR/dovecot/run/auth-postfix"
mailstack_stop_dovecot
cat >>"$MAILSTACK_DIR/dovecot/dovecot.conf" <<EOF
service auth {
  unix_listener $auth_socket {
    mode = 0666
  }
}
EOF
mailstack_start_dovecot || bail_out "dovecot restart"
mailstack_postconf -e "smtpd_sasl_auth_enable = yes" "smtpd_sasl_type = dovecot" \
	"smtpd_sasl_path = $auth_socket"
mailstack_stop_postfix && mailstack_start_postfix || bail_out "postfix restart"

printf 'not-the-password\n' >"$TEST_DIR/wrong-password"
chmod 600 "$TEST_DIR/wrong-password"
conf starttls "ca-file = $MAILSTACK_CA" "user = alice" "password-file = $TEST_DIR/wrong-password"
queue auth-1 "bob@$D"
t outbox --flush
expect_rc 77 "a wrong SMTP password: flush exits 77"
expect_grep err "refuses the login of alice \(AUTH PLAIN\): 535" "the message says the login was refused"
conf starttls "ca-file = $MAILSTACK_CA" "user = alice" "password-file = $TEST_DIR/smtp-password"
t outbox --retry "$(id_of auth-1)"
"$TIDINGS" --config "$TEST_DIR/tidings.conf" -vv outbox --flush >"$TEST_DIR/out" 2>"$TEST_DIR/auth.err"
rc=$?
expect_rc 0 "AUTH PLAIN after STARTTLS: delivered"
expect_grep "$TEST_DIR/auth.err" "C: AUTH PLAIN \*\*\*" "the trace shows AUTH PLAIN, masked"
mailstack_wait_mail bob 6
ok $? "the mail arrives"
# Postfix first: Dovecot's auth service waits for its clients to leave.
mailstack_stop_postfix
mailstack_stop_dovecot
sed -i 's/^auth_mechanisms = .*/auth_mechanisms = login/' "$MAILSTACK_DIR/dovecot/dovecot.conf"
mailstack_start_dovecot && mailstack_start_postfix || bail_out "restart"
queue auth-2 "bob@$D"
"$TIDINGS" --config "$TEST_DIR/tidings.conf" -vv outbox --flush >"$TEST_DIR/out" 2>"$TEST_DIR/login.err"
rc=$?
expect_rc 0 "AUTH LOGIN when the server offers only LOGIN: delivered"
expect_grep "$TEST_DIR/login.err" "C: AUTH LOGIN$" "the trace shows AUTH LOGIN"
mailstack_wait_mail bob 7
ok $? "the mail arrives"
b64=$(printf 'wonderland' | base64)
plain=$(printf '\0alice\0wonderland' | base64)
cat "$TEST_DIR"/*.err "$TEST_DIR/err" >"$TEST_DIR/all.err"
expect_no_grep "$TEST_DIR/all.err" "wonderland|$b64|$plain" "no trace holds the password, plain or in base64"
conf none "user = alice" "password-file = $TEST_DIR/smtp-password"
queue auth-3 "bob@$D"
t outbox --flush
expect_rc 0 "security = none, named: AUTH without TLS is allowed on loopback"

expect_no_grep "$TEST_DIR/all.err" "runtime error|LeakSanitizer|AddressSanitizer" \
	"no run reported a leak or undefined behaviour"
# Postfix before Dovecot, whose auth service would wait for its smtpd.
mailstack_stop_postfix
done_testing
