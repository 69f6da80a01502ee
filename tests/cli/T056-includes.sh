#!/bin/bash
# T056: the shape of the code, from the #include "..." lines of src/ and
# filters/.  A module is a file's stem (checkin.c and checkin.h are module
# checkin; X-private.h belongs to X; template-check is a part of render,
# whose error it raises).
#   - No cycle among modules: a flow that includes another flow's header is
#     not included back by it.
#   - No file of filters/ includes a store header (store.h, store-*.h),
#     directly or through the headers it includes: filters read mail, the
#     takers act on the store.
#   - checkin.h is included only by checkin.c and by what runs check-ins
#     (checkin_tick, checkin_next_due, checkin_preview): the daemon, and
#     the demo and prompts commands.  Takers and flows get what they share
#     from context.h, replies.h and trust.h.

. "$(dirname "$0")/../lib.sh"

command -v python3 >/dev/null || skip_all "python3 is not installed"

check() {
python3 - "$TOP_SRCDIR" "$1" <<'PY'
import os, re, sys
from collections import defaultdict

root, what = sys.argv[1], sys.argv[2]
dirs = ["src", "filters"]
parts = {"template-check": "render"}
checkin_ok = {"src/checkin.c", "src/cmd-demo.c", "src/cmd-prompts.c",
              "src/daemon.c"}
inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

files = {}	# "src/x.c" -> [included names]
where = {}	# "x.h" -> "src/x.h"
for d in dirs:
    for f in sorted(os.listdir(os.path.join(root, d))):
        if f.endswith((".c", ".h")):
            path = d + "/" + f
            with open(os.path.join(root, path), errors="replace") as fh:
                files[path] = inc.findall(fh.read())
            where.setdefault(f, path)

def module(name):
    m = os.path.basename(name).rsplit(".", 1)[0]
    if m.endswith("-private"):
        m = m[:-len("-private")]
    return parts.get(m, m)

bad = []
if what == "cycles":
    mods = {module(p) for p in files}
    edges = defaultdict(set)
    for p, incs in files.items():
        for h in incs:
            t = module(h)
            if t != module(p) and t in mods:
                edges[module(p)].add(t)
    index, low, on, stack, n = {}, {}, set(), [], [0]
    sys.setrecursionlimit(10000)
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            c = []
            while True:
                w = stack.pop(); on.discard(w); c.append(w)
                if w == v:
                    break
            if len(c) > 1:
                bad.append("cycle: " + " ".join(sorted(c)))
    for v in sorted(mods):
        if v not in index:
            visit(v)
elif what == "filters":
    def reach(path, seen):
        for h in files.get(path, []):
            if h in seen:
                continue
            seen.add(h)
            if h in where:
                reach(where[h], seen)
        return seen
    store = re.compile(r'^store(-.*)?\.h$')
    for p in files:
        if p.startswith("filters/"):
            for h in sorted(reach(p, set())):
                if store.match(os.path.basename(h)):
                    bad.append("%s reaches %s" % (p, h))
elif what == "checkin":
    for p, incs in sorted(files.items()):
        if "checkin.h" in incs and p not in checkin_ok:
            bad.append("%s includes checkin.h" % p)
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
}

out=$(check cycles)
ok $? "no include cycle among the modules of src/ and filters/" || diag "$out"
out=$(check filters)
ok $? "no file of filters/ includes a store header" || diag "$out"
out=$(check checkin)
ok $? "checkin.h is included only by checkin.c and the callers of checkin_tick" || diag "$out"

# The checks find what they look for.
tmp=$(mktemp -d)
tap_at_exit "rm -rf '$tmp'"
mkdir "$tmp/src" "$tmp/filters"
printf '#include "b.h"\n' >"$tmp/src/a.c"
printf '#include "a.h"\n' >"$tmp/src/b.c"
printf '#include "thread.h"\n' >"$tmp/filters/f.c"
printf '#include "store.h"\n' >"$tmp/src/thread.h"
printf '#include "checkin.h"\n' >"$tmp/src/meet.c"
TOP_SRCDIR=$tmp check cycles >/dev/null
[ $? -eq 1 ]
ok $? "a cycle is found"
TOP_SRCDIR=$tmp check filters >/dev/null
[ $? -eq 1 ]
ok $? "a filter reaching store.h through another header is found"
TOP_SRCDIR=$tmp check checkin >/dev/null
[ $? -eq 1 ]
ok $? "a flow including checkin.h is found"

done_testing
