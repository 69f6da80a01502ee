#!/bin/bash
# T100: the integration mail stack itself works.  A real Postfix accepts a
# message over SMTP and delivers it into a Maildir that a real Dovecot serves
# over IMAP and IMAPS; logins, TLS verification and unknown recipients behave
# as a mail provider's would; and stopping the stack leaves nothing running.
# Every later integration test builds on this.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"

reason=$(mailstack_available) || skip_all "$reason"

# check STATUS DESCRIPTION: ok, plus the server logs when it fails.
check() {
	ok "$1" "$2"
	[ "$1" -eq 0 ] || mailstack_logs 30
}

# imap USER:PASSWORD URL-PATH [CURL-OPTION...]: curl against the stack's plain
# IMAP port; output in $TEST_DIR/out and $TEST_DIR/err, status in $rc.
imap() {
	local login=$1 path=$2
	shift 2
	run curl -sS --max-time 10 --user "$login" "$@" \
		"imap://127.0.0.1:$IMAP_PORT/$path"
}

# uids: the UIDs listed by the last "UID SEARCH" in $TEST_DIR/out.
uids() { tr -d '\r' <"$TEST_DIR/out" | sed -n 's/^\* SEARCH *//p'; }

# alive PID: running, not a zombie waiting for init to reap it.
alive() {
	local stat
	stat=$(ps -o stat= -p "$1") || return 1
	case "$stat" in Z*) return 1 ;; esac
}

mailstack_start "$TEST_DIR/mailstack"
started=$?
ok "$started" "the mail stack starts (Dovecot and Postfix on 127.0.0.1)"
[ "$started" -eq 0 ] || bail_out "no mail stack"
diag "IMAP $IMAP_PORT, IMAPS $IMAPS_PORT, SMTP $SMTP_PORT, dir $MAILSTACK_DIR"

mailstack_add_user alice alice-secret && mailstack_add_user bob bob-secret
check $? "users alice and bob are added while the servers run"

# A message nobody else could have sent: its subject and body are unique.
token="$$-$RANDOM-$(date +%s)"
subject="T100 stack check $token"
body="The body of the check message, token $token."
cat >"$TEST_DIR/message.eml" <<EOF
From: Carol Sender <carol@sender.test>
To: Alice <alice@$MAIL_DOMAIN>
Subject: $subject
Date: $(date -R)
Message-ID: <t100.$token@sender.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hello Alice,

$body
EOF

run mailstack_send carol@sender.test "alice@$MAIL_DOMAIN" "$TEST_DIR/message.eml"
expect_rc 0 "Postfix accepts a message for alice over SMTP"

mailstack_wait_mail alice 1 20
check $? "Postfix delivers it into alice's Maildir within 20 s"

imap alice:alice-secret INBOX -X "UID SEARCH ALL"
uid=$(uids)
[ "$rc" -eq 0 ] && [ -n "$uid" ] && [ "$uid" = "${uid%% *}" ]
check $? "IMAP lists exactly one message in alice's INBOX (UID ${uid:-none})"

imap alice:alice-secret "INBOX;UID=${uid:-1}"
cp "$TEST_DIR/out" "$TEST_DIR/via-imap"
expect_grep "$TEST_DIR/via-imap" "^Subject: $subject" \
	"the message read over IMAP has the subject sent"
expect_grep "$TEST_DIR/via-imap" "$body" \
	"the message read over IMAP has the body sent"

run curl -sS --max-time 10 --cacert "$MAILSTACK_CA" --user alice:alice-secret \
	"imaps://127.0.0.1:$IMAPS_PORT/INBOX;UID=${uid:-1}"
[ "$rc" -eq 0 ] && grep -q "^Subject: $subject" "$TEST_DIR/out"
check $? "IMAPS with the stack's CA verifies the server and reads the message"

run curl -sS --max-time 10 --user alice:alice-secret \
	"imaps://127.0.0.1:$IMAPS_PORT/INBOX;UID=${uid:-1}"
expect_rc 60 "IMAPS without the stack's CA refuses the self-signed certificate"

imap alice:wrong-password INBOX -X "UID SEARCH ALL"
expect_rc 67 "IMAP refuses alice's login with a wrong password"

imap bob:bob-secret INBOX -X "UID SEARCH ALL"
[ "$rc" -eq 0 ] && grep -q '^\* SEARCH' "$TEST_DIR/out" && [ -z "$(uids)" ]
check $? "bob's INBOX is empty over IMAP"

# An unknown mailbox in the stack's domain: Postfix refuses it at RCPT TO
# (or, were it accepted, would have to bounce it); nobody may receive it.
run mailstack_send carol@sender.test "nobody@$MAIL_DOMAIN" "$TEST_DIR/message.eml"
if [ "$rc" -ne 0 ]; then
	grep -q "nobody@$MAIL_DOMAIN.*User unknown" "$MAILSTACK_DIR/log/postfix.log"
else	# accepted: then it must bounce within 10 s
	bounced=1
	for _ in $(seq 1 100); do
		if grep -q "to=<nobody@$MAIL_DOMAIN>.*status=bounced" \
			"$MAILSTACK_DIR/log/postfix.log"; then
			bounced=0
			break
		fi
		sleep 0.1
	done
	[ "$bounced" -eq 0 ]
fi
check $? "mail to an unknown user is rejected or bounced"

[ "$(mailstack_count_mail alice)" -eq 1 ] && [ "$(mailstack_count_mail bob)" -eq 0 ]
check $? "the mail to the unknown user reached neither alice nor bob"

# Postfix stopped while its cleanup was writing a queue file leaves that
# file half written; the next start's postsuper warns about it, in the
# log, and the start goes on (the tests that stop Postfix in the middle
# of a batch depend on it).
mailstack_stop_postfix
echo half >"$MAILSTACK_DIR/postfix/spool/incoming/914697.28088"
mailstack_start_postfix >"$TEST_DIR/restart.out" 2>&1
check $? "Postfix starts again after a stop left a half-written queue file"
grep -q 'bogus file name' "$MAILSTACK_DIR/log/postfix.log"
check $? "its warning about that file is in Postfix's log"

# What runs now must all be gone after the stop, masters included.
pids=$(mailstack_pids)
[ -n "$pids" ]
check $? "the stack's processes are found before the stop ($(wc -w <<<"$pids"))"

mailstack_stop
check $? "mailstack_stop succeeds"

busy=
for port in "$IMAP_PORT" "$IMAPS_PORT" "$SMTP_PORT"; do
	[ -n "$(ss -Hltn "( sport = :$port )")" ] && busy="$busy $port"
done
[ -z "$busy" ]
check $? "nothing listens on the IMAP, IMAPS and SMTP ports after the stop${busy:+ (busy:$busy)}"

left=
for pid in $pids; do
	alive "$pid" && left="$left $pid"
done
[ -z "$left" ] && [ -z "$(mailstack_pids)" ]
check $? "no Dovecot or Postfix process of this stack remains${left:+ (left:$left)}"
[ -z "$left" ] || ps -o pid,args -p "${left# }" | sed 's/^/# /'

mailstack_stop
check $? "a second mailstack_stop is harmless"

done_testing
