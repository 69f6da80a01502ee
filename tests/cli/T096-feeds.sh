#!/bin/sh
# Calendar feeds: tidings feed-url, /ics/TEAM.ics and /ics/member/EMAIL.ics
# with their keys (wrong, missing, revoked), ETag and Last-Modified
# answered by 304, HEAD; the VEVENT form (export-ics --events) parsed by
# python3-icalendar and imported by khal.
. "$(dirname "$0")/../lib.sh"
. "$TOP_SRCDIR/tests/http.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl is not installed"

http_init "$TEST_DIR/h"
t() { TIDINGS_NOW=2026-12-07T09:00:00Z run "$TIDINGS" --config "$CONF" "$@"; }
t team add platform --title 'Platform <&>' --zone Europe/Berlin
t team add other --zone UTC
t member add ana@example.org --team platform --name 'Ana "<Lima>"' \
	--zone America/Sao_Paulo --hours 08:00-16:00
t member add raj@example.org --team platform --name Raj --zone Asia/Kolkata \
	--hours 22:00-06:00 --days sun-thu
t member add zoe@example.org --team other --zone UTC
t avail set ana@example.org 'ooo 2026-12-20..2027-01-03'
t avail set ana@example.org 'deep work mon-fri 09:00-12:00'
t avail set raj@example.org 'status traveling until friday'

t feed-url --team platform
expect_rc 0 "feed-url prints the team's feed"
expect_grep out '^https://standup\.example\.org/ics/platform\.ics\?key=[a-z2-7]{16}$' "as https://"
expect_grep out '^webcal://standup\.example\.org/ics/platform\.ics\?key=[a-z2-7]{16}$' "and webcal://"
team_url=$(head -n 1 "$TEST_DIR/out")
t feed-url --team platform
[ "$(head -n 1 "$TEST_DIR/out")" = "$team_url" ]
ok $? "the same key until a new one is asked for"
t feed-url --team platform --member Ana@Example.org
expect_grep out '^https://standup\.example\.org/ics/member/ana@example\.org\.ics\?key=[a-z2-7]{16}$' \
	"a member's feed"
ana_url=$(head -n 1 "$TEST_DIR/out")
t feed-url --team platform --member zoe@example.org
expect_rc 65 "a feed for someone not in the team: exit 65"
t feed-url --team nosuch
expect_rc 65 "a feed of no team: exit 65"
t feed-url
expect_rc 64 "--team is required"

http_start || bail_out "tidings serve did not start"
local_url() { printf '%s' "$1" | sed "s|^https://standup.example.org/|$URL|"; }
team_local=$(local_url "$team_url")
ana_local=$(local_url "$ana_url")

fetch "$team_local"
[ "$status" = 200 ] && cp "$TEST_DIR/body" "$TEST_DIR/team.ics"
ok $? "the team's feed: 200"
grep -qi '^Content-Type: text/calendar; charset=utf-8' "$TEST_DIR/headers"
ok $? "text/calendar; charset=utf-8"
etag=$(sed -n 's/^ETag: //Ip' "$TEST_DIR/headers" | tr -d '\r')
lm=$(sed -n 's/^Last-Modified: //Ip' "$TEST_DIR/headers" | tr -d '\r')
[ -n "$etag" ] && [ -n "$lm" ]
ok $? "with an ETag ($etag) and a Last-Modified ($lm)"
fetch -H "If-None-Match: $etag" "$team_local"
[ "$status" = 304 ] && [ ! -s "$TEST_DIR/body" ]
ok $? "If-None-Match with its ETag: 304 without a body"
fetch -H "If-None-Match: W/$etag, \"other\"" "$team_local"
[ "$status" = 304 ]
ok $? "a weak ETag in a list: 304"
fetch -H 'If-None-Match: "other"' "$team_local"
[ "$status" = 200 ]
ok $? "another ETag: 200"
fetch -H "If-Modified-Since: $lm" "$team_local"
[ "$status" = 304 ]
ok $? "If-Modified-Since its Last-Modified: 304"
fetch -H 'If-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT' "$team_local"
[ "$status" = 200 ]
ok $? "If-Modified-Since long ago: 200"
curl -sI "$team_local" >"$TEST_DIR/head"
grep -q '^HTTP/1.1 200' "$TEST_DIR/head" && ! grep -q 'BEGIN:VCALENDAR' "$TEST_DIR/head"
ok $? "HEAD: the headers alone"

