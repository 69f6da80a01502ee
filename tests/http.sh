# Helpers of the tests of the HTTP face, sourced after lib.sh: a
# configuration that listens on a free loopback port, tidings serve
# started and always stopped, and curl against it.

# http_init DIR: tidings init in DIR, with [http] on 127.0.0.1, port 0
# (the kernel picks a free one; the log says which).  Sets CONF.
http_init() {
	"$TIDINGS" init "$1" --address standup@example.org >/dev/null || return 1
	CONF="$1/tidings.conf"
	cat >>"$CONF" <<EOC

[http]
listen = 127.0.0.1:0
base-url = https://standup.example.org/
timeout = 2s
EOC
}

# http_start [CMD...]: starts tidings serve (or CMD, such as "run
# --foreground") on $CONF, its log in $TEST_DIR/http.log; sets URL and
# HTTP_PID.  Stopped at exit.
http_start() {
	[ $# -gt 0 ] || set -- serve
	"$TIDINGS" --config "$CONF" "$@" >"$TEST_DIR/http.log" 2>&1 &
	HTTP_PID=$!
	tap_at_exit "kill $HTTP_PID 2>/dev/null; wait $HTTP_PID 2>/dev/null"
	wait_until 20 grep -q 'listening on ' "$TEST_DIR/http.log" || {
		sed 's/^/# /' "$TEST_DIR/http.log"
		return 1
	}
	URL=$(sed -n 's/.*http: listening on //p' "$TEST_DIR/http.log" | head -n 1)
}

# http_stop: SIGTERM, and the status it exits with in $rc.
http_stop() {
	kill "$HTTP_PID"
	wait "$HTTP_PID"
	rc=$?
}

# fetch ARGS...: curl with its headers in $TEST_DIR/headers, the body in
# $TEST_DIR/body, the status in $status.
fetch() {
	rm -f "$TEST_DIR/body" "$TEST_DIR/headers"
	status=$(curl -s -o "$TEST_DIR/body" -D "$TEST_DIR/headers" \
	    -w '%{http_code}' --max-time 20 "$@")
}
