#!/bin/sh
# The team's archive (/a/TEAM/): digests by period, an answer with its
# thread and comments, the search; access by a subscriber's link (sent
# with the welcome mail, in List-Archive, revocable) or basic auth, and
# nothing without; hostile names and answers escaped.  Headless Chromium
# opens the archive, a search result and the unsubscribe page: the
# content is there, nothing in the console, no request to any other
# origin, and a screenshot of each is kept beside the test's log.
. "$(dirname "$0")/../lib.sh"
. "$TOP_SRCDIR/tests/http.sh"
. "$TOP_SRCDIR/tests/chromium.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl is not installed"
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 is not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"

http_init "$TEST_DIR/h"
db="$TEST_DIR/h/tidings.db"
# A comment by mail counts when a trusted server vouches for its sender.
sed -i '/^address = /a trusted-authserv-ids = mx.example.org' "$CONF"
t() { TIDINGS_NOW=2026-03-25T09:00:00Z run "$TIDINGS" --config "$CONF" "$@"; }
sql() { sqlite3 -readonly "$db" "$1"; }

t team add platform --title 'Platform <script>alert(1)</script>' --zone Europe/Berlin
t team add other --zone UTC
t member add 'ana@example.org' --team platform --name 'Ana <i>Lima</i>' --zone UTC
t member add 'zoe@example.org' --team other --zone UTC
t subscriber add 'max@example.org' --team platform --confirmed
t subscriber add 'bob@example.org' --team platform --confirmed
t checkin add platform Daily --at 10:00 --days mon-sun
t checkin add other Daily --at 10:00 --days mon-sun

# Ana answers (with markup and a quote), Zoe of the other team too.
TIDINGS_NOW=2026-03-25T10:00:30Z run "$TIDINGS" --config "$CONF" prompts --due
answer() {	# answer EMAIL TEAM MESSAGE-ID TEXT
	sql "SELECT rw.raw FROM outbox o JOIN outbox_raw rw ON rw.outbox_id = o.id JOIN outbox_recipients r ON r.outbox_id = o.id
		WHERE r.address = '$1' AND o.dedupe_key LIKE 'prompt%'" >"$TEST_DIR/prompt.eml"
	reply_to=$(sed -n 's/^Reply-To: //p' "$TEST_DIR/prompt.eml" | head -n 1)
	mid=$(sed -n 's/^Message-I[Dd]: //p' "$TEST_DIR/prompt.eml" | head -n 1)
	printf 'From: %s\nTo: %s\nSubject: Re: Daily\nIn-Reply-To: %s\nMessage-ID: <%s>\nDate: Wed, 25 Mar 2026 11:00:00 +0000\n\n> 1. What did you work on?\n%s\n' \
		"$1" "$reply_to" "$mid" "$3" "$4" >"$TEST_DIR/reply.eml"
	TIDINGS_NOW=2026-03-25T11:00:00Z run "$TIDINGS" --config "$CONF" ingest <"$TEST_DIR/reply.eml"
}
answer ana@example.org platform a1@example.org 'The <b>billing</b> export & "refunds" <script>alert(2)</script>'
expect_rc 0 "Ana answers"
answer zoe@example.org other z1@example.org 'Secret zebra project of the other team'
expect_rc 0 "Zoe answers in the other team"
TIDINGS_NOW=2026-03-25T12:00:00Z run "$TIDINGS" --config "$CONF" digest --team platform --send
expect_grep out 'queued for 2 subscribers' "the digest goes to Max and Bob"

# Max comments on Ana's answer by replying to the digest.
sql "SELECT rw.raw FROM outbox o JOIN outbox_raw rw ON rw.outbox_id = o.id JOIN outbox_recipients r ON r.outbox_id = o.id
	WHERE r.address = 'max@example.org' AND o.dedupe_key LIKE 'digest%'" >"$TEST_DIR/digest.eml"
dmid=$(sed -n 's/^Message-I[Dd]: //p' "$TEST_DIR/digest.eml" | head -n 1)
printf 'Authentication-Results: mx.example.org; dkim=pass header.d=example.org\nFrom: max@example.org\nTo: standup@example.org\nSubject: Re: digest\nIn-Reply-To: %s\nMessage-ID: <c1@example.org>\nDate: Wed, 25 Mar 2026 13:00:00 +0000\n\n> The <b>billing</b> export & "refunds" <script>alert(2)</script>\n\nDoes it cover <u>credit notes</u>?\n' \
	"$dmid" >"$TEST_DIR/comment.eml"
TIDINGS_NOW=2026-03-25T13:00:00Z run "$TIDINGS" --config "$CONF" ingest <"$TEST_DIR/comment.eml"
[ "$(sql "SELECT count(*) FROM comments")" = 1 ]
ok $? "Max's reply to the digest is a comment"

