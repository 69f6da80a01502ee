#!/bin/bash
# T230: two tidings run on one PostgreSQL database, one Dovecot mailbox and
# Postfix, the same configuration for both.  A team of 100 members is asked
# its check-in and 100 subscribers get the team's digest at the same minute;
# then 1,000 replies arrive in the mailbox.  One process is killed with
# SIGKILL and started again while the prompts and digest copies go out, and
# the one that reads the mailbox is killed while it syncs the replies, and
# started again once the other has taken the mailbox over.
# Afterwards every reply is stored once, and every prompt and digest copy
# is in its recipient's Maildir once, but for the copy per kill that the
# outbox's at-least-once rule allows (accepted by Postfix, not yet recorded
# as sent when the process died), which the test names.  The mailbox is
# taken over by the survivor once the lease (5 s here) lapses, and
# "tidings status" shows both processes and which reads the mailbox.

TIDINGS_TEST_BACKEND=postgresql
export TIDINGS_TEST_BACKEND
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"
. "$(dirname "$0")/agent.sh"

reason=$(mailstack_available) || skip_all "$reason"
reason=$(backend_available) || skip_all "$reason"
command -v python3 >/dev/null || skip_all "python3 is not installed"

members=100 subscribers=100 per_member=10
replies=$((members * per_member))
lease=5

agent_stack standup crew subs
agent_config "lease-time = ${lease}s"
# Read while the processes write: an error is no answer.
sql() { backend_sql "$db" "$1" 2>/dev/null; }
mailbox="imap standup@127.0.0.1 INBOX"

# The test's clock: it starts on Monday 30 March 2026 at 14:29:50 UTC, ten
# seconds before the check-in and the digest, and runs on with the real one,
# for every process started, whenever it starts.
t0=$EPOCHSECONDS
vnow() { echo $((1774880990 + EPOCHSECONDS - t0)); }

# start N: tidings run number N (1 or 2) in the background; ${pid[N]}.
declare -a pid
start() {
	TIDINGS_NOW=$(vnow) "$TIDINGS" --config "$TEST_DIR/tidings.conf" \
		run --foreground >>"$TEST_DIR/run$1.out" 2>>"$TEST_DIR/run$1.err" &
	pid[$1]=$!
}
tap_at_exit 'kill -KILL ${pid[1]:-} ${pid[2]:-} 2>/dev/null'
kill9() { kill -KILL "${pid[$1]}" && wait "${pid[$1]}" 2>/dev/null; return 0; }
tdg() { TIDINGS_NOW=$(vnow) "$TIDINGS" --config "$TEST_DIR/tidings.conf" "$@"; }
queue_empty() { [ -z "$(find "$MAILSTACK_DIR/postfix/spool/"{maildrop,incoming,active,deferred} -type f 2>/dev/null)" ]; }

# --- the team ------------------------------------------------------------------
at 2026-03-30T12:00:00Z team add platform --title Platform --zone UTC
at 2026-03-30T12:00:00Z team set platform --digest-at 14:30 --digest-days mon-fri --empty notice
at 2026-03-30T12:00:00Z checkin add platform Daily --at 14:30 --close 1d
{
	for i in $(seq 1 $members); do echo "member add crew+m$i@$D --team platform"; done
	for i in $(seq 1 $subscribers); do echo "subscriber add subs+s$i@$D --team platform --confirmed"; done
} | TIDINGS_NOW=2026-03-30T12:00:00Z xargs -P 2 -L 1 \
	"$TIDINGS" --config "$TEST_DIR/tidings.conf" >/dev/null 2>"$TEST_DIR/setup.err"
[ "$(sql "SELECT count(*) FROM memberships")" = $members ] &&
	[ "$(sql "SELECT count(*) FROM subscriptions WHERE state = 'active'")" = $subscribers ]
