#!/bin/bash
# The HTTP benchmark (make bench): requests per second of tidings serve
# for a team's calendar feed and a page of its archive, with wrk on
# loopback, beside nginx serving a static copy of the same bytes in the
# same run (one worker each: tidings answers on one thread), the ratio,
# and the server's peak memory.  The team is the digest benchmark's
# (BENCH_HTTP_MEMBERS members, 50 by default).  The two servers are
# measured in turn, BENCH_HTTP_ROUNDS times (3), and the best of each is
# kept, so that a machine busy with other work for a while weighs on
# both alike.  Beside it, the processor time each server spent on a feed
# request (user and system, from /proc), which a busy machine disturbs
# less.  Nothing is asserted; the target is half of nginx for the feed.
set -u

: "${DIGEST_BENCH:=tests/bench/digest-bench}"
: "${TIDINGS:=src/tidings}"
n=${BENCH_HTTP_MEMBERS:-50}
secs=${BENCH_HTTP_SECONDS:-5}
conns=${BENCH_HTTP_CONNECTIONS:-8}
rounds=${BENCH_HTTP_ROUNDS:-3}
for cmd in wrk nginx ss curl; do
	PATH="$PATH:/usr/sbin" command -v "$cmd" >/dev/null 2>&1 ||
		{ echo "http benchmark: skipped: $cmd is not installed"; exit 0; }
