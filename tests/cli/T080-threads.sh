#!/bin/sh
# Threading: references, mail that arrives before its parent, the subject
# fallback, and weekly mails with the same subject kept apart.
. "$(dirname "$0")/../lib.sh"

db="$TEST_DIR/t.db"
ing() { "$TIDINGS" --db "$db" ingest "$@" >/dev/null 2>"$TEST_DIR/err" || { echo "# ingest failed: $(cat "$TEST_DIR/err")"; }; }
thread_of() { "$TIDINGS" --db "$db" show --json "$1" | sed -n 's/.*"thread":\([0-9]*\).*/\1/p'; }

m="$TEST_DIR"
make_mail "$m/root.eml" root@x "Release plan"
make_mail "$m/a.eml" a@x "Re: Release plan" "In-Reply-To: <root@x>" "References: <root@x>"
make_mail "$m/b.eml" b@x "Re: Release plan" "In-Reply-To: <a@x>" "References: <root@x> <a@x>"
make_mail "$m/c.eml" c@x "Re: Release plan" "In-Reply-To: <b@x>" "References: <root@x> <a@x> <b@x>"

# The grandchild first, then the child, then the root: one thread at the end.
ing "$m/c.eml"
ing "$m/a.eml"
ing "$m/root.eml"
ing "$m/b.eml"
t1=$(thread_of "<c@x>")
[ -n "$t1" ] && [ "$t1" = "$(thread_of "<a@x>")" ] && [ "$t1" = "$(thread_of "<root@x>")" ] && [ "$t1" = "$(thread_of "<b@x>")" ]
ok $? "children before parents: one thread ($t1)"

run "$TIDINGS" --db "$db" thread "<b@x>"
expect_rc 0 "thread: exit 0"
expect_grep out "^thread $t1, 4 mails" "thread: four mails"
expect_grep out "^[0-9]+ .*Release plan" "thread: the root at the top"
expect_grep out "^      [0-9]+ .*Re: Release plan" "thread: the grandchild indented three levels"
run "$TIDINGS" --db "$db" thread --json "<b@x>"
json_ok "$TEST_DIR/out"
ok $? "thread --json: valid JSON"
expect_grep out '"depth":3' "thread --json: depths"

# A reply that lost its references joins a recent thread with its subject.
MAIL_DATE="Tue, 10 Mar 2026 09:00:00 +0000" make_mail "$m/lost.eml" lost@x "RE: Release plan"
ing "$m/lost.eml"
[ "$(thread_of "<lost@x>")" = "$t1" ]
ok $? "a reply without references joins a recent thread by subject"

# A new mail (not a reply) with the same subject starts its own thread.
make_mail "$m/again.eml" again@x "Release plan"
ing "$m/again.eml"
[ "$(thread_of "<again@x>")" != "$t1" ]
ok $? "a new mail with the same subject is a new thread"

# Weekly "Re: status" mails weeks apart stay apart.
MAIL_DATE="Mon, 02 Feb 2026 10:00:00 +0000" make_mail "$m/s1.eml" s1@x "Re: status"
MAIL_DATE="Mon, 23 Feb 2026 10:00:00 +0000" make_mail "$m/s2.eml" s2@x "Re: status"
MAIL_DATE="Tue, 24 Feb 2026 10:00:00 +0000" make_mail "$m/s3.eml" s3@x "Re: Status"
ing "$m/s1.eml"
ing "$m/s2.eml"
ing "$m/s3.eml"
[ "$(thread_of "<s1@x>")" != "$(thread_of "<s2@x>")" ]
ok $? "Re: status three weeks apart: two threads"
[ "$(thread_of "<s2@x>")" = "$(thread_of "<s3@x>")" ]
ok $? "Re: status a day apart: one thread"

# A reply whose parent is unknown gets a thread rooted at the parent,
# which the parent joins when it comes.
make_mail "$m/orphan.eml" orphan@x "Re: Budget" "In-Reply-To: <budget@x>" "References: <budget@x>"
make_mail "$m/budget.eml" budget@x "Budget"
ing "$m/orphan.eml"
ing "$m/budget.eml"
[ "$(thread_of "<orphan@x>")" = "$(thread_of "<budget@x>")" ]
ok $? "a late parent joins its child's thread"

done_testing
