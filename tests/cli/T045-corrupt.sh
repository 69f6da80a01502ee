#!/bin/sh
# A damaged database is never reset or rewritten: a truncated file, a page
# of garbage in the middle, or a file that is no database each give a
# clear error and a non-zero exit, and the file stays as it was.
. "$(dirname "$0")/../lib.sh"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"

db="$TEST_DIR/good.db"
run "$TIDINGS" --db "$db" team add platform
i=0
while [ $i -lt 300 ]; do
	echo "INSERT INTO teams (name, created_at) VALUES ('team$i', 0);"
	i=$((i + 1))
done | sqlite3 "$db"
sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
[ "$(stat -c %s "$db")" -gt 100000 ]
ok $? "a database of some pages"

# damaged NAME HOW...: a copy of the good database, damaged.
sum() { sha256sum "$1" | cut -d' ' -f1; }
check() {	# check FILE WHAT
	before=$(sum "$1")
	run "$TIDINGS" --db "$1" team list
	[ "$rc" -ne 0 ]
	ok $? "$2: a non-zero exit ($rc)"
	expect_grep err "$(basename "$1"): (database disk image is malformed|file is not a database)" "$2: says what is wrong with which file"
	[ "$(sum "$1")" = "$before" ] && [ ! -s "$1-wal" ]
	ok $? "$2: the file is left as it was"
	run "$TIDINGS" --db "$1" member add ana@example.org --team platform
	[ "$rc" -ne 0 ] && [ "$(sum "$1")" = "$before" ]
	ok $? "$2: a write is refused too, and changes nothing"
}

cp "$db" "$TEST_DIR/truncated.db"
truncate -s 5000 "$TEST_DIR/truncated.db"
check "$TEST_DIR/truncated.db" "a truncated database"

# Garbage over the root page of the teams' table, which team list reads.
cp "$db" "$TEST_DIR/garbage.db"
root=$(sqlite3 "$db" "SELECT rootpage FROM sqlite_master WHERE name = 'teams'")
page=$(sqlite3 "$db" 'PRAGMA page_size')
head -c "$page" /dev/urandom | dd of="$TEST_DIR/garbage.db" bs="$page" seek=$((root - 1)) conv=notrunc 2>/dev/null
check "$TEST_DIR/garbage.db" "a page of garbage"

head -c 20000 /dev/urandom >"$TEST_DIR/random.db"
check "$TEST_DIR/random.db" "a file that is no database"

done_testing
