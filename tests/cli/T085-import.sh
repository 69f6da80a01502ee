#!/bin/sh
# tidings import of the generated benchmark corpus (a smaller one): every
# mail stored once, threads of five, and search and thread agree with how
# the corpus was made.
. "$(dirname "$0")/../lib.sh"

gen="$TOP_BUILDDIR/tests/bench/gen-maildir"
[ -x "$gen" ] || skip_all "tests/bench/gen-maildir is not built"
"$gen" "$TEST_DIR/Maildir" 500 || bail_out "cannot generate the corpus"
db="$TEST_DIR/t.db"

run "$TIDINGS" --db "$db" import --maildir "$TEST_DIR/Maildir"
expect_rc 0 "import: exit 0"
expect_grep out "^500 mails in .*: 500 stored" "import: the summary counts 500 stored"
expect_lines err 0 "import: no progress line when standard error is not a terminal"
expect_no_grep out "^time: " "import: no time per stage unless asked"

# --stats says where the time went: each stage, summed over the threads
# that spent it, in seconds and per mail.  Mail is parsed and stored, so
# those stages took some time; on one thread nobody waits for workers.
stages() {	# stages WHAT: the stage lines of out, checked
	expect_grep out "^time: 500 mails, [0-9.]+ MiB in [0-9.]+ s; $2 worker" \
		"$1: the mails, their size and the workers"
	for stage in read parse filters store commit wait; do
		expect_grep out "^  $stage +[0-9]+\.[0-9]{2} s +[0-9]+\.[0-9] us/mail\$" \
			"$1: the time of '$stage'"
	done
	for stage in parse store; do
		us=$(sed -n "s/^  $stage .* s *\([0-9]*\)\.[0-9] us\/mail/\1/p" "$TEST_DIR/out")
		[ -n "$us" ] && [ "$us" -gt 0 ]
		ok $? "$1: '$stage' took time ($us us a mail)"
	done
}
run env TIDINGS_SEQUENTIAL=0 "$TIDINGS" --db "$TEST_DIR/stats.db" import --stats \
	--maildir "$TEST_DIR/Maildir"
expect_rc 0 "import --stats: exit 0"
stages "import --stats" "[1-8]"
"$TIDINGS" --db "$TEST_DIR/stats.db" export --format mbox >"$TEST_DIR/stats.mbox"
run env TIDINGS_SEQUENTIAL=1 "$TIDINGS" --db "$TEST_DIR/stats1.db" import --stats \
	--mbox "$TEST_DIR/stats.mbox"
expect_rc 0 "import --stats of an mbox on one thread: exit 0"
stages "import --stats of an mbox on one thread" 0
expect_grep out "^  wait +0\.00 s +0\.0 us/mail" "on one thread, nobody waits for workers"

run "$TIDINGS" --db "$db" import --maildir "$TEST_DIR/Maildir"
expect_grep out "^500 mails .*: 0 stored .*500 duplicates" "import again: everything is a duplicate"

# The corpus makes threads of five: m0..m4 in thread 0, m5..m9 in thread 1.
run "$TIDINGS" --db "$db" thread "<m7.t1@bench.example.org>"
expect_rc 0 "thread: exit 0"
expect_grep out "^thread [0-9]+, 5 mails" "thread: five mails in the thread"
expect_grep out "^        [0-9]+ " "thread: each reply under the one before (depth 4)"

run "$TIDINGS" --db "$db" search --fts --json 'subject:"Check-in 17"'
n=$(grep -c '"thread"' "$TEST_DIR/out")
[ "$n" -eq 5 ]
ok $? "search by subject finds the five mails of one thread ($n)"
threads=$(sed 's/.*"thread":\([0-9]*\).*/\1/' "$TEST_DIR/out" | sort -u | wc -l)
[ "$threads" -eq 1 ]
ok $? "and they share one thread"

# Quotes and signatures are cut from the replies before indexing: the
# quoted lines of a reply are not found in it.
run "$TIDINGS" --db "$db" show --json "<m1.t0@bench.example.org>"
expect_no_grep out 'a teammate wrote' "the attribution line is cut from the stored text"
expect_no_grep out 'Sent from my phone' "the signature is cut from the stored text"

# On a terminal (script(1) gives the import one) a progress line is
# redrawn in place, up to 100%.
if command -v script >/dev/null 2>&1; then
	script -qec "'$TIDINGS' --db '$TEST_DIR/tty.db' import --maildir '$TEST_DIR/Maildir'" \
		/dev/null </dev/null >"$TEST_DIR/tty.out" 2>&1
	rc=$?
	expect_rc 0 "import on a terminal: exit 0"
	tr '\r' '\n' <"$TEST_DIR/tty.out" >"$TEST_DIR/tty.lines"
	expect_grep "$TEST_DIR/tty.lines" "^importing: 500 mails, 100%, [0-9]+/s" \
		"import on a terminal: a progress line, up to 100%"
	grep -q "$(printf '\r')importing: " "$TEST_DIR/tty.out"
	ok $? "import on a terminal: the line is redrawn in place (carriage return)"
	expect_grep "$TEST_DIR/tty.lines" "^500 mails in .*: 500 stored" \
		"import on a terminal: and the summary"
	script -qec "'$TIDINGS' -v --db '$TEST_DIR/tty2.db' import --maildir '$TEST_DIR/Maildir'" \
		/dev/null </dev/null >"$TEST_DIR/tty.out" 2>&1
	expect_no_grep "$TEST_DIR/tty.out" "importing: " \
		"import -v on a terminal: log lines, no progress line"
