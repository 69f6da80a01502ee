#!/bin/bash
# T180: secrets never reach the logs.  tidings runs with -v and -vv against
# the harness's Dovecot and Postfix, logging in to IMAP with one password
# and to SMTP (AUTH through Dovecot's SASL, as T140 sets it up) with
# another; it asks, sends, reads a reply and answers.  Nothing it prints,
# on either stream, holds a password or the secret file's key, plain or in
# base64.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"

reason=$(mailstack_available) || skip_all "$reason"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"

imap_pw=imap-Kq7vX2pw
smtp_pw=smtp-Zr4mW9pw
mailstack_add_user standup "$imap_pw"
mailstack_add_user sender "$smtp_pw"
mailstack_add_user ana secret
mailstack_start "$TEST_DIR/mailstack" || bail_out "no mail stack"
D=$MAIL_DOMAIN

# SMTP AUTH through Dovecot's SASL, as in T140.
auth_socket="$MAILSTACK_DIR/dovecot/run/auth-postfix"
mailstack_stop_dovecot
cat >>"$MAILSTACK_DIR/dovecot/dovecot.conf" <<CONF
service auth {
  unix_listener $auth_socket {
    mode = 0666
  }
}
CONF
mailstack_start_dovecot || bail_out "dovecot restart"
mailstack_postconf -e "smtpd_sasl_auth_enable = yes" "smtpd_sasl_type = dovecot" \
	"smtpd_sasl_path = $auth_socket" "recipient_delimiter = +"
mailstack_stop_postfix && mailstack_start_postfix || bail_out "postfix restart"

db="$TEST_DIR/tidings.db"
printf '%s\n' "$imap_pw" >"$TEST_DIR/imap-password"
printf '%s\n' "$smtp_pw" >"$TEST_DIR/smtp-password"
openssl rand -hex 32 >"$TEST_DIR/secret"
chmod 600 "$TEST_DIR/imap-password" "$TEST_DIR/smtp-password" "$TEST_DIR/secret"
cat >"$TEST_DIR/tidings.conf" <<CONF
[tidings]
address = standup@$D
database = $db
secret-file = $TEST_DIR/secret
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
user = sender
password-file = $TEST_DIR/smtp-password
timeout = 10s
CONF
n=0
# at TIME VERBOSITY COMMAND...: tidings at TIME, its output kept.
at() {
	local when=$1 v=$2
	shift 2
	n=$((n + 1))
	TIDINGS_NOW=$when "$TIDINGS" --config "$TEST_DIR/tidings.conf" $v "$@" \
		>"$TEST_DIR/log.$n.out" 2>"$TEST_DIR/log.$n.err"
	rc=$?
	return 0
}

at 2026-03-26T00:00:00Z -v team add platform
at 2026-03-26T00:00:00Z -v member add "ana@$D" --team platform --zone UTC
at 2026-03-26T00:00:00Z -vv checkin add platform Daily --at 16:30
expect_rc 0 "a check-in, set up with -vv"
at 2026-03-27T16:30:10Z -vv prompts --due
at 2026-03-27T16:30:20Z -vv outbox --flush
expect_rc 0 "the prompt is sent with SMTP AUTH, traced with -vv"
mailstack_wait_mail ana 1 10
ok $? "and arrives"
prompt=$(ls "$MAILSTACK_DIR/mail/ana/Maildir/new/"* | head -n 1)
reply_to=$(sed -n 's/^Reply-To: //p' "$prompt" | tr -d '\r')
{
	printf 'From: ana@%s\nTo: %s\nSubject: Re: Daily\n' "$D" "$reply_to"
	printf 'Message-ID: <r1@%s>\nDate: %s\n\nhelp\n' "$D" "$(date -R)"
} >"$TEST_DIR/reply.eml"
mailstack_send "ana@$D" "$reply_to" "$TEST_DIR/reply.eml"
mailstack_wait_mail standup 1 10
at 2026-03-27T16:40:00Z -v run --once
expect_rc 0 "run --once -v reads the reply over IMAP"
at 2026-03-27T16:41:00Z -vv run --once
at 2026-03-27T16:42:00Z -vv outbox --flush
expect_rc 0 "and the answer to its command goes out, -vv"
mailstack_wait_mail ana 2 10
ok $? "the answer arrives"
grep -q 'C: AUTH PLAIN' "$TEST_DIR"/log.*.err && grep -q 'LOGIN\|AUTHENTICATE' "$TEST_DIR"/log.*.err
ok $? "the traces show both logins happened" || diag "$(cat "$TEST_DIR"/log.*.err | head -40)"

key=$(head -n 1 "$TEST_DIR/secret")
cat "$TEST_DIR"/log.* >"$TEST_DIR/all"
for s in "$imap_pw" "$smtp_pw"; do
	for form in "$s" "$(printf '%s' "$s" | base64)"; do
		! grep -qF -- "$form" "$TEST_DIR/all"
		ok $? "no output holds ${s%%-*}'s password as $([ "$form" = "$s" ] && echo text || echo base64)"
	done
done
for form in "$(printf '\0standup\0%s' "$imap_pw" | base64)" "$(printf '\0sender\0%s' "$smtp_pw" | base64)"; do
	! grep -qF -- "$form" "$TEST_DIR/all"
	ok $? "nor a SASL PLAIN response ($form)"
done
for form in "$key" "$(printf '%s' "$key" | base64 -w0)" "$(printf '%s\n' "$key" | base64 -w0)"; do
	! grep -qF -- "$form" "$TEST_DIR/all"
	ok $? "nor the secret file's key (${#form} characters)"
done
expect_no_grep "$TEST_DIR/all" "runtime error|LeakSanitizer|AddressSanitizer" \
	"no run reported a leak or undefined behaviour"
mailstack_stop_postfix
done_testing