# A change shows: a new ETag.
t avail set raj@example.org 'ooo 2026-12-24..2026-12-26'
fetch -H "If-None-Match: $etag" "$team_local"
[ "$status" = 200 ] && grep -q 'Raj away' "$TEST_DIR/body"
ok $? "after a change, the old ETag gets the new text"

fetch "$ana_local"
[ "$status" = 200 ] && cp "$TEST_DIR/body" "$TEST_DIR/ana.ics" &&
	grep -q 'away' "$TEST_DIR/ana.ics" && ! grep -q 'Raj' "$TEST_DIR/ana.ics"
ok $? "the member's feed holds her time alone"

# Keys: wrong, missing, another feed's, revoked.
fetch "${URL}nothing"
cp "$TEST_DIR/body" "$TEST_DIR/404"
key=${team_url##*key=}
ana_key=${ana_url##*key=}
for u in "${URL}ics/platform.ics" "${URL}ics/platform.ics?key=aaaaaaaaaaaaaaaa" \
    "${URL}ics/platform.ics?key=$ana_key" "${URL}ics/other.ics?key=$key" \
    "${URL}ics/member/raj@example.org.ics?key=$ana_key" "${URL}ics/nosuch.ics?key=$key" \
    "${URL}ics/platform?key=$key" "${URL}ics/../platform.ics?key=$key" \
    "${URL}ics/member/%3Cscript%3E.ics?key=$key"; do
	fetch "$u"
	[ "$status" = 404 ] && cmp -s "$TEST_DIR/body" "$TEST_DIR/404"
	ok $? "the plain 404: ${u#"$URL"}"
done
# The answer to a key asked again comes from memory; a new key still
# revokes the old one at once.
fetch "$team_local" && fetch "$team_local"
[ "$status" = 200 ]
ok $? "the old key, asked twice, still works before a new one"
t feed-url --team platform --new
new_url=$(head -n 1 "$TEST_DIR/out")
[ "$new_url" != "$team_url" ]
ok $? "feed-url --new makes a new key"
fetch "$team_local"
[ "$status" = 404 ]
ok $? "the old key no longer works"
fetch "$(local_url "$new_url")"
[ "$status" = 200 ]
ok $? "the new one does"
fetch "$ana_local"
[ "$status" = 200 ]
ok $? "and the member's feed keeps its own key"

# A member in two teams has a feed in each, at the same path: each key
# gets its own team's.
t member add ana@example.org --team other
t feed-url --team other --member ana@example.org
ana_other=$(local_url "$(head -n 1 "$TEST_DIR/out")")
fetch "$ana_local" && fetch "$ana_local"
grep -q 'X-WR-CALNAME:.*Platform' "$TEST_DIR/body"
ok $? "a member in two teams: the first team's key, its feed"
fetch "$ana_other"
[ "$status" = 200 ] && grep -q 'X-WR-CALNAME:.*[Oo]ther' "$TEST_DIR/body" &&
	! grep -q 'Platform' "$TEST_DIR/body"
ok $? "the other team's key, the other team's feed" ||
	grep CALNAME "$TEST_DIR/body" | sed 's/^/# /'
fetch "$ana_local"
grep -q 'X-WR-CALNAME:.*Platform' "$TEST_DIR/body"
ok $? "and back"

# A new secret revokes every key at once, though the server had it in
# memory.
fetch "$(local_url "$new_url")" && fetch "$(local_url "$new_url")"
[ "$status" = 200 ]
ok $? "before the secret changes, the key works"
od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$TEST_DIR/h/secret.new" &&
	echo >>"$TEST_DIR/h/secret.new" && chmod 600 "$TEST_DIR/h/secret.new" &&
	mv "$TEST_DIR/h/secret.new" "$TEST_DIR/h/secret"
fetch "$(local_url "$new_url")"
[ "$status" = 404 ]
ok $? "a new secret file: the key made with the old one gets 404 at once ($status)"
t feed-url --team platform
fetch "$(local_url "$(head -n 1 "$TEST_DIR/out")")"
[ "$status" = 200 ]
ok $? "and the key feed-url now prints works"

# Another process changes the database between two requests on one
# kept-alive connection: the second answer shows it.  python3's
# http.client keeps the connection; the script fails (exit 3) when it
# did not.
cat >"$TEST_DIR/keepalive.py" <<'PY'
import http.client, subprocess, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
target = u.path + '?' + u.query
c = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
def get(n):
    c.request('GET', target)
    r = c.getresponse()
    open(sys.argv[2] + '.' + n, 'wb').write(r.read())
    print(r.status)
get('1')
sock = c.sock
if subprocess.run(sys.argv[3:], stdout=subprocess.DEVNULL).returncode != 0:
    sys.exit(2)
get('2')
sys.exit(0 if c.sock is sock else 3)
PY
# keepalive URL CMD...: the two statuses in $TEST_DIR/ka, the bodies in
# $TEST_DIR/ka.1 and ka.2.
keepalive() {
	u=$1
	shift
	env TIDINGS_NOW=2026-12-07T09:00:00Z python3 "$TEST_DIR/keepalive.py" \
	    "$u" "$TEST_DIR/ka" "$@" >"$TEST_DIR/ka" 2>"$TEST_DIR/ka.err"
}
# Says what the last keepalive saw, after a failure: its exit status RC
# (2: the other process failed; 3: the connection was not kept), the
# statuses, what it wrote on stderr and the ends of the bodies.
keepalive_diag() {
	diag "keepalive exited $1; statuses: $(tr '\n' ' ' <"$TEST_DIR/ka")"
	sed 's/^/# stderr: /' "$TEST_DIR/ka.err"
	for n in 1 2; do
		[ -f "$TEST_DIR/ka.$n" ] && tail -c 300 "$TEST_DIR/ka.$n" | sed "s/^/# body $n: /"
	done
	tail -n 5 "$TEST_DIR/http.log" 2>/dev/null | sed 's/^/# log: /'
	return 0
}
# The changes, asked for from another process, on one connection, with
# the server told of them (inotify) or, with TIDINGS_HTTP_NO_WATCH,
# looking for itself.
keepalive_tests() {
	how=$1
	feed=$(local_url "$(head -n 1 "$TEST_DIR/out")")
	keepalive "$feed" "$TIDINGS" --config "$CONF" member set \
	    raj@example.org --hours "$2"
	rc=$?
	[ $rc = 0 ] && [ "$(tr '\n' ' ' <"$TEST_DIR/ka")" = "200 200 " ] &&
		! cmp -s "$TEST_DIR/ka.1" "$TEST_DIR/ka.2" &&
		grep -q "$3" "$TEST_DIR/ka.2"
	st=$?
	ok $st "$how: hours changed by another process between two requests on one connection show in the second"
	[ $st = 0 ] || keepalive_diag "$rc"
	keepalive "$feed" "$TIDINGS" --config "$CONF" feed-url --team platform \
	    --new
	rc=$?
	[ $rc = 0 ] && [ "$(tr '\n' ' ' <"$TEST_DIR/ka")" = "200 404 " ]
	st=$?
	ok $st "$how: a key revoked by another process between two requests on one connection gets 404 in the second"
	[ $st = 0 ] || keepalive_diag "$rc"
	run "$TIDINGS" --config "$CONF" feed-url --team platform
}
keepalive_tests "told of changes" 07:30-15:30 'T073000'
http_stop
TIDINGS_HTTP_NO_WATCH=1
export TIDINGS_HTTP_NO_WATCH
http_start || bail_out "tidings serve did not start again"
unset TIDINGS_HTTP_NO_WATCH
keepalive_tests "looking for itself" 06:30-14:30 'T063000'
http_stop
t member set raj@example.org --hours 22:00-06:00
expect_no_grep "$TEST_DIR/http.log" "$key|$ana_key" "no key in the log"

# The VEVENT form.
t export-ics --team platform --events -o "$TEST_DIR/export.ics"
expect_rc 0 "export-ics --events"
! grep -q 'VAVAILABILITY\|VFREEBUSY' "$TEST_DIR/export.ics" "$TEST_DIR/team.ics"
ok $? "no VAVAILABILITY and no VFREEBUSY: events alone"
t export-ics --team platform -o "$TEST_DIR/plain.ics"
grep -q 'BEGIN:VAVAILABILITY' "$TEST_DIR/plain.ics"
ok $? "export-ics without --events keeps RFC 7953"

# Debian's python3-icalendar is in the system's python3, which another
# python3 first in PATH may not see.
PY=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import icalendar' 2>/dev/null; then PY=$p; break; fi
done
if [ -n "$PY" ]; then
	cat >"$TEST_DIR/check.py" <<'PY'
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
kinds = {c.name for c in cal.walk()}
assert kinds <= {'VCALENDAR', 'VEVENT', 'VTIMEZONE', 'STANDARD', 'DAYLIGHT'}, kinds
events = list(cal.walk('VEVENT'))
zones = {str(z['TZID']) for z in cal.walk('VTIMEZONE')}
hours = [e for e in events if 'RRULE' in e]
for e in hours:
    tz = e['DTSTART'].params.get('TZID')
    assert tz in zones, (tz, zones)
    assert str(e['TRANSP']) == 'TRANSPARENT'
ana = [e for e in hours if str(e['SUMMARY']).startswith('Ana')][0]
assert ana['DTSTART'].params['TZID'] == 'America/Sao_Paulo'
assert ana['DTSTART'].dt.hour == 8 and ana['DTEND'].dt.hour == 16
assert ana['RRULE']['BYDAY'] == ['MO', 'TU', 'WE', 'TH', 'FR']
for raj in [e for e in hours if str(e['SUMMARY']).startswith('Raj')]:
    assert raj['DTSTART'].params['TZID'] == 'Asia/Kolkata'
    assert raj['DTSTART'].dt.hour == 22 and raj['DTEND'].dt.hour == 6
away = [e for e in events if 'away' in str(e['SUMMARY'])]
assert away and all(str(e['TRANSP']) == 'OPAQUE' for e in away)
deep = [e for e in events if 'deep work' in str(e['SUMMARY'])]
assert deep and all(str(e['TRANSP']) == 'OPAQUE' for e in deep)
assert all('UID' in e and 'DTSTAMP' in e for e in events)
print(len(events), "events")
PY
	for f in team ana export; do
		out=$("$PY" "$TEST_DIR/check.py" "$TEST_DIR/$f.ics" 2>&1)
		ok $? "python3-icalendar reads $f.ics: hours weekly in each zone, away and deep work opaque ($out)"
	done
else
	skip "python3-icalendar reads the feeds" "python3-icalendar is not installed"
fi

if command -v khal >/dev/null 2>&1; then
	mkdir -p "$TEST_DIR/khal/cal"
	cat >"$TEST_DIR/khal/config" <<EOC
[calendars]
[[team]]
path = $TEST_DIR/khal/cal
[locale]
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M
local_timezone = UTC
default_timezone = UTC
EOC
	khal -c "$TEST_DIR/khal/config" import --batch -a team "$TEST_DIR/team.ics" \
		>"$TEST_DIR/khal.out" 2>&1
	ok $? "khal imports the team's feed" || sed 's/^/# /' "$TEST_DIR/khal.out" | head
	khal -c "$TEST_DIR/khal/config" list 2026-12-21 2026-12-22 >"$TEST_DIR/khal.list" 2>&1
	grep -q 'away' "$TEST_DIR/khal.list" && grep -q 'working' "$TEST_DIR/khal.list"
	ok $? "and shows the away time and the working hours" ||
		sed 's/^/# /' "$TEST_DIR/khal.list" | head
else
	skip "khal imports the feeds" "khal is not installed"
fi

done_testing
