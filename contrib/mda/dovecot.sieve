# Dovecot Pigeonhole: hand tidings' mail to "tidings ingest" as it is
# delivered; if tidings fails, the mail stays in the mailbox, never lost.
#
# Needs, in the Dovecot configuration:
#   plugin {
#     sieve_plugins = sieve_extprograms
#     sieve_global_extensions = +vnd.dovecot.execute
#     sieve_execute_bin_dir = /usr/lib/dovecot/sieve-execute
#   }
# and in that directory an executable "tidings-ingest" such as:
#   #!/bin/sh
#   exec /usr/local/bin/tidings --config /etc/tidings/tidings.conf ingest
#
require ["vnd.dovecot.execute", "envelope", "subaddress"];

if envelope :user :is "to" "standup" {
	# execute :pipe is a test: true when tidings exited 0.
	if execute :pipe "tidings-ingest" {
		discard;
		stop;
	}
}
