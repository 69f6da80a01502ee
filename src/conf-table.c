/* Every configuration option, in the order tidings.conf(5) and the example
 * configuration present them. */
#include "config.h"

#include <stddef.h>

#include "conf.h"

static const char *const security_choices[] = { "tls", "starttls", "none", NULL };
static const char *const yes_no[] = { "yes", "no", NULL };

const struct conf_option conf_table[] = {
	{ "tidings", "address", CONF_ADDRESS, NULL, NULL,
	  "The address tidings sends from and receives replies at. Replies to "
	  "prompts go to LOCAL+TOKEN@DOMAIN, so the mail system must deliver "
	  "subaddresses (LOCAL+anything) to this mailbox." },
	{ "tidings", "domain", CONF_DOMAIN, NULL, NULL,
	  "The domain used in reply addresses and Message-IDs. Defaults to the "
	  "domain of address." },
	{ "tidings", "database", CONF_PATH, "@data@/tidings/tidings.db", NULL,
	  "The database that holds teams, members, mail and schedules: the "
	  "path of an SQLite file (a relative one from this file's directory), "
	  "or a PostgreSQL URI (postgresql://USER@HOST/DB, or "
	  "postgres:///DB?host=DIR for a Unix socket), taken as it is, which "
	  "several tidings run on several hosts may share (see README, Several "
	  "machines). The --db option overrides it." },
	{ "tidings", "lease-time", CONF_SECONDS, "60s", NULL,
	  "With several tidings run on one PostgreSQL database: how long a "
	  "mailbox stays with a tidings run that stopped answering (killed, "
	  "its host down, cut off from the database) before another takes it "
	  "over. Each renews what it holds every third of this time, from a "
	  "thread of its own. A tidings run started again on the same host "
	  "takes back at once what its killed forerunner held." },
	{ "tidings", "busy-timeout", CONF_SECONDS, "10s", NULL,
	  "How long to wait for another tidings process that is writing to "
	  "the database before giving up; the mail delivery agent then exits "
	  "75 so that the mail system tries again later." },
	{ "tidings", "templates", CONF_PATH, NULL, NULL,
	  "A directory of templates that override the installed ones, file by "
	  "file, in the same syntax (README.md, installed beside them): "
	  "anything else fails the mails that use the template, with its "
	  "file, line and column in the log." },
	{ "tidings", "secret-file", CONF_SECRET, "@config@/secret", NULL,
	  "A file of mode 0600 holding the key that signs reply addresses and "
	  "confirmation tokens. tidings init creates it; tidings refuses a "
	  "secret file that others can read." },

	{ "tidings", "trusted-authserv-ids", CONF_LIST, NULL, NULL,
	  "The authserv-ids (RFC 8601) of the mail servers whose "
	  "Authentication-Results headers tidings believes, separated by "
	  "commas or blanks: normally the host name your own receiving "
	  "server writes there. Only the topmost Authentication-Results "
	  "header of a mail is read, and only when its authserv-id is one of "
	  "these; a DKIM pass for the From domain (or a subdomain of it) or "
	  "a DMARC pass then lets a reply or a command from a member count "
	  "even when it did not come to their reply address. Unset, no "
	  "header is believed." },

	{ "imap", "host", CONF_DOMAIN, NULL, NULL,
	  "The IMAP server that receives replies." },
	{ "imap", "port", CONF_PORT, NULL, NULL,
	  "The IMAP port. Defaults to 993 with security = tls and to 143 "
	  "otherwise." },
	{ "imap", "security", CONF_CHOICE, "tls", security_choices,
	  "tls (implicit TLS), starttls, or none. With none, the password "
	  "crosses the network in clear text; use it only on loopback." },
	{ "imap", "user", CONF_STRING, NULL, NULL,
	  "The IMAP login name." },
	{ "imap", "password-command", CONF_COMMAND, NULL, NULL,
	  "A shell command that prints the IMAP password, such as "
	  "\"pass show mail/tidings\". Passwords are never written in the "
	  "configuration file itself." },
	{ "imap", "password-file", CONF_SECRET, NULL, NULL,
	  "A file of mode 0600 holding the IMAP password; an alternative to "
	  "password-command." },
	{ "imap", "ca-file", CONF_PATH, NULL, NULL,
	  "A file of PEM certificates to trust for the IMAP server instead of "
	  "the system's, such as a self-signed server's own certificate." },
	{ "imap", "ca-dir", CONF_PATH, NULL, NULL,
	  "A directory of PEM certificates to trust for the IMAP server." },
	{ "imap", "timeout", CONF_SECONDS, "60s", NULL,
	  "How long to wait for the IMAP server to answer before the "
	  "connection is taken as dead and made again." },
	{ "imap", "idle", CONF_CHOICE, "yes", yes_no,
	  "Whether to wait for new mail with IDLE when the server offers it; "
	  "no polls every poll-interval instead, for servers whose IDLE is "
	  "broken." },
	{ "imap", "poll-interval", CONF_SECONDS, "60s", NULL,
	  "How often to look for new mail when the server does not offer "
	  "IDLE." },
	{ "imap", "folder", CONF_STRING, "INBOX", NULL,
	  "The folder tidings reads replies from." },
	{ "imap", "processed-folder", CONF_STRING, NULL, NULL,
	  "A folder to move mail to once it is stored. Unset, processed mail "
	  "stays in folder, flagged \\Seen." },

	{ "smtp", "host", CONF_DOMAIN, NULL, NULL,
	  "The SMTP server that tidings submits mail to." },
	{ "smtp", "port", CONF_PORT, NULL, NULL,
	  "The SMTP port. Defaults to 465 with security = tls, 587 with "
	  "starttls and 25 with none." },
	{ "smtp", "security", CONF_CHOICE, "starttls", security_choices,
	  "tls (implicit TLS), starttls, or none. With none, mail and "
	  "password cross the network in clear text; use it only on "
	  "loopback. With the others the server's certificate must be "
	  "trusted, as for [imap]." },
	{ "smtp", "user", CONF_STRING, NULL, NULL,
	  "The SMTP login name. Unset, tidings submits without "
	  "authentication." },
	{ "smtp", "password-command", CONF_COMMAND, NULL, NULL,
	  "A shell command that prints the SMTP password." },
	{ "smtp", "password-file", CONF_SECRET, NULL, NULL,
	  "A file of mode 0600 holding the SMTP password." },
	{ "smtp", "ca-file", CONF_PATH, NULL, NULL,
	  "A file of PEM certificates to trust for the SMTP server instead of "
	  "the system's, such as a self-signed server's own certificate." },
	{ "smtp", "ca-dir", CONF_PATH, NULL, NULL,
	  "A directory of PEM certificates to trust for the SMTP server." },
	{ "smtp", "timeout", CONF_SECONDS, "60s", NULL,
	  "How long to wait for the SMTP server to answer before the "
	  "connection is taken as dead; the mail then waits for the next "
	  "try." },
	{ "smtp", "retry-for", CONF_SECONDS, "3d", NULL,
	  "How long to keep trying a recipient the server refuses for now "
	  "(4xx) or cannot be reached for. Tries come after a minute, then "
	  "ever less often, at most an hour apart; past this time the "
	  "recipient is given up and the mail shows as failed in tidings "
	  "outbox." },
	{ "smtp", "helo", CONF_DOMAIN, NULL, NULL,
	  "The name tidings gives itself in EHLO. Defaults to this machine's "
	  "host name; set it when the server wants a fully qualified name." },
	{ "smtp", "connections", CONF_NUMBER, "1", NULL,
	  "How many connections to the SMTP server deliver the outbox at "
	  "once, each mail over one of them, once (at most 16). More than "
	  "one sends a big digest sooner. The first opens before the "
	  "others, and its failure is the delivery's; the others open "
	  "together, so that their handshakes (TLS, login) overlap; a "
	  "server that refuses some of them is sent to over those it "
	  "took." },

	{ "filters", "exec", CONF_COMMAND, NULL, NULL,
	  "A program every incoming mail is piped to, after tidings' own "
	  "filters have read it, through /bin/sh. Its exit status decides: "
	  "0 goes on, 1 drops the mail (it stays stored, with the first line "
	  "the program wrote to standard error as the reason), anything else "
	  "defers it to be processed again later." },
	{ "filters", "exec-timeout", CONF_SECONDS, "30s", NULL,
	  "How long the exec program may run; past that it is killed and the "
	  "mail deferred." },

	{ "checkins", "catch-up", CONF_SECONDS, "2h", NULL,
	  "How late a prompt may still go out when tidings was not running "
	  "at its time. Older prompts are not sent: a question about "
	  "yesterday asked this afternoon helps nobody." },

	{ "digests", "catch-up", CONF_SECONDS, "12h", NULL,
	  "How late a team's digest, or a subscriber's copy of it in their "
	  "own morning, may still go out when tidings was not running at its "
	  "time. A later one is not sent: the next digest on time covers "
	  "everything since the last one that went out." },
	{ "digests", "bounce-threshold", CONF_NUMBER, "3", NULL,
	  "How many bounces stop the digests to a subscriber, and the prompts "
	  "to a member: a hard bounce (an address that does not exist) counts "
	  "1, a soft one (a full mailbox, a server that defers) 0.25. Only "
	  "bounces that come back to the bounce address of a mail tidings "
	  "sent count. The team's owners are told when it happens." },

	{ "limits", "replies-per-sender", CONF_NUMBER, "5", NULL,
	  "How many answers to mail commands one sender gets in an hour. "
	  "Past it, commands are still carried out but not answered, and "
	  "the log says so once an hour." },
	{ "limits", "replies-per-hour", CONF_NUMBER, "200", NULL,
	  "How many answers to mail commands tidings sends in an hour, all "
	  "senders together; counted in the database, so that it holds "
	  "across processes." },
	{ "limits", "urgent-per-sender", CONF_NUMBER, "3", NULL,
	  "How many urgent mails (LOCAL+urgent-TEAM@) one sender may send in "
	  "an hour. Past it, the mail is kept and held, not sent on." },
	{ "limits", "urgent-per-team", CONF_NUMBER, "10", NULL,
	  "How many urgent mails one team gets in an hour, from all its "
	  "senders together; past it they are kept and held." },

	{ "http", "listen", CONF_STRING, NULL, NULL,
	  "The address and port of tidings' HTTP face (one-click "
	  "unsubscribe, calendar feeds, the archive), such as "
	  "127.0.0.1:8025, [::1]:8025 or *:8025. Unset, tidings run serves "
	  "no HTTP; tidings serve needs it. Put a TLS proxy in front of it, "
	  "or set cert-file and key-file." },
	{ "http", "base-url", CONF_STRING, NULL, NULL,
	  "The public address of the HTTP face, as people's mail programs "
	  "and calendars reach it, such as https://standup.example.org/; "
	  "the links tidings writes into mail (List-Unsubscribe, the "
	  "archive, feeds) start with it. Unset, mail carries only mailto: "
	  "links." },
	{ "http", "cert-file", CONF_PATH, NULL, NULL,
	  "A PEM certificate (with its chain) for serving HTTPS itself, "
	  "without a proxy; needs key-file." },
	{ "http", "key-file", CONF_SECRET, NULL, NULL,
	  "The PEM private key of cert-file, a file of mode 0600." },
	{ "http", "archive-user", CONF_STRING, NULL, NULL,
	  "A user name for the team archives (/a/TEAM/) by HTTP basic "
	  "auth, for owners and anyone without a subscriber's link; needs "
	  "archive-password-file and HTTPS in front." },
	{ "http", "archive-password-file", CONF_SECRET, NULL, NULL,
	  "A file of mode 0600 holding the password of archive-user." },
	{ "http", "max-connections", CONF_NUMBER, "100", NULL,
	  "How many HTTP connections may be open at once; a connection past "
	  "it is closed at once." },
	{ "http", "timeout", CONF_SECONDS, "20s", NULL,
	  "How long a client has to send a whole request (an idle "
	  "keep-alive connection included) before its connection is "
	  "closed." },

	{ NULL, NULL, 0, NULL, NULL, NULL }
};
