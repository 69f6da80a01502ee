#!/bin/bash
# T055: SQL only through prepared statements with constant text.  Only the
# store's files speak SQL, through the database layer (src/db*.c), the one
# place that talks to SQLite and PostgreSQL; every statement they prepare or run is a string
# literal, a macro, or a static constant, possibly chosen by ?: between
# them (STORE_INSERT_ID() of such SQL too); never text made at run time,
# into which a value could be pasted.
# The helpers of src/store.c that take the SQL as a parameter, read the
# migrations, or format a constant name (PRAGMA, SAVEPOINT) are the
# exceptions, named here.

. "$(dirname "$0")/../lib.sh"

command -v perl >/dev/null || skip_all "perl is not installed"
src=$TOP_SRCDIR/src

outside=$(grep -l 'sqlite3\|libpq-fe\.h\|PQexec' "$src"/*.c "$src"/*.h \
    "$TOP_SRCDIR"/filters/*.[ch] | grep -v '/store[^/]*\.c$' |
    grep -v '/db[^/]*\.[ch]$')
[ -z "$outside" ]
ok $? "only src/store*.c and the database layer use SQLite or libpq" ||
    diag "$outside"

outside=$(grep -l '#include "db[^"]*\.h"' "$src"/*.c "$src"/*.h \
    "$TOP_SRCDIR"/filters/*.[ch] | grep -v '/store[^/]*\.[ch]$' |
    grep -v '/db[^/]*\.[ch]$')
[ -z "$outside" ]
ok $? "only the store includes the database layer" || diag "$outside"

# check_sql FILE...: prints each call whose SQL is not constant; fails if any.
check_sql() {
perl -e '
use strict;
# Functions of store.c that pass SQL on, or build it from constants.
my %helper = map { $_ => 1 } qw(store_prepare store_exec store_pragma_int
    store_savepoint store_release store_rollback_to store_migrate_one);
my $bad = 0;
for my $file (@ARGV) {
	local $/;
	open my $fh, "<", $file or die "$file: $!";
	my $text = <$fh>;
	$text =~ s{/\*.*?\*/}{" " x length($&)}gse;
	# Static constants of the file: names that hold SQL text.
	my %const;
	$const{$1} = 1 while $text =~ /static\s+const\s+char\s+(\w+)\s*\[\]\s*=/g;
	my $fn = "";
	while ($text =~ /^(\w+)\(|\b(store_prepare|store_exec|sqlite3_prepare(?:_v[23])?|sqlite3_exec|db_prepare|db_exec)\s*\(/mg) {
		if (defined $1) { $fn = $1; next; }
		my $call = $2;
		my $start = pos($text);
		# The arguments, up to the matching parenthesis.
		my ($depth, $i, $args) = (1, $start, "");
		while ($depth > 0 && $i < length $text) {
			my $c = substr($text, $i, 1);
			if ($c eq "\"") {
				my $end = $i + 1;
				$end++ while substr($text, $end, 1) ne "\"" ||
				    substr($text, $end - 1, 1) eq "\\";
				$args .= "\"\"";
				$i = $end + 1;
				next;
			}
			$depth++ if $c eq "(";
			$depth-- if $c eq ")";
			$args .= $c if $depth > 0;
			$i++;
		}
		next if $fn eq $call;	# its own definition
		# STORE_INSERT_ID(st, SQL) adds a constant to its SQL.
		$args =~ s/\bSTORE_INSERT_ID\(\s*st\s*,/STORE_INSERT_ID(/g;
		# The SQL is the second argument.
		my @parts = split /,/, $args;
		my $sql = $parts[1] // "";
		next if $helper{$fn} && $file =~ m{/store\.c$};
		# Of a ?: only the values count.
		$sql =~ s/^[^?]*\?// if $sql =~ /\?/;
		my $ok = 1;
		for my $tok ($sql =~ /("[^"]*"|\w+)/g) {
			next if $tok =~ /^"/ || $tok =~ /^[A-Z][A-Z0-9_]*$/ ||
			    $const{$tok};
			$ok = 0;
		}
		$ok = 0 if $sql !~ /\S/;
		next if $ok;
		my $line = 1 + (substr($text, 0, $start) =~ tr/\n//);
		print "$file:$line: $call in $fn with SQL that is not constant:$sql\n";
		$bad = 1;
	}
}
exit $bad;
' "$@"
}

check_sql "$src"/store*.c >"$TEST_DIR/out" 2>&1
ok $? "every statement is constant text" || sed 's/^/# /' "$TEST_DIR/out"

# The check finds what it looks for.
cat >"$TEST_DIR/store-bad.c" <<'C'
static gboolean
store_bad(struct store *st, const char *name, GError **error)
{
	g_autofree char *sql = g_strdup_printf("DELETE FROM t WHERE n = '%s'", name);
	struct db_stmt *stmt = store_prepare(st, sql, error);
	db_exec(st->db, sql);
	stmt = store_prepare(st, STORE_INSERT_ID(st, sql), error);
	return store_exec(st, g_strdup_printf("DROP TABLE %s", name), error);
}
C
check_sql "$TEST_DIR/store-bad.c" >"$TEST_DIR/out" 2>&1
[ $? -ne 0 ] && [ "$(grep -c 'not constant' "$TEST_DIR/out")" = 4 ]
ok $? "and flags SQL made at run time" || sed 's/^/# /' "$TEST_DIR/out"

done_testing
