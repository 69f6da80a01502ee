/* One mail, parsed: raw RFC 5322 bytes in, the fields tidings works with
 * out.  Only message.c parses MIME (with GMime); everything after it
 * (filters, threads, the store) reads struct message.  The filters then
 * annotate it: its kind, the reply text, bounce details. */
#ifndef TIDINGS_MESSAGE_H
#define TIDINGS_MESSAGE_H

#include <glib.h>

struct rawfile;

#define MESSAGE_ERROR (message_error_quark())
GQuark message_error_quark(void);
enum message_error {
	MESSAGE_ERROR_UNPARSEABLE,	/* not a mail at all: quarantine it */
};

enum message_kind {
	MESSAGE_UNPROCESSED,
	MESSAGE_REPLY,
	MESSAGE_AUTOREPLY,
	MESSAGE_BOUNCE,
	MESSAGE_COMMAND,
	MESSAGE_CALENDAR,
	MESSAGE_COMMENT,
	MESSAGE_SENT,
	MESSAGE_OTHER,
	MESSAGE_LIST,		/* mailing-list mail (List-Id and kin) */
};

/* A header as it appears in the mail, unfolded; VALUE is decoded from
 * RFC 2047 to UTF-8. */
struct message_header {
	char *name;
	char *value;
	char *raw;		/* unfolded but not decoded, for addresses */
};

/* A leaf MIME part (or a message/rfc822 part, whose text is the embedded
 * message as it stands). */
struct message_part {
	char *content_type;	/* lower case, "text/plain" */
	char *method;		/* text/calendar's method=, upper case, or NULL */
	char *filename;		/* or NULL */
	gboolean attachment;	/* Content-Disposition: attachment */
	int depth;		/* nesting level; the top is 0 */
	/* For text/ and message/ types (delivery-status, rfc822 headers and
	 * the like): the content converted to UTF-8.  NULL otherwise. */
	char *text;
	/* The decoded content of a part tidings reads (text/, message/, a
	 * calendar: message_part_is_calendar()); NULL for the others
	 * (images, documents), which are measured, not kept. */
	GBytes *data;
	gsize size;		/* of the decoded content, always */
	gboolean text_in_data;	/* text is data's own bytes, not a copy */
};

/* One failed recipient of a bounce (RFC 3464 or a known non-standard
 * format). */
struct bounce_recipient {
	char *address;
	/* The DSN status, "5.1.1"; inferred as "5.0.0" or "4.0.0" when the
	 * report gives no code. */
	char *status;
	char *diagnostic;	/* the remote server's words, or NULL */
	/* The address is dead (unknown mailbox or domain, moved): disable
	 * it.  A full mailbox or a spam block is not hard, whatever its
	 * code. */
	gboolean hard;
};

struct message {
	GBytes *raw;			/* the bytes as received, or NULL: */
	struct rawfile *raw_file;	/* a large mail's, in its file */
	char *content_hash;		/* SHA-256 of raw, hex */

	char *message_id;		/* without <>; synthesised when absent */
	gboolean message_id_synthesised;
	char *in_reply_to;		/* the first id of In-Reply-To, or NULL */
	GPtrArray *references;		/* of char *, oldest first, without <> */

	char *from;			/* address, or NULL */
	char *from_name;		/* display name, or NULL */
	char *sender;			/* Sender: address, or NULL */
	char *reply_to;			/* first Reply-To address, or NULL */
	char *return_path;		/* Return-Path without <>; "" for <> */
	GPtrArray *to;			/* of char * addresses */
	GPtrArray *cc;
	GPtrArray *delivered_to;	/* Delivered-To and X-Original-To */

	gint64 date;			/* UTC seconds */
	gboolean date_from_arrival;	/* Date was missing or absurd */
	char *subject;			/* decoded; "" when absent */
	char *subject_key;		/* see thread_key_prepare(), or NULL */
	gboolean subject_reply;		/* with it: a reply prefix was cut */

	char *text;			/* the body as plain text, UTF-8 */
	char *html;			/* the text/html body, or NULL */
	gboolean text_from_html;	/* text was made from html */
	/* Made from html with it, in the same parse: its text with quotes
	 * marked (HTML_MARK_QUOTES), which the quote filter cuts. */
	char *html_marked;
	gboolean flowed;		/* text was format=flowed (now joined) */
	gboolean text_lent;		/* text is a part's own, not a copy */
	gboolean html_lent;		/* html likewise */

