#!/bin/bash
# The load benchmark (make bench, as root): 10,000 replies submitted over
# SMTP to the harness's Postfix, delivered into tidings' mailbox in
# Dovecot, while tidings run works (IMAP IDLE).  A check-in is due in the
# middle of the load and a digest a minute later.  Prints how long the
# load took, whether every reply was stored once, the daemon's memory
# (VmRSS while idle before the load and at its end, and its peak, VmHWM),
# and how late the prompt and the digest left.  Before the load, replies
# sent one at a time while it idles are timed from delivery to stored
# (p50, p99).  Nothing is asserted.
# LOAD_DATABASE (a PostgreSQL URI) stores in PostgreSQL rather than in a
# new SQLite file (without the idle phase, which reads SQLite), and
# LOAD_PROCESSES (1) runs as many tidings run on it (tests/bench/pg.sh
# runs it so); the memory is that of the first.
set -u

: "${TIDINGS:=bench-build/src/tidings}"
: "${TOP_SRCDIR:=.}"
n=${LOAD_MESSAGES:-10000}
procs=${LOAD_PROCESSES:-1}
conns=4

. "$TOP_SRCDIR/tests/integration/mailstack.sh"
if ! reason=$(mailstack_available); then
	echo "load benchmark: skipped: $reason"
	exit 0
fi
dbclient=sqlite3
[ -n "${LOAD_DATABASE:-}" ] && dbclient=psql
for cmd in "$dbclient" python3; do
	command -v "$cmd" >/dev/null || { echo "load benchmark: skipped: $cmd is not installed"; exit 0; }
done
[ -x "$TIDINGS" ] || { echo "load benchmark: $TIDINGS is not built (make bench builds it)"; exit 1; }
if ldd "$TIDINGS" 2>/dev/null | grep -q 'libasan\|libubsan'; then
	echo "load benchmark: warning: $TIDINGS is built with sanitizers"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tidings-bench-load.XXXXXX")
daemon= daemons=
cleanup() {
	[ -n "$daemons" ] && kill $daemons 2>/dev/null
	wait
	mailstack_stop
	rm -rf "$work"
}
trap cleanup EXIT
for u in standup ana max; do mailstack_add_user "$u" secret; done
mailstack_start "$work/stack" >/dev/null || { echo "load benchmark: no mail stack"; exit 1; }
# mailstack_start, outside lib.sh, makes mailstack_stop the EXIT trap.
trap cleanup EXIT
D=$MAIL_DOMAIN
db=${LOAD_DATABASE:-$work/tidings.db}
printf 'secret\n' >"$work/password"
openssl rand -hex 32 >"$work/secret"
chmod 600 "$work/password" "$work/secret"
cat >"$work/tidings.conf" <<EOF
[tidings]
address = standup@$D
database = $db
secret-file = $work/secret
[imap]
host = 127.0.0.1
port = $IMAP_PORT
security = none
user = standup
password-file = $work/password
[smtp]
host = 127.0.0.1
port = $SMTP_PORT
security = none
EOF
if [ -n "${LOAD_DATABASE:-}" ]; then
	sql() { psql "$db" -X -q -A -t -c "$1" 2>/dev/null; }
else
	sql() { sqlite3 -readonly "$db" "$1" 2>/dev/null; }
fi
t() { TIDINGS_NOW=2026-03-30T12:00:00Z "$TIDINGS" --config "$work/tidings.conf" "$@" >/dev/null 2>&1 ||
	{ echo "load benchmark: tidings $* failed"; exit 1; }; }
# Monday 30 March 2026: 16:30 in Berlin is 14:30 UTC.
t team add platform --zone Europe/Berlin
t team set platform --digest-at 16:31 --empty notice
t member add "ana@$D" --team platform --zone Europe/Berlin
t checkin add platform Daily --at 16:30
t subscriber add "max@$D" --team platform --confirmed
prompt_due=$(date -d 2026-03-30T14:30:00Z +%s)
digest_due=$((prompt_due + 60))
lead=${LOAD_LEAD:-15}	# seconds from the start of the load to the check-in

rss() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null; }
stored() { sql "SELECT count(*) FROM messages WHERE message_id LIKE 'load-%'"; }

