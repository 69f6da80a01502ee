# Shared helpers for tidings' shell tests: TAP output, temporary
# directories and assertions.  Sourced by every tests/*/T*.sh script.
#
# The test runner (automake's TAP driver) sets:
#   TIDINGS        the tidings binary under test
#   TOP_SRCDIR     the source tree (for tests/data)
#   TOP_BUILDDIR   the build tree
#   SHARED_DIR     the shared corpora beside the checkout (may be absent)

set -u

: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${TOP_BUILDDIR:=$TOP_SRCDIR}"
: "${TIDINGS:=$TOP_BUILDDIR/src/tidings}"
: "${SHARED_DIR:=$TOP_SRCDIR/../shared}"
DATA="$TOP_SRCDIR/tests/data"

tap_count=0
tap_failed=0

# A scratch directory removed at exit, unless TIDINGS_KEEP_TEST_DIR is set.
TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tidings-test.XXXXXX")
tap_cleanup_hooks=""
tap_at_exit() { tap_cleanup_hooks="$1; $tap_cleanup_hooks"; }
tap_finish() {
	eval "$tap_cleanup_hooks"
	if [ -z "${TIDINGS_KEEP_TEST_DIR:-}" ]; then
		rm -rf "$TEST_DIR"
	else
		echo "# kept $TEST_DIR"
	fi
}
trap tap_finish EXIT
# Ignore a second signal (timeout(1) sends one to the shell and one to its
# group) so that it cannot cut the exit trap short.
trap 'trap "" INT TERM; exit 130' INT TERM

# Keep the user's own configuration out of every test.
export HOME="$TEST_DIR/home"
export XDG_CONFIG_HOME="$HOME/.config"
export XDG_DATA_HOME="$HOME/.local/share"
export XDG_STATE_HOME="$HOME/.local/state"
mkdir -p "$HOME"
unset TIDINGS_CONFIG TIDINGS_DB

diag() { printf '# %s\n' "$*"; }

ok() {	# ok STATUS DESCRIPTION
	tap_count=$((tap_count + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_count - $2"
	else
		echo "not ok $tap_count - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

skip() {	# skip DESCRIPTION REASON
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $1 # SKIP $2"
}

skip_all() {	# skip_all REASON: the whole script does not apply here
	echo "1..0 # SKIP $1"
	exit 0
}

bail_out() {
	echo "Bail out! $*"
	exit 1
}

done_testing() {
	echo "1..$tap_count"
	[ "$tap_failed" -eq 0 ]
	exit $?
}

# run CMD...: runs a command, keeping its stdout, stderr and exit status in
# $TEST_DIR/out, $TEST_DIR/err and $rc.
# The clock is the real one unless a test moves it.
unset TIDINGS_NOW

run() {
	"$@" >"$TEST_DIR/out" 2>"$TEST_DIR/err"
	rc=$?
	return 0
}

# wait_until SECONDS CMD...: runs CMD every 0.1 s until it succeeds; 1 when
# it still fails after about SECONDS.  Tests wait for a condition this way,
# never for a fixed time.
wait_until() {
	wu_tries=$(($1 * 10))
	shift
	until "$@"; do
		wu_tries=$((wu_tries - 1))
		[ "$wu_tries" -gt 0 ] || return 1
		sleep 0.1
	done
	return 0
}

# expect_rc WANT DESCRIPTION: checks the status of the last run.
expect_rc() {
	if [ "$rc" -eq "$1" ]; then
		ok 0 "$2"
	else
		ok 1 "$2"
		diag "exit status $rc, expected $1"
		sed 's/^/# stdout: /' "$TEST_DIR/out" | head -20
		sed 's/^/# stderr: /' "$TEST_DIR/err" | head -20
	fi
}

# expect_grep FILE PATTERN DESCRIPTION: FILE is out or err of the last run,
# or a path.
expect_grep() {
	f=$1
	case "$f" in out|err) f="$TEST_DIR/$f" ;; esac
	if grep -q -E -- "$2" "$f"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "no line matches /$2/ in $1:"
		sed 's/^/#   /' "$f" | head -20
	fi
}

expect_no_grep() {
	f=$1
	case "$f" in out|err) f="$TEST_DIR/$f" ;; esac
	if grep -q -E -- "$2" "$f"; then
		ok 1 "$3"
		diag "a line matches /$2/ in $1:"
		grep -E -- "$2" "$f" | sed 's/^/#   /' | head -20
	else
		ok 0 "$3"
	fi
}

# expect_lines FILE N DESCRIPTION
expect_lines() {
	f=$1
	case "$f" in out|err) f="$TEST_DIR/$f" ;; esac
	n=$(wc -l <"$f")
	if [ "$n" -eq "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		diag "$n lines in $1, expected $2"
		sed 's/^/#   /' "$f" | head -20
	fi
}

# make_mail FILE MESSAGE-ID SUBJECT [HEADER...]: writes a small mail with
# the given extra header lines; the body is "Body of MESSAGE-ID".
make_mail() {
	f=$1 mid=$2 subject=$3
	shift 3
	{
		echo "From: Ana Lima <ana@example.org>"
		echo "To: standup@example.org"
		echo "Subject: $subject"
		echo "Message-ID: <$mid>"
		for h in "$@"; do echo "$h"; done
		echo "Date: ${MAIL_DATE:-Mon, 09 Mar 2026 16:00:00 +0000}"
		echo
		echo "Body of $mid"
	} >"$f"
}

# json_ok FILE: every line of FILE is valid JSON (skipped without python3).
json_ok() {
	command -v python3 >/dev/null 2>&1 || return 0
	python3 -c 'import json,sys
for line in open(sys.argv[1]):
    json.loads(line)' "$1"
}
