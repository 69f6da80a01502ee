#!/bin/sh
# tidings demo: runs without any configuration and leaves a database the
# other commands can read.
. "$(dirname "$0")/../lib.sh"

run "$TIDINGS" --config "$TEST_DIR/does-not-matter.conf" demo --dir "$TEST_DIR/demo"
expect_rc 0 "demo: exit 0, without a configuration"
expect_grep out "4 members in 4 time zones" "demo: a team of four in four zones"
for zone in America/Sao_Paulo Europe/Berlin Asia/Kolkata Australia/Sydney; do
	expect_grep out "$zone .*(working|outside working hours)" "demo: shows local time in $zone"
done
expect_grep out "tidings --db $TEST_DIR/demo/tidings.db team show demo" "demo: says where its database is"
expect_grep out "each member asked at 16:30 in their own zone" "demo: a day of check-ins"
for zone in AEDT IST CET -03; do
	expect_grep out "16:30 $zone" "demo: asked at 16:30 $zone"
done
[ "$(ls "$TEST_DIR/demo/Maildir/new" | wc -l)" = 4 ]
ok $? "demo: four prompts written to the demo's Maildir"
grep -q "^Reply-To: standup+[a-z2-7]\{16\}@demo.example" "$TEST_DIR/demo/Maildir/new/"*
ok $? "demo: the prompts carry their token reply addresses"
expect_grep out "Ana Lima +reply +answers stored per question" "demo: a reply with quotes and a signature"
expect_grep out "Jonas Weber +reply" "demo: an HTML-only reply"
expect_grep out "Priya Nair +reply" "demo: a reply from a phone"
expect_grep out "Mia Chen +autoreply +out of office" "demo: an out-of-office auto-reply, not counted"
expect_grep out "^BLOCKERS" "demo: the digest, blockers first"
expect_grep out "Blocked on the staging database" "demo: Jonas's blocker from his HTML reply"
expect_grep out "^Shipped the CSV export for invoices\.$" "demo: Ana's answer without her quotes"
expect_no_grep out "Payments team|Sent from my iPhone|^> " "demo: signatures and quotes cut"
expect_grep out "Not answered: Mia Chen" "demo: who did not answer"
test -s "$TEST_DIR/demo/digest.eml" && grep -q "^Content-Type: multipart/alternative" "$TEST_DIR/demo/digest.eml"
ok $? "demo: the whole digest mail, text and HTML, is kept"
expect_grep out "$TEST_DIR/demo/digest.eml" "demo: says where"

run "$TIDINGS" --db "$TEST_DIR/demo/tidings.db" team show demo
expect_rc 0 "the demo database opens with the other commands"
expect_grep out "^members: 4" "it holds the demo team"

run "$TIDINGS" demo --dir "$TEST_DIR/demo"
expect_rc 73 "demo into a used directory: refused"
expect_grep err "exists" "demo into a used directory: says why"

run "$TIDINGS" demo
expect_rc 0 "demo without --dir: a temporary directory"
db=$(sed -n 's/^  tidings --db \(.*\) team show demo$/\1/p' "$TEST_DIR/out")
test -f "$db"
ok $? "demo without --dir: the database exists ($db)"
rm -rf "$(dirname "$db")"

done_testing
