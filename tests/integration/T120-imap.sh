#!/bin/bash
# T120: the IMAP client (src/imap.c) against a real Dovecot, through the
# imap-probe driver: plain, IMAPS and STARTTLS logins with the certificate
# verified (and refused, with advice, when it cannot be); wrong passwords
# graded as such and never shown, not even in a protocol trace; new mail
# fetched by UID in batches; messages marked seen and moved, with and
# without the MOVE and UIDPLUS extensions; IDLE noticing a delivery at
# once; and a stopped or silent server failing fast as a connection error.

# shellcheck disable=SC2317 # the predicates are called through wait_for

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/mailstack.sh"

reason=$(mailstack_available) || skip_all "$reason"
PROBE="$TOP_BUILDDIR/tests/integration/imap-probe"
[ -x "$PROBE" ] || skip_all "$PROBE is not built"

# imap-probe's exit statuses: 10 + enum imap_error.
E_CONNECTION=10 E_AUTH=11 E_TLS=12 E_MAILBOX=13

check() {	# check STATUS DESCRIPTION: ok, plus the server logs on failure
	ok "$1" "$2"
	[ "$1" -eq 0 ] || { sed 's/^/# err: /' "$TEST_DIR/err" | head -20; mailstack_logs 10; }
}

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }

# probe SECURITY-OPTIONS... -- COMMAND...: runs imap-probe as alice (the
# password from $pwfile) with a hard limit, so that a hang fails the test
# instead of stalling it; output in $TEST_DIR/out and err, status in $rc,
# duration in $ms.
pwfile="$TEST_DIR/alice.pw"
probe() {
	local start
	start=$(now_ms)
	run timeout 60 "$PROBE" --user alice --password-file "$pwfile" "$@"
	ms=$(($(now_ms) - start))
	cat "$TEST_DIR/out" "$TEST_DIR/err" >>"$TEST_DIR/all-output"
}
plain() { probe --port "$IMAP_PORT" --security none "$@"; }

# imap PATH CURL-ARGS...: curl as alice on the plain port, output in out.
imap() {
	local path=$1
	shift
	run curl -sS --max-time 10 --user alice:alice-secret "$@" \
		"imap://127.0.0.1:$IMAP_PORT/$path"
}
uids() { tr -d '\r' <"$TEST_DIR/out" | sed -n 's/^\* SEARCH *//p'; }

# The UIDs of the last fetch, on one line.
fetched() { cut -d' ' -f1 "$TEST_DIR/out" | tr '\n' ' ' | sed 's/ $//'; }

wait_for() {	# wait_for SECONDS CMD...: polls every 50 ms
	local deadline=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(now_ms)" -ge "$deadline" ] && return 1
		sleep 0.05
	done
}

mailstack_start "$TEST_DIR/mailstack" || bail_out "no mail stack"
mailstack_add_user alice alice-secret || bail_out "no user"
printf 'alice-secret\n' >"$pwfile"
printf 'wrong-password\n' >"$TEST_DIR/wrong.pw"
maildir="$MAILSTACK_DIR/mail/alice/Maildir"

# ------------------------------------------------------------ delivery

for i in 1 2 3; do
	make_mail "$TEST_DIR/m$i.eml" "t120-$i@sender.test" "Check-in $i"
	mailstack_send ana@sender.test "alice@$MAIL_DOMAIN" "$TEST_DIR/m$i.eml" ||
		bail_out "Postfix refused message $i"
	# One at a time, so that UIDs follow the order of sending.
	mailstack_wait_mail alice "$i" 20 || bail_out "message $i not delivered"
done
ok 0 "three messages are delivered to alice through Postfix"

