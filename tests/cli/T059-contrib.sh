#!/bin/sh
# contrib/: the delivery-agent recipes say where their replies go (the
# outbox, sent by tidings run or by the outbox timer), and the timer and
# its service are units systemd reads without a complaint, whose command
# works and whose "try again" status counts as success.
. "$(dirname "$0")/../lib.sh"

contrib=$TOP_SRCDIR/contrib
for f in "$contrib"/mda/*; do
	name=contrib/mda/$(basename "$f")
	tr -d '#' <"$f" | tr -s ' \n' ' ' >"$TEST_DIR/text"
	grep -q "waits in the outbox" "$TEST_DIR/text" &&
		grep -q '"tidings run"' "$TEST_DIR/text" &&
		grep -q '"tidings outbox --flush"' "$TEST_DIR/text" &&
		grep -q "contrib/tidings-outbox.timer" "$TEST_DIR/text"
	ok $? "$name: replies wait in the outbox for tidings run or the outbox timer"
done

service=$contrib/tidings-outbox.service
timer=$contrib/tidings-outbox.timer
grep -q "^OnUnitActiveSec=1min$" "$timer"
ok $? "the timer starts the service every minute"
exec_line=$(sed -n 's/^ExecStart=//p' "$service")
[ "$exec_line" = "/usr/local/bin/tidings --config /etc/tidings/tidings.conf outbox --flush" ]
ok $? "the service runs tidings outbox --flush" || diag "ExecStart=$exec_line"

mkdir "$TEST_DIR/units"
sed "s|/usr/local/bin/tidings|$TIDINGS|" "$service" >"$TEST_DIR/units/tidings-outbox.service"
cp "$timer" "$TEST_DIR/units/"
if command -v systemd-analyze >/dev/null 2>&1; then
	systemd-analyze verify --man=no "$TEST_DIR/units/tidings-outbox.timer" \
		"$TEST_DIR/units/tidings-outbox.service" >"$TEST_DIR/out" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] && [ ! -s "$TEST_DIR/out" ]
	ok $? "systemd-analyze verify: the timer and its service, without a warning" ||
		sed 's/^/# /' "$TEST_DIR/out"
else
	skip "systemd-analyze verify" "systemd-analyze is not installed"
fi

# The command, on a database whose outbox holds a reply and a server that
# does not answer: the reply waits (75), which the service counts as
# success, and nothing is lost.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo 1)
printf 'a secret of some length\n' >"$TEST_DIR/secret"
chmod 600 "$TEST_DIR/secret"
cat >"$TEST_DIR/tidings.conf" <<EOF
[tidings]
address = standup@example.org
database = $TEST_DIR/t.db
secret-file = $TEST_DIR/secret
[smtp]
host = 127.0.0.1
port = $port
security = none
timeout = 5s
EOF
run "$TIDINGS" --config "$TEST_DIR/tidings.conf" team add platform
run "$TIDINGS" --config "$TEST_DIR/tidings.conf" subscriber add lead@example.org --team platform
run "$TIDINGS" --config "$TEST_DIR/tidings.conf" outbox
expect_grep out "lead@example.org" "a confirmation waits in the outbox"
cmd=$(printf '%s\n' "$exec_line" | sed -e "s|/usr/local/bin/tidings|$TIDINGS|" \
	-e "s|/etc/tidings/tidings.conf|$TEST_DIR/tidings.conf|")
# shellcheck disable=SC2086
run $cmd
expect_rc 75 "outbox --flush with the server away: exit 75"
grep -q "^SuccessExitStatus=75$" "$service"
ok $? "which the service counts as success"
run "$TIDINGS" --config "$TEST_DIR/tidings.conf" outbox
expect_grep out "lead@example.org" "the mail still waits"

done_testing
