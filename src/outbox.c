/* Delivery of the outbox; see outbox.h. */
#include "config.h"

#include <string.h>

#include "clock.h"
#include "conf.h"
#include "log.h"
#include "outbox.h"
#include "smtp.h"
#include "store.h"
#include "store-outbox.h"
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

/* Commits the caller's transaction when OK, else undoes it; whether it
 * was committed. */
static gboolean
commit_or_undo(struct store *st, gboolean ok, GError **error)
{
	if (ok && store_commit(st, error))
		return TRUE;
	store_rollback(st);
	return FALSE;
}

/*
 * Writes the outcome of one try of e, out[i] for pending[i], in the
 * caller's transaction: each recipient sent, failed or still pending
 * (failed when it has waited past retry_for), then the mail's state.
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
		/* With the bounce address it went with when sent: a bounce
		 * to it is then of a mail really sent (take-bounce.c). */
		if (!store_outbox_rcpt_set(st, e->id, r->address, rstate,
		    out[i].code, gave_up != NULL ? gave_up : why,
		    strcmp(rstate, "sent") == 0 ? verp : NULL, now, error))
			return FALSE;
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
	    deferral != NULL ? deferral : failure, now, error))
		return FALSE;
	log_debug("outbox: %s: %s", name, state);
	return TRUE;
}

/* Records, in the caller's transaction, that every pending recipient of e
 * waits because of why (no reply came). */
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

/* Mails read from the store at a time. */
#define OUTBOX_CHUNK 32

/* NOW, a delivery's time at SINCE by the clock, moved on by the time
 * that has passed since: what is recorded (and the claim renewed) bears
 * the time it happened. */