# sha256 of each message as IMAP serves it: the Maildir file, CRLF lines.
stored_sums() {
	local f
	for f in "$maildir"/new/* "$maildir"/cur/*; do
		[ -e "$f" ] && sed 's/\r*$/\r/' "$f" | sha256sum | cut -d' ' -f1
	done | sort
}

# ------------------------------------------------------------ plain login

plain fetch --after 0
[ "$rc" -eq 0 ] && [ "$(fetched)" = "1 2 3" ]
check $? "a plain login fetches UIDs 1 2 3, in order ($(fetched))"
cp "$TEST_DIR/out" "$TEST_DIR/fetch-plain"

[ "$(cut -d' ' -f3 "$TEST_DIR/fetch-plain" | sort)" = "$(stored_sums)" ]
check $? "the fetched bytes are the stored messages exactly (sha256)"

plain fetch --after 1
[ "$rc" -eq 0 ] && [ "$(fetched)" = "2 3" ]
check $? "fetch --after 1 returns only UIDs 2 and 3 ($(fetched))"

# "4:*" means "the highest UID" to IMAP when there is nothing above 3.
plain fetch --after 3
[ "$rc" -eq 0 ] && [ ! -s "$TEST_DIR/out" ]
check $? "fetch --after 3 returns nothing, not UID 3 again"

plain select
expect_grep out '^uidvalidity [1-9][0-9]* uidnext 4 exists 3$' \
	"select reports UIDVALIDITY, UIDNEXT 4 and 3 messages"

plain select --folder Nowhere
expect_rc "$E_MAILBOX" "selecting a folder that does not exist is a folder error"
expect_grep err 'cannot select folder "Nowhere"' "the message names the folder"

imap INBOX -X "UID FETCH 1:* FLAGS"
! grep -q 'Seen' "$TEST_DIR/out"
check $? "fetching marked nothing seen (BODY.PEEK)"

# ------------------------------------------------------------ TLS

probe --port "$IMAPS_PORT" --security tls --ca-file "$MAILSTACK_CA" fetch
[ "$rc" -eq 0 ] && diff -q "$TEST_DIR/out" "$TEST_DIR/fetch-plain" >/dev/null
check $? "IMAPS with the stack's CA as ca-file verifies and fetches the same"

probe --port "$IMAPS_PORT" --security tls --ca-dir "$MAILSTACK_DIR/tls" capability
check "$rc" "IMAPS with the CA in a ca-dir works too"

probe --port "$IMAPS_PORT" --security tls fetch
expect_rc "$E_TLS" "IMAPS without the CA refuses the self-signed certificate (TLS error)"
expect_grep err "127\.0\.0\.1:$IMAPS_PORT.*not trusted" \
	"the refusal names the server and says the certificate is not trusted"
expect_grep err "set ca-file in \[imap\]" "the refusal says how to trust it (ca-file)"
[ ! -s "$TEST_DIR/out" ]
check $? "nothing is fetched from the refused server"

probe --host 127.1 --port "$IMAPS_PORT" --security tls --ca-file "$MAILSTACK_CA" capability
expect_rc "$E_TLS" "a trusted certificate for another name is refused (127.1)"
expect_grep err "name in the certificate does not match" \
	"that refusal says the name does not match"

probe --port "$IMAP_PORT" --security starttls --ca-file "$MAILSTACK_CA" -v fetch
[ "$rc" -eq 0 ] && diff -q "$TEST_DIR/out" "$TEST_DIR/fetch-plain" >/dev/null
check $? "STARTTLS on the plain port with the CA verifies and fetches the same"
cmds=$(sed -n 's/.*C: [0-9]* \([A-Z]*\).*/\1/p' "$TEST_DIR/err" | tr '\n' ' ')
case "$cmds" in "STARTTLS CAPABILITY AUTHENTICATE "*) true ;; *) false ;; esac
check $? "STARTTLS, capabilities asked again under TLS, then the login ($cmds)"

probe --port "$IMAP_PORT" --security starttls fetch
expect_rc "$E_TLS" "STARTTLS without the CA refuses the certificate"

probe --port "$IMAP_PORT" --security tls --ca-file "$MAILSTACK_CA" capability
expect_rc "$E_TLS" "TLS on the plain IMAP port fails as a TLS error, at once"
expect_grep err "security = starttls" "it suggests security = starttls"

probe --port "$IMAPS_PORT" --security tls --ca-file "$TEST_DIR/none.pem" capability
expect_rc "$E_TLS" "a missing ca-file is a TLS error"

# ------------------------------------------------------------ logins

run timeout 60 "$PROBE" --port "$IMAP_PORT" --security none --user alice \
	--password-file "$TEST_DIR/wrong.pw" -v capability
expect_rc "$E_AUTH" "a wrong password is a login error"
expect_grep err "refuses the login of alice" "the message says the login was refused"
cat "$TEST_DIR/out" "$TEST_DIR/err" >>"$TEST_DIR/all-output"

plain -v --disable AUTH=PLAIN fetch
[ "$rc" -eq 0 ] && grep -q 'C: [0-9]* LOGIN \*\*\*$' "$TEST_DIR/err"
check $? "without AUTH=PLAIN the client uses LOGIN, masked in the trace"

plain -v --disable SASL-IR capability
[ "$rc" -eq 0 ] && grep -q 'C: \*\*\*$' "$TEST_DIR/err"
check $? "without SASL-IR AUTHENTICATE PLAIN answers the continuation, masked"

plain -v capability
grep -q 'C: [0-9]* AUTHENTICATE \*\*\*$' "$TEST_DIR/err"
check $? "with AUTH=PLAIN and SASL-IR the trace shows AUTHENTICATE ***"

