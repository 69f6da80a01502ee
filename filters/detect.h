/* Recognising mail that a machine sent: auto-replies (autoreply.c) and
 * delivery failure reports (bounce.c).  These are the filters' pure parts,
 * kept apart so that tests and other code can ask without running the
 * pipeline. */
#ifndef TIDINGS_DETECT_H
#define TIDINGS_DETECT_H

#include <glib.h>

#include "message.h"

/* Who sent a mail, as far as the mail tells. */
enum detect_sender {
	DETECT_PERSON,
	DETECT_TIDINGS,		/* tidings itself: its marker, its address */
	DETECT_MACHINE,		/* auto-replies, reports, daemons, <> */
	DETECT_LIST,		/* a mailing list (RFC 2369, RFC 2919) */
};

/* What detect_machine() found. */
struct detect {
	enum detect_sender sender;
	gboolean out_of_office;	/* a person's absence notice */
	const char *why;	/* a static reason; NULL for a person */
};

/* The one rule of "never answer a machine", for the filters (loop,
 * autoreply) and the reply policy (replies.c) alike: whether MSG is
 * tidings' own mail come back (its marker header, or From OWN or one of
 * its subaddresses, see detect_own_address(); OWN may be NULL), the mail
 * of a machine (autoreply_detect() below) or list mail (List-Id,
 * List-Unsubscribe, List-Post, Precedence: list, or Precedence: bulk or
 * junk with nothing else), or a person's.  A responder's own header
 * outweighs the signs of a list, and those the weaker signs of a machine
 * (a subject, a sender's name). */
void detect_machine(const struct message *msg, const char *own,
    const char *domain, struct detect *d);

/* Whether ADDR is tidings' own address OWN, or LOCAL+anything@ at OWN's
 * domain or at DOMAIN (that of the reply addresses; may be NULL). */
gboolean detect_own_address(const char *addr, const char *own,
    const char *domain);

/* Whether MSG was sent by a machine rather than typed by a person: RFC 3834
 * Auto-Submitted (anything but "no") and the common non-standard signs
 * (X-Autoreply, X-Autorespond, Precedence, Exchange's suppress and loop
 * headers together, reports, list mail, daemon and no-reply senders, the
 * null Return-Path, vacation subjects in many languages), or by a list:
 * detect_machine() without tidings' own address.  Sets
 * *OUT_OF_OFFICE for the replies of an absent person: "auto-replied",
 * X-Autoreply, Exchange's automatic reply or a vacation subject, unless a
 * mail system sent it.  *WHY gets a short reason, a static string, or
 * NULL.  OUT_OF_OFFICE and WHY may be NULL. */
gboolean autoreply_detect(const struct message *msg, gboolean *out_of_office,
    const char **why);

/* Whether TEXT, the body of a reply, begins as a vacation notice does
 * (after a greeting and thanks for the mail at most): "This is an
 * automatic reply", "I am out of the office until ...", "Ich bin bis ...
 * nicht im Büro", in the languages of the subjects above.  Only its first
 * lines above anything quoted are read. */
gboolean autoreply_text_is_away(const char *text);

struct filter_ctx;
/* Whether MSG answers one of tidings' prompts or reminders, as far as the
 * mail itself tells: it came to a reply address (LOCAL+TOKEN@DOMAIN of
 * CTX's address), or its In-Reply-To or References name a prompt's
 * Message-ID. */
gboolean autoreply_answers_prompt(const struct message *msg,
    const struct filter_ctx *ctx);

/* Whether MSG is a delivery failure report: an RFC 3464 delivery status
 * notification with a failed or delayed recipient, or one of the common
 * non-standard formats (qmail, Exim, Postfix, Sendmail, Exchange, Gmail,
 * Yahoo, Amazon SES and others).  Success notices (delivered, relayed,
 * expanded), ARF feedback reports, read receipts and auto-replies are not.
 * When it is, *RECIPIENTS (if not NULL) gets the failed recipients, a
 * GPtrArray of struct bounce_recipient * that frees them with
 * bounce_recipient_free(); the caller unrefs it.  Otherwise *RECIPIENTS
 * is set to NULL.
 *
 * A recipient's address is the one the mail was sent to (Original-Recipient
 * when the report gives it).  Its status is always set: the stated code,
 * or "5.0.0" / "4.0.0" when the notice gives only a class or none.
 * It is hard when its address is dead: the mailbox or the domain does not
 * exist or has moved (X.1.1, X.1.2, X.1.6, X.1.10, X.4.4 and the same in
 * words).  Everything else is soft, permanent failures included: a full
 * mailbox, a spam block, a policy rejection, a refusal at the end of the
 * data (after the server accepted the recipient) or a delay say nothing
 * about whether the address works, so they must not disable it.
 *
 * This recognises a report's shape, not its origin: anyone can send one.
 * Callers should check that the message it returns is one tidings sent. */
gboolean bounce_detect(const struct message *msg, GPtrArray **recipients);

#endif
