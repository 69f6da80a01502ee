/* Delivery of the outbox; see outbox.h. */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "log.h"
#include "outbox.h"
#include "smtp.h"
#include "store.h"
#include "store-outbox.h"
#include "store-bounce.h"
#include "verp.h"

#define DEFAULT_RETRY_FOR	(3 * 86400)

/* What the bounce addresses of one delivery are made of (verp.h): without
 * a secret, mail goes with tidings' own address as its sender. */
struct verp_keys {
	GBytes *secret;		/* NULL: no bounce addresses */
	const char *domain;	/* NULL: the sender's own */
};

/* What happened to one recipient in one try. */
struct outcome {
	int code;		/* the reply code; 0: none (no connection) */
	const char *text;	/* the reply's text, or why there was none */
};

void
outbox_stats_clear(struct outbox_stats *stats)
{
	if (stats->problems != NULL)
		g_ptr_array_unref(stats->problems);
	memset(stats, 0, sizeof(*stats));
}

gint64
outbox_backoff(int attempts)
{
	gint64 wait = OUTBOX_BACKOFF_FIRST;
	int i;

	for (i = 1; i < attempts && wait < OUTBOX_BACKOFF_MAX; i++)
		wait *= 2;
	wait = MIN(wait, OUTBOX_BACKOFF_MAX);
	/* ±20 %, so that mails deferred together do not come back in step. */
	return g_random_int_range((gint32)(wait * 8 / 10),
	    (gint32)(wait * 12 / 10) + 1);
}

gint64
outbox_next_due(struct store *st, GError **error)
{
	return store_outbox_next_due(st, error);
}