# Neither password, nor the SASL PLAIN string that carries it.
secrets="alice-secret|wrong-password"
secrets="$secrets|$(printf '\0alice\0alice-secret' | base64)"
secrets="$secrets|$(printf '\0alice\0wrong-password' | base64)"
expect_no_grep "$TEST_DIR/all-output" "$secrets" \
	"no password appears in any output so far, traces included"

# ------------------------------------------------------------ batches

# 120 more messages, written straight into the Maildir as Postfix would
# have, with CRLF lines so that their sums are those IMAP serves.
for i in $(seq -w 1 120); do
	# One name per mail: the clock may tick between writing and moving.
	name="$EPOCHSECONDS.M${i}P$$.t120"
	printf 'From: ana@sender.test\r\nTo: alice@%s\r\nSubject: bulk %s\r\nMessage-ID: <bulk-%s@sender.test>\r\n\r\nBody %s\r\n' \
		"$MAIL_DOMAIN" "$i" "$i" "$i" >"$maildir/tmp/$name"
	mv "$maildir/tmp/$name" "$maildir/new/"
done
chown -R vmail:vmail "$maildir"
[ "$(mailstack_count_mail alice)" -eq 123 ]
check $? "120 more messages are in alice's Maildir"

plain -v fetch --after 3 --batch 50
[ "$rc" -eq 0 ] && [ "$(wc -l <"$TEST_DIR/out")" -eq 120 ] &&
	[ "$(fetched)" = "$(seq -s ' ' 4 123)" ]
check $? "fetch --after 3 --batch 50 returns UIDs 4 to 123, in order"
n=$(grep -c 'C: [0-9]* UID FETCH' "$TEST_DIR/err")
[ "$n" -eq 3 ]
check $? "in 3 UID FETCH commands of at most 50 messages ($n)"
cut -d' ' -f3 "$TEST_DIR/out" | sort >"$TEST_DIR/bulk-sums"
stored_sums | grep -vxF -f <(cut -d' ' -f3 "$TEST_DIR/fetch-plain") \
	>"$TEST_DIR/bulk-stored"
cmp -s "$TEST_DIR/bulk-sums" "$TEST_DIR/bulk-stored"
check $? "each of the 120 is fetched byte for byte"
grep -q 'BODY\[\] {[0-9]*}$' "$TEST_DIR/err" && ! grep -q 'Body 001' "$TEST_DIR/err"
check $? "the trace shows literals' sizes, never their contents"

plain -v fetch --after 3 --batch 50 --stop-after 5
[ "$rc" -eq 0 ] && [ "$(fetched)" = "4 5 6 7 8" ] &&
	[ "$(grep -c 'C: [0-9]* UID FETCH' "$TEST_DIR/err")" -eq 1 ]
check $? "a callback returning FALSE stops the fetch after 5 messages, one batch"

# ------------------------------------------------------------ flags

plain seen 2
check "$rc" "seen 2 succeeds"
imap INBOX -X "UID FETCH 1:3 FLAGS"
grep -q 'UID 2 FLAGS (.*\\Seen' "$TEST_DIR/out" &&
	! grep -q 'UID [13] FLAGS (.*\\Seen' "$TEST_DIR/out"
check $? "UID 2 is \\Seen now, UIDs 1 and 3 are not"

# ------------------------------------------------------------ moves

plain move 3 Processed
check "$rc" "move 3 Processed succeeds, Processed being created"
imap INBOX -X "UID SEARCH UID 3"
[ -z "$(uids)" ]
check $? "INBOX no longer holds UID 3"
imap Processed -X "SEARCH HEADER Message-ID t120-3@sender.test"
[ "$rc" -eq 0 ] && [ -n "$(uids)" ]
check $? "Processed holds it"

plain --disable MOVE move 4 Processed
check "$rc" "without MOVE: UID COPY, \\Deleted and UID EXPUNGE"
plain --disable MOVE --disable UIDPLUS move 5 Processed
check "$rc" "without MOVE and UIDPLUS: UID COPY, \\Deleted and EXPUNGE"
imap INBOX -X "UID SEARCH UID 3:5"
[ -z "$(uids)" ]
check $? "INBOX no longer holds UIDs 4 and 5"
imap Processed -X "SEARCH ALL"
[ "$(uids | wc -w)" -eq 3 ]
check $? "Processed holds the 3 moved messages"
imap INBOX -X "UID SEARCH DELETED"
[ -z "$(uids)" ]
check $? "no message is left marked \\Deleted in INBOX"

