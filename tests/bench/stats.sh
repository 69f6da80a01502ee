#!/bin/bash
# The pulse benchmark (make bench): tidings stats for a team of 1,000
# members (BENCH_MEMBERS) in twelve zones over a year of a daily check-in
# on workdays, about 260,000 prompts: four in five answered within a
# working day, one in ten missed, the rest skipped or away.  The history
# is written straight into the database by sqlite3 (not timed); then the
# seconds and peak memory of `tidings stats` over the whole year
# (--weeks 52) and over the default 12 weeks, the best of BENCH_RUNS runs
# (3), with the CPU seconds beside, as a loaded machine stretches the
# first.  The target is under a second for the year.  Nothing is asserted.
set -u

: "${TIDINGS:=src/tidings}"
n=${BENCH_MEMBERS:-1000}
runs=${BENCH_RUNS:-3}
command -v sqlite3 >/dev/null 2>&1 || { echo "stats benchmark: skipped: sqlite3 is not installed"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/tidings-bench-stats.XXXXXX")
trap '[ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
db=$work/bench.db
now=2026-12-31T12:00:00Z
t() { TIDINGS_NOW=$now "$TIDINGS" --db "$db" "$@"; }

t team add bench --zone Europe/Berlin >/dev/null || { echo "stats benchmark: cannot create the database"; exit 1; }
# 2026-01-01T09:00:00Z, and each member's zone offset from it, as the
# members of a team spread over the world are asked at their 09:00.
sqlite3 "$db" >/dev/null <<SQL || { echo "stats benchmark: cannot fill the database"; exit 1; }
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < $n - 1)
INSERT INTO people (email, name, zone, work_start, work_end, created_at)
SELECT 'm' || i || '@example.org', 'Member ' || i,
    CASE i % 12 WHEN 0 THEN 'Europe/Berlin' WHEN 1 THEN 'America/New_York'
    WHEN 2 THEN 'Asia/Kolkata' WHEN 3 THEN 'Australia/Sydney'
    WHEN 4 THEN 'America/Sao_Paulo' WHEN 5 THEN 'Europe/London'
    WHEN 6 THEN 'Asia/Tokyo' WHEN 7 THEN 'America/Los_Angeles'
    WHEN 8 THEN 'Africa/Lagos' WHEN 9 THEN 'Asia/Singapore'
    WHEN 10 THEN 'Pacific/Auckland' ELSE 'UTC' END,
    540, 1020, 1767225600 FROM m;
INSERT INTO memberships (team_id, person_id, role, created_at)
SELECT t.id, p.id, 'member', 1767225600 FROM teams t, people p WHERE t.name = 'bench';
INSERT INTO checkins (team_id, title, rrule, created_at)
SELECT id, 'Daily', 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9', 1767225600
FROM teams WHERE name = 'bench';
WITH RECURSIVE d(day) AS (SELECT 0 UNION ALL SELECT day + 1 FROM d WHERE day < 363),
x AS (SELECT c.id AS cid, p.id AS pid, day,
	1767258000 + day * 86400 - (p.id % 12) * 3600 AS due,
	(p.id * 37 + day * 11) % 100 AS r
    FROM checkins c, people p, d WHERE (day + 3) % 7 < 5)
INSERT INTO prompts (checkin_id, person_id, occurrence, due_at, closes_at,
    state, skip_reason, token, message_id, answered_at)
SELECT cid, pid, day, due, due + 86400,
    CASE WHEN r < 80 THEN 'answered' WHEN r < 90 THEN 'missed' ELSE 'skipped' END,
    CASE WHEN r >= 95 THEN 'away' WHEN r >= 90 THEN 'skipped by mail' END,
    'k' || pid || '-' || day, 'p' || pid || '-' || day || '@example.org',
    CASE WHEN r < 80 THEN due + r * 397 END
FROM x;
COMMIT;
SQL
prompts=$(sqlite3 -readonly "$db" "SELECT count(*) FROM prompts")

measure() {	# measure NAME CMD...: "seconds cpu-seconds peak-KiB", the best of $runs
	name=$1
	shift
	best=
	for _ in $(seq "$runs"); do
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f '%e %U %S %M' -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" ||
				{ echo "$name failed:"; tail -5 "$work/$name.err"; return 1; }
			r=$(awk '{ print $1, $2 + $3, $4 }' "$work/$name.time")
		else
			s=$(date +%s.%N)
			"$@" >"$work/$name.out" 2>"$work/$name.err" || return 1
			e=$(date +%s.%N)
			r=$(awk -v s="$s" -v e="$e" 'BEGIN { print e - s, e - s, 0 }')
		fi
		best=$(printf '%s\n%s\n' "$best" "$r" | awk 'NF == 3' | sort -n | head -1)
	done
	echo "$best"
}

run=(env TIDINGS_NOW=$now "$TIDINGS" --db "$db" stats --team bench)
year=$(measure year "${run[@]}" --weeks 52) || { echo "$year"; exit 1; }
quarter=$(measure quarter "${run[@]}") || { echo "$quarter"; exit 1; }
echo
echo "tidings stats: $n members, $prompts prompts over a year, $(nproc) cores, best of $runs"
printf '%s\n%s\n' "$year" "$quarter" | awk 'NR == 1 { w = "--weeks 52 (the year)" } NR == 2 { w = "--weeks 12 (the default)" } {
	printf "  %-26s %7.3f s  (%.3f s of CPU)  peak %6.1f MiB%s\n", w, $1, $2, $3 / 1024, NR == 1 ? "  (target < 1 s)" : ""
}'
