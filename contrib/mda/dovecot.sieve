# Dovecot Pigeonhole (2.3): hand the mail of tidings' address to
# "tidings ingest" with a Sieve "pipe" rule as it is delivered (by LMTP or
# dovecot-lda).  When tidings takes the mail (exit 0) it does not go into the
# mailbox; when tidings fails (75: busy database or full disk, or any other
# error) ":try" keeps Sieve's implicit keep, so the mail is stored in the
# mailbox as usual and never lost ("tidings run" can pick it up over IMAP).
#
# Needs, in the Dovecot configuration (conf.d/90-sieve.conf and
# conf.d/90-sieve-extprograms.conf on Debian):
#
#   plugin {
#     sieve_plugins = sieve_extprograms
#     # Global extensions: only scripts the administrator installs (as
#     # sieve_before here) may pipe, not the users' own scripts.
#     sieve_global_extensions = +vnd.dovecot.pipe
#     # "pipe" runs programs from this directory only, by name.
#     sieve_pipe_bin_dir = /usr/lib/dovecot/sieve-pipe
#     # tidings may wait for a busy database (busy-timeout, 10 s by
#     # default) before it gives up: allow it more than the default 10 s.
#     sieve_pipe_exec_timeout = 30s
#     sieve_before = /etc/dovecot/sieve/tidings.sieve
#   }
#
# with this file as /etc/dovecot/sieve/tidings.sieve, compiled once with
# "sievec /etc/dovecot/sieve/tidings.sieve", and in sieve_pipe_bin_dir an
# executable "tidings-ingest" (mode 755, not writable by others) such as:
#
#   #!/bin/sh
#   exec /usr/local/bin/tidings --config /etc/tidings/tidings.conf ingest
#
# The program runs as the mail user of the recipient's mailbox, which must
# be able to write tidings' database.  Change "standup" below to the local
# part of tidings' address; with "recipient_delimiter = +", the reply
# addresses standup+TOKEN@... match too (envelope :user ignores the detail).
#
# Replies are not sent from here.  What tidings answers to the mail it
# takes (the result of a command, a confirmation, a notice to an owner)
# waits in the outbox of its database until "tidings run" sends it (the
# daemon sends the outbox as it works) or, without the daemon,
# "tidings outbox --flush" does: contrib/tidings-outbox.timer runs it
# every minute under systemd (or from cron: * * * * * tidings outbox
# --flush).  "tidings outbox" shows what waits and why.
require ["vnd.dovecot.pipe", "envelope", "subaddress"];

if envelope :user :is "to" "standup" {
	pipe :try "tidings-ingest";
	stop;
}