# While tidings run idles: replies sent one at a time, each timed from its
# delivery (the file Postfix's virtual(8) renames into the Maildir) to its
# row in the store, both watched every 2 ms; on a clock of its own, an
# hour before the check-in, so that the load's timing is not moved.
# Dovecot tells IDLE clients of new mail 500 ms after it sees the change
# (NOTIFY_DELAY_MSECS of its mailbox watch): that much is the server's.
idle_n=${LOAD_IDLE_MESSAGES:-40}
[ -n "${LOAD_DATABASE:-}" ] && idle_n=0
synced=
if [ "$idle_n" -gt 0 ]; then
	TIDINGS_NOW=$((prompt_due - 3600)) "$TIDINGS" --config "$work/tidings.conf" run --foreground \
		>"$work/idle-run.out" 2>"$work/idle-run.err" &
	daemon=$! daemons=$!
	for _ in $(seq 1 100); do
		[ -n "$(sql 'SELECT last_sync_at FROM sync_state')" ] && break
		sleep 0.1
	done
	echo "sending $idle_n replies one at a time while tidings run idles..."
	python3 - "$SMTP_PORT" "$D" "$idle_n" "$MAILSTACK_DIR/mail/standup/Maildir" "$db" \
	    >"$work/idle.out" 2>"$work/idle.err" <<'PY'
import os, random, smtplib, sqlite3, sys, time
port, dom, n, maildir, db = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
def files():
    k = 0
    for sub in ('new', 'cur'):
        try: k += len(os.listdir(os.path.join(maildir, sub)))
        except FileNotFoundError: pass
    return k
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
lat, lost = [], 0
for i in range(n):
    before = files()
    mid = f"idle-{i}@{dom}"
    msg = (f"From: Ana Lima <ana@{dom}>\r\nTo: standup@{dom}\r\n"
           f"Subject: Re: Check-in\r\nMessage-ID: <{mid}>\r\n"
           f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\r\n\r\n"
           f"Reply {i}: done with the export.\r\n")
    s = smtplib.SMTP('127.0.0.1', port)
    s.sendmail(f"ana@{dom}", [f"standup@{dom}"], msg)
    s.quit()
    delivered = stored = None
    end = time.monotonic() + 30
    while stored is None and time.monotonic() < end:
        now = time.monotonic()
        if delivered is None and files() > before:
            delivered = now
        if con.execute("SELECT 1 FROM messages WHERE message_id = ?", (mid,)).fetchone():
            stored = now
            if delivered is None:
                delivered = now
        else:
            time.sleep(0.002)
    if stored is None:
        lost += 1
    else:
        lat.append(stored - delivered)
    time.sleep(random.uniform(0.2, 0.5))
lat.sort()
def pct(p):
    return lat[min(len(lat) - 1, int(round(p / 100 * (len(lat) - 1))))] * 1000 if lat else float('nan')
print(f"{pct(50):.0f} {pct(99):.0f} {lat[-1] * 1000 if lat else float('nan'):.0f} {len(lat)} {lost}")
PY
	read -r idle_p50 idle_p99 idle_max idle_ok idle_lost <"$work/idle.out" ||
		{ echo "load benchmark: the idle phase failed:"; tail -5 "$work/idle.err"; }
	kill "$daemon"
	wait "$daemon"
	daemon= daemons=
	synced=$(sql 'SELECT max(last_sync_at) FROM sync_state')
fi

for p in $(seq 1 "$procs"); do
	TIDINGS_NOW=$((prompt_due - lead)) "$TIDINGS" --config "$work/tidings.conf" run --foreground \
		>"$work/run$p.out" 2>"$work/run$p.err" &
	daemons="$daemons $!"
	[ -n "$daemon" ] || daemon=$!
done
for _ in $(seq 1 100); do
	[ "$(sql 'SELECT max(last_sync_at) FROM sync_state')" != "$synced" ] && break
	sleep 0.1
done
rss_idle=$(rss "$daemon" VmRSS)

