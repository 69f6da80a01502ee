#!/bin/bash
# T190: a meeting through the harness's real Postfix and Dovecot.  A team
# in Berlin, New York, Kolkata and Sydney is invited at the slot that suits
# all four; each member's IMAP INBOX gets one mail with text, HTML and a
# text/calendar REQUEST (METHOD as the MIME parameter, a VTIMEZONE per
# zone), organised by the member's own address for the meeting
# (standup+meet-TOKEN@); members answer ACCEPTED and DECLINED as Google and
# outlook.com would, through Postfix to that address; tidings reads the
# answers over IMAP and --show lists them, while an answer in a member's
# name to the team's address, or to another member's, changes nothing; a
# COUNTER is told to the owner and --accept moves the meeting (a REQUEST
# with SEQUENCE+1); --cancel sends CANCEL with SEQUENCE+1; updates and
# the cancel keep each member's ORGANIZER.
# What tidings writes parses in python3-icalendar when it is installed.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"
. "$(dirname "$0")/agent.sh"

reason=$(mailstack_available) || skip_all "$reason"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"
command -v python3 >/dev/null || skip_all "python3 is not installed"

agent_stack standup ana bob priya kai
agent_config

# calendar FILE: the text/calendar part of a mail, and its method= on the
# first line.
calendar() { python3 - "$1" <<'EOF'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'))
for part in m.walk():
    if part.get_content_type() == 'text/calendar':
        print(part.get_param('method') or '')
        sys.stdout.write(part.get_payload(decode=True).decode('utf-8'))
        break
EOF
}
# A python3 with the icalendar module (Debian's python3-icalendar), or
# nothing.
PYICAL=
for py in python3 /usr/bin/python3; do
	if command -v "$py" >/dev/null && "$py" -c 'import icalendar' 2>/dev/null; then
		PYICAL=$py
		break
	fi
done
# icalendar_ok FILE DESCRIPTION: FILE parses in python3-icalendar.
icalendar_ok() {
	if [ -z "$PYICAL" ]; then
		skip "$2" "python3-icalendar is not installed"
		return
	fi
	"$PYICAL" - "$1" >"$TEST_DIR/pyical.out" 2>&1 <<'EOF'
import icalendar, sys
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
for c in cal.walk():
    for name in ('DTSTART', 'DTEND', 'DTSTAMP'):
        if name in c:
            c.decoded(name)
print(cal.get('METHOD'), len(cal.walk('VTIMEZONE')), len(cal.walk('VEVENT')))
EOF
	ok $? "$2" || sed 's/^/# /' "$TEST_DIR/pyical.out"
}

T0=2026-03-27T09:00:00Z
at $T0 team add platform --title "Platform" --zone Europe/Berlin
at $T0 member add "ana@$D" --team platform --owner --name "Ana Lima" --zone Europe/Berlin --hours 09:00-17:00
at $T0 member add "bob@$D" --team platform --name "Bob Stone" --zone America/New_York --hours 07:00-15:00
at $T0 member add "priya@$D" --team platform --name "Priya Nair" --zone Asia/Kolkata --hours 12:00-20:00
at $T0 member add "kai@$D" --team platform --name "Kai Tan" --zone Australia/Sydney --hours 22:00-06:00
expect_rc 0 "a team in four zones"

# --- the slot ------------------------------------------------------------------
# From 29 March (Berlin's change; New York changed on 8 March) the four
# share 11:00-14:30 UTC.  Friday's is over; Monday 30 March 11:00 UTC.
at 2026-03-27T15:00:00Z meet --team platform --duration 30m --dry-run
expect_grep out "^best slot: 2026-03-30 11:00 UTC" "--dry-run: Monday 11:00 UTC, after Berlin's change"
expect_grep out "^4 of 4 in working hours" "all four in their working hours"
expect_grep out "kai@$D .*Mon 30 Mar 22:00-22:30 Australia/Sydney" "said in each member's local time"
[ "$(mails ana)$(mails bob)$(mails priya)$(mails kai)" = 0000 ]
ok $? "--dry-run sends nothing"