static void
problem(struct outbox_stats *stats, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
problem(struct outbox_stats *stats, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_ptr_array_add(stats->problems, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

/* "mail 12 (Check-in: Monday)", for messages. */
static char *
mail_name(const struct outbox_entry *e)
{
	if (e->subject != NULL && *e->subject != '\0')
		return g_strdup_printf("mail %" G_GINT64_FORMAT " (%s)", e->id,
		    e->subject);
	return g_strdup_printf("mail %" G_GINT64_FORMAT, e->id);
}

/* The pending recipients of e, and their number. */
static GPtrArray *
pending_of(const struct outbox_entry *e)
{
	GPtrArray *out = g_ptr_array_new();

	for (guint i = 0; i < e->rcpts->len; i++) {
		struct outbox_rcpt *r = e->rcpts->pdata[i];
		if (strcmp(r->state, "pending") == 0)
			g_ptr_array_add(out, r);
	}
	return out;
}

/*
 * Writes the outcome of one try of e, out[i] for pending[i], in one
 * transaction: each recipient sent, failed or still pending (failed when
 * it has waited past retry_for), then the mail's state.
 */
static gboolean
record(struct store *st, const struct outbox_entry *e, GPtrArray *pending,
    const struct outcome *out, const char *verp, gint64 now,
    gint64 retry_for, struct outbox_stats *stats, GError **error)
{
	g_autofree char *name = mail_name(e);
	g_autofree char *deferral = NULL;
	g_autofree char *failure = NULL;
	gboolean expired = now >= e->due_at + retry_for;
	guint sent = 0, waiting = 0;
	const char *state;
	int attempts = e->attempts;
	gint64 next = e->next_try_at;

	for (guint i = 0; i < e->rcpts->len; i++)
		if (strcmp(((struct outbox_rcpt *)e->rcpts->pdata[i])->state,
		    "sent") == 0)
			sent++;
	if (!store_begin(st, error))
		return FALSE;
	for (guint i = 0; i < pending->len; i++) {
		struct outbox_rcpt *r = pending->pdata[i];
		g_autofree char *why = out[i].code > 0 ?
		    g_strdup_printf("%d %s", out[i].code, out[i].text) :
		    g_strdup(out[i].text);
		g_autofree char *gave_up = NULL;
		const char *rstate = "pending";

		if (out[i].code / 100 == 2) {
			rstate = "sent";
			sent++;
			stats->rcpts_sent++;
			g_clear_pointer(&why, g_free);
		} else if (out[i].code / 100 == 5) {
			rstate = "failed";
			stats->rcpts_failed++;
			problem(stats, "%s to %s failed: %s", name, r->address,
			    why);
		} else if (expired) {
			rstate = "failed";
			stats->rcpts_failed++;
			gave_up = g_strdup_printf("gave up after trying for %"
			    G_GINT64_FORMAT " s: %s", now - e->due_at, why);
			problem(stats, "%s to %s failed: %s", name, r->address,
			    gave_up);
		} else {
			waiting++;
			stats->rcpts_deferred++;
			if (deferral == NULL)
				deferral = g_strdup_printf("%s: %s",
				    r->address, why);
		}
		if (strcmp(rstate, "failed") == 0 && failure == NULL)
			failure = g_strdup_printf("%s: %s", r->address,
			    gave_up != NULL ? gave_up : why);
		if (!store_outbox_rcpt_set(st, e->id, r->address, rstate,
		    out[i].code, gave_up != NULL ? gave_up : why, now, error))
			goto fail;
		/* The bounce address it went with: a bounce to it is then
		 * of a mail really sent (take-bounce.c). */
		if (verp != NULL && strcmp(rstate, "sent") == 0 &&
		    !store_outbox_rcpt_verp(st, e->id, r->address, verp, error))
			goto fail;
	}
	if (waiting > 0) {
		state = "queued";
		attempts++;
		next = now + outbox_backoff(attempts);
		stats->waiting++;
		problem(stats, "%s waits (try %d): %s", name, attempts,
		    deferral);
	} else if (sent > 0) {
		state = "sent";
		stats->sent++;
	} else {
		state = "failed";
		stats->failed++;
	}
	if (!store_outbox_set(st, e->id, state, attempts, next,
	    deferral != NULL ? deferral : failure, now, error) ||
	    !store_commit(st, error))
		goto fail;
	log_debug("outbox: %s: %s", name, state);
	return TRUE;

fail:
	store_rollback(st);
	return FALSE;
}

/* Records that every pending recipient of e waits because of why (no
 * reply came). */
static gboolean
record_all(struct store *st, const struct outbox_entry *e, const char *why,
    gint64 now, gint64 retry_for, struct outbox_stats *stats, GError **error)
{
	g_autoptr(GPtrArray) pending = pending_of(e);
	g_autofree struct outcome *out = g_new0(struct outcome,
	    MAX(pending->len, 1));
	gboolean ok;

	for (guint i = 0; i < pending->len; i++)
		out[i].text = why;
	ok = record(st, e, pending, out, NULL, now, retry_for, stats, error);
	return ok;
}

/* The envelope sender of E to its one recipient ADDRESS: its bounce
 * address, whose token goes to *token; tidings' own address when there
 * is no secret, or the mail has several recipients (tidings sends each
 * person their own copy, so only mail queued by hand has). */
static char *
sender_of(const struct verp_keys *keys, const struct outbox_entry *e,
    const char *address, char **token)
{
	char *sender;

	*token = NULL;
	if (keys->secret == NULL || e->rcpts->len != 1)
		return g_strdup(e->sender);
	*token = verp_token(keys->secret, e->dedupe_key, address);
	sender = verp_address(e->sender, keys->domain, *token);
	if (sender == NULL) {
		/* A local part too long for the token: RFC 5321 first. */
		g_clear_pointer(token, g_free);
		return g_strdup(e->sender);
	}
	return sender;
}

/* Tries one mail on the open connection. */
static gboolean
deliver_one(struct store *st, struct smtp *smtp,
    const struct verp_keys *keys, const struct outbox_entry *e, gint64 now,
    gint64 retry_for, struct outbox_stats *stats, GError **error)
{
	g_autoptr(GPtrArray) pending = pending_of(e);
	g_autofree const char **addrs = NULL;
	g_autofree struct smtp_reply *replies = NULL;
	g_autofree struct outcome *out = NULL;
	g_autofree char *sender = NULL, *token = NULL;
	gboolean ok;
	guint n = pending->len;

	if (n == 0)	/* nothing pending: only its state is to be set */
		return record(st, e, pending, NULL, NULL, now, retry_for,
		    stats, error);
	addrs = g_new0(const char *, n + 1);
	replies = g_new0(struct smtp_reply, n);
	out = g_new0(struct outcome, n);
	for (guint i = 0; i < n; i++)
		addrs[i] = ((struct outbox_rcpt *)pending->pdata[i])->address;
	sender = sender_of(keys, e, addrs[0], &token);
	/* On failure, replies holds what came before (RCPT TO's 250s). */
	ok = smtp_send(smtp, sender, addrs, n, e->raw, replies, error);
	for (guint i = 0; ok && i < n; i++) {
		out[i].code = replies[i].code;
		out[i].text = replies[i].text != NULL ? replies[i].text : "";
	}
	if (ok)
		ok = record(st, e, pending, out, token, now, retry_for, stats,
		    error);
	for (guint i = 0; i < n; i++)
		smtp_reply_clear(&replies[i]);
	return ok;
}

/*
 * Tries every mail of due, in order, on the open connection; returns how
 * many were tried, error set when one could not be (the connection or the
 * store failed).  Each outcome is committed before the next mail, but only
 * every OUTBOX_SYNC_EVERY-th commit and the last wait for the disk (see
 * outbox.h): an fsync per mail would be most of the time of a delivery.
 */
/* Mails read from the store at a time. */
#define OUTBOX_CHUNK 32

static guint
deliver_due(struct store *st, struct smtp *smtp, const struct verp_keys *keys,
    GPtrArray *due, gint64 now, gint64 retry_for, struct outbox_stats *stats,
    GError **error)
{
	guint i;

	for (i = 0; i < due->len; i++) {
		gboolean sync = (i + 1) % OUTBOX_SYNC_EVERY == 0 ||
		    i + 1 == due->len;

		if (!store_set_durable(st, sync, error) ||
		    !deliver_one(st, smtp, keys, due->pdata[i], now, retry_for,
		    stats, error))
			break;
	}
	/* What comes next is on disk at its commit, and all before it.  A
	 * store that fails here fails the delivery (STORE_ERROR). */
	store_set_durable(st, TRUE, *error == NULL ? error : NULL);
	return i;
}

/* Fails, before anything is sent, the mail whose time passed while
 * tidings was not running (a digest copy later than [digests] catch-up),
 * counting each as failed with why. */
static gboolean
expire(struct store *st, gint64 now, struct outbox_stats *stats,
    GError **error)
{
	g_autoptr(GPtrArray) gone = NULL;

	if (!store_begin(st, error))
		return FALSE;
	if ((gone = store_outbox_expire(st, now, error)) == NULL ||
	    !store_commit(st, error)) {
		store_rollback(st);
		return FALSE;
	}
	for (guint i = 0; i < gone->len; i++) {
		const struct outbox_entry *e = gone->pdata[i];
		g_autofree char *name = mail_name(e);

		stats->failed++;
		problem(stats, "%s was not sent: due %" G_GINT64_FORMAT
		    " min ago, later than it may go out", name,
		    (now - e->due_at) / 60);
	}
	return TRUE;
}

/* The account of [smtp]; *password is the caller's to wipe and free. */
static gboolean
account_of(const struct conf *conf, struct smtp_account *a, char **password,
    char **ca_file, char **ca_dir, GError **error)
{
	const char *security = conf_get(conf, "smtp", "security");
	GError *perr = NULL;

	memset(a, 0, sizeof(*a));
	a->host = conf_get(conf, "smtp", "host");
	if (a->host == NULL) {
		g_set_error(error, CONF_ERROR, CONF_ERROR_INVALID,
		    "set host in [smtp] of %s to send mail",
		    conf_file(conf) != NULL ? conf_file(conf) :
		    "the configuration");
		return FALSE;
	}
	a->port = conf_get_port(conf, "smtp");
	a->security = g_strcmp0(security, "tls") == 0 ? SMTP_SECURITY_TLS :
	    g_strcmp0(security, "none") == 0 ? SMTP_SECURITY_NONE :
	    SMTP_SECURITY_STARTTLS;
	a->user = conf_get(conf, "smtp", "user");
	a->timeout_seconds = (int)conf_get_seconds(conf, "smtp", "timeout");
	a->helo = conf_get(conf, "smtp", "helo");
	*ca_file = conf_get_path(conf, "smtp", "ca-file");
	*ca_dir = conf_get_path(conf, "smtp", "ca-dir");
	a->ca_file = *ca_file;
	a->ca_dir = *ca_dir;
	if (a->user == NULL)
		return TRUE;
	*password = conf_password(conf, "smtp", &perr);
	if (perr != NULL) {
		g_propagate_error(error, perr);
		return FALSE;
	}
	if (*password == NULL) {
		g_set_error(error, CONF_ERROR, CONF_ERROR_INVALID,
		    "no SMTP password for %s: set password-command or "
		    "password-file in [smtp]", a->user);
		return FALSE;
	}
	a->password = *password;
	return TRUE;
}

static struct smtp *
outbox_connect(const struct conf *conf, GError **error)
{
	g_autofree char *ca_file = NULL, *ca_dir = NULL;
	char *password = NULL;
	struct smtp_account a;
	struct smtp *smtp = NULL;

	if (account_of(conf, &a, &password, &ca_file, &ca_dir, error))
		smtp = smtp_connect(&a, error);
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		g_free(password);
	}
	return smtp;
}

/* The secret and domain of bounce addresses, from [tidings]. */
static void
verp_keys_init(struct verp_keys *keys, const struct conf *conf)
{
	g_autoptr(GError) err = NULL;
	gsize len = 0;
	char *key = conf_read_secret(conf, "tidings", "secret-file", &len,
	    &err);

	keys->domain = conf_get(conf, "tidings", "domain");
	static gboolean told;

	if (key == NULL) {
		if (told)
			return;
		told = TRUE;
		log_warnx("outbox: mail goes without bounce addresses, so no "
		    "bounce can be counted: %s", err != NULL ? err->message :
		    "no secret-file in [tidings]");
		return;
	}
	keys->secret = g_bytes_new_take(key, len);
}

gboolean
outbox_deliver(struct store *st, const struct conf *conf, gint64 now,
    struct outbox_stats *stats, GError **error)
{
	struct outbox_stats local = { 0 };
	struct verp_keys keys = { 0 };
	g_autoptr(Smtp) smtp = NULL;
	GError *err = NULL;
	gint64 retry_for, last_first = 0;

	if (stats == NULL)
		stats = &local;
	if (stats->problems == NULL)
		stats->problems = g_ptr_array_new_with_free_func(g_free);
	verp_keys_init(&keys, conf);
	retry_for = conf_get_seconds(conf, "smtp", "retry-for");
	if (retry_for < 0)
		retry_for = DEFAULT_RETRY_FOR;
	if (!expire(st, now, stats, error))
		goto fail;
	/* A chunk at a time: a digest's copies are large, and each is read
	 * only when its turn comes. */
	for (;;) {
		g_autoptr(GPtrArray) due = store_outbox_due(st, now,
		    OUTBOX_CHUNK, error);
		gint64 first;
		guint i = 0;

		if (due == NULL)
			goto fail;
		if (due->len == 0)
			break;
		/* Every mail tried leaves the due ones; a chunk that starts
		 * where the last did means nothing moved. */
		first = ((struct outbox_entry *)due->pdata[0])->id;
		if (first == last_first)
			break;
		last_first = first;
		stats->due += due->len;
		log_debug("outbox: %u mails due", due->len);
		if (err == NULL && smtp == NULL)
			smtp = outbox_connect(conf, &err);
		if (err == NULL)
			i = deliver_due(st, smtp, &keys, due, now, retry_for,
			    stats, &err);
		if (err == NULL)
			continue;
		if (err->domain == STORE_ERROR) {
			g_propagate_error(error, err);
			goto fail;
		}
		/* The server cannot be used: what was not tried waits (the
		 * mail in hand included: nothing is known of it), saying
		 * why; and so do the chunks after it. */
		for (; i < due->len; i++)
			if (!record_all(st, due->pdata[i], err->message, now,
			    retry_for, stats, error)) {
				g_error_free(err);
				goto fail;
			}
	}
	if (err != NULL) {
		g_propagate_error(error, err);
		goto fail;
	}

	outbox_stats_clear(&local);
	g_clear_pointer(&keys.secret, g_bytes_unref);
	return TRUE;

fail:
	outbox_stats_clear(&local);
	g_clear_pointer(&keys.secret, g_bytes_unref);
	return FALSE;
}
