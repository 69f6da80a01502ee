#!/bin/sh
# The HTTP server: tidings serve and tidings run on [http] listen, the
# headers of every answer, the methods refused, the bounds on requests
# and connections, slow clients, and the access log.
. "$(dirname "$0")/../lib.sh"
. "$TOP_SRCDIR/tests/http.sh"

command -v curl >/dev/null 2>&1 || skip_all "curl is not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"

D="$TEST_DIR/conf"
"$TIDINGS" init "$D" --address standup@example.org >/dev/null
run "$TIDINGS" --config "$D/tidings.conf" serve
expect_rc 78 "serve without [http] listen exits 78"
expect_grep err 'set listen in \[http\]' "and says what to set"

printf '\n[http]\nlisten = example.org\n' >>"$D/tidings.conf"
run "$TIDINGS" --config "$D/tidings.conf" serve
expect_rc 78 "a listen without a port exits 78"
expect_grep err 'tidings.conf:[0-9]+: listen in \[http\] is "example.org"' \
	"naming the file, the line and the value"

http_init "$TEST_DIR/h"
echo 'max-connections = 4' >>"$CONF"
http_start || bail_out "tidings serve did not start"
ok 0 "tidings serve listens on a free loopback port"

fetch "${URL}robots.txt"
[ "$status" = 200 ] && grep -q '^Disallow: /' "$TEST_DIR/body"
ok $? "robots.txt keeps crawlers out"
grep -qi "^Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:" \
	"$TEST_DIR/headers"
ok $? "every answer carries the Content-Security-Policy"
grep -qi '^X-Content-Type-Options: nosniff' "$TEST_DIR/headers" &&
	grep -qi '^Referrer-Policy: no-referrer' "$TEST_DIR/headers" &&
	grep -qi '^Server: tidings' "$TEST_DIR/headers"
ok $? "nosniff, no referrer, and a server header without a version"

curl -sI --max-time 20 "${URL}robots.txt" >"$TEST_DIR/head"
grep -q '^HTTP/1.1 200' "$TEST_DIR/head" && ! grep -q 'User-agent' "$TEST_DIR/head" &&
	grep -qi '^Content-Length: 26' "$TEST_DIR/head"
ok $? "HEAD: the headers of GET, no body"

fetch "${URL}nothing/here"
[ "$status" = 404 ] && cp "$TEST_DIR/body" "$TEST_DIR/404"
ok $? "an unknown path is 404"
fetch "${URL}%3Cscript%3Ealert(1)%3C/script%3E"
[ "$status" = 404 ] && cmp -s "$TEST_DIR/body" "$TEST_DIR/404"
ok $? "every 404 is the same page: nothing of the path comes back"

for m in PUT DELETE OPTIONS TRACE PATCH; do
	fetch -X "$m" "${URL}robots.txt"
	[ "$status" = 405 ] && grep -qi '^Allow: GET, HEAD, POST' "$TEST_DIR/headers"
	ok $? "$m is refused with 405 and Allow"
done
fetch -X POST --data 'x=1' "${URL}robots.txt"
[ "$status" = 405 ] && grep -qi '^Allow: GET, HEAD$' "$TEST_DIR/headers" 2>/dev/null ||
	grep -qi '^Allow: GET, HEAD' "$TEST_DIR/headers"
ok $? "POST where a route takes none: 405 with the route's methods"

head -c 20000 /dev/zero | tr '\0' a >"$TEST_DIR/big"
fetch -X POST --data-binary @"$TEST_DIR/big" "${URL}u/x"
[ "$status" = 413 ]
ok $? "a POST body over 8 KiB is refused with 413 ($status)"
fetch -X POST -H 'Transfer-Encoding: chunked' --data 'x' "${URL}u/x"
[ "$status" = 411 ]
ok $? "a POST without Content-Length is refused with 411 ($status)"
fetch -X GET --data 'x=1' "${URL}robots.txt"
[ "$status" = 400 ]
ok $? "a GET with a body is refused with 400 ($status)"
long=$(head -c 5000 /dev/zero | tr '\0' a)
fetch "${URL}$long"
[ "$status" = 414 ]
ok $? "an address over 4 KiB is refused with 414 ($status)"
set --
i=0
while [ $i -lt 70 ]; do set -- "$@" -H "X-H$i: $i"; i=$((i + 1)); done
fetch "$@" "${URL}robots.txt"
[ "$status" = 431 ]
ok $? "more than 64 headers are refused with 431 ($status)"
fetch -H "X-Big: $(head -c 40000 /dev/zero | tr '\0' b)" "${URL}robots.txt"
[ "$status" = 431 ]
ok $? "a header block over 32 KiB is refused with 431 ($status)"

# Keep-alive: two requests on one connection.
curl -sv --max-time 20 -o /dev/null -o /dev/null "${URL}robots.txt" \
	"${URL}nothing" 2>"$TEST_DIR/ka.err"
[ "$(grep -c '^< HTTP/1.1 ' "$TEST_DIR/ka.err")" = 2 ] &&
	[ "$(grep -c '^\* Connected to' "$TEST_DIR/ka.err")" = 1 ] &&
	grep -Eqi 're-?using existing' "$TEST_DIR/ka.err"
ok $? "the connection is kept alive: two requests, one connection" ||
	grep '^[*<]' "$TEST_DIR/ka.err" | sed 's/^/# /'

