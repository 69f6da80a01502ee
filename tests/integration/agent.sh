# tidings as a team's agent on the harness's mail stack: the set-up the
# integration tests that run a team by mail share.  Sourced after ../lib.sh
# and mailstack.sh; needs bash.  The database is SQLite's or PostgreSQL's
# as backend.sh (sourced here) says.
#
# Functions
#   agent_stack USER...       the IMAP users (password "secret"), the stack
#                             started, and subaddresses (standup+TOKEN@) given
#                             to their user, as tidings' reply addresses need
#   agent_config [LINE...]    the database (backend_db), the secret, the
#                             IMAP password file and
#                             $TEST_DIR/tidings.conf: tidings as
#                             standup@$MAIL_DOMAIN, reading over IMAP and
#                             sending over SMTP on the stack; LINEs are added
#                             to its [tidings] section
#   at TIME COMMAND...        tidings with its clock set to TIME (run, lib.sh)
#   mails USER                how many mails USER's Maildir holds
#   sql QUERY                 QUERY on the database (backend_sql)
#   newest USER               the newest mail in USER's Maildir
#   header FILE NAME          the header NAME of the mail in FILE
#   copies MODE               what the outbox sent into the Maildirs of the
#                             users crew and subs: "unrecorded", the copies
#                             still pending there, "tally", how often each
#                             arrived (the tests that kill tidings while it
#                             sends)
#
# Variables
#   db                        the database, $TEST_DIR/tidings.db or, once
#                             agent_config ran, PostgreSQL's URI
#   D                         $MAIL_DOMAIN

agent_stack() {
	local u

	for u in "$@"; do mailstack_add_user "$u" secret; done
	mailstack_start "$TEST_DIR/mailstack" || bail_out "no mail stack"
	mailstack_postconf -e "recipient_delimiter = +"
	mailstack_stop_postfix && mailstack_start_postfix ||
	    bail_out "no Postfix"
}

agent_config() {
	local line

	backend_db db "$TEST_DIR/tidings.db"
	printf 'secret\n' >"$TEST_DIR/imap-password"
	openssl rand -hex 32 >"$TEST_DIR/secret"
	chmod 600 "$TEST_DIR/imap-password" "$TEST_DIR/secret"
	{
		printf '[tidings]\naddress = standup@%s\n' "$MAIL_DOMAIN"
		printf 'database = %s\nsecret-file = %s\n' "$db" \
		    "$TEST_DIR/secret"
		for line in "$@"; do printf '%s\n' "$line"; done
		printf '[imap]\nhost = 127.0.0.1\nport = %s\n' "$IMAP_PORT"
		printf 'security = none\nuser = standup\n'
		printf 'password-file = %s\ntimeout = 10s\n' \
		    "$TEST_DIR/imap-password"
		printf '[smtp]\nhost = 127.0.0.1\nport = %s\n' "$SMTP_PORT"
		printf 'security = none\n'
	} >"$TEST_DIR/tidings.conf"
}

at() {
	local when=$1

	shift
	TIDINGS_NOW=$when run "$TIDINGS" --config "$TEST_DIR/tidings.conf" "$@"
}

mails() { mailstack_count_mail "$1"; }

sql() { backend_sql "$db" "$1"; }

newest() {
	ls -t "$MAILSTACK_DIR/mail/$1/Maildir/new/"* \
	    "$MAILSTACK_DIR/mail/$1/Maildir/cur/"* 2>/dev/null | head -n 1
}

header() {
	python3 - "$1" "$2" <<'EOF'
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], 'rb'))
print(m.get(sys.argv[2], ''))
EOF
}

# copies MODE: with "unrecorded", the copies in the outbox still pending
# that are in their recipient's Maildir already (accepted by Postfix, not
# yet recorded as sent); with "tally", how often each (To, Message-ID) of
# the crew and subs Maildirs arrived, one "N TO MESSAGE-ID" line each.
copies() {
	sql "SELECT o.dedupe_key || ' ' || r.address || ' ' || $(sql_hex rw.raw) FROM outbox o JOIN outbox_raw rw ON rw.outbox_id = o.id
		JOIN outbox_recipients r ON r.outbox_id = o.id WHERE r.state = 'pending'" |
	python3 -c "$(cat <<'EOF'
import email, email.utils, glob, sys
from collections import Counter
mode, mail = sys.argv[1:3]
seen = Counter()
for user in ('crew', 'subs'):
    for f in glob.glob(f'{mail}/{user}/Maildir/new/*') + glob.glob(f'{mail}/{user}/Maildir/cur/*'):
        with open(f, 'rb') as fh:
            m = email.message_from_binary_file(fh)
        to = email.utils.getaddresses([m.get('To', '')])[0][1]
        seen[(to, m.get('Message-ID', '').strip())] += 1
if mode == 'tally':
    for (to, mid), n in sorted(seen.items()):
        print(n, to, mid)
    sys.exit(0)
for line in sys.stdin:
    key, rcpt, raw = line.split()
    m = email.message_from_bytes(bytes.fromhex(raw))
    mid = m.get('Message-ID', '').strip()
    if seen[(rcpt, mid)]:
        print(key, rcpt, mid)
EOF
)" "$1" "$MAILSTACK_DIR/mail"
}

. "$(dirname "${BASH_SOURCE[0]}")/backend.sh"

db="$TEST_DIR/tidings.db"
D=$MAIL_DOMAIN
