#!/bin/sh
# Text from mail on a terminal: escape sequences (a screen clear, a window
# title, a hidden hyperlink), other control characters and bidi overrides
# in a subject or a body are shown as less(1) shows them, never sent to
# the terminal; --json keeps the exact text.
. "$(dirname "$0")/../lib.sh"

cat >"$TEST_DIR/tidings.conf" <<EOF2
[tidings]
address = standup@example.org
database = $TEST_DIR/t.db
secret-file = $TEST_DIR/secret
EOF2
printf 'a secret of some length\n' >"$TEST_DIR/secret"
chmod 600 "$TEST_DIR/secret"
before() { TIDINGS_NOW=2026-03-25T12:00:00Z run "$TIDINGS" --config "$TEST_DIR/tidings.conf" "$@"; }
t() { TIDINGS_NOW=2026-03-25T16:40:00Z run "$TIDINGS" --config "$TEST_DIR/tidings.conf" "$@"; }

before team add platform --title Platform
before member add ana@example.org --team platform --name "Ana Lima" --zone UTC
before checkin add platform Daily --question "What did you do?" --at 16:30
TIDINGS_NOW=2026-03-25T16:31:00Z run "$TIDINGS" --config "$TEST_DIR/tidings.conf" prompts --due
command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 is not installed"
tok=$(sqlite3 "$TEST_DIR/t.db" "SELECT token FROM prompts") ||
	bail_out "sqlite3 cannot read the prompt's token"

esc=$(printf '\033')
rlo=$(printf '\342\200\256')	# U+202E RIGHT-TO-LEFT OVERRIDE
# The subject clears the screen, hides a link behind "click" and turns
# "exe.jpg" around; the body sets the window's title, colours, holds a
# C1 CSI and a bidi override, a tab and two lines.
subject=$(printf 'Re: Daily \033[2J\033]8;;http://evil.example/\033\\click\033]8;;\033\\ \342\200\256gpj.exe')
{
	printf 'From: Ana Lima <ana@example.org>\n'
	printf 'To: standup+%s@example.org\n' "$tok"
	printf 'Subject: =?utf-8?b?%s?=\n' "$(printf '%s' "$subject" | base64 -w0)"
	printf 'Message-ID: <ctl-1@example.org>\n'
	printf 'In-Reply-To: <prompt-%s@example.org>\n' "$tok"
	printf 'Date: Wed, 25 Mar 2026 16:39:00 +0000\n'
	printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n'
	printf 'Content-Transfer-Encoding: 8bit\n\n'
	printf 'Shipped the \033]0;owned\007export\033[31m red \302\233 csi \342\200\256txet\tand a tab\nsecond line\n'
} >"$TEST_DIR/ctl.eml"
"$TIDINGS" --config "$TEST_DIR/tidings.conf" ingest <"$TEST_DIR/ctl.eml"
ok $? "a reply with control characters is stored"

# raw FILE WHAT: no ESC, no C1 CSI, no U+202E reaches the terminal.
raw() {
	if grep -q -e "$esc" -e "$(printf '\302\233')" -e "$rlo" "$TEST_DIR/out"; then
		ok 1 "$1: nothing raw reaches the terminal"
		od -c "$TEST_DIR/out" | sed 's/^/#   /' | head -20
	else
		ok 0 "$1: nothing raw reaches the terminal"
	fi
}

t show 1
expect_rc 0 "show: exit 0"
raw show
expect_grep out '^subject: +Re: Daily \^\[\[2J\^\[\]8;;http://evil\.example/\^\[\\click\^\[\]8;;\^\[\\ <U\+202E>gpj\.exe$' \
	"show: the subject's controls made visible"
expect_grep out '^Shipped the \^\[\]0;owned\^Gexport\^\[\[31m red <U\+009B> csi <U\+202E>txet	and a tab$' \
	"show: the body's, its tab kept"
expect_grep out '^second line$' "show: the body keeps its lines"

t search shipped
expect_rc 0 "search: exit 0"
raw search
expect_grep out '<U\+202E>gpj\.exe' "search: the subject made visible"
expect_grep out '\^\[\]0;owned\^G' "search: the snippet too"

t thread 1
expect_rc 0 "thread: exit 0"
raw thread
expect_grep out '\^\[\[2J' "thread: the subject made visible"
expect_grep out '\^\[\[31m red <U\+009B>' "thread: the start of the body too"

t answers
expect_rc 0 "answers: exit 0"
raw answers
expect_grep out '^     Shipped the \^\[\]0;owned\^Gexport' "answers: the answer made visible"
expect_grep out '^     second line$' "answers: keeping its lines"

t parse "$TEST_DIR/ctl.eml"
expect_rc 0 "parse: exit 0"
raw parse
expect_grep out '^subject: +Re: Daily \^\[\[2J' "parse: the subject made visible"

before avail set ana@example.org "status $(printf 'at \033]0;owned\007home \342\200\256x')"
t who --team platform
expect_rc 0 "who: exit 0"
raw who
expect_grep out 'at \^\[\]0;owned\^Ghome <U\+202E>x' "who: the status made visible"

# Scripts get the exact text: JSON escapes the control characters.
t show --json 1
json_ok "$TEST_DIR/out"
ok $? "show --json: valid JSON"
if command -v python3 >/dev/null 2>&1; then
	SUBJECT=$subject python3 -c 'import json,os,sys
row = json.load(open(sys.argv[1]))
want = os.environ["SUBJECT"]
sys.exit(0 if row["subject"] == want and
    "\x1b]0;owned\x07export\x1b[31m red \x9b csi \u202etxet\tand a tab\nsecond line" in row["text"]
    else 1)' "$TEST_DIR/out"
	ok $? "show --json: the subject and the text exactly as the mail has them"
	t answers --json
	python3 -c 'import json,sys
a = json.loads(open(sys.argv[1]).readline())
sys.exit(0 if "\x1b]0;owned\x07" in a["text"] else 1)' "$TEST_DIR/out"
	ok $? "answers --json: the exact text"
else
	skip "show --json keeps the exact text" "python3 is not installed"
	skip "answers --json keeps the exact text" "python3 is not installed"
fi

done_testing