plain move 6 "Ärger & Co"
check "$rc" "a move to a folder with a non-ASCII name succeeds"
imap "" -X 'LIST "" "*"'
grep -q '"&AMQ-rger &- Co"' "$TEST_DIR/out"
check $? "its name went out in modified UTF-7 (&AMQ-rger &- Co)"

# UID commands ignore UIDs that do not exist (RFC 3501, 6.4.8).
plain move 999 Processed
check "$rc" "moving a UID that no longer exists is no error"

# ------------------------------------------------------------ IDLE

plain idle --seconds 1
[ "$rc" -eq 0 ] && grep -qx 'no new mail' "$TEST_DIR/out"
check $? "idle without mail ends after 1 s with 'no new mail'"

plain noop
[ "$rc" -eq 0 ] && grep -qx 'no new mail' "$TEST_DIR/out"
check $? "noop without mail says 'no new mail'"

idle_out="$TEST_DIR/idle.out"
# Emptied before each probe starts in the background: the shell opens
# them in the child, later than the waits below may look, which would
# then read what the probe before wrote.
idle_files_fresh() { : >"$idle_out"; : >"$TEST_DIR/idle.err"; }
idle_files_fresh
timeout 60 "$PROBE" --user alice --password-file "$pwfile" \
	--security tls --port "$IMAPS_PORT" --ca-file "$MAILSTACK_CA" \
	idle --seconds 20 >"$idle_out" 2>"$TEST_DIR/idle.err" &
idle_pid=$!
idling() { grep -qx idling "$idle_out"; }
wait_for 10 idling
check $? "idle over TLS is running"
before=$(mailstack_count_mail alice)
make_mail "$TEST_DIR/m4.eml" "t120-idle@sender.test" "During IDLE"
sent=$(now_ms)
mailstack_send ana@sender.test "alice@$MAIL_DOMAIN" "$TEST_DIR/m4.eml"
delivered() { [ "$(mailstack_count_mail alice)" -gt "$before" ]; }
wait_for 20 delivered
delivered_at=$(now_ms)
noticed() { grep -qx 'new mail' "$idle_out"; }
wait_for 10 noticed
noticed_at=$(now_ms)
wait "$idle_pid"
idle_rc=$?
cat "$idle_out" "$TEST_DIR/idle.err" >>"$TEST_DIR/all-output"
diag "sent -> delivered $((delivered_at - sent)) ms, delivered -> noticed $((noticed_at - delivered_at)) ms"
[ "$idle_rc" -eq 0 ] && noticed && [ $((noticed_at - delivered_at)) -le 2000 ]
check $? "IDLE reports new mail within 2 s of the delivery"

plain noop
[ "$rc" -eq 0 ] && grep -qx 'no new mail' "$TEST_DIR/out"
check $? "a new session's noop does not report that mail again"

# A wake-up without mail (another session marks a message seen): IDLE
# goes on, and the next mail is still noticed.
idle_files_fresh
timeout 60 "$PROBE" --user alice --password-file "$pwfile" --port "$IMAP_PORT" \
	--security none -v idle --seconds 20 >"$idle_out" 2>"$TEST_DIR/idle.err" &
idle_pid=$!
wait_for 10 idling
plain seen 1
idles() { [ "$(grep -c 'C: [0-9]* IDLE$' "$TEST_DIR/idle.err")" -ge 2 ]; }
wait_for 5 idles
check $? "a flag change by another session wakes IDLE, which starts again"
make_mail "$TEST_DIR/m5.eml" "t120-idle-2@sender.test" "After a wake-up"
mailstack_send ana@sender.test "alice@$MAIL_DOMAIN" "$TEST_DIR/m5.eml"
wait_for 10 noticed
wait "$idle_pid"
idle_rc=$?
cat "$idle_out" "$TEST_DIR/idle.err" >>"$TEST_DIR/all-output"
[ "$idle_rc" -eq 0 ] && noticed
check $? "the next mail is still reported"

# Mail announced during another command (here a NOOP) is news for IDLE
# too: imap_pending() says so, and nothing waits for the next delivery.
idle_files_fresh
timeout 60 "$PROBE" --user alice --password-file "$pwfile" --port "$IMAP_PORT" \
	--security none -v idle --noop-before 2 --seconds 10 \
	>"$idle_out" 2>"$TEST_DIR/idle.err" &