	GPtrArray *headers;		/* of struct message_header *, in order */
	GPtrArray *parts;		/* of struct message_part *, in order */
	GPtrArray *problems;		/* of char *: what was odd, for logs */

	/* Set by the filters. */
	enum message_kind kind;
	char *reason;			/* why a filter decided as it did */
	gboolean auto_generated;	/* sent by a machine (RFC 3834 and kin) */
	gboolean out_of_office;		/* a vacation or out-of-office reply */
	char *reply;			/* the reply text, quotes and signature cut */
	char *forwarded;		/* a forwarded message kept as such */
	GPtrArray *bounce;		/* of struct bounce_recipient * */

	/* Set by the auth filter, from the topmost Authentication-Results
	 * header when its authserv-id is trusted. */
	char *auth_id;			/* that authserv-id, or NULL */
	gboolean dkim_aligned;		/* dkim=pass, d= the From domain or below */
	gboolean dmarc_pass;		/* dmarc=pass for the From domain */
	char *auth_result;		/* what passed, for people; or NULL */

	/* Set by the answer filter. */
	char *token;			/* the reply-address token it came to */
	gint64 prompt_id;		/* the prompt it answers, or 0 */
	char *prompt_person;		/* whom that prompt asked */
	int command;			/* enum answer_command */
	char *command_arg;		/* what follows the command word */
	char *command_team;		/* a list command's team, or NULL */
	char *command_token;		/* its token, or NULL */
	char *meet_token;		/* the token of the meeting address
					   (LOCAL+meet-TOKEN@) it came to */
	GPtrArray *answers;		/* of char * or NULL, per question */
};

/* Parses RAW (which the message keeps a reference to).  ARRIVAL is the
 * time the mail was received, used when its Date is missing or absurd.
 * Returns NULL with MESSAGE_ERROR_UNPARSEABLE only for input that is not a
 * mail at all; odd but readable mail parses, with problems noted.  Free
 * with message_free(). */
struct message *message_parse(GBytes *raw, gint64 arrival, GError **error);
/* message_parse() of RAW whose content_hash, HASH (taken: the message or
 * this call frees it), was computed already. */
struct message *message_parse_hashed(GBytes *raw, char *hash, gint64 arrival,
    GError **error);
/* message_parse_hashed() of the mail in RF (a reference is taken), read
 * from its file a piece at a time: the message's raw is NULL, its raw_file
 * RF.  The same message as the mail's bytes in memory would give, but
 * that a large part tidings does not read (an attachment) is never in
 * memory whole.  NULL with MESSAGE_ERROR_UNPARSEABLE as message_parse()
 * does, or with a G_FILE_ERROR when the file fails to read. */
struct message *message_parse_file(struct rawfile *rf, char *hash,
    gint64 arrival, GError **error);
/* The SHA-256 of RAW in hex, the content_hash of a mail.  Caller frees. */
char *message_hash(GBytes *raw);
/* message_hash() of the mail in RF, read a piece at a time; NULL with
 * error when the file fails to read. */
char *message_hash_file(const struct rawfile *rf, GError **error);
/* The size of MSG's raw mail, in memory or in its file. */
gsize message_raw_size(const struct message *msg);
/* LEN bytes of MSG's raw mail from AT (which the caller keeps within its
 * size): where they lie in memory, or read from its file into BUF (LEN
 * bytes at least).  NULL with error when the file fails to read. */
const char *message_raw_at(const struct message *msg, gsize at, gsize len,
    char *buf, GError **error);
void message_free(struct message *msg);
typedef struct message Message;	/* for g_autoptr() */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Message, message_free)

/* The first header called NAME (any case), or NULL. */
const char *message_header(const struct message *msg, const char *name);
/* The Message-IDs MSG answers, nearest first: In-Reply-To, then
 * References from the newest, each once.  An array of const char * into
 * MSG, to be freed by the caller (its elements are not). */
GPtrArray *message_parents(const struct message *msg);
/* Whether part P is a calendar: text/calendar, application/ics, or a file
 * named *.ics, whatever its type. */
gboolean message_part_is_calendar(const struct message_part *p);
/* The parts with the given content type, such as "text/calendar". */
GPtrArray *message_parts_of_type(const struct message *msg,
    const char *content_type);

const char *message_kind_name(enum message_kind kind);

void bounce_recipient_free(struct bounce_recipient *r);

#endif