static gint64
moved(gint64 now, gint64 since)
{
	return now + MAX(clock_now() - since, 0);
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

/* What the connections of a delivery open with, read once: the account
 * and the strings it points to. */
struct account {
	struct smtp_account a;
	char *password, *ca_file, *ca_dir;
};

static void
account_clear(struct account *ac)
{
	if (ac->password != NULL) {
		explicit_bzero(ac->password, strlen(ac->password));
		g_free(ac->password);
	}
	g_free(ac->ca_file);
	g_free(ac->ca_dir);
	memset(ac, 0, sizeof(*ac));
}

/* --- the connections ---------------------------------------------------
 *
 * Each connection of a delivery ([smtp] connections, one by default) is a
 * sender thread of its own; the caller's thread alone reads and writes the
 * store.  A sender has the next mail's envelope and message on the wire
 * while the mail before is being recorded, but sends its final dot (after
 * which the server is responsible for it) only once every mail it sent
 * before is recorded: should tidings die, at most one mail per connection
 * was accepted and not recorded. */

/* One mail on its way to a sender thread and back: what the main thread
 * read of it, and what the server answered. */
struct job {
	struct outbox_entry *e;		/* its own, freed with it */
	GPtrArray *pending;	/* of struct outbox_rcpt *, e's */
	const char **addrs;	/* their addresses, NULL-terminated */
	char *sender, *token;
	struct smtp_reply *replies;	/* one per pending recipient */
	struct smtp_mail mail;	/* what goes: sender, addrs and e's mail */
	struct sender *by;	/* the sender that had it */
	gboolean sent;		/* smtp_send_held() returned TRUE */
	GError *error;		/* else why: the connection is dead */
};

static void
job_free(struct job *j)
{
	for (guint i = 0; j->pending != NULL && i < j->pending->len; i++)
		smtp_reply_clear(&j->replies[i]);
	g_free(j->replies);
	g_free(j->addrs);
	g_free(j->sender);
	g_free(j->token);
	if (j->pending != NULL)
		g_ptr_array_unref(j->pending);
	g_clear_error(&j->error);
	outbox_entry_free(j->e);
	g_free(j);
}

static struct job *
job_new(const struct verp_keys *keys, struct outbox_entry *e)
{
	struct job *j = g_new0(struct job, 1);
	guint n;

	j->e = e;
	j->pending = pending_of(e);
	n = j->pending->len;
	j->addrs = g_new0(const char *, n + 1);
	j->replies = g_new0(struct smtp_reply, MAX(n, 1));
	for (guint i = 0; i < n; i++)
		j->addrs[i] = ((struct outbox_rcpt *)j->pending->pdata[i])->address;
	if (n > 0)
		j->sender = sender_of(keys, e, j->addrs[0], &j->token);
	j->mail = (struct smtp_mail){ j->sender, j->addrs, n, e->raw };
	return j;
}

/* What tells a sender thread to stop. */
static struct job stop_job;

/* What a sender thread hands back when its connection did not open. */
static struct job gone_job;

/* What the main thread says of each mail a sender handed back. */
#define RECORDED	GINT_TO_POINTER(1)	/* the next may be taken */
#define NOT_RECORDED	GINT_TO_POINTER(2)	/* the store failed: stop */

/* What one sender thread is given: its own connection, and the queues
 * it shares with the main thread. */
struct sender {
	struct smtp *smtp;	/* NULL until the thread opens it */
	const struct account *account;	/* to open it with */
	guint n, of;		/* it is the Nth connection of OF */
	GAsyncQueue *to_send;	/* of struct job *; &stop_job: stop */
	GAsyncQueue *done;	/* of struct job * */
	GAsyncQueue *acks;	/* RECORDED or NOT_RECORDED, one per mail
				   handed back, in order */
	guint owed;		/* mails handed back, not yet acknowledged;
				   the sender thread's alone */
	gboolean refused;	/* one was acknowledged NOT_RECORDED; the
				   sender thread's alone */
	struct job *next;	/* taken from to_send for its envelope to go
				   behind the last final dot; the sender
				   thread's alone */
	guint mails;		/* taken; the sender thread's until joined */
	gint64 send_us;		/* spent sending them */
	gint64 hold_us;		/* of it, waiting for a record */
	GThread *thread;
};

/* Before a final dot: whether every mail handed back before is recorded,
 * with WAIT once it is; FALSE when one could not be (then for good). */
static gboolean
sender_ready(gpointer data, gboolean wait)
{
	struct sender *s = data;
	gint64 t = wait ? g_get_monotonic_time() : 0;

	while (s->owed > 0 && !s->refused) {
		gpointer ack = wait ? g_async_queue_pop(s->acks) :
		    g_async_queue_try_pop(s->acks);

		if (ack == NULL)
			return FALSE;
		s->owed--;
		s->refused = ack != RECORDED;
	}
	if (wait)
		s->hold_us += g_get_monotonic_time() - t;
	return !s->refused;
}

/* Before a final dot: the mail to send next on the connection, if one
 * is waiting, so that its envelope goes with the dot; NULL when none is,
 * or when the next is to stop. */
static const struct smtp_mail *
sender_next(gpointer data)
{
	struct sender *s = data;
	struct job *j = g_async_queue_try_pop(s->to_send);

	if (j == NULL)
		return NULL;
	if (j == &stop_job) {
		g_async_queue_push_front(s->to_send, j);
		return NULL;
	}
	s->next = j;
	return &j->mail;
}

/* Takes mails until told to stop, each sent once on this thread's
 * connection; after a failure the connection is dead and the thread
 * ends, the mail in hand handed back with why. */
static gpointer
sender_run(gpointer data)
{
	struct sender *s = data;
	const struct smtp_hold hold = { sender_ready, sender_next, s };
	struct job *j;
	gboolean sent = TRUE;
	gint64 t;

	/* The connections after the first open at once, each on its own
	 * thread; one the server refuses (too many, say) is done without. */
	if (s->smtp == NULL) {
		g_autoptr(GError) err = NULL;

		if ((s->smtp = smtp_connect(&s->account->a, &err)) == NULL) {
			log_info("outbox: connection %u of the %u of [smtp] "
			    "connections: %s", s->n, s->of, err->message);
			g_async_queue_push(s->done, &gone_job);
			return NULL;
		}
	}
	while (sent) {
		j = s->next != NULL ? g_steal_pointer(&s->next) :
		    g_async_queue_pop(s->to_send);
		if (j == &stop_job)
			break;
		j->by = s;
		t = g_get_monotonic_time();
		sent = j->sent = smtp_send_held(s->smtp, &j->mail, j->replies,
		    &hold, &j->error);
		s->send_us += g_get_monotonic_time() - t;
		s->mails++;
		s->owed++;
		/* The next mail, taken for its envelope, goes back for the
		 * connections left before this one is handed back: the main
		 * thread counts this connection dead once it has it. */
		if (!sent && s->next != NULL)
			g_async_queue_push_front(s->to_send,
			    g_steal_pointer(&s->next));
		/* J is the main thread's once handed back: SENT is read
		 * before. */
		g_async_queue_push(s->done, j);
	}
	return NULL;
}

/* Records, in the caller's transaction, what came back of J: the
 * server's answers, or that it waits (no answer is known of a mail whose
 * connection died).  The failure is kept in *ERR, the first only. */
static gboolean
job_record(struct store *st, struct job *j, gint64 now, gint64 retry_for,
    struct outbox_stats *stats, GError **err, GError **error)
{
	g_autofree struct outcome *out = g_new0(struct outcome,
	    MAX(j->pending->len, 1));

	if (!j->sent) {
		gboolean ok = record_all(st, j->e, j->error->message, now,
		    retry_for, stats, error);
		if (*err == NULL)
			*err = g_steal_pointer(&j->error);
		return ok;
	}
	for (guint i = 0; i < j->pending->len; i++) {
		out[i].code = j->replies[i].code;
		out[i].text = j->replies[i].text != NULL ? j->replies[i].text :
		    "";
	}
	return record(st, j->e, j->pending, out, j->token, now, retry_for,
	    stats, error);
}

/* The mails of one delivery, claimed a chunk at a time: the next chunk as
 * soon as every mail claimed before is handed out, so that no connection
 * waits for the end of a chunk, and no more than a chunk and the mails in
 * flight are in memory. */
struct feed {
	GQueue due;		/* of struct outbox_entry *, not handed out */
	gboolean claimed;	/* a chunk was claimed: the next is more */
	gint64 last_first;	/* the first id of the last chunk */
	gboolean ended;		/* nothing more is due */
};

/* Claims the next chunk at AT once nothing claimed is left to hand out;
 * FALSE with ERROR when the store failed. */
static gboolean
feed_fill(struct store *st, struct feed *f, gint64 at,
    struct outbox_stats *stats, GError **error)
{
	g_autoptr(GPtrArray) chunk = NULL;
	gint64 first;

	if (f->ended || f->due.length > 0)
		return TRUE;
	chunk = f->claimed ?
	    store_outbox_due_more(st, at, OUTBOX_CHUNK, error) :
	    store_outbox_due(st, at, OUTBOX_CHUNK, error);
	f->claimed = TRUE;
	if (chunk == NULL)
		return FALSE;
	/* Every mail tried leaves the due ones; a chunk that starts where
	 * the last did means nothing moved. */
	if (chunk->len == 0 || (first = ((struct outbox_entry *)
	    chunk->pdata[0])->id) == f->last_first) {
		f->ended = TRUE;
		return TRUE;
	}
	f->last_first = first;
	stats->due += chunk->len;
	log_debug("outbox: %u mails due", chunk->len);
	for (guint i = 0; i < chunk->len; i++)
		g_queue_push_tail(&f->due, chunk->pdata[i]);
	/* The entries are the feed's now, then each its job's. */
	g_ptr_array_set_free_func(chunk, NULL);
	return TRUE;
}

/* The next mail due, or NULL when none is left or the store failed
 * (*STORE_OK FALSE, ERROR set). */
static struct outbox_entry *
feed_next(struct store *st, struct feed *f, gint64 at,
    struct outbox_stats *stats, gboolean *store_ok, GError **error)
{
	if (!(*store_ok = feed_fill(st, f, at, stats, error)))
		return NULL;
	return g_queue_pop_head(&f->due);
}

/* Delivers what F claims over the connections of the senders (*ALIVE of
 * them alive), each mail handed to one of them, never two, and at most two
 * mails out per connection alive: the one on the wire and the next.
 * Outcomes are recorded here as they come back, those that came back
 * together in one transaction (one per connection at most, as each waits
 * for the record of its last before the next final dot), every
 * OUTBOX_SYNC_EVERY-th mail and the last on disk, and each acknowledged
 * to its sender.  Once no connection is left, the mails handed out but
 * not taken wait, as what F has not handed out does.  NOW at SINCE is
 * the delivery's time.  *ERR: the first connection that died; ERROR: the
 * store failed. */
static void
deliver_parallel(struct store *st, GAsyncQueue *to_send, GAsyncQueue *done,
    guint *alive, const struct verp_keys *keys, struct feed *f, gint64 now,
    gint64 since, gint64 retry_for, struct outbox_stats *stats,
    GError **err, GError **error)
{
	struct outbox_times *times = &stats->times;
	guint out = 0, recorded = 0;
	gboolean store_ok = TRUE;
	struct outbox_entry *e;
	gint64 t = g_get_monotonic_time(), t1;

	for (;;) {
		struct job *back[2 * OUTBOX_CONNECTIONS_MAX], *j;
		guint n = 0, k;
		gboolean sync;

		while (store_ok && 2 * *alive > out && (e = feed_next(st, f,
		    moved(now, since), stats, &store_ok, error)) != NULL) {
			j = job_new(keys, e);
			if (j->pending->len == 0) {	/* only its state to set */
				/* On disk when it may be the delivery's last. */
				store_ok = store_set_durable(st,
				    f->due.length == 0 && out == 0, error) &&
				    store_begin(st, error) &&
				    commit_or_undo(st, record(st, j->e,
				    j->pending, NULL, NULL, moved(now, since),
				    retry_for, stats, error), error);
				job_free(j);
				continue;
			}
			g_async_queue_push(to_send, j);
			out++;
		}
		t1 = g_get_monotonic_time();
		times->claim += t1 - t;
		if (out == 0)
			break;
		back[n++] = g_async_queue_pop(done);
		t = g_get_monotonic_time();
		times->idle += t - t1;
		while (n < G_N_ELEMENTS(back) &&
		    (j = g_async_queue_try_pop(done)) != NULL)
			back[n++] = j;
		/* A connection that did not open hands back no mail. */
		k = 0;
		for (guint i = 0; i < n; i++)
			if (back[i] == &gone_job)
				(*alive)--;
			else
				back[k++] = back[i];
		n = k;
		out -= n;
		sync = (recorded + n) / OUTBOX_SYNC_EVERY >
		    recorded / OUTBOX_SYNC_EVERY || (out == 0 &&
		    f->due.length == 0);
		recorded += n;
		for (guint i = 0; i < n; i++)
			if (!back[i]->sent)
				(*alive)--;
		if (n > 0 && store_ok && (store_ok = store_set_durable(st,
		    sync, error) && store_begin(st, error))) {
			gboolean ok = TRUE;
			gint64 at = moved(now, since);

			for (guint i = 0; ok && i < n; i++)
				ok = job_record(st, back[i], at, retry_for,
				    stats, err, error);
			store_ok = commit_or_undo(st, ok, error);
			times->commits += store_ok;
		}
		for (guint i = 0; i < n; i++) {
			j = back[i];
			if (!j->sent && *err == NULL)
				*err = g_steal_pointer(&j->error);
			g_async_queue_push(j->by->acks, store_ok ? RECORDED :
			    NOT_RECORDED);
			job_free(j);
		}
		t1 = g_get_monotonic_time();
		times->record += t1 - t;
		t = t1;
		/* What is left in TO_SEND was not tried: no sender takes it
		 * once none is left, and none may once the store failed
		 * (nothing more could be recorded). */
		while ((*alive == 0 || !store_ok) &&
		    (j = g_async_queue_try_pop(to_send)) != NULL) {
			out--;
			if (store_ok)
				store_ok = store_set_durable(st, TRUE, error) &&
				    store_begin(st, error) &&
				    commit_or_undo(st, record_all(st, j->e,
				    (*err)->message, moved(now, since),
				    retry_for, stats, error), error);
			job_free(j);
		}
	}
	store_set_durable(st, TRUE, store_ok ? error : NULL);
}

/* The senders of a delivery: the first connection opened here, its
 * failure the delivery's (FALSE with ERROR), then N - 1 more, each opened
 * by its own thread meanwhile, so that their handshakes overlap. */
static gboolean
senders_open(const struct account *account, guint n, GPtrArray *senders,
    GAsyncQueue *to_send, GAsyncQueue *done, GError **error)
{
	struct smtp *first = smtp_connect(&account->a, error);

	if (first == NULL)
		return FALSE;
	for (guint i = 0; i < n; i++) {
		struct sender *s = g_new0(struct sender, 1);

		s->smtp = i == 0 ? first : NULL;
		s->account = account;
		s->n = i + 1;
		s->of = n;
		s->to_send = to_send;
		s->done = done;
		s->acks = g_async_queue_new();
		s->thread = g_thread_new("smtp", sender_run, s);
		g_ptr_array_add(senders, s);
	}
	return TRUE;
}

/* Tells every sender to stop, waits for them and closes the connections;
 * their times go to TIMES. */
static void
senders_close(GPtrArray *senders, struct outbox_times *times)
{
	/* One each; those that ended after a failure leave theirs. */
	for (guint i = 0; i < senders->len; i++) {
		struct sender *s = senders->pdata[i];
		g_async_queue_push(s->to_send, &stop_job);
	}
	for (guint i = 0; i < senders->len; i++) {
		struct sender *s = senders->pdata[i];
		g_thread_join(s->thread);
		times->connections += s->smtp != NULL;
		times->mails += s->mails;
		times->send += s->send_us;
		times->hold += s->hold_us;
		smtp_close(s->smtp);
		g_async_queue_unref(s->acks);
		g_free(s);
	}
	g_ptr_array_set_size(senders, 0);
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

/* outbox_deliver() over N connections: a chunk of due mail at a time (a
 * digest's copies are large, and each is read only when its turn comes),
 * shared among them while any is alive; once none is, what is left waits,
 * saying why. */
static gboolean
deliver_chunks(struct store *st, const struct conf *conf, guint n,
    const struct verp_keys *keys, gint64 now, gint64 retry_for,
    struct outbox_stats *stats, GError **error)
{
	g_autoptr(GPtrArray) senders = g_ptr_array_new();
	GAsyncQueue *to_send = g_async_queue_new();
	GAsyncQueue *done = g_async_queue_new();
	struct feed f = { G_QUEUE_INIT, FALSE, 0, FALSE };
	struct outbox_entry *e;
	GError *err = NULL;
	struct account account = { 0 };
	gint64 since = clock_now(), t;
	guint alive = 0;
	gboolean ok = FALSE, store_ok = TRUE;

	t = g_get_monotonic_time();
	if (!feed_fill(st, &f, moved(now, since), stats, error))
		goto out;
	stats->times.claim += g_get_monotonic_time() - t;
	if (f.due.length > 0 && account_of(conf, &account.a, &account.password,
	    &account.ca_file, &account.ca_dir, &err) &&
	    senders_open(&account, MIN(n, f.due.length),
	    senders, to_send, done, &err))
		alive = senders->len;
	if (alive > 0)
		deliver_parallel(st, to_send, done, &alive, keys, &f, now,
		    since, retry_for, stats, &err, error);
	if (*error != NULL)
		goto out;
	/* No connection is left (or none opened): what was not tried
	 * waits, all of it. */
	while (err != NULL && (e = feed_next(st, &f, moved(now, since),
	    stats, &store_ok, error)) != NULL) {
		gboolean recorded = store_begin(st, error) &&
		    commit_or_undo(st, record_all(st, e, err->message,
		    moved(now, since), retry_for, stats, error), error);
		outbox_entry_free(e);
		if (!recorded)
			goto out;
	}
	if (!store_ok)
		goto out;
	ok = err == NULL;
	if (err != NULL)
		g_propagate_error(error, g_steal_pointer(&err));
out:
	senders_close(senders, &stats->times);
	account_clear(&account);
	g_clear_error(&err);
	g_queue_clear_full(&f.due, (GDestroyNotify)outbox_entry_free);
	g_async_queue_unref(to_send);
	g_async_queue_unref(done);
	return ok;
}

gboolean
outbox_deliver(struct store *st, const struct conf *conf, gint64 now,
    struct outbox_stats *stats, GError **error)
{
	struct outbox_stats local = { 0 };
	struct verp_keys keys = { 0 };
	gint64 retry_for;
	double connections;

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
	connections = conf_get_number(conf, "smtp", "connections");
	if (!deliver_chunks(st, conf, (guint)CLAMP(connections, 1,
	    OUTBOX_CONNECTIONS_MAX), &keys, now, retry_for, stats, error))
		goto fail;
	outbox_stats_clear(&local);
	g_clear_pointer(&keys.secret, g_bytes_unref);
	return TRUE;

fail:
	outbox_stats_clear(&local);
	g_clear_pointer(&keys.secret, g_bytes_unref);
	return FALSE;
}
