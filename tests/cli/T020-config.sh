#!/bin/sh
# Configuration: tidings init, missing and broken files (exit 78 with the
# file and line), unsafe secret files.
. "$(dirname "$0")/../lib.sh"

conf="$TEST_DIR/conf/tidings.conf"

run "$TIDINGS" --config "$TEST_DIR/missing.conf" team list
expect_rc 78 "a missing config named by --config: exit 78"
expect_grep err "missing.conf" "a missing config: names the file"
expect_grep err "tidings init" "a missing config: says how to make one"

TIDINGS_CONFIG="$TEST_DIR/missing.conf" run "$TIDINGS" team list
expect_rc 78 "a missing config named by TIDINGS_CONFIG: exit 78"

# Without any file, tidings runs on its defaults.
run "$TIDINGS" team list
expect_rc 0 "no config file at all: built-in defaults"
test -f "$XDG_DATA_HOME/tidings/tidings.db"
ok $? "no config file: the database is made in XDG_DATA_HOME"

run "$TIDINGS" init "$TEST_DIR/conf" --address nobody
expect_rc 64 "init with a bad address: exit 64"
expect_grep err "'nobody' is not an e-mail address" "init with a bad address: says why"

run "$TIDINGS" init "$TEST_DIR/conf" --address team@example.org
expect_rc 0 "init DIR: exit 0"
test -f "$conf"
ok $? "init DIR: writes DIR/tidings.conf"
expect_grep "$conf" "^address = team@example.org" "init: the address is set"
expect_grep "$conf" "^#password-command =" "init: options are commented at their defaults"
mode=$(stat -c %a "$TEST_DIR/conf/secret")
[ "$mode" = 600 ]
ok $? "init: the secret has mode 0600 (is $mode)"
n=$(tr -d '\n' <"$TEST_DIR/conf/secret" | wc -c)
[ "$n" -eq 64 ]
ok $? "init: the secret holds 32 random bytes in hex"
test -f "$TEST_DIR/conf/tidings.db"
ok $? "init DIR: the database is kept in DIR"

cp "$TEST_DIR/conf/secret" "$TEST_DIR/secret.before"
run "$TIDINGS" init "$TEST_DIR/conf"
expect_rc 73 "init again: refuses to replace the config"
expect_grep err "exists.*--force" "init again: says how to replace it"
run "$TIDINGS" init "$TEST_DIR/conf" --force
expect_rc 0 "init --force: exit 0"
cmp -s "$TEST_DIR/conf/secret" "$TEST_DIR/secret.before"
ok $? "init --force: keeps the existing secret"

run "$TIDINGS" --config "$conf" config
expect_rc 0 "config: exit 0"
expect_grep out "tidings.database .*tidings.conf:[0-9]+" "config: shows where each value was set"
run "$TIDINGS" --config "$conf" config --all
expect_grep out "imap.port +993 +default" "config --all: the port follows security"

# Broken lines: exit 78, and the message names file and line.
broken() {	# broken DESCRIPTION LINE PATTERN TEXT (a printf format)
	printf "$4" >"$TEST_DIR/broken.conf"
	run "$TIDINGS" --config "$TEST_DIR/broken.conf" team list
	expect_rc 78 "$1: exit 78"
	expect_grep err "broken.conf:$2: .*$3" "$1: file:line and what is wrong"
	expect_lines err 1 "$1: one line"
}
broken "a bad port" 5 "not a port number" \
    '[tidings]\naddress = team@example.org\n[imap]\nhost = mail.example.org\nport = 993x\n'
broken "an unknown option" 3 "unknown option 'frobnicate'" \
    '[tidings]\n\nfrobnicate = yes\n'
broken "a broken section header" 2 "section header" \
    '# ok\n[imap\n'
broken "a password in the file" 2 "password-command or password-file" \
    '[smtp]\npassword = hunter2\n'
broken "a bad choice" 2 "not one of tls, starttls, none" \
    '[imap]\nsecurity = maybe\n'
broken "a line that is not a setting" 1 "expected 'key = value'" \
    'just words\n'
expect_no_grep err "hunter2" "a refused password is not echoed"

# A secret file others can read is refused, with a message saying so.
chmod 644 "$TEST_DIR/conf/secret"
run "$TIDINGS" --config "$conf" team list
expect_rc 78 "a world-readable secret: exit 78"
expect_grep err "secret.*group or others.*chmod 600" "a world-readable secret: says why and how to fix it"
chmod 640 "$TEST_DIR/conf/secret"
run "$TIDINGS" --config "$conf" team list
expect_rc 78 "a group-readable secret: exit 78"
chmod 600 "$TEST_DIR/conf/secret"
run "$TIDINGS" --config "$conf" team list
expect_rc 0 "a private secret: accepted"

printf 'pw\n' >"$TEST_DIR/imap-pw"
chmod 604 "$TEST_DIR/imap-pw"
printf '[imap]\nhost = mail.example.org\npassword-file = %s\n' "$TEST_DIR/imap-pw" \
	>"$TEST_DIR/pw.conf"
run "$TIDINGS" --config "$TEST_DIR/pw.conf" team list
expect_rc 78 "a world-readable password file: exit 78"
expect_grep err "pw.conf:3: .*chmod 600" "a world-readable password file: names the line"

done_testing
