#!/bin/sh
# One-click unsubscribe (RFC 8058): the List-Unsubscribe and
# List-Unsubscribe-Post headers of a digest, the POST as mail providers
# send it (url-encoded and multipart), the GET page that changes nothing,
# bad, foreign and reused tokens, hostile names escaped, and the owner's
# view of how a subscription ended.
. "$(dirname "$0")/../lib.sh"
. "$TOP_SRCDIR/tests/http.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl is not installed"
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 is not installed"

http_init "$TEST_DIR/h"
db="$TEST_DIR/h/tidings.db"
t() { TIDINGS_NOW=2026-03-25T09:00:00Z run "$TIDINGS" --config "$CONF" "$@"; }
sql() { sqlite3 -readonly "$db" "$1"; }

t team add platform --title 'Plat<script>alert(1)</script> & "form"' --zone Europe/Berlin
t subscriber add 'max@example.org' --team platform --confirmed
t subscriber add 'eve@example.org' --team platform --confirmed
t subscriber add 'bob@example.org' --team platform --confirmed
# Ana answers a check-in, so that there is a digest to send.
t member add 'ana@example.org' --team platform --name 'Ana <i>Lima</i>' --zone UTC
t checkin add platform Daily --at 10:00 --days mon-sun
TIDINGS_NOW=2026-03-25T10:00:30Z run "$TIDINGS" --config "$CONF" prompts --due
sql "SELECT raw FROM outbox JOIN outbox_raw ON outbox_id = id WHERE dedupe_key LIKE 'prompt%'" >"$TEST_DIR/prompt.eml"
reply_to=$(sed -n 's/^Reply-To: //p' "$TEST_DIR/prompt.eml" | head -n 1)
mid=$(sed -n 's/^Message-I[Dd]: //p' "$TEST_DIR/prompt.eml" | head -n 1)
printf 'From: Ana <ana@example.org>\nTo: %s\nSubject: Re: Daily\nIn-Reply-To: %s\nMessage-ID: <a1@example.org>\nDate: Wed, 25 Mar 2026 11:00:00 +0000\n\n> 1. What did you work on?\nThe <b>billing</b> export.\n' \
	"$reply_to" "$mid" >"$TEST_DIR/reply.eml"
TIDINGS_NOW=2026-03-25T11:00:00Z run "$TIDINGS" --config "$CONF" ingest <"$TEST_DIR/reply.eml"
expect_rc 0 "ana's answer is taken"
TIDINGS_NOW=2026-03-25T12:00:00Z run "$TIDINGS" --config "$CONF" digest --team platform --send
expect_rc 0 "a digest is queued for three subscribers"
expect_grep out 'queued for 3 subscribers' "for the three"

# The copy for max, with its headers.
sqlite3 -readonly "$db" "SELECT rw.raw FROM outbox o JOIN outbox_raw rw ON rw.outbox_id = o.id JOIN outbox_recipients r ON r.outbox_id = o.id
	WHERE r.address = 'max@example.org' AND o.dedupe_key LIKE 'digest%'" >"$TEST_DIR/max.eml"
[ -s "$TEST_DIR/max.eml" ] || { diag "no digest for max:"; sql "SELECT dedupe_key FROM outbox JOIN outbox_raw ON outbox_id = id" | sed 's/^/# /'; }
tok=$(sql "SELECT token FROM subscriptions s JOIN people p ON p.id = s.person_id WHERE p.email = 'max@example.org'")
expect_grep "$TEST_DIR/max.eml" "^List-Unsubscribe: <https://standup\.example\.org/u/$tok>, <mailto:standup\+platform-unsubscribe-$tok@example\.org\?subject=unsubscribe>\$" \
	"List-Unsubscribe names the one-click link first, then the mail address"
expect_grep "$TEST_DIR/max.eml" '^List-Unsubscribe-Post: List-Unsubscribe=One-Click$' \
	"List-Unsubscribe-Post says One-Click"

http_start || bail_out "tidings serve did not start"

# A link scanner or a preview: GET and HEAD change nothing.
fetch -A 'Mozilla/5.0 (compatible; SafeLinks)' "${URL}u/$tok"
[ "$status" = 200 ] && grep -q '<form method="post" action="'"$tok"'">' "$TEST_DIR/body" &&
	grep -q 'name="List-Unsubscribe" value="One-Click"' "$TEST_DIR/body"
ok $? "GET shows a page whose button posts the same form"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;form&quot;' "$TEST_DIR/body" &&
	! grep -q '<script' "$TEST_DIR/body"
