#!/bin/sh
# Imports parse and filter mail on a second thread while the first stores
# it (src/ingest-pipe.c).  The same Maildir and mbox imported that way and
# on one thread (TIDINGS_SEQUENTIAL=1) give the same store, byte for byte:
# the generated corpus, the test mails (bounces, auto-replies, odd MIME),
# duplicates, mail that is no mail, and the shared bounce corpus when it is
# there.
. "$(dirname "$0")/../lib.sh"

gen="$TOP_BUILDDIR/tests/bench/gen-maildir"
[ -x "$gen" ] || skip_all "tests/bench/gen-maildir is not built"
md="$TEST_DIR/Maildir"
"$gen" "$md" 300 >/dev/null || bail_out "cannot generate the corpus"
for f in "$DATA"/mail/*.eml; do
	cp "$f" "$md/new/data-$(basename "$f")"
done
# The same mail twice, and something that is not mail at all.
cp "$DATA/mail/plain-reply.eml" "$md/new/data-zz-again.eml"
printf '\000\001\002' >"$md/new/data-zz-binary"
sisimai="$SHARED_DIR/corpus/sisimai/maildir"
if [ -d "$sisimai" ]; then
	find "$sisimai" -type f -name '*.eml' | sort | while read -r f; do
		cp "$f" "$md/cur/sisimai-$(echo "${f#"$sisimai"/}" | tr / -)"
	done
else
	diag "no shared sisimai corpus: the generated and test mails only"
fi
total=$(find "$md/cur" "$md/new" -type f | wc -l)

# The answer filter consults the store only when tidings has an address.
export TIDINGS_NOW=2026-04-01T09:00:00Z
conf() {	# conf NAME: a configuration with its own database
	printf '[tidings]\naddress = tidings@example.org\ndatabase = %s\n' \
		"$TEST_DIR/$1.db" >"$TEST_DIR/$1.conf"
	echo "$TEST_DIR/$1.conf"
}

# The arrival time (received, and the date of mail without a usable one)
# is the clock's, which moves on during an import: left out.
export_json() {	# export_json CONF OUT
	"$TIDINGS" --config "$1" export --format json |
		sed -E 's/"(received|date)":"[^"]*"/"\1":-/g' >"$2"
}

import() {	# import NAME SEQUENTIAL ARGS...: the summary in $TEST_DIR/NAME.sum
	name=$1 seq=$2
	shift 2
	c=$(conf "$name")
	TIDINGS_SEQUENTIAL=$seq "$TIDINGS" --config "$c" import "$@" \
		>"$TEST_DIR/out" 2>"$TEST_DIR/err"
	rc=$?
	sed 's/ in [0-9.]* s:/:/' "$TEST_DIR/out" >"$TEST_DIR/$name.sum"
	export_json "$c" "$TEST_DIR/$name.json"
}

import two 0 --maildir "$md"
expect_rc 0 "Maildir on two threads: exit 0"
expect_grep "$TEST_DIR/two.sum" "^$total mails: " "and every mail counted ($total)"
expect_grep "$TEST_DIR/two.sum" "[1-9][0-9]* duplicates, 0 dropped, 1 quarantined" \
	"the mail seen twice is a duplicate, the one that is not mail quarantined"
import one 1 --maildir "$md"
expect_rc 0 "Maildir on one thread: exit 0"
cmp -s "$TEST_DIR/one.sum" "$TEST_DIR/two.sum"
ok $? "the same summary"
cmp -s "$TEST_DIR/one.json" "$TEST_DIR/two.json"
ok $? "the same export, byte for byte ($(wc -l <"$TEST_DIR/one.json") mails)"

"$TIDINGS" --config "$TEST_DIR/two.conf" export --format mbox >"$TEST_DIR/all.mbox"
import mbox-two 0 --mbox "$TEST_DIR/all.mbox"
expect_rc 0 "mbox on two threads: exit 0"
import mbox-one 1 --mbox "$TEST_DIR/all.mbox"
expect_rc 0 "mbox on one thread: exit 0"
cmp -s "$TEST_DIR/mbox-one.json" "$TEST_DIR/mbox-two.json"
ok $? "the same export, byte for byte"
n=$(wc -l <"$TEST_DIR/two.json")
expect_grep "$TEST_DIR/mbox-two.sum" "^$n mails: " "every mail of the mbox read ($n)"

# Importing again on two threads: all duplicates (the mail that is no mail
# is said to be quarantined, as it is), nothing changed.
c=$(conf two)
TIDINGS_SEQUENTIAL=0 "$TIDINGS" --config "$c" import --maildir "$md" >"$TEST_DIR/out" 2>"$TEST_DIR/err"
expect_grep out "^$total mails .*: 0 stored .* $((total - 1)) duplicates" \
	"imported again: every mail a duplicate"
export_json "$c" "$TEST_DIR/again.json"
cmp -s "$TEST_DIR/two.json" "$TEST_DIR/again.json"
ok $? "and the store as it was"

done_testing