idle_pid=$!
selected() { grep -q 'OK \[READ-WRITE\]' "$TEST_DIR/idle.err"; }
wait_for 10 selected
before=$(mailstack_count_mail alice)
make_mail "$TEST_DIR/m6.eml" "t120-idle-3@sender.test" "Before IDLE"
mailstack_send ana@sender.test "alice@$MAIL_DOMAIN" "$TEST_DIR/m6.eml"
wait_for 20 delivered
wait_for 10 idling
idling_at=$(now_ms)
wait_for 10 noticed
noticed_at=$(now_ms)
wait "$idle_pid"
idle_rc=$?
cat "$idle_out" "$TEST_DIR/idle.err" >>"$TEST_DIR/all-output"
[ "$idle_rc" -eq 0 ] && grep -q 'S: \* [0-9]* EXISTS' "$TEST_DIR/idle.err" && noticed &&
	[ $((noticed_at - idling_at)) -lt 1000 ]
check $? "mail announced before IDLE is reported at once ($((noticed_at - idling_at)) ms)"

# ------------------------------------------------------------ failures

# A server that accepts and then says nothing: the greeting, or the TLS
# handshake, never comes.  Run in the background, where exec makes the
# subshell perl itself, so that $! is what to kill; it ends by itself
# after a minute in any case.
silent_server() {
	exec perl -MIO::Socket::INET -e '
	alarm 60;
	$s = IO::Socket::INET->new(Listen => 5, LocalAddr => "127.0.0.1",
	    LocalPort => 0, ReuseAddr => 1) or die;
	$| = 1; print $s->sockport, "\n";
	while ($c = $s->accept) { push @keep, $c }'
}
if command -v perl >/dev/null; then
	silent_server >"$TEST_DIR/silent.port" &
	silent_pid=$!
	tap_at_exit "kill $silent_pid 2>/dev/null"
	wait_for 5 test -s "$TEST_DIR/silent.port"
	silent=$(cat "$TEST_DIR/silent.port")
	probe --port "$silent" --security none --timeout 2 capability
	expect_rc "$E_CONNECTION" "a silent server is a connection error"
	[ "$ms" -lt 5000 ]
	check $? "found within the 2 s timeout ($ms ms)"
	probe --port "$silent" --security tls --timeout 2 capability
	[ "$rc" -eq "$E_CONNECTION" ] && [ "$ms" -lt 5000 ]
	check $? "a silent server during the TLS handshake too ($ms ms)"
	kill "$silent_pid" 2>/dev/null
else
	for t in "a silent server is a connection error" "found within the timeout" \
		"a silent server during the TLS handshake too"; do
		skip "$t" "no perl to play the silent server"
	done
fi

# The server's side of an IDLE connection dies: its imap process.
imap_processes() {
	local p
	for p in $(mailstack_pids); do
		[ "$(readlink "/proc/$p/exe")" = /usr/lib/dovecot/imap ] && echo "$p"
	done
}
idle_files_fresh
timeout 60 "$PROBE" --user alice --password-file "$pwfile" --port "$IMAP_PORT" \
	--security none idle --seconds 30 >"$idle_out" 2>"$TEST_DIR/idle.err" &
idle_pid=$!
wait_for 10 idling
start=$(now_ms)
# shellcheck disable=SC2046
kill -KILL $(imap_processes) 2>/dev/null
wait "$idle_pid"
idle_rc=$?
cat "$idle_out" "$TEST_DIR/idle.err" >>"$TEST_DIR/all-output"
ms=$(($(now_ms) - start))
cp "$TEST_DIR/idle.err" "$TEST_DIR/err"
[ "$idle_rc" -eq "$E_CONNECTION" ] && [ "$ms" -lt 2000 ]
check $? "a connection lost during IDLE is a connection error, at once ($ms ms)"
expect_grep err "closed the connection" "the message says the server closed it"

mailstack_stop_dovecot
plain fetch
[ "$rc" -eq "$E_CONNECTION" ] && [ "$ms" -lt 5000 ]
check $? "with Dovecot stopped a plain connection fails at once ($ms ms)"
probe --port "$IMAPS_PORT" --security tls --ca-file "$MAILSTACK_CA" fetch
[ "$rc" -eq "$E_CONNECTION" ] && [ "$ms" -lt 5000 ]
check $? "so does an IMAPS one ($ms ms)"
expect_grep err "cannot connect to 127\.0\.0\.1:$IMAPS_PORT" "the message names the server"

mailstack_start_dovecot
plain fetch --after 120
[ "$rc" -eq 0 ] && [ "$(fetched)" = "121 122 123 124 125 126" ]
check $? "after Dovecot is back the client picks up where it was ($(fetched))"

expect_no_grep "$TEST_DIR/all-output" "$secrets" \
	"no password appears in the output of any run"
expect_no_grep "$TEST_DIR/all-output" 'Sanitizer|runtime error' \
	"no run reported a leak or undefined behaviour"

done_testing