ok $? "the team's title is escaped on the page"
curl -sI "${URL}u/$tok" >/dev/null
[ "$(sql "SELECT state FROM subscriptions s JOIN people p ON p.id = s.person_id WHERE p.email = 'max@example.org'")" = active ]
ok $? "after GET and HEAD, max is still subscribed"

# Bad tokens: all the same 404.
fetch "${URL}nothing"
cp "$TEST_DIR/body" "$TEST_DIR/404"
for bad in aaaaaaaaaaaaaaaa "$tok/x" "$(printf %s "$tok" | cut -c1-15)" \
    "${tok}0" '%3Cscript%3E' "$(printf %s "$tok" | tr a-z2-7 b-z2-7a)"; do
	fetch -X POST --data 'List-Unsubscribe=One-Click' "${URL}u/$bad"
	[ "$status" = 404 ] && cmp -s "$TEST_DIR/body" "$TEST_DIR/404"
	ok $? "POST to a bad token ($bad) is the plain 404"
done
fetch -X POST --data 'List-Unsubscribe=Maybe' "${URL}u/$tok"
[ "$status" = 400 ]
ok $? "a POST without List-Unsubscribe=One-Click is refused with 400"
fetch -X POST -H 'Content-Type: text/plain' --data 'List-Unsubscribe=One-Click' "${URL}u/$tok"
[ "$status" = 400 ]
ok $? "and so is one that is not a form"

# The POST as Gmail sends it: form-encoded, nothing else.
fetch -X POST -A 'Mozilla/5.0 (compatible; Google-Unsubscribe)' \
	-H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary 'List-Unsubscribe=One-Click' "${URL}u/$tok"
[ "$status" = 200 ] && grep -q 'max@example.org</strong> will no longer receive' "$TEST_DIR/body"
ok $? "the one-click POST answers 200"
[ "$(sql "SELECT state || ' ' || ended_by FROM subscriptions s JOIN people p ON p.id = s.person_id WHERE p.email = 'max@example.org'")" = "unsubscribed a one-click link (RFC 8058)" ]
ok $? "and max's subscription ended at once, noting how"
fetch -X POST --data-binary 'List-Unsubscribe=One-Click' "${URL}u/$tok"
[ "$status" = 200 ] && grep -q 'no longer receives' "$TEST_DIR/body"
ok $? "the same POST again (a retry) answers 200 and changes nothing"
n=$(sql "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'list-goodbye%'")
[ "$n" = 1 ]
ok $? "one goodbye is queued, not two ($n)"
fetch "${URL}u/$tok"
[ "$status" = 200 ] && ! grep -q '<form' "$TEST_DIR/body"
ok $? "the page of a used link says it is done, without a button"

# multipart/form-data, which RFC 8058 allows too.
tok2=$(sql "SELECT token FROM subscriptions s JOIN people p ON p.id = s.person_id WHERE p.email = 'eve@example.org'")
fetch -F 'List-Unsubscribe=One-Click' "${URL}u/$tok2"
[ "$status" = 200 ] &&
	[ "$(sql "SELECT state FROM subscriptions s JOIN people p ON p.id = s.person_id WHERE p.email = 'eve@example.org'")" = unsubscribed ]
ok $? "a multipart/form-data POST unsubscribes too"

# The button of the page.
tok3=$(sql "SELECT token FROM subscriptions s JOIN people p ON p.id = s.person_id WHERE p.email = 'bob@example.org'")
fetch --data 'List-Unsubscribe=One-Click&via=page' "${URL}u/$tok3"
[ "$status" = 200 ]
ok $? "the page's button unsubscribes"

t subscriber list --team platform
expect_grep out 'max@example\.org +unsubscribed .* a one-click link \(RFC 8058\)' \
	"the owner sees that max left by a one-click link"
expect_grep out 'bob@example\.org +unsubscribed .* the unsubscribe page' \
	"and bob by the unsubscribe page"

# Resubscribed, the link works again (its token is the same HMAC).
t subscriber add 'max@example.org' --team platform --confirmed
t subscriber list --team platform
expect_grep out 'max@example\.org +active' "max subscribes again"
expect_no_grep out 'max@example\.org +active .*RFC 8058' "and the end is forgotten"

http_stop
wait_until 10 grep -q 'http: 127.0.0.1 "POST /u/…" 200' "$TEST_DIR/http.log"
ok $? "the log shows the POST"
expect_no_grep "$TEST_DIR/http.log" "$tok" "but never the token"
done_testing