done
PATH="$PATH:/usr/sbin"
[ -x "$DIGEST_BENCH" ] || { echo "http benchmark: skipped: $DIGEST_BENCH is not built"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/tidings-bench-http.XXXXXX")
serve= ngx=
trap '[ -n "$serve" ] && kill "$serve" 2>/dev/null; [ -n "$ngx" ] && kill "$ngx" 2>/dev/null; rm -rf "$work"' EXIT
"$DIGEST_BENCH" "$work" "$n" >"$work/gen.out" 2>&1 ||
	{ echo "http benchmark: the team could not be made:"; tail -5 "$work/gen.out"; exit 1; }

openssl rand -hex 32 >"$work/secret" && printf 'bench\n' >"$work/password"
chmod 600 "$work/secret" "$work/password"
printf '[tidings]\naddress = bench@example.org\ndatabase = %s\nsecret-file = %s\n[http]\nlisten = 127.0.0.1:0\nbase-url = http://127.0.0.1/\narchive-user = bench\narchive-password-file = %s\n' \
	"$work/bench.db" "$work/secret" "$work/password" >"$work/tidings.conf"
t() { TIDINGS_NOW=2026-03-28T09:00:00Z "$TIDINGS" --config "$work/tidings.conf" "$@"; }
t digest --team bench --period 2026-03-27..2026-03-27 --send >/dev/null 2>"$work/digest.err" ||
	{ echo "http benchmark: tidings digest failed:"; tail -3 "$work/digest.err"; exit 1; }
feed=$(t feed-url --team bench | head -n 1)
feed=${feed#http://127.0.0.1/}
digest=$(sqlite3 -readonly "$work/bench.db" "SELECT id FROM digests LIMIT 1" 2>/dev/null || echo 1)
page="a/bench/d/$digest"

"$TIDINGS" --config "$work/tidings.conf" serve >"$work/serve.log" 2>&1 &
serve=$!
for _ in $(seq 1 100); do grep -q 'listening on' "$work/serve.log" && break; sleep 0.05; done
url=$(sed -n 's/.*http: listening on //p' "$work/serve.log")
[ -n "$url" ] || { echo "http benchmark: tidings serve did not start:"; tail -3 "$work/serve.log"; exit 1; }
auth="Authorization: Basic $(printf 'bench:bench' | base64)"
mkdir -p "$work/static/a/bench/d" "$work/static/ics"
curl -sf -o "$work/static/ics/bench.ics" "$url$feed" &&
	curl -sf -H "$auth" -o "$work/static/$page" "$url$page" ||
	{ echo "http benchmark: the pages could not be fetched"; exit 1; }

port=
for _ in $(seq 1 50); do
	p=$((20000 + RANDOM % 12000))
	[ -z "$(ss -Htan "( sport = :$p )")" ] && { port=$p; break; }
done
cat >"$work/nginx.conf" <<EOC
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 256; }
http {
	access_log off;
	types { text/calendar ics; text/html html; }
	default_type text/html;
	server {
		listen 127.0.0.1:$port;
		root $work/static;
	}
}
EOC
nginx -c "$work/nginx.conf" -p "$work" &
ngx=$!
for _ in $(seq 1 100); do [ -n "$(ss -Htln "( sport = :$port )")" ] && break; sleep 0.05; done

# The nginx worker (the process whose processor time counts).
ngx_worker=
for _ in $(seq 1 50); do
	ngx_worker=$(pgrep -P "$ngx" | head -n 1)
	[ -n "$ngx_worker" ] && break
	sleep 0.05
done
ticks() {	# ticks PID: its processor time so far, in clock ticks
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
rps() {	# rps URL [HEADER]: requests per second by wrk, and how many
	if [ $# -gt 1 ]; then
		wrk -t1 -c"$conns" -d"${secs}s" -H "$2" "$1"
	else
		wrk -t1 -c"$conns" -d"${secs}s" "$1"
	fi 2>&1 | awk '/requests in/ { n = $1 } /^Requests\/sec:/ { r = $2 }
	    END { print (r ? r : 0), (n ? n : 0) }'
}
# feed PID URL: rps of the feed, adding to PID's ticks and requests
feed() {
	t0=$(ticks "$1")
	set -- "$1" $(rps "$2")
	t1=$(ticks "$1")
	echo "$2 $3 $((t1 - t0))"
}
best() {	# best A B: the larger
	awk -v a="${1:-0}" -v b="${2:-0}" 'BEGIN { print (a > b ? a : b) }'
}
f_t=0 f_n=0 a_t=0 a_n=0 req_t=0 req_n=0 tk_t=0 tk_n=0
for _ in $(seq 1 "$rounds"); do
	set -- $(feed "$serve" "$url$feed")
	f_t=$(best "$f_t" "$1") req_t=$((req_t + $2)) tk_t=$((tk_t + $3))
	set -- $(feed "${ngx_worker:-$ngx}" "http://127.0.0.1:$port/ics/bench.ics")
	f_n=$(best "$f_n" "$1") req_n=$((req_n + $2)) tk_n=$((tk_n + $3))
	set -- $(rps "$url$page" "$auth")
	a_t=$(best "$a_t" "$1")
	set -- $(rps "http://127.0.0.1:$port/$page")
	a_n=$(best "$a_n" "$1")
done
peak=$(awk '/^VmHWM/ { print $2 }' "/proc/$serve/status")

echo
echo "tidings serve: a team of $n members, wrk -t1 -c$conns -d${secs}s on loopback, best of $rounds rounds, $(nproc) cores"
awk -v ft="${f_t:-0}" -v fn="${f_n:-0}" -v at="${a_t:-0}" -v an="${a_n:-0}" \
    -v fb="$(stat -c %s "$work/static/ics/bench.ics")" \
    -v ab="$(stat -c %s "$work/static/$page")" -v peak="${peak:-0}" \
    -v hz="$(getconf CLK_TCK)" -v rt="$req_t" -v rn="$req_n" -v kt="$tk_t" \
    -v kn="$tk_n" 'BEGIN {
	printf "  %-30s %9s %9s %7s\n", "", "tidings", "nginx", "ratio"
	printf "  %-30s %9.0f %9.0f %6.0f%%  (target >= 50%%)\n", "feed (" fb " bytes), req/s", ft, fn, (fn > 0 ? 100 * ft / fn : 0)
	ct = rt > 0 ? 1e6 * kt / hz / rt : 0
	cn = rn > 0 ? 1e6 * kn / hz / rn : 0
	printf "  %-30s %9.1f %9.1f %6.0f%%\n", "feed, CPU us per request", ct, cn, (ct > 0 ? 100 * cn / ct : 0)
	printf "  %-30s %9.0f %9.0f %6.0f%%\n", "archive page (" ab " bytes), req/s", at, an, (an > 0 ? 100 * at / an : 0)
	printf "  tidings serve peak memory: %.1f MiB\n", peak / 1024
}'
