#!/bin/sh
# An exec filter that crashes tidings, as a fault in a parser would, on a
# mail whose Subject is "crash me": it sends SIGSEGV to the tidings process
# above it (sh may stand between the two), then waits to be outlived.
if grep -q '^Subject: crash me' ; then
	p=$PPID
	while [ "$p" -gt 1 ] && [ "$(cat /proc/$p/comm)" != tidings ]; do
		p=$(awk '{ print $4 }' /proc/$p/stat)
	done
	kill -SEGV "$p"
	sleep 10
fi
exit 0
