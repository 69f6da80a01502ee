#!/bin/bash
# T160: the HTML part of a digest whose answers hold <script>, <img>,
# <style>, <iframe> and Markdown link and image tricks, opened in headless
# Chromium: the rendered page shows the answers as text and has no script,
# img, style or iframe element; a screenshot is kept under the test's
# directory (TIDINGS_KEEP_TEST_DIR=1 keeps it) to look at.  The digest is
# built by the unit test of digests, which writes its HTML part when
# DIGEST_HTML_OUT names a file.

. "$(dirname "$0")/../lib.sh"

probe="$TOP_BUILDDIR/tests/unit/test-digest"
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || skip_all "chromium is not installed"
[ -x "$probe" ] || skip_all "tests/unit/test-digest is not built"

html="$TEST_DIR/digest.html"
DIGEST_HTML_OUT=$html "$probe" -q -p /digest/alternative >"$TEST_DIR/probe.out" 2>&1
ok $? "a digest with hostile answers is built and its HTML written"
[ -s "$html" ] || bail_out "no HTML written"

# A browser that reaches nothing: no network of its own, no profile.
browse() {
	timeout 60 "$chromium" --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --disable-dev-shm-usage --hide-scrollbars \
	    --user-data-dir="$(mktemp -d "$TEST_DIR/profile.XXXXXX")" \
	    "$@" "file://$html" 2>>"$TEST_DIR/chromium.err"
}

browse --dump-dom >"$TEST_DIR/dom.html"
ok $? "chromium renders the page"
dom="$TEST_DIR/dom.html"

grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$dom"
ok $? "<script> shows as text"
grep -q '&lt;img src=http://x/y.png&gt;' "$dom"
ok $? "<img> shows as text"
grep -q '&lt;style&gt;body{display:none}&lt;/style&gt;' "$dom"
ok $? "<style> shows as text"
grep -q 'a (javascript:alert(1))' "$dom" && grep -q 't (image: http://t/x.png)' "$dom"
ok $? "Markdown links and images show as text"
grep -q 'Mallory Bcc: victim@example.org X-Evil: 1' "$dom"
ok $? "a name with line breaks is one line of text"
! grep -Eqi '<(script|img|style|iframe|object|embed|link|video|audio)[ >/]' "$dom"
ok $? "no script, img, style, iframe or other active element in the DOM"
! grep -Eqi '(href|src)="(javascript|data):' "$dom"
ok $? "no javascript: or data: address"

png="$TEST_DIR/digest.png"
browse --screenshot="$png" --window-size=800,1000 >/dev/null
[ -s "$png" ] && [ "$(head -c 8 "$png" | od -An -c | tr -d ' ')" = '211PNG\r\n032\n' ]
ok $? "a screenshot is written ($png)"
if [ -n "${DIGEST_SCREENSHOT:-}" ] && [ -s "$png" ]; then
	cp "$png" "$DIGEST_SCREENSHOT"
fi

done_testing
