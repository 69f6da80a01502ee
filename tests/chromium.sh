# Headless Chromium for the tests of the HTTP face, sourced after lib.sh:
# a page loaded as a person's browser would, its DOM, a screenshot, its
# console and every request it made.

# chromium_find: sets CHROMIUM to the browser, or returns 1.
chromium_find() {
	for c in chromium chromium-browser google-chrome; do
		if command -v "$c" >/dev/null 2>&1; then
			CHROMIUM=$c
			return 0
		fi
	done
	return 1
}

# chromium_load NAME URL: loads URL in a phone-sized window; leaves
# $TEST_DIR/NAME.dom (the DOM after load), $TEST_DIR/NAME.console (what
# the page logged), $TEST_DIR/NAME.net (the net log) and SHOTS/NAME.png.
# No name but 127.0.0.1 resolves, and the browser's own traffic (updates,
# accounts) is turned off.
chromium_load() {
	rm -rf "$TEST_DIR/chromium-profile"
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --user-data-dir="$TEST_DIR/chromium-profile" \
	    --disable-background-networking --disable-component-update \
	    --disable-sync --no-first-run --disable-default-apps \
	    --disable-extensions --disable-domain-reliability \
	    --disable-features=Translate,OptimizationHints,MediaRouter \
	    --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1' \
	    --enable-logging=stderr --v=0 \
	    --log-net-log="$TEST_DIR/$1.net" \
	    --window-size=412,915 --dump-dom "$2" \
	    >"$TEST_DIR/$1.dom" 2>"$TEST_DIR/$1.err" || return 1
	grep 'CONSOLE' "$TEST_DIR/$1.err" >"$TEST_DIR/$1.console"
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --user-data-dir="$TEST_DIR/chromium-profile" \
	    --disable-background-networking --disable-component-update \
	    --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1' \
	    --hide-scrollbars --window-size=412,915 \
	    --screenshot="$SHOTS/$1.png" "$2" >/dev/null 2>&1
}

# chromium_other_origins NAME ORIGIN: prints every request the page made
# (its initiator is ORIGIN, or it is a navigation) to anywhere but ORIGIN.
chromium_other_origins() {
	python3 - "$TEST_DIR/$1.net" "$2" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
origin = sys.argv[2].rstrip('/')
for e in log.get('events', []):
    p = e.get('params') or {}
    url = p.get('url')
    if not url or p.get('initiator') != origin:
        continue
    if not url.startswith(origin + '/'):
        print(url)
PY
}

# chromium_dom_urls NAME ORIGIN: every URL in an attribute of the DOM
# (href, src, action, ...) that leaves ORIGIN.
chromium_dom_urls() {
	grep -oiE '(href|src|action|srcset|poster|data)="[^"]*"' "$TEST_DIR/$1.dom" |
	    sed 's/^[^=]*="//; s/"$//' | grep -iE '^[a-z][a-z0-9+.-]*:|^//' |
	    grep -v "^$2" || true
}
