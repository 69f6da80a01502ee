#!/bin/sh
# The documentation stays true: the option list of tidings.conf(5) and the
# example configuration come from the option table, every command is in
# tidings(1), and the pages render without warnings.
. "$(dirname "$0")/../lib.sh"

man5="$TOP_SRCDIR/doc/tidings.conf.5"
man1="$TOP_SRCDIR/doc/tidings.1"

sed -n '/^\.\\" BEGIN OPTIONS/,/^\.\\" END OPTIONS/p' "$man5" | sed '1d;$d' \
	>"$TEST_DIR/options.roff"
"$TIDINGS" config --manual >"$TEST_DIR/options.want"
if cmp -s "$TEST_DIR/options.roff" "$TEST_DIR/options.want"; then
	ok 0 "tidings.conf(5) lists the options of the option table"
else
	ok 1 "tidings.conf(5) lists the options of the option table (run 'make update-man')"
	diff "$TEST_DIR/options.roff" "$TEST_DIR/options.want" | sed 's/^/# /' | head -20
fi

"$TIDINGS" config --example >"$TEST_DIR/example.want"
cmp -s "$TOP_SRCDIR/contrib/tidings.conf.example" "$TEST_DIR/example.want"
ok $? "contrib/tidings.conf.example is what 'tidings config --example' prints"

"$TIDINGS" help | sed -n 's/^  \([a-z][a-z ]*[a-z]\)  .*/\1/p' >"$TEST_DIR/commands"
[ -s "$TEST_DIR/commands" ]
ok $? "tidings help lists commands"
while read -r cmd; do
	[ "$cmd" = help ] && continue
	grep -q "^\.B $cmd\( \|$\)" "$man1"
	ok $? "tidings(1) describes '$cmd'"
done <"$TEST_DIR/commands"

if command -v man >/dev/null 2>&1; then
	for page in "$man1" "$man5"; do
		warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		[ -z "$warnings" ]
		ok $? "$(basename "$page") renders without warnings"
		[ -z "$warnings" ] || printf '# %s\n' "$warnings" | head -10
	done
else
	skip "the man pages render without warnings" "man is not installed"
fi

# The Sieve rule of contrib/mda compiles with Dovecot's Pigeonhole and the
# settings its comments give.
if command -v sievec >/dev/null 2>&1 && command -v doveconf >/dev/null 2>&1; then
	mkdir -p "$TEST_DIR/sieve/pipe"
	sed -n 's/^#     \(sieve_[a-z_]* = .*\)$/\1/p' "$TOP_SRCDIR/contrib/mda/dovecot.sieve" |
		grep -v '^sieve_before' |
		sed "s|^sieve_pipe_bin_dir = .*|sieve_pipe_bin_dir = $TEST_DIR/sieve/pipe|" \
		>"$TEST_DIR/sieve/settings"
	{ echo "plugin {"; cat "$TEST_DIR/sieve/settings"; echo "}"; } >"$TEST_DIR/sieve/dovecot.conf"
	cp "$TOP_SRCDIR/contrib/mda/dovecot.sieve" "$TEST_DIR/sieve/tidings.sieve"
	grep -q '^sieve_global_extensions = +vnd.dovecot.pipe$' "$TEST_DIR/sieve/settings" &&
		sievec -c "$TEST_DIR/sieve/dovecot.conf" "$TEST_DIR/sieve/tidings.sieve" \
		>"$TEST_DIR/sieve/out" 2>&1
	ok $? "contrib/mda/dovecot.sieve compiles with the settings its comments give" ||
		sed 's/^/# /' "$TEST_DIR/sieve/out" "$TEST_DIR/sieve/dovecot.conf"
else
	skip "contrib/mda/dovecot.sieve compiles" "Pigeonhole's sievec is not installed"
fi

# Every file git tracks under contrib/, doc/, filters/, src/, templates/ and
# tests/ goes
# into the tarball: DISTFILES is make dist's list (a directory there brings
# all it holds).  Only in a git checkout with its Makefile: not in an
# unpacked tarball, even one that lies inside a checkout (make distcheck).
toplevel=$(git -C "$TOP_SRCDIR" rev-parse --show-toplevel 2>/dev/null)
if [ -n "$toplevel" ] &&
	[ "$(cd "$toplevel" && pwd -P)" = "$(cd "$TOP_SRCDIR" && pwd -P)" ] &&
	[ -f "$TOP_BUILDDIR/Makefile" ]; then
	printf 'tidings-print-distfiles:\n\t@printf "%%s\\n" $(DISTFILES)\n' |
		make -s --no-print-directory -C "$TOP_BUILDDIR" -f Makefile -f - \
		tidings-print-distfiles 2>/dev/null | sed 's|^\./||' | sort -u \
		>"$TEST_DIR/distfiles"
	git -C "$TOP_SRCDIR" ls-files -- contrib doc filters src templates tests \
		>"$TEST_DIR/tracked"
	: >"$TEST_DIR/undistributed"
	while read -r f; do
		d=$f
		while [ "$d" != . ] && ! grep -qxF "$d" "$TEST_DIR/distfiles"; do
			d=$(dirname "$d")
		done
		[ "$d" != . ] || echo "$f" >>"$TEST_DIR/undistributed"
	done <"$TEST_DIR/tracked"
	[ -s "$TEST_DIR/distfiles" ] && [ -s "$TEST_DIR/tracked" ] &&
		[ ! -s "$TEST_DIR/undistributed" ]
	ok $? "make dist takes every tracked file of contrib/, doc/, filters/, src/, templates/, tests/" ||
		sed 's/^/# not in EXTRA_DIST: /' "$TEST_DIR/undistributed"
else
	skip "make dist takes every tracked file of contrib/, doc/, filters/, src/, templates/, tests/" \
		"not a git checkout"
fi

done_testing