# Raw sockets: garbage, a slow client, too many connections.
cat >"$TEST_DIR/raw.py" <<'PY'
import socket, sys, time
host, port = sys.argv[2].split("//")[1].rstrip("/").rsplit(":", 1)
addr = (host, int(port))
what = sys.argv[1]
def conn():
    s = socket.create_connection(addr, timeout=30)
    return s
def closed_within(s, secs):
    s.settimeout(secs)
    try:
        while True:
            d = s.recv(4096)
            if not d:
                return True
    except (socket.timeout, TimeoutError):
        return False
    except ConnectionResetError:
        return True
if what == "garbage":
    s = conn()
    s.sendall(b"\x16\x03\x01 this is not HTTP\r\n\r\n")
    s.settimeout(10)
    d = s.recv(200)
    print(d.split(b"\r\n")[0].decode("latin-1"))
elif what == "slow":
    s = conn()
    s.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n")
    for i in range(30):
        time.sleep(0.5)
        try:
            s.sendall(b"X-Slow: 1\r\n")
        except OSError:
            print("closed"); sys.exit(0)
    print("closed" if closed_within(s, 1) else "open")
elif what == "sequential":
    # Connections kept alive, each asked twice then closed by the client,
    # more of them than max-connections: each must be served.
    served = 0
    for i in range(int(sys.argv[3])):
        s = conn()
        f = s.makefile("rb")
        ok = True
        for j in range(2):
            s.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            status = f.readline()
            length = 0
            while True:
                line = f.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = f.read(length)
            ok = ok and status.startswith(b"HTTP/1.1 200") and \
                body.startswith(b"User-agent")
        f.close()
        s.close()
        served += ok
    print(served)
elif what == "many":
    held = []
    for i in range(4):
        s = conn(); s.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n")
        held.append(s)
    time.sleep(0.3)
    extra = conn(); extra.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
    print("closed" if closed_within(extra, 1.5) else "served")
PY
out=$(python3 "$TEST_DIR/raw.py" garbage "$URL")
case "$out" in "HTTP/1."[01]" 400"*) r=0 ;; *) r=1 ;; esac
ok $r "a request that is not HTTP gets 400 ($out)"
out=$(python3 "$TEST_DIR/raw.py" slow "$URL")
[ "$out" = closed ]
ok $? "a client that sends a header now and then is cut off after the timeout"
out=$(python3 "$TEST_DIR/raw.py" sequential "$URL" 12)
[ "$out" = 12 ]
ok $? "12 keep-alive connections one after another, each closed by its client, past max-connections 4: all served ($out)"
out=$(python3 "$TEST_DIR/raw.py" many "$URL")
[ "$out" = closed ]
ok $? "a connection past max-connections is closed at once"
wait_until 20 grep -q 'connection closed: max-connections reached' "$TEST_DIR/http.log"
ok $? "and the log says why"
fetch "${URL}robots.txt"
[ "$status" = 200 ]
ok $? "the server answers as before"

fetch "${URL}robots.txt?key=sekrit-key-value"
wait_until 20 grep -q 'http: 127.0.0.1 "GET /robots.txt" 200 26' "$TEST_DIR/http.log"
ok $? "each request is logged: client, method, path, status, size"
expect_no_grep "$TEST_DIR/http.log" 'sekrit' "the query (a feed key) is never logged"

http_stop
[ "$rc" -eq 0 ]
ok $? "SIGTERM stops tidings serve with status 0"

# HTTPS by tidings itself, with cert-file and key-file.
if command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 \
		-keyout "$TEST_DIR/h/key.pem" -out "$TEST_DIR/h/cert.pem" >/dev/null 2>&1
	chmod 600 "$TEST_DIR/h/key.pem"
	cp "$CONF" "$TEST_DIR/plain.conf"
	printf 'cert-file = cert.pem\n' >>"$CONF"
	run "$TIDINGS" --config "$CONF" serve
	expect_rc 78 "cert-file without key-file exits 78"
	expect_grep err 'needs both cert-file and key-file' "and says so"
	printf 'key-file = key.pem\n' >>"$CONF"
	chmod 644 "$TEST_DIR/h/key.pem"
	run "$TIDINGS" --config "$CONF" serve
	expect_rc 78 "a key-file others can read exits 78"
	expect_grep err 'chmod 600' "and says how to make it private"
	chmod 600 "$TEST_DIR/h/key.pem"
	mv "$TEST_DIR/http.log" "$TEST_DIR/serve.log"
	http_start || bail_out "tidings serve did not start with TLS"
	case "$URL" in https://*) r=0 ;; *) r=1 ;; esac
	ok $r "with cert-file and key-file it listens on https ($URL)"
	fetch --cacert "$TEST_DIR/h/cert.pem" "${URL}robots.txt"
	[ "$status" = 200 ]
	ok $? "and answers over TLS with that certificate"
	fetch "http${URL#https}robots.txt"
	[ "$status" != 200 ]
	ok $? "but not in clear text ($status)"
	http_stop
	cp "$TEST_DIR/plain.conf" "$CONF"
else
	skip "HTTPS with cert-file and key-file" "openssl is not installed"
fi

# tidings run serves the same on its own loop.
mv "$TEST_DIR/http.log" "$TEST_DIR/serve-tls.log" 2>/dev/null
http_start run --foreground || bail_out "tidings run did not serve"
fetch "${URL}robots.txt"
[ "$status" = 200 ]
ok $? "tidings run serves [http] listen on its main loop"
http_stop
[ "$rc" -eq 0 ]
ok $? "and stops with it"

done_testing
