#!/bin/bash
# T220: a real out-of-office responder answers a prompt.  Priya's mail goes
# through LMTP into Dovecot, where her Sieve script (Pigeonhole) has a
# vacation rule.  The prompt carries nothing that tells RFC 3834 / RFC 5230
# responders to stay silent, so her responder answers it; tidings reads the
# answer over IMAP, marks her away until the day it names, does not ask her
# meanwhile, and answers nobody: no loop.  The same responder keeps silent
# for mail that says it was sent by a machine or a list, which is why
# prompts must not say so.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"
. "$(dirname "$0")/agent.sh"

reason=$(mailstack_available) || skip_all "$reason"
reason=$(backend_available) || skip_all "$reason"
command -v python3 >/dev/null || skip_all "python3 is not installed"
[ -x /usr/lib/dovecot/lmtp ] || skip_all "Dovecot's LMTP server (dovecot-lmtpd) is not installed"
[ -e /usr/lib/dovecot/modules/lib90_sieve_plugin.so ] ||
	skip_all "Pigeonhole (dovecot-sieve) is not installed"

agent_stack standup priya ops
agent_config "trusted-authserv-ids = mx.$D"

# --- Priya's mail through LMTP, with her Sieve vacation rule --------------------
# The harness's own helper picks a port no other server holds.
LMTP_PORT=$(_ms_free_port "$IMAP_PORT" "$IMAPS_PORT" "$SMTP_PORT") || bail_out "no free port"
conf=$(_ms_dovecot_conf)
sed -i 's/^protocols = imap$/protocols = imap lmtp/' "$conf"
cat >>"$conf" <<EOF
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
protocol lmtp {
  mail_plugins = \$mail_plugins sieve
  postmaster_address = postmaster@$D
}
# Vacation replies leave through the stack's Postfix.
submission_host = 127.0.0.1:$SMTP_PORT
plugin {
  sieve = file:$MAILSTACK_DIR/sieve/%n;active=$MAILSTACK_DIR/sieve/%n/active.sieve
}
EOF
mkdir -p "$MAILSTACK_DIR/sieve/priya"
cat >"$MAILSTACK_DIR/sieve/priya/active.sieve" <<'EOF'
require ["vacation"];
vacation :days 1 :subject "Out of office: Priya Nair"
    "Thank you for your mail. I am out of the office and back on Thursday 2 April.";
EOF
chown -R "$_ms_uid:$_ms_gid" "$MAILSTACK_DIR/sieve"
mailstack_stop_dovecot && mailstack_start_dovecot || bail_out "no Dovecot with LMTP"

etc=$(_ms_pf_etc)
printf 'priya@%s lmtp:inet:127.0.0.1:%s\n' "$D" "$LMTP_PORT" >"$etc/transport"
# Priya's server signs her mail and the receiving server (mx.$D, which
# tidings trusts) verifies it: the harness's Postfix has neither, so it
# writes the header the receiving server would put on top.
printf '/^From:.*priya@example\\.test/ PREPEND Authentication-Results: mx.%s; dkim=pass header.d=%s\n' \
	"$D" "$D" >"$etc/header_checks"
mailstack_postconf -e "transport_maps = texthash:$etc/transport" \
	"header_checks = regexp:$etc/header_checks" || bail_out "postconf failed"
mailstack_stop_postfix && mailstack_start_postfix || bail_out "no Postfix"

# --- the responder keeps silent for machines ------------------------------------
# What prompts carried before: a responder never answers such mail.
{
	printf 'From: Ops <ops@%s>\nTo: priya@%s\nSubject: Nightly report\n' "$D" "$D"
	printf 'Message-ID: <report.%s@%s>\nDate: %s\n' "$RANDOM" "$D" "$(date -R)"
	printf 'Auto-Submitted: auto-generated\nList-Id: Platform <platform.%s>\n\n' "$D"
	printf 'All green.\n'
} >"$TEST_DIR/report.eml"
mailstack_send "ops@$D" "priya@$D" "$TEST_DIR/report.eml"
mailstack_wait_mail priya 1 10
ok $? "a machine's mail reaches Priya through LMTP"
sleep 2
[ "$(mails ops)" = 0 ]
ok $? "her vacation rule does not answer Auto-Submitted and List-Id mail"

# --- a prompt, and her responder's answer ---------------------------------------
T0=2026-03-30T09:00:00Z	# Monday; 14:30 in Kolkata
at $T0 team add platform --title "Platform" --zone Europe/Berlin
at $T0 member add "priya@$D" --team platform --name "Priya Nair" --zone Asia/Kolkata
at $T0 checkin add platform Daily --at 16:30
expect_rc 0 "a daily check-in at 16:30"

at 2026-03-30T11:00:20Z prompts --due
expect_grep out "^1 asked" "11:00 UTC is 16:30 in Kolkata: Priya is asked"
mailstack_wait_mail priya 2 10
ok $? "the prompt is delivered through LMTP"
prompt=$(newest priya)
[ -z "$(header "$prompt" Auto-Submitted)$(header "$prompt" List-Id)$(header "$prompt" Precedence)" ]
ok $? "the prompt has no Auto-Submitted, List-Id or Precedence"

mailstack_wait_mail standup 1 20
ok $? "her Sieve vacation rule answers the prompt"
vacation=$(newest standup)
header "$vacation" Auto-Submitted | grep -q "^auto-replied"
ok $? "the answer says Auto-Submitted: auto-replied"
[ "$(header "$vacation" In-Reply-To)" = "$(header "$prompt" Message-ID)" ]
ok $? "and answers the prompt's Message-ID"
# Read before the sync, which moves the file to cur/.
vacation_id=$(header "$vacation" Message-ID | tr -d '<>')

at 2026-03-30T11:05:00Z run --once
expect_rc 0 "tidings reads it over IMAP"
[ "$(sql "SELECT kind FROM messages WHERE message_id = '$vacation_id'")" = autoreply ]
ok $? "kept as an auto-reply"
[ "$(sql "SELECT $(sql_time ends_at) FROM availability WHERE source = 'autoreply'")" = "2026-04-01 18:30:00" ]
ok $? "Priya is away until Thursday 2 April, in Kolkata"
[ "$(sql "SELECT count(*) FROM answers")" = 0 ]
ok $? "and her responder's text is no answer"

# --- no loop ----------------------------------------------------------------------
sleep 2
at 2026-03-30T11:06:00Z run --once
at 2026-03-30T11:07:00Z outbox --flush
sleep 2
[ "$(mails priya)$(mails standup)$(mails ops)" = 210 ]
ok $? "nothing answers the auto-reply, and it is not answered again: no loop"
[ "$(sql "SELECT count(*) FROM outbox")" = 1 ]
ok $? "the outbox holds the prompt alone"

at 2026-03-31T11:00:20Z prompts --due
expect_grep out "^0 asked, 1 skipped" "Tuesday 16:30 in Kolkata: Priya, away, is not asked"
at 2026-04-02T11:00:20Z prompts --due
expect_grep out "^1 asked" "Thursday, back: Priya is asked again"

done_testing
