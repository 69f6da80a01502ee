#!/bin/bash
# T175: each reader's copy of a digest in their own morning, through the
# harness's real Postfix and Dovecot.  A team in Berlin gathers its digest
# at 17:00; subscribers in Tokyo, Berlin and São Paulo (a member, by her
# working hours) each get their copy at their own 08:00 the next day,
# dated then, once, all under the digest's one Message-ID.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"
. "$(dirname "$0")/agent.sh"

reason=$(mailstack_available) || skip_all "$reason"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"
command -v python3 >/dev/null || skip_all "python3 is not installed"

agent_stack standup ana kim max
agent_config

date_of() { python3 - "$1" <<'EOF'
import email, email.utils, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'))
d = email.utils.parsedate_to_datetime(m['Date']) if m['Date'] else None
print(d.astimezone(__import__('datetime').timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ') if d else '')
EOF
}
counts() { echo "$(mails kim) $(mails max) $(mails ana)"; }

N=2026-03-25T00:00:00Z
at $N team add platform --title Platform --zone Europe/Berlin
at $N team set platform --digest-at 17:00 --digest-days mon-fri --empty notice
at $N member add "ana@$D" --team platform --name "Ana Lima" \
	--zone America/Sao_Paulo --hours 08:00-16:00
at $N subscriber add "ana@$D" --team platform --confirmed
at $N subscriber add "kim@$D" --team platform --confirmed --zone Asia/Tokyo --at 08:00
at $N subscriber add "max@$D" --team platform --confirmed --zone Europe/Berlin --at 08:00
expect_rc 0 "three subscribers in three zones"
at 2026-03-25T00:01:00Z run --once
mailstack_wait_mail kim 1 10 && mailstack_wait_mail max 1 10 && mailstack_wait_mail ana 1 10
ok $? "each is welcomed"

# Wednesday 17:00 in Berlin (16:00 UTC): the digest is gathered, once.
at 2026-03-25T16:00:10Z run --once
expect_rc 0 "run --once at the team's digest time"
[ "$(sql "SELECT count(*) FROM digests")" = 1 ] &&
	[ "$(sql "SELECT count(*) FROM outbox WHERE kind = 'digest' AND state = 'queued'")" = 3 ]
ok $? "gathered once, three copies waiting"
sleep 1
[ "$(counts)" = "1 1 1" ]
ok $? "nobody's copy leaves in the evening ($(counts))"

# Thursday 08:00 in Tokyo is 23:00 UTC on Wednesday.
at 2026-03-25T22:59:00Z run --once
sleep 1
[ "$(counts)" = "1 1 1" ]
ok $? "not before 08:00 in Tokyo"
at 2026-03-25T23:00:10Z run --once
mailstack_wait_mail kim 2 10
ok $? "Kim's copy reaches her at 08:00 in Tokyo"
[ "$(date_of "$(newest kim)")" = 2026-03-25T23:00:00Z ]
ok $? "dated then ($(date_of "$(newest kim)"))"
[ "$(counts)" = "2 1 1" ]
ok $? "and nobody else's yet"

# 08:00 in Berlin is 07:00 UTC; in São Paulo 11:00 UTC.
at 2026-03-26T07:00:10Z run --once
mailstack_wait_mail max 2 10
ok $? "Max's copy at 08:00 in Berlin"
sleep 1
[ "$(counts)" = "2 2 1" ]
ok $? "Ana's still waits"
at 2026-03-26T11:00:10Z run --once
mailstack_wait_mail ana 2 10
ok $? "Ana's at 08:00 in São Paulo, the start of her working hours"

# Later runs send nothing twice.
at 2026-03-26T11:05:00Z run --once
at 2026-03-26T12:00:00Z run --once
sleep 1
[ "$(counts)" = "2 2 2" ]
ok $? "each copy once ($(counts))"
mids=$(for u in kim max ana; do header "$(newest $u)" Message-ID; done | sort -u | wc -l)
[ "$mids" = 1 ]
ok $? "one digest, one Message-ID"

done_testing