ok $? "$members members and $subscribers subscribers" || sed 's/^/# /' "$TEST_DIR/setup.err" | head
# The subscribers' welcomes go before the processes start, so that what
# they send is the prompts and the digest.
at 2026-03-30T12:00:00Z outbox --flush
expect_rc 0 "the welcomes sent"
welcomed() { [ "$(mailstack_count_mail subs)" -ge $subscribers ]; }
wait_until 30 welcomed && wait_until 20 queue_empty
ok $? "and delivered"

sent() { sql "SELECT count(*) FROM outbox WHERE state = 'sent' AND dedupe_key LIKE '$1%'"; }
at_least() { [ "$(sent "$1")" -ge "$2" ] 2>/dev/null; }
# holder: the pid of the tidings run that holds the mailbox's lease.
holder() {
	sql "SELECT p.pid FROM leases l JOIN processes p ON p.id = l.holder
		WHERE l.name = '$mailbox' AND l.expires_at >= unixepoch()"
}
held_by() { [ "$(holder)" = "$1" ]; }
: >"$TEST_DIR/unrecorded"
# kill_one N: kills process N with SIGKILL while the other is stopped
# (SIGSTOP), then, once Postfix has delivered what it accepted, looks for
# copies in a Maildir that the outbox still has pending: those the killed
# one had sent but not recorded, and the one the stopped one may be
# recording.  The other goes on and records its own; what stays pending
# (claimed by the killed one until its claim passes) is named in
# $TEST_DIR/unrecorded.  At most one.
kill_one() {
	local k=$1 o=$((3 - $1)) status
	kill -STOP "${pid[$o]}"
	kill9 "$k"
	sent_at_kill=$(($(sent prompt:) + $(sent digest:)))
	wait_until 20 queue_empty
	copies unrecorded | sort >"$TEST_DIR/first"
	kill -CONT "${pid[$o]}"
	settled() {
		copies unrecorded | sort | comm -12 "$TEST_DIR/first" - >"$TEST_DIR/still"
		[ "$(wc -l <"$TEST_DIR/still")" -le 1 ]
	}
	wait_until 20 settled
	status=$?
	tee -a "$TEST_DIR/unrecorded" <"$TEST_DIR/still" |
		sed 's/^/# accepted by Postfix, not recorded as sent by the killed process: /'
	return $status
}

# --- killed while the prompts and digest copies go out --------------------------
start 1
start 2
# The first prompt on its way (in Postfix's queue, or delivered): the
# outbox is being sent.
arriving() {
	[ -n "$(find "$MAILSTACK_DIR/postfix/spool/"{incoming,active} -type f -print -quit 2>/dev/null)" ] ||
		[ "$(mailstack_count_mail crew)" -ge 1 ]
}
wait_until 60 arriving
ok $? "the prompts go out"
kill_one 1
ok $? "process 1 killed meanwhile: at most one copy accepted but not recorded"
[ "$sent_at_kill" -lt $((members + subscribers)) ]
ok $? "killed while the outbox was being sent ($sent_at_kill of $((members + subscribers)) recorded as sent)"
start 1
prompts_in() { [ "$(mailstack_count_mail crew)" -ge "$members" ]; }
wait_until 60 prompts_in
ok $? "every member's prompt arrives ($(mailstack_count_mail crew))"