# The link: in the welcome mail, in List-Archive, and from feed-url.
t feed-url --team platform --reader max@example.org
expect_rc 0 "feed-url --reader prints Max's archive link"
link=$(head -n 1 "$TEST_DIR/out")
case "$link" in https://standup.example.org/a/platform/\?key=*) r=0 ;; *) r=1 ;; esac
ok $r "https://standup.example.org/a/platform/?key=... ($link)"
sql "SELECT rw.raw FROM outbox o JOIN outbox_raw rw ON rw.outbox_id = o.id JOIN outbox_recipients r ON r.outbox_id = o.id
	WHERE r.address = 'max@example.org' AND o.dedupe_key LIKE 'list-welcome%'" >"$TEST_DIR/welcome.eml"
tr -d '\n' <"$TEST_DIR/welcome.eml" | grep -qF "$link"
ok $? "the welcome mail carries it"
expect_grep "$TEST_DIR/digest.eml" "^List-Archive: <$(printf %s "$link" | sed 's/[.?]/\\&/g')>$" \
	"and so does List-Archive of Max's digest"
key=${link##*key=}
t feed-url --team platform --reader bob@example.org
bob_key=$(sed -n 's/.*key=//p' "$TEST_DIR/out")

# The pulse of the index looks back from the day of the answers.
TIDINGS_NOW=2026-03-25T14:00:00Z http_start || bail_out "tidings serve did not start"
A="${URL}a/platform/"
fetch "${URL}nothing"
cp "$TEST_DIR/body" "$TEST_DIR/404"
for u in "$A" "${A}?key=aaaaaaaaaaaaaaaa" "${URL}a/other/?key=$key" \
    "${URL}a/nosuch/?key=$key" "${A}d/1" "${A}search?q=billing"; do
	fetch "$u"
	[ "$status" = 404 ] && cmp -s "$TEST_DIR/body" "$TEST_DIR/404"
	ok $? "no page without the key: the plain 404 (${u#"$URL"})"
done

fetch "${A}?key=$key"
[ "$status" = 200 ] && grep -q '<a href="d/[0-9]*?key='"$key"'">Wed 25 March 2026</a>' "$TEST_DIR/body"
ok $? "the index lists the digest by its period"
grep -q 'Platform &lt;script&gt;alert(1)&lt;/script&gt;' "$TEST_DIR/body" && ! grep -q '<script' "$TEST_DIR/body"
ok $? "the team's title is escaped"
grep -qi '^Cache-Control: private, no-store' "$TEST_DIR/headers"
ok $? "archive pages are not cached"
python3 - "$TEST_DIR/body" <<'PY'
import base64, re, sys, xml.dom.minidom
page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<img class="pulse" alt="Answers per week" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)">', page)
assert m, "no pulse chart"
svg = xml.dom.minidom.parseString(base64.b64decode(m.group(1)))
assert svg.documentElement.tagName == "svg"
assert "Answers per week" in svg.toxml() and "100%" in svg.toxml(), svg.toxml()[:400]
PY
ok $? "the index draws the team's answers per week as an inline SVG (nothing fetched)"
grep -q '<h2>Who is around</h2>' "$TEST_DIR/body" &&
	grep -q 'Ana &lt;i&gt;Lima&lt;/i&gt;' "$TEST_DIR/body" && ! grep -q '<i>Lima' "$TEST_DIR/body"
ok $? "and who of the team is around this week, the member's name escaped"
fetch "${URL}a/platform?key=$key"
[ "$status" = 301 ] && grep -qi "^Location: platform/?key=$key" "$TEST_DIR/headers"
ok $? "/a/TEAM leads to /a/TEAM/"

d=$(sql "SELECT id FROM digests")
fetch "${A}d/$d?key=$key"
[ "$status" = 200 ] && cp "$TEST_DIR/body" "$TEST_DIR/digest.html"
ok $? "the digest's page"
grep -q 'The &lt;b&gt;billing&lt;/b&gt; export &amp; &quot;refunds&quot; &lt;script&gt;alert(2)&lt;/script&gt;' "$TEST_DIR/digest.html" &&
	grep -q 'Ana &lt;i&gt;Lima&lt;/i&gt;' "$TEST_DIR/digest.html" && ! grep -q '<script\|<b>\|<i>' "$TEST_DIR/digest.html"
ok $? "shows Ana's answer, every value escaped"
grep -q 'Does it cover &lt;u&gt;credit notes&lt;/u&gt;?' "$TEST_DIR/digest.html"
ok $? "with Max's comment under it"
m=$(sql "SELECT message FROM answers LIMIT 1")
grep -q "href=\"../m/$m?key=$key\">thread</a>" "$TEST_DIR/digest.html"
ok $? "and a link to its thread"
fetch "${A}m/$m?key=$key"
[ "$status" = 200 ] && grep -q 'billing' "$TEST_DIR/body"
ok $? "the answer's page"
zm=$(sql "SELECT a.message FROM answers a JOIN prompts p ON p.id = a.prompt_id JOIN people pe ON pe.id = p.person_id WHERE pe.email = 'zoe@example.org' LIMIT 1")
fetch "${A}m/$zm?key=$key"
[ "$status" = 404 ]
ok $? "another team's mail is not in this archive"
for bad in "d/999" "d/x" "m/0" "m/$m/x" "x"; do
	fetch "${A}$bad?key=$key"
	[ "$status" = 404 ]
	ok $? "$bad: 404"