echo "submitting $n replies over $conns SMTP connections to Postfix..."
start=$EPOCHREALTIME
python3 - "$SMTP_PORT" "$D" "$n" "$conns" >"$work/load.out" 2>&1 <<'EOF' &
import smtplib, sys, threading, time
port, dom, n, conns = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def send(first):
    s = smtplib.SMTP('127.0.0.1', port)
    for i in range(first, n, conns):
        msg = (f"From: Ana Lima <ana@{dom}>\r\nTo: standup@{dom}\r\n"
               f"Subject: Re: Check-in {i // 5}\r\nMessage-ID: <load-{i}@{dom}>\r\n"
               f"In-Reply-To: <prompt-{i // 5}@{dom}>\r\n"
               f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\r\n\r\n"
               f"Reply {i}: the billing export is done, invoices next.\r\n")
        s.sendmail(f"ana@{dom}", [f"standup@{dom}"], msg)
    s.quit()
ts = [threading.Thread(target=send, args=(k,)) for k in range(conns)]
for t in ts: t.start()
for t in ts: t.join()
EOF
loader=$!
submitted= all_in= prompt_left= digest_left= stored_at_due=
for _ in $(seq 1 6000); do
	now=$EPOCHREALTIME
	if [ -z "$submitted" ] && ! kill -0 "$loader" 2>/dev/null; then
		submitted=$(awk -v s="$start" -v e="$now" 'BEGIN { printf "%.1f", e - s }')
	fi
	[ -z "$all_in" ] && [ "$(stored)" = "$n" ] &&
		all_in=$(awk -v s="$start" -v e="$now" 'BEGIN { printf "%.1f", e - s }')
	[ -z "$stored_at_due" ] && [ "${now%[.,]*}" -ge $((${start%[.,]*} + lead)) ] && stored_at_due=$(stored)
	[ -z "$prompt_left" ] && prompt_left=$(sql "SELECT sent_at FROM outbox WHERE dedupe_key LIKE 'prompt:%' AND state = 'sent'")
	[ -z "$digest_left" ] && digest_left=$(sql "SELECT sent_at FROM outbox WHERE dedupe_key LIKE 'digest:%' AND state = 'sent'")
	[ -n "$all_in" ] && [ -n "$submitted" ] && [ -n "$digest_left" ] && break
	sleep 0.2
done
rss_end=$(rss "$daemon" VmRSS) hwm=$(rss "$daemon" VmHWM)
kill $daemons
wait $daemons
daemons=
total=$(stored)
distinct=$(sql "SELECT count(DISTINCT message_id) FROM messages WHERE message_id LIKE 'load-%'")
bad=$(sql "SELECT count(*) FROM messages WHERE message_id LIKE 'load-%' AND state != 'processed'")

echo
backend=SQLite
[ -n "${LOAD_DATABASE:-}" ] && backend=PostgreSQL
echo "tidings load benchmark: $n replies through Postfix into Dovecot, $procs tidings run (IDLE) on $backend, $(nproc) cores"
awk -v n="$n" -v a="${all_in:-0}" -v sub_s="${submitted:-?}" 'BEGIN {
	printf "%-44s %s s\n", "submitted to Postfix", sub_s
	if (a > 0)
		printf "%-44s %.1f s (%.0f mails/s)\n", "all stored by tidings, from the first one", a, n / a
	else
		printf "%-44s %s\n", "all stored by tidings", "no (timed out)"
}'
[ "$idle_n" -gt 0 ] &&
	printf '%-44s p50 %s ms, p99 %s ms, max %s ms (%s of %s; %s not stored in 30 s)\n' \
		"idle: delivered by Postfix to stored" "${idle_p50:-?}" "${idle_p99:-?}" "${idle_max:-?}" \
		"${idle_ok:-?}" "$idle_n" "${idle_lost:-?}"
printf '%-44s %s rows, %s distinct, %s not processed\n' "stored" "$total" "$distinct" "$bad"
printf '%-44s %s MiB idle before, %s MiB at the end, peak %s MiB\n' "tidings run memory (VmRSS, VmHWM)" \
	"$(( ${rss_idle:-0} / 1024 ))" "$(( ${rss_end:-0} / 1024 ))" "$(( ${hwm:-0} / 1024 ))"
late() { [ -n "$1" ] && echo "$(($1 - $2)) s after it was due" || echo "not sent"; }
printf '%-44s %s (%s of %s replies stored when it was due)\n' "prompt due $lead s into the load: left" \
	"$(late "$prompt_left" "$prompt_due")" "${stored_at_due:-?}" "$n"
printf '%-44s %s\n' "digest due a minute later: left" "$(late "$digest_left" "$digest_due")"
