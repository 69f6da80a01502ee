#!/bin/bash
# T098: each subscriber's copy of a digest leaves in their own morning.
# The digest is gathered once, at the team's time; each copy is queued due
# at the subscriber's hour in their zone on their workdays (their own, or a
# member's start of work, or with the digest for anyone else); a copy whose
# time passed more than [digests] catch-up before tidings could send it is
# not sent; `subscriber list` shows zone, hour and next copy.
. "$(dirname "$0")/../lib.sh"

command -v python3 >/dev/null || skip_all "python3 is not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"

openssl rand -hex 32 >"$TEST_DIR/secret" 2>/dev/null ||
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TEST_DIR/secret"
chmod 600 "$TEST_DIR/secret"
cat >"$TEST_DIR/t.conf" <<EOC
[tidings]
database = $TEST_DIR/t.db
address = standup@example.org
secret-file = $TEST_DIR/secret
[smtp]
host = 127.0.0.1
port = 1
EOC
chmod 600 "$TEST_DIR/t.conf"
at() { local when=$1; shift; TIDINGS_NOW=$when run "$TIDINGS" --config "$TEST_DIR/t.conf" "$@"; }
due_of() {	# the next try of the digest copy to $1, from outbox --json
	python3 -c '
import json, sys
for m in json.load(open(sys.argv[1]))["mails"]:
    if m["kind"] == "digest" and m["recipients"][0]["address"] == sys.argv[2]:
        print(m["next_try"])' "$TEST_DIR/out" "$1"
}

N=2026-03-25T00:00:00Z
at $N team add platform --zone Europe/Berlin
at $N team set platform --digest-at 17:00 --digest-days mon-fri --empty notice
at $N member add ana@example.org --team platform --zone America/Sao_Paulo \
    --hours 08:00-16:00 --days mon-thu
at $N member add lee@example.org --team platform --zone America/Los_Angeles
at $N subscriber add ana@example.org --team platform --confirmed
expect_rc 0 "a member subscribes"
at $N subscriber add max@example.org --team platform --confirmed
at $N subscriber add kim@example.org --team platform --confirmed \
    --zone Asia/Tokyo --at 08:30
expect_rc 0 "a subscriber with a zone and an hour of their own"
at $N subscriber add lee@example.org --team platform --confirmed --at 07:00
expect_rc 0 "a member with an hour of their own"

at $N subscriber add bo@example.org --team platform --zone Mars/Olympus
expect_rc 64 "an unknown zone is refused"
expect_grep err "unknown time zone 'Mars/Olympus'" "and named"
at $N subscriber set kim@example.org --team platform --at 25:00
expect_rc 64 "an hour that is none is refused"
at $N subscriber set kim@example.org --team platform
expect_rc 64 "set without anything to set is refused"
at $N subscriber set nobody@example.org --team platform --at 08:00
[ "$rc" -ne 0 ] && grep -q "nobody@example.org" "$TEST_DIR/err"
ok $? "set for no subscriber says so"

at $N subscriber list --team platform
expect_grep out "^platform +ana@example.org +active +alternative +America/Sao_Paulo +08:00 +Thu 2026-03-26 08:00" \
    "a member's copy: their zone, the start of their work, their next workday"
expect_grep out "^platform +kim@example.org .*Asia/Tokyo +08:30 +Thu 2026-03-26 08:30" \
    "a subscriber's own zone and hour"
expect_grep out "^platform +max@example.org .*Europe/Berlin +with digest +Wed 2026-03-25 17:00" \
    "anyone else's copy leaves with the digest"

# Friday 17:00 in Berlin (16:00 UTC): gathered once, four copies queued.
at 2026-03-27T16:00:30Z digest --team platform --send
expect_rc 0 "the digest is sent"
[ "$(sqlite3 "$TEST_DIR/t.db" "SELECT count(*) FROM digests")" = 1 ]
ok $? "gathered once"
at 2026-03-27T16:00:30Z outbox --json
[ "$(due_of max@example.org)" = 2026-03-27T16:00:30Z ]
ok $? "Max's copy is due at once"
[ "$(due_of ana@example.org)" = 2026-03-30T11:00:00Z ]
ok $? "Ana's at 08:00 in São Paulo on Monday, her next workday"
[ "$(due_of kim@example.org)" = 2026-03-29T23:30:00Z ]
ok $? "Kim's at 08:30 on Monday in Tokyo (Sunday in UTC)"
[ "$(due_of lee@example.org)" = 2026-03-30T14:00:00Z ]
ok $? "Lee's at his own 07:00 in Los Angeles, Friday's having passed"
at 2026-03-28T09:00:00Z subscriber list --team platform
expect_grep out "^platform +kim@example.org .*Mon 2026-03-30 08:30" \
    "the list shows the copy that waits"

# tidings was down from Friday to Monday noon (UTC): Kim's copy is more
# than the 12 h of catch-up late and is not sent; Ana's is still in time.
at 2026-03-30T12:00:00Z outbox --flush
expect_grep err "was not sent: due 750 min ago" "the late copy is failed, saying why"
at 2026-03-30T12:00:00Z outbox --all --json
python3 - "$TEST_DIR/out" <<'PY'
import json, sys
s = {m["recipients"][0]["address"]: m for m in json.load(open(sys.argv[1]))["mails"]
     if m["kind"] == "digest"}
assert s["kim@example.org"]["state"] == "failed", s["kim@example.org"]
assert "not sent" in s["kim@example.org"]["recipients"][0]["error"]
assert s["ana@example.org"]["state"] == "queued", s["ana@example.org"]
assert s["lee@example.org"]["state"] == "queued"
PY
ok $? "Kim's copy failed; Ana's waits for the server; Lee's for its time"

at 2026-03-30T12:00:00Z subscriber set kim@example.org --team platform --at default --zone default
expect_rc 0 "a zone and an hour of their own are taken back"
at 2026-03-30T12:00:00Z subscriber list --team platform
expect_grep out "^platform +kim@example.org .*Europe/Berlin +with digest" "and the copies leave with the digest"

done_testing
