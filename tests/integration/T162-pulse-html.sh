#!/bin/bash
# T162: the pulse of a digest in its HTML part, the answer rate per week
# drawn as table cells, and who is around this week (the team's around
# day), opened in headless Chromium: the page shows the pulse, its bars
# and the week's grid, and loads nothing from anywhere: the browser's net
# log holds no request the page made.  The same check on a copy with a
# remote image and a remote background finds both, so it can fail.  The
# screenshot is kept beside the test's log (T162-pulse-html.png).  The
# digest is built by the unit test of digests, which writes its HTML part
# when PULSE_HTML_OUT names a file.

. "$(dirname "$0")/../lib.sh"

probe="$TOP_BUILDDIR/tests/unit/test-digest"
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || skip_all "chromium is not installed"
[ -x "$probe" ] || skip_all "tests/unit/test-digest is not built"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed"

html="$TEST_DIR/pulse.html"
PULSE_HTML_OUT=$html "$probe" -q -p /digest/pulse >"$TEST_DIR/probe.out" 2>&1
ok $? "a digest with a pulse is built and its HTML written"
[ -s "$html" ] || bail_out "no HTML written"

# A browser that resolves no name and keeps a log of every request.
browse() {	# browse PAGE NETLOG ARGS...
	page=$1 netlog=$2
	shift 2
	timeout 60 "$chromium" --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --disable-dev-shm-usage --hide-scrollbars \
	    --host-resolver-rules="MAP * ~NOTFOUND" \
	    --log-net-log="$netlog" \
	    --user-data-dir="$(mktemp -d "$TEST_DIR/profile.XXXXXX")" \
	    "$@" "file://$page" 2>>"$TEST_DIR/chromium.err"
}

# requests NETLOG: the addresses the page asked for.  The browser's own
# requests (update checks and the like) have no origin; the page's have
# its origin, null for a file.
requests() {
	python3 - "$1" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
for e in log["events"]:
    p = e.get("params") or {}
    if names.get(e["type"]) == "URL_REQUEST_START_JOB" and "url" in p \
            and p.get("initiator") != "not an origin":
        print(p["url"])
PY
}

browse "$html" "$TEST_DIR/net.json" --dump-dom >"$TEST_DIR/dom.html"
ok $? "chromium renders the page"
grep -q '>Pulse</h2>' "$TEST_DIR/dom.html" &&
	grep -q 'Answered: 1 of 2 prompts (50%), against 67% the period before.' "$TEST_DIR/dom.html"
ok $? "the page shows the pulse"
grep -q 'bgcolor="#3b7dd8"' "$TEST_DIR/dom.html" && grep -q '>75%</td>' "$TEST_DIR/dom.html"
ok $? "the page has the bars as table cells"
grep -q '>Who is around this week</h2>' "$TEST_DIR/dom.html" && grep -q 'bgcolor="#3c9d5d"' "$TEST_DIR/dom.html"
ok $? "the page has who is around this week, as table cells"
[ -s "$TEST_DIR/net.json" ]
ok $? "chromium kept a net log"
requests "$TEST_DIR/net.json" >"$TEST_DIR/requests.txt"
[ ! -s "$TEST_DIR/requests.txt" ]
ok $? "the page requests nothing from another origin"
sed 's/^/#   /' "$TEST_DIR/requests.txt" | head -5

ctl="$TEST_DIR/control.html"
sed 's|</body>|<img src="http://remote.example/x.png"><div style="background:url(https://remote2.example/y.png)">x</div></body>|' \
	"$html" >"$ctl"
browse "$ctl" "$TEST_DIR/net-control.json" --dump-dom >/dev/null
requests "$TEST_DIR/net-control.json" >"$TEST_DIR/requests-control.txt"
grep -q 'http://remote.example/x.png' "$TEST_DIR/requests-control.txt" &&
	grep -q 'https://remote2.example/y.png' "$TEST_DIR/requests-control.txt"
ok $? "the same check finds a remote image and background in a control page"

png="$TEST_DIR/pulse.png"
browse "$html" "$TEST_DIR/net-shot.json" --screenshot="$png" --window-size=800,1300 >/dev/null
[ -s "$png" ] && [ "$(head -c 8 "$png" | od -An -c | tr -d ' ')" = '211PNG\r\n032\n' ]
ok $? "a screenshot is written"
logdir="$TOP_BUILDDIR/tests/integration"
[ -d "$logdir" ] && [ -s "$png" ] && cp "$png" "$logdir/T162-pulse-html.png" &&
	diag "screenshot: $logdir/T162-pulse-html.png"

done_testing