done

fetch -G --data-urlencode 'q=billing' --data-urlencode "key=$key" "${A}search"
[ "$status" = 200 ] && grep -q '<mark>billing</mark>' "$TEST_DIR/body" && grep -q "href=\"m/$m?key=$key\"" "$TEST_DIR/body"
ok $? "the search finds the answer, the match marked"
fetch -G --data-urlencode 'q=zebra' --data-urlencode "key=$key" "${A}search"
[ "$status" = 200 ] && grep -q '0 found' "$TEST_DIR/body" && ! grep -q zebra "$TEST_DIR/body" | grep -v 'value='
ok $? "but never another team's mail"
fetch -G --data-urlencode 'q="unbalanced' --data-urlencode "key=$key" "${A}search"
[ "$status" = 400 ] && grep -q 'could not be read' "$TEST_DIR/body"
ok $? "a search FTS5 cannot read: 400 and how to write one"
fetch -G --data-urlencode 'q="><script>alert(3)</script>' --data-urlencode "key=$key" "${A}search"
! grep -q '<script>alert(3)' "$TEST_DIR/body" && grep -q 'value="&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"' "$TEST_DIR/body"
ok $? "the query is escaped where the page shows it"

fetch "${A}?key=$bob_key"
[ "$status" = 200 ]
ok $? "Bob's link works"
t subscriber remove bob@example.org --team platform --quiet
fetch "${A}?key=$bob_key"
[ "$status" = 404 ]
ok $? "and stops when his subscription ends"
t feed-url --team platform --reader max@example.org --new
new_key=$(sed -n 's/.*key=//p' "$TEST_DIR/out")
fetch "${A}?key=$key"
old=$status
fetch "${A}?key=$new_key"
[ "$old" = 404 ] && [ "$status" = 200 ]
ok $? "--new revokes Max's link and makes another"
key=$new_key

# Chromium: the archive, a search result and the unsubscribe page.
SHOTS="$TOP_BUILDDIR/tests/cli/T094-archive.shots"
mkdir -p "$SHOTS"
tok=$(sql "SELECT token FROM subscriptions s JOIN people p ON p.id = s.person_id WHERE p.email = 'max@example.org'")
origin=${URL%/}
if chromium_find; then
	for page in "archive ${A}d/$d?key=$key Does it cover" \
	    "search ${A}search?q=billing&key=$key billing" \
	    "unsubscribe ${URL}u/$tok Unsubscribe"; do
		set -- $page
		name=$1 url=$2
		shift 2
		want="$*"
		chromium_load "$name" "$url"
		ok $? "Chromium loads the $name page" || sed 's/^/# /' "$TEST_DIR/$name.err" | tail -5
		grep -q "$want" "$TEST_DIR/$name.dom"
		ok $? "its DOM holds \"$want\""
		[ ! -s "$TEST_DIR/$name.console" ]
		ok $? "nothing in its console" || sed 's/^/# /' "$TEST_DIR/$name.console" | head -5
		other=$(chromium_other_origins "$name" "$origin"; chromium_dom_urls "$name" "$origin")
		[ -z "$other" ]
		ok $? "no request to any other origin" || printf '# %s\n' $other
		[ -s "$SHOTS/$name.png" ]
		ok $? "a screenshot kept as $name.png"
	done
	grep -q '<form method="post"' "$TEST_DIR/unsubscribe.dom" &&
		[ "$(sql "SELECT state FROM subscriptions s JOIN people p ON p.id = s.person_id WHERE p.email = 'max@example.org'")" = active ]
	ok $? "the unsubscribe page shows its button, and loading it unsubscribed nobody"
else
	skip "Chromium opens the archive" "chromium is not installed"
fi
http_stop

# Basic auth from the configuration.
printf 's3cret pass\n' >"$TEST_DIR/h/archive-password"
chmod 600 "$TEST_DIR/h/archive-password"
printf 'archive-user = owner\narchive-password-file = archive-password\n' >>"$CONF"
mv "$TEST_DIR/http.log" "$TEST_DIR/http-1.log"
http_start || bail_out "tidings serve did not start again"
A="${URL}a/platform/"
fetch "${A}"
[ "$status" = 401 ] && grep -qi '^WWW-Authenticate: Basic realm="tidings archive"' "$TEST_DIR/headers"
ok $? "with archive-user set, no credentials: 401 asking for them"
fetch -u 'owner:wrong' "${A}"
[ "$status" = 401 ]
ok $? "a wrong password: 401"
fetch -u 'owner:s3cret pass' "${A}"
[ "$status" = 200 ] && grep -q '<a href="d/[0-9]*">' "$TEST_DIR/body"
ok $? "the right one: 200, links without a key"
fetch "${A}?key=$key"
[ "$status" = 200 ]
ok $? "a subscriber's link still works"
http_stop
cat "$TEST_DIR/http-1.log" "$TEST_DIR/http.log" >"$TEST_DIR/http-all.log"
expect_no_grep "$TEST_DIR/http-all.log" "$key|s3cret" "neither keys nor passwords in the log"

done_testing