# --- 1,000 replies, the reader killed meanwhile ---------------------------------
# Each member answers ten times (each answer replaces the one before); the
# replies are delivered as Postfix's virtual(8) does, written into tmp/ and
# renamed into new/, all at once.
inbox="$MAILSTACK_DIR/mail/standup/Maildir"
python3 - "$MAILSTACK_DIR/mail/crew/Maildir" "$inbox" "$per_member" <<'EOF' >"$TEST_DIR/replies" ||
import email, email.utils, glob, os, pwd, sys
maildir, inbox, per = sys.argv[1], sys.argv[2], int(sys.argv[3])
vmail = pwd.getpwnam('vmail')
n = 0
seen = set()
for f in sorted(glob.glob(f'{maildir}/new/*') + glob.glob(f'{maildir}/cur/*')):
    with open(f, 'rb') as fh:
        m = email.message_from_binary_file(fh)
    # A prompt that came twice (a kill's one allowed copy) is answered once.
    if not m.get('Reply-To', '').startswith('standup+') or m['Message-ID'] in seen:
        continue
    seen.add(m['Message-ID'])
    who = email.utils.getaddresses([m['To']])[0][1]
    for k in range(per):
        n += 1
        tmp = f'{inbox}/tmp/{n:05d}.cluster'
        with open(tmp, 'w') as r:
            r.write(f"From: {who}\nTo: {m['Reply-To']}\nSubject: Re: {m['Subject']}\n"
                    f"Message-ID: <reply-{n}@example.test>\nIn-Reply-To: {m['Message-ID']}\n"
                    f"Date: Mon, 30 Mar 2026 14:35:00 +0000\n\n"
                    f"> 1. What did you work on?\nItem {k} of {who}.\n"
                    f"> 2. What will you work on next?\nThe next one.\n"
                    f"> 3. Is anything blocking you?\nNo.\n")
        os.chown(tmp, vmail.pw_uid, vmail.pw_gid)
        os.rename(tmp, f'{inbox}/new/{n:05d}.cluster:2,')
print(n)
EOF
	bail_out "cannot deliver the replies"
[ "$(cat "$TEST_DIR/replies")" = $replies ]
ok $? "$replies replies delivered, $per_member from each member"
stored() { sql "SELECT count(*) FROM messages"; }
more_than() { [ "$(stored)" -gt "$1" ] 2>/dev/null; }
has_reader() { [ -n "$(holder)" ]; }
wait_until 20 has_reader
reader=$(holder)
case $reader in
"${pid[1]}") r=1 s=2 ;;
"${pid[2]}") r=2 s=1 ;;
*) r= ;;
esac
[ -n "$r" ]
ok $? "one of the two reads the mailbox (pid ${reader:-none})"
[ -n "$r" ] || { r=1 s=2; }
wait_until 60 more_than 100
killed_at=$EPOCHSECONDS
kill_one $r
ok $? "the reader (process $r) killed; at most one copy accepted but not recorded"
at_kill=$(stored)
[ "$at_kill" -lt $replies ]
ok $? "killed while it synced the replies ($at_kill of $replies stored)"
wait_until $((lease * 4)) held_by "${pid[$s]}"
ok $? "process $s takes the mailbox over once the lease lapses ($((EPOCHSECONDS - killed_at)) s after the kill; lease-time ${lease}s)"
start $r
all_stored() { [ "$(stored)" = $replies ]; }
wait_until 90 all_stored
ok $? "every reply stored ($(stored) of $replies)" ||
	tail -5 "$TEST_DIR/run$s.err" | sed 's/^/# /'
[ "$(sql "SELECT count(DISTINCT message_id) FROM messages")" = $replies ]
ok $? "each once (by Message-ID)"
[ "$(sql "SELECT count(*) FROM messages WHERE state = 'processed'")" = $replies ]
ok $? "and processed: none left new, none quarantined" ||
	sql "SELECT state, reason, count(*) FROM messages GROUP BY 1, 2" | sed 's/^/# /'
[ "$(sql "SELECT count(*) FROM answers WHERE superseded_by IS NULL AND counted = 1")" = $((members * 3)) ]
ok $? "each member's last reply counts, three answers each"
[ "$(sql "SELECT last_uid FROM sync_state")" = $replies ]
ok $? "the position covers every reply"

# Only the reader is connected to the IMAP server (and idles there); the
# other stands by without a connection.
imap_pids() {
	ss -Htnp state established "( dport = :$IMAP_PORT )" 2>/dev/null |
		grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u | paste -sd ' '
}
only_reader() { [ "$(imap_pids)" = "${pid[$s]}" ]; }
wait_until 10 only_reader
ok $? "only process $s is connected to the IMAP server ($(imap_pids))"