else
	skip "import on a terminal shows progress" "script (bsdutils) is not installed"
fi

# Mail larger than the import holds in memory is read from its file: it
# is stored byte for byte, whether mail or not (quarantined, kept), and
# not stored again when imported again.
big="$TEST_DIR/BigMail"
mkdir -p "$big/cur" "$big/new" "$big/tmp"
{
	printf 'From: a@example.org\nMessage-ID: <big@example.org>\n'
	printf 'Subject: photos\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/mixed; boundary=b\n\n--b\n'
	printf 'Content-Type: text/plain\n\nsee attached\n--b\n'
	printf 'Content-Type: image/jpeg\nContent-Transfer-Encoding: base64\n\n'
	head -c 1500000 /dev/urandom | base64
	printf -- '--b--\n'
} >"$big/cur/1big"
{
	printf '\0not mail\n'
	head -c 800000 /dev/urandom | base64
} >"$big/cur/2notmail"
run "$TIDINGS" --db "$TEST_DIR/big.db" import --maildir "$big"
expect_rc 0 "import of large mail: exit 0"
expect_grep out "^2 mails in .*: 1 stored.* 1 quarantined" \
	"import of large mail: one stored, one not mail quarantined"
for id in 1 2; do
	f=$(ls "$big/cur" | sed -n "${id}p")
	"$TIDINGS" --db "$TEST_DIR/big.db" show --raw $id >"$TEST_DIR/big$id.eml"
	cmp -s "$TEST_DIR/big$id.eml" "$big/cur/$f"
	ok $? "import of large mail: $f stored byte for byte"
done
run "$TIDINGS" --db "$TEST_DIR/big.db" import --maildir "$big"
expect_grep out "^2 mails in .*: 0 stored.* 1 duplicates" \
	"import of large mail again: the mail is a duplicate"
[ "$("$TIDINGS" --db "$TEST_DIR/big.db" export | wc -l)" -eq 2 ]
ok $? "import of large mail again: nothing stored twice"

printf 'From nobody\nnot a mail\n' >"$TEST_DIR/bad.mbox"
run "$TIDINGS" --db "$db" import --mbox "$TEST_DIR/nonexistent.mbox"
expect_rc 66 "import of a missing mbox: exit 66"
mkdir -p "$TEST_DIR/notmaildir"
run "$TIDINGS" --db "$db" import --maildir "$TEST_DIR/notmaildir"
expect_rc 66 "import of a directory that is no Maildir: exit 66"
expect_grep err "not a Maildir" "and says so"
run "$TIDINGS" --db "$db" import
expect_rc 64 "import without a source: exit 64"

# The disk fills during an import: the summary counts the mail committed,
# not the batch rolled back, and says how many were not stored.  A small
# tmpfs holds the database; mounting needs root.
full="$TEST_DIR/full"
mkdir -p "$full"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=5m tmpfs "$full" 2>/dev/null; then
	tap_at_exit "umount '$full'"
	"$gen" "$TEST_DIR/Big" 2000 || bail_out "cannot generate the corpus"
	run "$TIDINGS" --db "$full/t.db" import --maildir "$TEST_DIR/Big"
	expect_rc 75 "a full disk: exit 75"
	expect_grep err "disk is full" "and says the disk is full"
	cp "$TEST_DIR/out" "$TEST_DIR/summary"
	stored=$(sed -n 's/^[0-9]* mails in .*: \([0-9]*\) stored .*/\1/p' "$TEST_DIR/summary")
	lost=$(sed -n 's/.*; \([0-9]*\) not stored (rolled back.*/\1/p' "$TEST_DIR/summary")
	kept=$("$TIDINGS" --db "$full/t.db" export | wc -l)
	[ -n "$stored" ] && [ "$stored" -eq "$kept" ]
	ok $? "the summary's stored ($stored) is what the database holds ($kept)" ||
		diag "summary: $(cat "$TEST_DIR/summary")"
	[ -n "$lost" ] && [ "$lost" -gt 0 ]
	ok $? "and it says how many were not stored ($lost)" ||
		diag "summary: $(cat "$TEST_DIR/summary")"
	all=$(sed -n 's/^\([0-9]*\) mails in .*/\1/p' "$TEST_DIR/summary")
	[ "$all" -eq $((stored + lost)) ]
	ok $? "the mails read are those stored and those not ($all)"
else
	skip "a full disk during an import" "cannot mount a tmpfs here (needs root)"
fi

done_testing