at 2026-03-27T15:00:00Z meet --team platform --duration 30m --title "Platform sync"
expect_rc 0 "tidings meet"
expect_grep out "^4 sent" "four invitations sent"
uid=$(sed -n 's/^invited platform: //p' "$TEST_DIR/out")
[ -n "$uid" ]
ok $? "the meeting's UID is said ($uid)"
for u in ana bob priya kai; do mailstack_wait_mail $u 1 10 || break; done
ok $? "an invitation in each member's INBOX"

# --- the invitation, over IMAP ----------------------------------------------------
python3 - "$IMAP_PORT" >"$TEST_DIR/imap.out" 2>&1 <<'EOF'
import email, imaplib, sys
imap = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))
imap.login('priya', 'secret')
imap.select('INBOX')
typ, data = imap.fetch('1', '(BODY.PEEK[])')
m = email.message_from_bytes(data[0][1])
print(m.get_content_type())
for part in m.walk():
    if not part.is_multipart():
        print(part.get_content_type(), part.get_param('method') or '')
imap.logout()
EOF
ok $? "Priya's INBOX is read over IMAP" || sed 's/^/# /' "$TEST_DIR/imap.out"
[ "$(cat "$TEST_DIR/imap.out")" = "multipart/alternative
text/plain 
text/html 
text/calendar REQUEST" ]
ok $? "one multipart/alternative: text, HTML, text/calendar; method=REQUEST" || sed 's/^/# /' "$TEST_DIR/imap.out"

invite=$(newest kai)
calendar "$invite" >"$TEST_DIR/request.part"
sed 1d "$TEST_DIR/request.part" >"$TEST_DIR/request.ics"
[ "$(head -n 1 "$TEST_DIR/request.part")" = REQUEST ] && grep -q "^METHOD:REQUEST" "$TEST_DIR/request.ics"
ok $? "METHOD inside is the MIME method="
[ "$(grep -c '^BEGIN:VTIMEZONE' "$TEST_DIR/request.ics")" = 4 ] &&
	grep -q '^TZID:Australia/Sydney' "$TEST_DIR/request.ics" &&
	grep -q '^DTSTART;TZID=Europe/Berlin:20260330T130000' "$TEST_DIR/request.ics"
ok $? "a VTIMEZONE for each of the four zones; DTSTART in the team's zone"
# organizer USER: the ORGANIZER address of USER's first invitation.
organizer() {
	local first

	first=$(ls -tr "$MAILSTACK_DIR/mail/$1/Maildir/new/"* \
	    "$MAILSTACK_DIR/mail/$1/Maildir/cur/"* 2>/dev/null | head -n 1)
	calendar "$first" | tr -d '\r' | sed -n 's/^ORGANIZER;CN=Platform:mailto://p'
}
grep -q "^UID:$uid" "$TEST_DIR/request.ics" && grep -q '^SEQUENCE:0' "$TEST_DIR/request.ics" &&
	grep -Eq "^ORGANIZER;CN=Platform:mailto:standup\+meet-[a-z2-7]{16}@$D"$'\r'"?\$" "$TEST_DIR/request.ics"
ok $? "UID, SEQUENCE:0, ORGANIZER an address of tidings' for the meeting"
for u in ana bob priya kai; do eval "org_$u=\$(organizer $u)"; done
[ -n "$org_ana" ] && [ -n "$org_bob" ] && [ -n "$org_priya" ] &&
	[ "$org_kai" = "$(calendar "$invite" | tr -d '\r' | sed -n 's/^ORGANIZER;CN=Platform:mailto://p')" ] &&
	[ "$(printf '%s\n' "$org_ana" "$org_bob" "$org_priya" "$org_kai" | sort -u | wc -l)" = 4 ]
ok $? "each member's ORGANIZER is an address of their own"
[ "$(tr -d '\r' <"$TEST_DIR/request.ics" | sed -e ':a' -e '$!N;s/\n //;ta' -e 'P;D' | grep -c '^ATTENDEE.*PARTSTAT=NEEDS-ACTION;RSVP=TRUE')" = 4 ]
ok $? "four ATTENDEEs, NEEDS-ACTION, RSVP=TRUE"
python3 - "$invite" <<'EOF' | grep -q "Mon 30 Mar 22:00 to 22:30, your time (Australia/Sydney)"
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'))
for part in m.walk():
    if part.get_content_type() == 'text/plain':
        # format=flowed: a line that ends in a space goes on.
        print(part.get_payload(decode=True).decode('utf-8').replace(' \n', ' '))
        break
EOF
ok $? "Kai's text says his own time"
icalendar_ok "$TEST_DIR/request.ics" "the REQUEST parses in python3-icalendar"

# --- answers, as calendar programs write them --------------------------------------
# itip_reply FROM TO PARTSTAT STYLE FILE: a REPLY to the invitation sent
# to TO (the ORGANIZER); STYLE google (text/calendar and an application/ics
# copy) or outlook-com (no ORGANIZER).
itip_reply() { python3 - "$1" "$3" "$4" "$uid" "$2" "$5" <<'EOF'
import sys, time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
sender, partstat, style, uid, to, out = sys.argv[1:]
domain = sender.split('@')[1]
organizer = '' if style == 'outlook-com' else \
    'ORGANIZER;CN=Platform:mailto:%s\r\n' % to
prodid = 'Microsoft Exchange Server 2010' if style == 'outlook-com' else \
    '-//Google Inc//Google Calendar 70.9054//EN'
ics = ('BEGIN:VCALENDAR\r\nPRODID:%s\r\nVERSION:2.0\r\nMETHOD:REPLY\r\n'
       'BEGIN:VEVENT\r\nDTSTART:20260330T110000Z\r\nDTEND:20260330T113000Z\r\n'
       'DTSTAMP:20260327T160000Z\r\n%sUID:%s\r\n'
       'ATTENDEE;PARTSTAT=%s;CN=%s:mailto:%s\r\nSEQUENCE:0\r\n'
       'SUMMARY:Platform sync\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n') % (
       prodid, organizer, uid, partstat, sender.split('@')[0], sender)
m = EmailMessage()
m['From'] = sender
m['To'] = to
m['Subject'] = '%s: Platform sync' % partstat.title()
m['Date'] = formatdate()
m['Message-ID'] = make_msgid(domain=domain)
m.set_content('%s has answered.' % sender)
m.add_alternative(ics, subtype='calendar', params={'method': 'REPLY'})
if style == 'google':
    m.make_mixed()
    m.add_attachment(ics.encode(), maintype='application', subtype='ics',
                     filename='invite.ics')
open(out, 'wb').write(bytes(m))
EOF
}
itip_reply "ana@$D" "$org_ana" ACCEPTED google "$TEST_DIR/ana.eml"
mailstack_send "ana@$D" "$org_ana" "$TEST_DIR/ana.eml"
expect_rc 0 "Ana accepts, as Google Calendar answers, to her ORGANIZER"
itip_reply "bob@$D" "$org_bob" DECLINED outlook-com "$TEST_DIR/bob.eml"
mailstack_send "bob@$D" "$org_bob" "$TEST_DIR/bob.eml"
expect_rc 0 "Bob declines, as outlook.com answers (no ORGANIZER), to his"
# Anyone can write Priya's address in From; the team's address is no
# address of hers, and no server vouches for it.
itip_reply "priya@$D" "standup+platform@$D" DECLINED google "$TEST_DIR/forged.eml"
mailstack_send "eve@$D" "standup+platform@$D" "$TEST_DIR/forged.eml"
expect_rc 0 "someone declines in Priya's name, to the team's address"
# Kai's answer to Ana's address is not his to send there.
itip_reply "kai@$D" "$org_ana" DECLINED outlook-com "$TEST_DIR/kai.eml"
mailstack_send "kai@$D" "$org_ana" "$TEST_DIR/kai.eml"
expect_rc 0 "Kai declines, to Ana's address"
mailstack_wait_mail standup 4 10
ok $? "the four answers reach tidings' mailbox"
at 2026-03-27T16:00:00Z run --once
expect_rc 0 "tidings run --once reads them over IMAP"

at 2026-03-27T16:00:00Z meet --show "$uid"
expect_rc 0 "tidings meet --show"
expect_grep out "requested, sequence 0" "the meeting stands"
expect_grep out "^ana@$D +accepted " "Ana accepted"
expect_grep out "^bob@$D +declined " "Bob declined"
expect_grep out "^priya@$D +no answer " "Priya has not answered: the forged answer changed nothing"
expect_grep out "^kai@$D +no answer " "Kai's answer to Ana's address changed nothing"
[ "$(sql "SELECT count(*) FROM messages WHERE trusted = 0 AND trust_reason LIKE 'not sent to the attendee''s own address for the meeting, and %'")" = 1 ] &&
	[ "$(sql "SELECT count(*) FROM messages WHERE trusted = 0 AND trust_reason LIKE 'sent to a meeting address that is not kai@$D''s for %'")" = 1 ]
ok $? "both kept, with why" || sql "SELECT trusted, trust_reason FROM messages" | sed 's/^/# /'
[ "$(mails ana)$(mails bob)$(mails priya)$(mails kai)" = 1111 ]
ok $? "no answer is answered"

# --- a proposal, accepted ------------------------------------------------------------
# Priya proposes Tuesday 12:00 UTC (a COUNTER, as Outlook sends it); the
# owner is told, accepts, and everyone gets the update at the new time.
python3 - "priya@$D" "$uid" "$org_priya" "$TEST_DIR/counter.eml" <<'EOF'
import sys
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
sender, uid, to, out = sys.argv[1:]
domain = sender.split('@')[1]
ics = ('BEGIN:VCALENDAR\r\nPRODID:Microsoft Exchange Server 2010\r\n'
       'VERSION:2.0\r\nMETHOD:COUNTER\r\nBEGIN:VEVENT\r\n'
       'DTSTART:20260331T120000Z\r\nDTEND:20260331T123000Z\r\n'
       'DTSTAMP:20260327T161000Z\r\n'
       'ORGANIZER;CN=Platform:mailto:%s\r\nUID:%s\r\n'
       'ATTENDEE;PARTSTAT=TENTATIVE;CN=Priya:mailto:%s\r\nSEQUENCE:0\r\n'
       'COMMENT:Tuesday suits Kolkata better\r\n'
       'SUMMARY:Platform sync\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n') % (
       to, uid, sender)
m = EmailMessage()
m['From'] = sender
m['To'] = to
m['Subject'] = 'New Time Proposed: Platform sync'
m['Date'] = formatdate()
m['Message-ID'] = make_msgid(domain=domain)
m.set_content('How about Tuesday?')
m.add_alternative(ics, subtype='calendar', params={'method': 'COUNTER'})
open(out, 'wb').write(bytes(m))
EOF
mailstack_send "priya@$D" "$org_priya" "$TEST_DIR/counter.eml"
mailstack_wait_mail standup 5 10
at 2026-03-27T16:30:00Z run --once
expect_rc 0 "the proposal is read over IMAP"
mailstack_wait_mail ana 2 10
ok $? "the owner, Ana, is told of it"
grep -q "tidings meet --accept $uid" "$(newest ana)"
ok $? "the notice says how to accept it"
at 2026-03-27T17:00:00Z meet --accept "$uid" --from "kai@$D"
expect_rc 65 "--accept --from someone who proposed nothing: exit 65"
expect_grep err "kai@$D has proposed no other time" "says so"
at 2026-03-27T17:00:00Z meet --accept "$uid"
expect_rc 0 "tidings meet --accept"
expect_grep out "^moved $uid to 2026-03-31 12:00 UTC" "says where it moved"
mailstack_wait_mail ana 3 10 && for u in bob priya kai; do mailstack_wait_mail $u 2 10 || break; done
ok $? "an update in each member's INBOX"
calendar "$(newest kai)" >"$TEST_DIR/update.part"
sed 1d "$TEST_DIR/update.part" >"$TEST_DIR/update.ics"
[ "$(head -n 1 "$TEST_DIR/update.part")" = REQUEST ] && grep -q '^METHOD:REQUEST' "$TEST_DIR/update.ics" &&
	grep -q "^UID:$uid" "$TEST_DIR/update.ics" && grep -q '^SEQUENCE:1' "$TEST_DIR/update.ics" &&
	grep -q '^DTSTART;TZID=Europe/Berlin:20260331T140000' "$TEST_DIR/update.ics"
ok $? "a REQUEST with the same UID, SEQUENCE:1, at the proposed time"
tr -d '\r' <"$TEST_DIR/update.ics" | grep -q "^ORGANIZER;CN=Platform:mailto:$org_kai\$"
ok $? "the update keeps Kai's own ORGANIZER"
icalendar_ok "$TEST_DIR/update.ics" "the update parses in python3-icalendar"
at 2026-03-27T17:00:00Z meet --show "$uid"
expect_grep out "2026-03-31 12:00 UTC, 30 minutes: requested, sequence 1" "the meeting stands at the new time"
expect_grep out "^priya@$D +no answer " "everyone is asked anew"

# --- export ------------------------------------------------------------------------
at 2026-03-27T16:00:00Z export-ics --team platform -o "$TEST_DIR/team.ics"
expect_rc 0 "tidings export-ics"
grep -q '^BEGIN:VAVAILABILITY' "$TEST_DIR/team.ics" && grep -q '^BEGIN:VFREEBUSY' "$TEST_DIR/team.ics" &&
	grep -q "^UID:$uid" "$TEST_DIR/team.ics"
ok $? "working hours, free/busy and the meeting"
icalendar_ok "$TEST_DIR/team.ics" "the export parses in python3-icalendar"

# --- cancel --------------------------------------------------------------------------
at 2026-03-28T09:00:00Z meet --cancel "$uid"
expect_rc 0 "tidings meet --cancel"
mailstack_wait_mail ana 4 10 && for u in bob priya kai; do mailstack_wait_mail $u 3 10 || break; done
ok $? "a third mail for each member"
calendar "$(newest priya)" >"$TEST_DIR/cancel.part"
sed 1d "$TEST_DIR/cancel.part" >"$TEST_DIR/cancel.ics"
[ "$(head -n 1 "$TEST_DIR/cancel.part")" = CANCEL ] && grep -q '^METHOD:CANCEL' "$TEST_DIR/cancel.ics" &&
	grep -q "^UID:$uid" "$TEST_DIR/cancel.ics" && grep -q '^SEQUENCE:2' "$TEST_DIR/cancel.ics" &&
	grep -q '^STATUS:CANCELLED' "$TEST_DIR/cancel.ics"
ok $? "METHOD:CANCEL, the same UID, SEQUENCE:2, STATUS:CANCELLED"
tr -d '\r' <"$TEST_DIR/cancel.ics" | grep -q "^ORGANIZER;CN=Platform:mailto:$org_priya\$"
ok $? "the CANCEL keeps Priya's own ORGANIZER"
icalendar_ok "$TEST_DIR/cancel.ics" "the CANCEL parses in python3-icalendar"
at 2026-03-28T09:00:00Z meet --show "$uid"
expect_grep out "cancelled, sequence 2" "the meeting is cancelled"
at 2026-03-28T09:00:00Z meet --cancel "$uid"
expect_rc 65 "cancelling twice is refused"

done_testing