# --- what tidings status shows ----------------------------------------------------
tdg status --json >"$TEST_DIR/status.json"
python3 - "$TEST_DIR/status.json" "${pid[$s]}" "${pid[$r]}" "$mailbox" <<'EOF'
import json, sys
st = json.load(open(sys.argv[1]))
live = {p['pid']: p for p in st['processes'] if p['live']}
survivor, restarted, mailbox = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
assert st['running'], st
assert set(live) == {survivor, restarted}, live
assert live[survivor]['holds'] == [mailbox], live
assert live[restarted]['holds'] == [], live
EOF
ok $? "tidings status --json: both processes live, the survivor reads the mailbox" ||
	sed 's/^/# /' "$TEST_DIR/status.json"
tdg status >"$TEST_DIR/status.txt"
grep -q "${pid[$s]}.*$mailbox" "$TEST_DIR/status.txt" && grep -q "${pid[$r]}" "$TEST_DIR/status.txt"
ok $? "tidings status lists both, and what each holds" || sed 's/^/# /' "$TEST_DIR/status.txt"

# --- every copy once -------------------------------------------------------------
all_sent() { [ "$(sql "SELECT count(*) FROM outbox WHERE state != 'sent'")" = 0 ]; }
wait_until 90 all_sent && wait_until 20 queue_empty
ok $? "every mail of the outbox sent, the one a killed process had claimed too" ||
	sql "SELECT dedupe_key, state, claim_until FROM outbox WHERE state != 'sent'" | sed 's/^/# /'
kill -TERM "${pid[1]}" "${pid[2]}"
wait "${pid[1]}"
rc1=$?
wait "${pid[2]}"
[ "$rc1" = 0 ] && [ $? = 0 ]
ok $? "both stop on SIGTERM"
# Those killed were forgotten by their successors on this host, those
# stopped forgot themselves.
[ "$(sql "SELECT count(*) FROM processes")" = 0 ] && [ "$(sql "SELECT count(*) FROM leases")" = 0 ] &&
	[ "$(sql "SELECT count(*) FROM outbox WHERE claim IS NOT NULL")" = 0 ]
ok $? "no process, lease or claim left behind"
[ "$(sql "SELECT count(*) FROM prompts")" = $members ] && [ "$(sql "SELECT count(*) FROM digests")" = 1 ]
ok $? "each prompt and the digest made once"
copies tally >"$TEST_DIR/tally"
prompts=$(grep -c " crew+m[0-9]*@" "$TEST_DIR/tally")
digests=$(grep -c " subs+s[0-9]*@$D <digest-" "$TEST_DIR/tally")
[ "$prompts" = $members ] && [ "$digests" = $subscribers ]
ok $? "every member has a prompt ($prompts), every subscriber the digest ($digests)"
# A copy that arrived twice must be one named above, and there is at most
# one per kill.
extra=0 unnamed=0
while read -r n to mid; do
	[ "$n" -gt 1 ] || continue
	extra=$((extra + n - 1))
	if grep -qF " $to $mid" "$TEST_DIR/unrecorded"; then
		diag "twice, as the at-least-once rule allows: $to $mid"
	else
		unnamed=$((unnamed + 1))
		diag "twice, unexplained: $to $mid"
	fi
done <"$TEST_DIR/tally"
[ "$unnamed" = 0 ] && [ "$extra" -le 2 ]
ok $? "no copy twice but those the kills allow ($extra extra, $(wc -l <"$TEST_DIR/unrecorded") named, 2 kills)"
expect_no_grep "$TEST_DIR/run1.err" "runtime error|Sanitizer|assertion" "process 1: no sanitizer report"
expect_no_grep "$TEST_DIR/run2.err" "runtime error|Sanitizer|assertion" "process 2: no sanitizer report"

done_testing
