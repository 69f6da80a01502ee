/* Unit tests for the outbox: queueing with a dedupe key, what is due, the
 * states of recipients and mails, retry and purge in the store; the DATA
 * encoding and the backoff of delivery; delivery against a server that
 * cannot be reached, against one that drops the connection after the
 * message, and over one or several connections, each mail's final dot
 * only after the mail before it on its connection is recorded. */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "conf.h"
#include "db.h"
#include "outbox.h"
#include "smtp.h"
#include "store.h"
#include "store-team.h"
#include "store-outbox.h"
#include "testdb.h"

struct fixture {
	char *dir;
	char *path;		/* the database: file or URI (testdb.h) */
	struct store *st;
};

static void
setup(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("tidings-outbox-XXXXXX", NULL);
	f->path = testdb_create(f->dir, FALSE);
	f->st = store_open(f->path, &error);
	g_assert_no_error(error);
}

static void
teardown(struct fixture *f, gconstpointer data)
{
	g_autofree char *conf = g_build_filename(f->dir, "tidings.conf", NULL);

	store_close(f->st);
	testdb_drop(f->path);
	g_remove(conf);
	g_rmdir(f->dir);
	g_free(f->path);
	g_free(f->dir);
}

/* Queues a mail to the NULL-terminated recipients under key at now;
 * returns whether it was queued. */
static gboolean
add(struct fixture *f, const char *key, gint64 now, ...)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rcpts = g_ptr_array_new();
	g_autoptr(GBytes) raw = g_bytes_new_static("Subject: hi\n\nhello\n",
	    19);
	struct outbox_mail m = {
		.dedupe_key = key,
		.kind = "prompt",
		.sender = "tidings@example.test",
		.raw = raw,
		.subject = key,
	};
	gboolean queued = FALSE;
	const char *r;
	va_list ap;

	va_start(ap, now);
	while ((r = va_arg(ap, const char *)) != NULL)
		g_ptr_array_add(rcpts, (gpointer)r);
	va_end(ap);
	g_ptr_array_add(rcpts, NULL);
	m.recipients = (const char *const *)rcpts->pdata;
	g_assert_true(store_begin(f->st, &error));
	g_assert_true(store_outbox_add(f->st, &m, now, &queued, &error));
	g_assert_true(store_commit(f->st, &error));
	g_assert_no_error(error);
	return queued;
}

static struct outbox_entry *
get(struct fixture *f, gint64 id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) all = store_outbox_list(f->st, TRUE, &error);

	g_assert_no_error(error);
	for (guint i = 0; i < all->len; i++) {
		struct outbox_entry *e = all->pdata[i];
		if (e->id == id) {
			g_ptr_array_steal_index(all, i);
			return e;
		}
	}
	g_assert_not_reached();
}

static const struct outbox_rcpt *
rcpt(const struct outbox_entry *e, const char *address)
{
	for (guint i = 0; i < e->rcpts->len; i++) {
		const struct outbox_rcpt *r = e->rcpts->pdata[i];
		if (strcmp(r->address, address) == 0)
			return r;
	}
	g_assert_not_reached();
}

static void
test_dedupe(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) q = NULL;

	g_assert_true(add(f, "digest-1", 100, "a@x", "b@x", NULL));
	g_assert_false(add(f, "digest-1", 200, "c@x", NULL));
	q = store_outbox_list(f->st, FALSE, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(q->len, ==, 1);
	struct outbox_entry *e = q->pdata[0];
	g_assert_cmpstr(e->dedupe_key, ==, "digest-1");
	g_assert_cmpstr(e->kind, ==, "prompt");
	g_assert_cmpstr(e->state, ==, "queued");
	g_assert_cmpint(e->created_at, ==, 100);
	g_assert_cmpuint(e->rcpts->len, ==, 2);
	g_assert_cmpstr(rcpt(e, "a@x")->state, ==, "pending");
	g_assert_null(e->raw);
}

static void
test_due(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) d1 = NULL, d2 = NULL, d3 = NULL;

	g_assert_cmpint(store_outbox_next_due(f->st, &error), ==, -1);
	g_assert_no_error(error);
	add(f, "late", 200, "a@x", NULL);
	add(f, "early", 100, "b@x", NULL);
	g_assert_cmpint(store_outbox_next_due(f->st, &error), ==, 100);
	g_assert_cmpint(outbox_next_due(f->st, &error), ==, 100);
	d1 = store_outbox_due(f->st, 99, 0, &error);
	g_assert_cmpuint(d1->len, ==, 0);
	d2 = store_outbox_due(f->st, 150, 0, &error);
	g_assert_cmpuint(d2->len, ==, 1);
	g_assert_cmpstr(((struct outbox_entry *)d2->pdata[0])->dedupe_key, ==,
	    "early");
	g_assert_nonnull(((struct outbox_entry *)d2->pdata[0])->raw);
	d3 = store_outbox_due(f->st, 300, 0, &error);
	g_assert_cmpuint(d3->len, ==, 2);
	/* Soonest due first. */
	g_assert_cmpstr(((struct outbox_entry *)d3->pdata[0])->dedupe_key, ==,
	    "early");
	g_assert_no_error(error);
}

/* Two stores on one database, as two processes: a mail claimed by one is
 * not given to the other until it is put back or its claim has passed;
 * a mail tried is no one's. */
static void
test_claim(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) other = store_open(f->path, &error);
	g_autoptr(GPtrArray) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL;
	struct outbox_entry *x;

	g_assert_no_error(error);
	add(f, "one", 100, "a@x", NULL);
	add(f, "two", 100, "b@x", NULL);
	a = store_outbox_due(f->st, 200, 1, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(a->len, ==, 1);
	x = a->pdata[0];
	g_assert_cmpstr(x->dedupe_key, ==, "one");
	/* The other gets the other mail only. */
	b = store_outbox_due(other, 200, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(b->len, ==, 1);
	g_assert_cmpstr(((struct outbox_entry *)b->pdata[0])->dedupe_key, ==,
	    "two");
	/* Claimed mail is due for the others when the claim passes. */
	g_assert_cmpint(store_outbox_next_due(other, &error), ==,
	    200 + STORE_OUTBOX_CLAIM);
	/* The first dies with its mail in hand: the other takes it once
	 * the claim has passed, and not before (it has its own again, put
	 * back by its next call). */
	c = store_outbox_due(other, 200 + STORE_OUTBOX_CLAIM - 1, 0, &error);
	g_assert_cmpuint(c->len, ==, 1);
	g_assert_cmpstr(((struct outbox_entry *)c->pdata[0])->dedupe_key, ==,
	    "two");
	d = store_outbox_due(other, 201 + STORE_OUTBOX_CLAIM, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(d->len, ==, 2);
	/* A mail tried is no one's claim: sent, it is due for nobody. */
	for (guint i = 0; i < d->len; i++) {
		x = d->pdata[i];
		g_assert_true(store_outbox_set(other, x->id, "sent", 1, 0, NULL,
		    300, &error));
	}
	e = store_outbox_due(f->st, 10000, 0, &error);
	g_assert_cmpuint(e->len, ==, 0);
	g_assert_cmpint(store_outbox_next_due(f->st, &error), ==, -1);
	g_assert_no_error(error);
}

/* A sender that makes progress keeps the rest of its claim: renewed from
 * the time of a mail's record once a quarter of the claim has passed, not
 * at every mail. */
static void
test_claim_renewed(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) other = store_open(f->path, &error);
	g_autoptr(GPtrArray) a = NULL, b = NULL;
	gint64 quarter = STORE_OUTBOX_CLAIM / 4;

	g_assert_no_error(error);
	add(f, "one", 100, "a@x", NULL);
	add(f, "two", 100, "b@x", NULL);
	add(f, "three", 100, "c@x", NULL);
	a = store_outbox_due(f->st, 200, 0, &error);
	g_assert_cmpuint(a->len, ==, 3);
	/* Recorded before a quarter has passed: the claim is as it was. */
	g_assert_true(store_outbox_set(f->st, ((struct outbox_entry *)
	    a->pdata[0])->id, "sent", 1, 0, NULL, 200 + quarter - 1, &error));
	g_assert_cmpint(store_outbox_next_due(other, &error), ==,
	    200 + STORE_OUTBOX_CLAIM);
	/* After: the rest is held from then on. */
	g_assert_true(store_outbox_set(f->st, ((struct outbox_entry *)
	    a->pdata[1])->id, "sent", 1, 0, NULL, 200 + quarter, &error));
	g_assert_cmpint(store_outbox_next_due(other, &error), ==,
	    200 + quarter + STORE_OUTBOX_CLAIM);
	b = store_outbox_due(other, 200 + STORE_OUTBOX_CLAIM + 1, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(b->len, ==, 0);
}

/* The next chunk of a delivery is claimed with the last one still held:
 * each chunk has other mail, another process gets none of either, the
 * renewal holds both on, and the next delivery's claim, or closing the
 * store, puts back both. */
static void
test_claim_more(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Store) other = store_open(f->path, &error);
	g_autoptr(GPtrArray) a = NULL, b = NULL, c = NULL, d = NULL;
	struct store *first = store_open(f->path, &error);
	gint64 quarter = STORE_OUTBOX_CLAIM / 4;

	g_assert_no_error(error);
	add(f, "one", 100, "a@x", NULL);
	add(f, "two", 101, "b@x", NULL);
	add(f, "three", 102, "c@x", NULL);
	add(f, "four", 103, "d@x", NULL);
	a = store_outbox_due(first, 200, 2, &error);
	g_assert_cmpuint(a->len, ==, 2);
	b = store_outbox_due_more(first, 200, 2, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(b->len, ==, 2);
	g_assert_cmpstr(((struct outbox_entry *)a->pdata[0])->dedupe_key, ==,
	    "one");
	g_assert_cmpstr(((struct outbox_entry *)b->pdata[0])->dedupe_key, ==,
	    "three");
	c = store_outbox_due(other, 200, 0, &error);
	g_assert_cmpuint(c->len, ==, 0);
	g_clear_pointer(&c, g_ptr_array_unref);
	/* A record after a quarter renews the first chunk with the second. */
	g_assert_true(store_outbox_set(first, ((struct outbox_entry *)
	    b->pdata[0])->id, "sent", 1, 0, NULL, 200 + quarter, &error));
	c = store_outbox_due(other, 200 + STORE_OUTBOX_CLAIM + 1, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(c->len, ==, 0);
	g_clear_pointer(&c, g_ptr_array_unref);
	/* Nothing more is due: an empty chunk, the rest still held. */
	d = store_outbox_due_more(first, 200, 2, &error);
	g_assert_cmpuint(d->len, ==, 0);
	c = store_outbox_due(other, 200, 0, &error);
	g_assert_cmpuint(c->len, ==, 0);
	g_clear_pointer(&c, g_ptr_array_unref);
	/* Closed: the three not recorded go back, from both chunks. */
	store_close(first);
	c = store_outbox_due(other, 200, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(c->len, ==, 3);
}

/* What a store claimed and did not try goes back at its next call and
 * when it is closed. */
static void
test_claim_put_back(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) a = NULL, b = NULL, c = NULL;
	struct store *first = store_open(f->path, &error);

	g_assert_no_error(error);
	add(f, "one", 100, "a@x", NULL);
	a = store_outbox_due(first, 200, 0, &error);
	g_assert_cmpuint(a->len, ==, 1);
	b = store_outbox_due(f->st, 200, 0, &error);
	g_assert_cmpuint(b->len, ==, 0);
	store_close(first);
	c = store_outbox_due(f->st, 200, 0, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(c->len, ==, 1);
	g_clear_pointer(&a, g_ptr_array_unref);
	/* Its own next call puts back the last claim and takes it anew. */
	a = store_outbox_due(f->st, 200, 0, &error);
	g_assert_cmpuint(a->len, ==, 1);
	g_assert_no_error(error);
}

static void
test_states(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(Person) p = person_new("Bob@X");
	g_autoptr(OutboxEntry) e = NULL;
	g_autoptr(GPtrArray) due = NULL;
	g_autofree char *perr = NULL;

	g_assert_true(store_person_save(f->st, p, &error));
	add(f, "m", 100, "a@x", "bob@x", "c@x", NULL);
	g_assert_true(store_begin(f->st, &error));
	g_assert_true(store_outbox_rcpt_set(f->st, 1, "a@x", "sent", 250, NULL,
	    NULL, 110, &error));
	g_assert_true(store_outbox_rcpt_set(f->st, 1, "bob@x", "failed", 550,
	    "550 5.1.1 no such user", NULL, 110, &error));
	g_assert_true(store_outbox_rcpt_set(f->st, 1, "c@x", "pending", 451,
	    "451 try later", NULL, 110, &error));
	g_assert_true(store_outbox_set(f->st, 1, "queued", 1, 170,
	    "c@x: 451 try later", 110, &error));
	g_assert_true(store_commit(f->st, &error));
	g_assert_no_error(error);

	e = get(f, 1);
	g_assert_cmpstr(e->state, ==, "queued");
	g_assert_cmpint(e->attempts, ==, 1);
	g_assert_cmpint(e->next_try_at, ==, 170);
	g_assert_cmpstr(e->last_error, ==, "c@x: 451 try later");
	g_assert_cmpstr(rcpt(e, "a@x")->state, ==, "sent");
	g_assert_cmpint(rcpt(e, "a@x")->code, ==, 250);
	g_assert_cmpstr(rcpt(e, "bob@x")->state, ==, "failed");
	g_assert_cmpstr(rcpt(e, "bob@x")->last_error, ==,
	    "550 5.1.1 no such user");
	g_assert_cmpint(rcpt(e, "c@x")->code, ==, 451);
	g_assert_cmpint(rcpt(e, "c@x")->updated_at, ==, 110);
	/* Not due before its next try. */
	due = store_outbox_due(f->st, 160, 0, &error);
	g_assert_cmpuint(due->len, ==, 0);

	/* The known person's delivery error, matched without case. */
	perr = testdb_text(f->path, "SELECT delivery_error FROM people "
	    "WHERE email = 'Bob@X'");
	g_assert_cmpstr(perr, ==, "550 5.1.1 no such user");
	g_assert_cmpint(testdb_int(f->path, "SELECT delivery_error_at FROM "
	    "people WHERE email = 'Bob@X'"), ==, 110);

	/* The last pending recipient goes out: the mail is sent. */
	g_assert_true(store_begin(f->st, &error));
	g_assert_true(store_outbox_rcpt_set(f->st, 1, "c@x", "sent", 250, NULL,
	    NULL, 180, &error));
	g_assert_true(store_outbox_set(f->st, 1, "sent", 1, 170, NULL, 180,
	    &error));
	g_assert_true(store_commit(f->st, &error));
	g_clear_pointer(&e, outbox_entry_free);
	e = get(f, 1);
	g_assert_cmpstr(e->state, ==, "sent");
	g_assert_cmpint(e->sent_at, ==, 180);
	g_assert_null(e->last_error);
	g_assert_cmpint(store_outbox_next_due(f->st, &error), ==, -1);
	/* Sent mail is listed only with all. */
	g_autoptr(GPtrArray) q = store_outbox_list(f->st, FALSE, &error);
	g_assert_cmpuint(q->len, ==, 0);
	g_assert_no_error(error);
}

static void
test_retry_purge(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(OutboxEntry) e = NULL;

	add(f, "failed", 100, "a@x", NULL);
	add(f, "sent", 100, "b@x", NULL);
	add(f, "waiting", 100, "c@x", NULL);
	g_assert_true(store_begin(f->st, &error));
	g_assert_true(store_outbox_rcpt_set(f->st, 1, "a@x", "failed", 550,
	    "550 no", NULL, 110, &error));
	g_assert_true(store_outbox_set(f->st, 1, "failed", 3, 100, "a@x: 550 no",
	    110, &error));
	g_assert_true(store_outbox_rcpt_set(f->st, 2, "b@x", "sent", 250, NULL,
	    NULL, 110, &error));
	g_assert_true(store_outbox_set(f->st, 2, "sent", 0, 100, NULL, 110,
	    &error));
	g_assert_true(store_outbox_set(f->st, 3, "queued", 2, 5000, "451",
	    110, &error));
	g_assert_true(store_commit(f->st, &error));

	/* A failed mail is queued again, due now, with a new period. */
	g_assert_true(store_outbox_retry(f->st, 1, 1000, &error));
	e = get(f, 1);
	g_assert_cmpstr(e->state, ==, "queued");
	g_assert_cmpint(e->next_try_at, ==, 1000);
	g_assert_cmpint(e->attempts, ==, 0);
	g_assert_cmpint(e->created_at, ==, 1000);
	g_assert_cmpstr(rcpt(e, "a@x")->state, ==, "pending");
	g_clear_pointer(&e, outbox_entry_free);
	/* A waiting one is only made due. */
	g_assert_true(store_outbox_retry(f->st, 3, 1000, &error));
	e = get(f, 3);
	g_assert_cmpint(e->next_try_at, ==, 1000);
	g_assert_cmpint(e->attempts, ==, 2);
	g_assert_cmpint(e->created_at, ==, 100);
	/* Sent or unknown mail is not retried. */
	g_assert_false(store_outbox_retry(f->st, 2, 1000, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(store_outbox_retry(f->st, 99, 1000, &error));
	g_assert_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND);
	g_clear_error(&error);

	/* Purge: only sent mail, only older than the limit. */
	g_assert_cmpint(store_outbox_purge_sent(f->st, 110, &error), ==, 0);
	g_assert_cmpint(store_outbox_purge_sent(f->st, 111, &error), ==, 1);
	g_autoptr(GPtrArray) all = store_outbox_list(f->st, TRUE, &error);
	g_assert_cmpuint(all->len, ==, 2);
	g_assert_no_error(error);
}

static void
check_encode(const char *in, const char *want)
{
	g_autoptr(GBytes) out = smtp_data_encode(in, strlen(in));
	gsize len;
	const char *p = g_bytes_get_data(out, &len);

	g_assert_cmpmem(p, len, want, strlen(want));
}

static void
test_data_encode(void)
{
	check_encode("", ".\r\n");
	check_encode("a", "a\r\n.\r\n");
	check_encode("a\n", "a\r\n.\r\n");
	check_encode("a\r\nb\r\n", "a\r\nb\r\n.\r\n");
	check_encode("a\nb\rc", "a\r\nb\r\nc\r\n.\r\n");
	check_encode(".\n", "..\r\n.\r\n");
	check_encode("x\n.hidden\n..two\r\n. \n", "x\r\n..hidden\r\n...two\r\n"
	    ".. \r\n.\r\n");
	check_encode("a.b\n\n", "a.b\r\n\r\n.\r\n");
}

static void
test_backoff(void)
{
	for (int i = 0; i < 50; i++) {
		gint64 first = outbox_backoff(1), third = outbox_backoff(3);
		gint64 late = outbox_backoff(40);
		g_assert_cmpint(first, >=, 48);
		g_assert_cmpint(first, <=, 72);
		g_assert_cmpint(third, >=, 192);
		g_assert_cmpint(third, <=, 288);
		g_assert_cmpint(late, >=, 2880);
		g_assert_cmpint(late, <=, 4320);
	}
}

/* A configuration for a server on 127.0.0.1:port. */
static struct conf *
conf_port(struct fixture *f, int port, const char *retry_for)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_build_filename(f->dir, "tidings.conf", NULL);
	g_autofree char *text = g_strdup_printf("[smtp]\nhost = 127.0.0.1\n"
	    "port = %d\nsecurity = none\ntimeout = 5s\nretry-for = %s\n",
	    port, retry_for);
	struct conf *conf;

	g_assert_true(g_file_set_contents(path, text, -1, &error));
	conf = conf_load(path, &error);
	g_assert_no_error(error);
	return conf;
}

static void
test_deliver_unreachable(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	/* Port 1: connections are refused. */
	g_autoptr(Conf) conf = conf_port(f, 1, "1h");
	g_autoptr(OutboxEntry) e = NULL;
	struct outbox_stats stats = { 0 };

	add(f, "young", 1000, "a@x", NULL);
	add(f, "old", 1000 - 3600, "b@x", NULL);
	g_assert_false(outbox_deliver(f->st, conf, 1000, &stats, &error));
	g_assert_error(error, SMTP_ERROR, SMTP_ERROR_CONNECTION);
	g_assert_cmpuint(stats.due, ==, 2);
	g_assert_cmpuint(stats.waiting, ==, 1);
	g_assert_cmpuint(stats.failed, ==, 1);
	g_assert_cmpuint(stats.problems->len, ==, 2);
	outbox_stats_clear(&stats);

	/* The young one waits, its error noted, a minute or so later. */
	e = get(f, 1);
	g_assert_cmpstr(e->state, ==, "queued");
	g_assert_cmpint(e->attempts, ==, 1);
	g_assert_cmpint(e->next_try_at, >=, 1048);
	g_assert_cmpint(e->next_try_at, <=, 1072);
	g_assert_nonnull(strstr(e->last_error, "cannot connect to 127.0.0.1:1"));
	g_assert_cmpstr(rcpt(e, "a@x")->state, ==, "pending");
	g_clear_pointer(&e, outbox_entry_free);
	/* The one queued an hour ago is given up (retry-for = 1h). */
	e = get(f, 2);
	g_assert_cmpstr(e->state, ==, "failed");
	g_assert_cmpstr(rcpt(e, "b@x")->state, ==, "failed");
	g_assert_nonnull(strstr(rcpt(e, "b@x")->last_error, "gave up"));
	g_clear_error(&error);

	/* Nothing due: nothing to do, no connection tried. */
	g_assert_true(outbox_deliver(f->st, conf, 1001, NULL, &error));
	g_assert_no_error(error);
}

static void
say(GOutputStream *out, const char *text)
{
	g_output_stream_write_all(out, text, strlen(text), NULL, NULL, NULL);
}

/* A server that takes the envelope and the whole message of the first
 * mail, then closes the connection instead of answering it: the point at
 * which the client cannot know whether the mail went. */
static gpointer
drop_after_message(gpointer data)
{
	GSocketListener *l = data;
	g_autoptr(GSocketConnection) c = g_socket_listener_accept(l, NULL,
	    NULL, NULL);
	GOutputStream *out;
	g_autoptr(GDataInputStream) in = NULL;
	gboolean message = FALSE;
	char *line;

	g_assert_nonnull(c);
	out = g_io_stream_get_output_stream(G_IO_STREAM(c));
	in = g_data_input_stream_new(g_io_stream_get_input_stream(
	    G_IO_STREAM(c)));
	say(out, "220 test ESMTP\r\n");
	while ((line = g_data_input_stream_read_line(in, NULL, NULL,
	    NULL)) != NULL) {
		gboolean end = message && strcmp(line, ".\r") == 0;

		if (message)
			;
		else if (g_str_has_prefix(line, "EHLO "))
			say(out, "250-test\r\n250 PIPELINING\r\n");
		else if (g_str_has_prefix(line, "DATA")) {
			say(out, "354 go on\r\n");
			message = TRUE;
		} else
			say(out, "250 2.1.0 Ok\r\n");
		g_free(line);
		if (end)
			break;
	}
	g_io_stream_close(G_IO_STREAM(c), NULL, NULL);
	return NULL;
}

static void
test_deliver_dropped(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketListener) l = g_socket_listener_new();
	g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(
	    G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
	g_autoptr(GSocketAddress) bound = NULL;
	g_autoptr(Conf) conf = NULL;
	g_autoptr(OutboxEntry) e = NULL;
	struct outbox_stats stats = { 0 };
	GThread *server;

	g_assert_true(g_socket_listener_add_address(l, any,
	    G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
	    &error));
	conf = conf_port(f, g_inet_socket_address_get_port(
	    G_INET_SOCKET_ADDRESS(bound)), "1h");
	server = g_thread_new("smtp", drop_after_message, l);
	add(f, "one", 1000, "a@x", "b@x", NULL);
	add(f, "two", 1000, "c@x", NULL);
	g_assert_false(outbox_deliver(f->st, conf, 1000, &stats, &error));
	g_thread_join(server);
	g_assert_error(error, SMTP_ERROR, SMTP_ERROR_CONNECTION);
	g_assert_cmpuint(stats.sent, ==, 0);
	g_assert_cmpuint(stats.waiting, ==, 2);
	outbox_stats_clear(&stats);
	/* Nothing is known of the first mail: it waits, both recipients
	 * pending, and so does the one after it. */
	e = get(f, 1);
	g_assert_cmpstr(e->state, ==, "queued");
	g_assert_cmpint(e->attempts, ==, 1);
	g_assert_cmpstr(rcpt(e, "a@x")->state, ==, "pending");
	g_assert_cmpstr(rcpt(e, "b@x")->state, ==, "pending");
	g_assert_nonnull(strstr(e->last_error, "the end of the message"));
	g_clear_pointer(&e, outbox_entry_free);
	e = get(f, 2);
	g_assert_cmpstr(e->state, ==, "queued");
	g_assert_cmpstr(rcpt(e, "c@x")->state, ==, "pending");
}

/* A server of many connections, each on its thread, that accepts every
 * mail and counts what it took: each recipient's copies, and the mails of
 * each connection.  It refuses connections past REFUSE_AFTER (421), and
 * drops one after DIE_AFTER mails (0: never) without answering the last.
 * With DB, at each final dot it looks in that database whether every mail
 * it took before on the same connection is recorded as sent, and counts
 * those that were not in UNRECORDED; with HOLD too, it keeps the
 * recipients' table locked for HOLD_MS after each 250 while it goes on
 * serving, so that the record of the mail waits while the client is free
 * to send the next. */
struct farm {
	GSocketListener *listener;
	GCancellable *stop;
	GThread *acceptor;
	GMutex lock;
	GHashTable *copies;	/* address → count */
	guint connections;	/* accepted and served */
	guint busy;		/* connections that took a mail */
	guint refuse_after;
	guint die_after;
	gboolean died;
	const char *db;
	gboolean hold;
	guint unrecorded;	/* dots that came before the record of the
				   mail before */
	guint ahead;		/* dots with more behind them, come in the
				   same flight */
	gboolean rset_closes;	/* RSET is answered 421, and the end */
	gboolean eight;		/* it offers 8BITMIME */
	guint gate;		/* connections after the first greeted only
				   once that many are open together */
	guint gated;		/* of them, open */
	guint gate_missed;	/* greeted after waiting a second in vain */
	GCond gate_cond;
	guint body8;		/* MAIL FROM with BODY=8BITMIME */
	GPtrArray *handlers;	/* of GThread * */
	int port;
};

struct farm_conn {
	struct farm *farm;
	GSocketConnection *c;
	gboolean refuse;
	guint index;		/* 1 for the first connection taken */
};

/* Ends the transaction of the database connection DATA after HOLD_MS and
 * closes it. */
#define HOLD_MS	40
static gpointer
farm_release(gpointer data)
{
	struct db *lock = data;

	g_usleep(HOLD_MS * 1000);
	g_assert_cmpint(db_exec(lock, "COMMIT"), ==, DB_OK);
	db_close(lock);
	return NULL;
}

static gpointer
farm_serve(gpointer data)
{
	struct farm_conn *fc = data;
	struct farm *fm = fc->farm;
	GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(fc->c));
	g_autoptr(GDataInputStream) in = g_data_input_stream_new(
	    g_io_stream_get_input_stream(G_IO_STREAM(fc->c)));
	g_autoptr(GPtrArray) rcpts = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GString) taken = g_string_new(NULL);	/* 'a@x', ... */
	GThread *releaser = NULL;
	guint n_taken = 0;
	gboolean message = FALSE, die = FALSE;
	guint mails = 0;
	char *line;

	if (fc->refuse) {
		say(out, "421 4.7.0 too many connections\r\n");
		goto out;
	}
	if (fm->gate > 0 && fc->index > 1) {
		gint64 until = g_get_monotonic_time() + G_TIME_SPAN_SECOND;

		g_mutex_lock(&fm->lock);
		fm->gated++;
		g_cond_broadcast(&fm->gate_cond);
		while (fm->gated < fm->gate &&
		    g_cond_wait_until(&fm->gate_cond, &fm->lock, until))
			;
		if (fm->gated < fm->gate)
			fm->gate_missed++;
		g_mutex_unlock(&fm->lock);
	}
	say(out, "220 farm ESMTP\r\n");
	while ((line = g_data_input_stream_read_line(in, NULL, NULL,
	    NULL)) != NULL) {
		if (message && strcmp(line, ".\r") == 0) {
			message = FALSE;
			mails++;
			if (g_buffered_input_stream_get_available(
			    G_BUFFERED_INPUT_STREAM(in)) > 0) {
				g_mutex_lock(&fm->lock);
				fm->ahead++;
				g_mutex_unlock(&fm->lock);
			}
			if (fm->db != NULL && n_taken > 0) {
				g_autofree char *sql = g_strdup_printf(
				    "SELECT count(*) FROM outbox_recipients "
				    "WHERE state = 'sent' AND address IN (%s)",
				    taken->str);
				if (testdb_int(fm->db, sql) != n_taken) {
					g_mutex_lock(&fm->lock);
					fm->unrecorded++;
					g_mutex_unlock(&fm->lock);
				}
			}
			for (guint i = 0; i < rcpts->len; i++, n_taken++)
				g_string_append_printf(taken, "%s'%s'",
				    taken->len > 0 ? ", " : "",
				    (char *)rcpts->pdata[i]);
			g_mutex_lock(&fm->lock);
			if (fm->die_after > 0 && mails == fm->die_after &&
			    !fm->died)
				fm->died = die = TRUE;
			for (guint i = 0; !die && i < rcpts->len; i++) {
				guint n = GPOINTER_TO_UINT(g_hash_table_lookup(
				    fm->copies, rcpts->pdata[i]));
				g_hash_table_insert(fm->copies, g_strdup(
				    rcpts->pdata[i]), GUINT_TO_POINTER(n + 1));
			}
			if (!die && mails == 1)
				fm->busy++;
			g_mutex_unlock(&fm->lock);
			g_ptr_array_set_size(rcpts, 0);
			if (!die && fm->hold) {
				struct db *lock = testdb_connect(fm->db);
				if (releaser != NULL)
					g_thread_join(releaser);
				g_assert_cmpint(db_exec(lock, testdb_is_pg() ?
				    "BEGIN; LOCK TABLE outbox_recipients IN "
				    "EXCLUSIVE MODE" : "BEGIN IMMEDIATE"), ==,
				    DB_OK);
				say(out, "250 2.0.0 Ok: queued\r\n");
				releaser = g_thread_new("release", farm_release,
				    lock);
			} else if (!die)
				say(out, "250 2.0.0 Ok: queued\r\n");
		} else if (message)
			;
		else if (g_str_has_prefix(line, "EHLO "))
			say(out, fm->eight ? "250-farm\r\n250-8BITMIME\r\n"
			    "250 PIPELINING\r\n" : "250-farm\r\n250 PIPELINING\r\n");
		else if (g_str_has_prefix(line, "MAIL FROM:") &&
		    strstr(line, " BODY=8BITMIME") != NULL) {
			g_mutex_lock(&fm->lock);
			fm->body8++;
			g_mutex_unlock(&fm->lock);
			say(out, "250 2.1.0 Ok\r\n");
		}
		else if (g_str_has_prefix(line, "RSET") && fm->rset_closes) {
			say(out, "421 4.3.2 closing\r\n");
			g_free(line);
			break;
		} else if (g_str_has_prefix(line, "RCPT TO:<refused"))
			say(out, "550 5.1.1 no such user\r\n");
		else if (g_str_has_prefix(line, "RCPT TO:<")) {
			char *end = strchr(line, '>');
			g_ptr_array_add(rcpts, g_strndup(line + 9, end != NULL ?
			    (gsize)(end - line - 9) : 0));
			say(out, "250 2.1.5 Ok\r\n");
		} else if (g_str_has_prefix(line, "DATA")) {
			say(out, "354 go on\r\n");
			message = TRUE;
		} else if (g_str_has_prefix(line, "QUIT")) {
			say(out, "221 2.0.0 Bye\r\n");
			g_free(line);
			break;
		} else
			say(out, "250 2.0.0 Ok\r\n");
		g_free(line);
		if (die)
			break;
	}
out:
	if (releaser != NULL)
		g_thread_join(releaser);
	g_io_stream_close(G_IO_STREAM(fc->c), NULL, NULL);
	g_object_unref(fc->c);
	g_free(fc);
	return NULL;
}

static gpointer
farm_accept(gpointer data)
{
	struct farm *fm = data;
	GSocketConnection *c;

	while ((c = g_socket_listener_accept(fm->listener, NULL, fm->stop,
	    NULL)) != NULL) {
		struct farm_conn *fc = g_new0(struct farm_conn, 1);

		fc->farm = fm;
		fc->c = c;
		/* Each reply goes at once, as a server's do. */
		g_socket_set_option(g_socket_connection_get_socket(c),
		    IPPROTO_TCP, TCP_NODELAY, 1, NULL);
		g_mutex_lock(&fm->lock);
		fc->refuse = fm->connections >= fm->refuse_after;
		if (!fc->refuse)
			fc->index = ++fm->connections;
		g_ptr_array_add(fm->handlers, g_thread_new("farm", farm_serve,
		    fc));
		g_mutex_unlock(&fm->lock);
	}
	return NULL;
}

static void
farm_start(struct farm *fm, guint refuse_after, guint die_after,
    const char *db)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(
	    G_SOCKET_FAMILY_IPV4);
	g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
	g_autoptr(GSocketAddress) bound = NULL;

	memset(fm, 0, sizeof *fm);
	g_mutex_init(&fm->lock);
	g_cond_init(&fm->gate_cond);
	fm->copies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	fm->handlers = g_ptr_array_new();
	fm->refuse_after = refuse_after;
	fm->die_after = die_after;
	fm->db = db;
	fm->listener = g_socket_listener_new();
	fm->stop = g_cancellable_new();
	g_assert_true(g_socket_listener_add_address(fm->listener, any,
	    G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
	    &error));
	g_assert_no_error(error);
	fm->port = g_inet_socket_address_get_port(
	    G_INET_SOCKET_ADDRESS(bound));
	fm->acceptor = g_thread_new("accept", farm_accept, fm);
}

static void
farm_stop(struct farm *fm)
{
	g_cancellable_cancel(fm->stop);
	g_thread_join(fm->acceptor);
	for (guint i = 0; i < fm->handlers->len; i++)
		g_thread_join(fm->handlers->pdata[i]);
	g_ptr_array_unref(fm->handlers);
	g_object_unref(fm->listener);
	g_object_unref(fm->stop);
}

static void
farm_clear(struct farm *fm)
{
	g_hash_table_unref(fm->copies);
	g_cond_clear(&fm->gate_cond);
	g_mutex_clear(&fm->lock);
}

/* Delivers N mails, one recipient each (r0@x ...), over [smtp]
 * connections = CONNS to FM; returns what outbox_deliver() did. */
static gboolean
deliver_to_farm(struct fixture *f, struct farm *fm, guint n, int conns,
    struct outbox_stats *stats, GError **error)
{
	g_autofree char *path = g_build_filename(f->dir, "tidings.conf", NULL);
	g_autofree char *text = g_strdup_printf("[smtp]\nhost = 127.0.0.1\n"
	    "port = %d\nsecurity = none\ntimeout = 5s\nconnections = %d\n",
	    fm->port, conns);
	g_autoptr(Conf) conf = NULL;
	g_autoptr(GError) err = NULL;

	for (guint i = 0; i < n; i++) {
		g_autofree char *key = g_strdup_printf("m%u", i);
		g_autofree char *to = g_strdup_printf("r%u@x", i);
		g_assert_true(add(f, key, 1000, to, NULL));
	}
	g_assert_true(g_file_set_contents(path, text, -1, &err));
	conf = conf_load(path, &err);
	g_assert_no_error(err);
	return outbox_deliver(f->st, conf, 1000, stats, error);
}

/* With [smtp] connections = 4, every mail goes once, over several of
 * them; a server that takes only two is sent to over those two.  On each
 * connection the server is given a mail's final dot only once the mail
 * before it is recorded. */
static void
test_deliver_connections(struct fixture *f, gconstpointer data)
{
	guint refuse_after = GPOINTER_TO_UINT(data);
	g_autoptr(GError) error = NULL;
	struct outbox_stats stats = { 0 };
	struct farm fm;
	GHashTableIter it;
	gpointer key, value;

	farm_start(&fm, refuse_after, 0, f->path);
	g_assert_true(deliver_to_farm(f, &fm, 120, 4, &stats, &error));
	g_assert_no_error(error);
	farm_stop(&fm);
	g_assert_cmpuint(stats.due, ==, 120);
	g_assert_cmpuint(stats.sent, ==, 120);
	g_assert_cmpuint(stats.waiting, ==, 0);
	/* Where the time went: every mail handed to one of the connections
	 * that opened, recorded in at most one commit each, the holds part
	 * of the sending. */
	g_assert_cmpuint(stats.times.connections, ==, MIN(4, refuse_after));
	g_assert_cmpuint(stats.times.mails, ==, 120);
	g_assert_cmpuint(stats.times.commits, >=, 1);
	g_assert_cmpuint(stats.times.commits, <=, 120);
	g_assert_cmpint(stats.times.claim, >, 0);
	g_assert_cmpint(stats.times.record, >, 0);
	g_assert_cmpint(stats.times.send, >, 0);
	g_assert_cmpint(stats.times.hold, >=, 0);
	g_assert_cmpint(stats.times.hold, <=, stats.times.send);
	outbox_stats_clear(&stats);
	g_assert_cmpuint(fm.connections, ==, MIN(4, refuse_after));
	g_assert_cmpuint(fm.busy, >=, MIN(2, refuse_after));
	g_assert_cmpuint(fm.unrecorded, ==, 0);
	/* Envelopes went behind final dots (RFC 2920), and yet every dot
	 * came after the record of the mail before. */
	g_assert_cmpuint(fm.ahead, >, 0);
	g_assert_cmpuint(g_hash_table_size(fm.copies), ==, 120);
	g_hash_table_iter_init(&it, fm.copies);
	while (g_hash_table_iter_next(&it, &key, &value))
		g_assert_cmpuint(GPOINTER_TO_UINT(value), ==, 1);
	for (gint64 id = 1; id <= 120; id++) {
		g_autoptr(OutboxEntry) e = get(f, id);
		g_assert_cmpstr(e->state, ==, "sent");
	}
	farm_clear(&fm);
}

/* The connections after the first open together: the server greets
 * them only once all three are open (else after a second in vain), and
 * every mail goes once. */
static void
test_deliver_connections_together(struct fixture *f,
    G_GNUC_UNUSED gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	struct outbox_stats stats = { 0 };
	struct farm fm;

	farm_start(&fm, 8, 0, NULL);
	fm.gate = 3;
	g_assert_true(deliver_to_farm(f, &fm, 40, 4, &stats, &error));
	g_assert_no_error(error);
	farm_stop(&fm);
	g_assert_cmpuint(stats.sent, ==, 40);
	g_assert_cmpuint(stats.times.connections, ==, 4);
	outbox_stats_clear(&stats);
	g_assert_cmpuint(fm.connections, ==, 4);
	g_assert_cmpuint(fm.gate_missed, ==, 0);
	g_assert_cmpuint(g_hash_table_size(fm.copies), ==, 40);
	farm_clear(&fm);
}

/* One of the connections dies after the message of its third mail,
 * unanswered: that mail waits, nothing known of it; the others go over
 * the connections left, once each, and the delivery says what failed. */
static void
test_deliver_connection_dies(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	struct outbox_stats stats = { 0 };
	struct farm fm;
	guint queued = 0;

	farm_start(&fm, 8, 3, NULL);
	g_assert_false(deliver_to_farm(f, &fm, 60, 3, &stats, &error));
	g_assert_error(error, SMTP_ERROR, SMTP_ERROR_CONNECTION);
	farm_stop(&fm);
	g_assert_cmpuint(stats.sent, ==, 59);
	g_assert_cmpuint(stats.waiting, ==, 1);
	outbox_stats_clear(&stats);
	g_assert_cmpuint(g_hash_table_size(fm.copies), ==, 59);
	for (gint64 id = 1; id <= 60; id++) {
		g_autoptr(OutboxEntry) e = get(f, id);
		g_autofree char *to = g_strdup_printf("r%" G_GINT64_FORMAT "@x",
		    id - 1);
		if (strcmp(e->state, "queued") == 0) {
			queued++;
			g_assert_cmpstr(rcpt(e, to)->state, ==, "pending");
			g_assert_false(g_hash_table_contains(fm.copies, to));
		} else {
			g_assert_cmpstr(e->state, ==, "sent");
			g_assert_cmpuint(GPOINTER_TO_UINT(g_hash_table_lookup(
			    fm.copies, to)), ==, 1);
		}
	}
	g_assert_cmpuint(queued, ==, 1);
	farm_clear(&fm);
}

/* Over one connection (the default), every mail goes once, the next
 * mail's envelope and message travelling while the one before is being
 * recorded, but its final dot only once that one is: should tidings die,
 * at most one mail was taken by the server and not recorded. */
static void
test_deliver_one_connection(struct fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	struct outbox_stats stats = { 0 };
	struct farm fm;

	farm_start(&fm, 8, 0, f->path);
	fm.hold = TRUE;
	g_assert_true(deliver_to_farm(f, &fm, 12, 1, &stats, &error));
	g_assert_no_error(error);
	farm_stop(&fm);
	g_assert_cmpuint(stats.sent, ==, 12);
	outbox_stats_clear(&stats);
	g_assert_cmpuint(fm.connections, ==, 1);
	g_assert_cmpuint(g_hash_table_size(fm.copies), ==, 12);
	g_assert_cmpuint(fm.unrecorded, ==, 0);
	farm_clear(&fm);
}

static gboolean
not_ready(gpointer data, G_GNUC_UNUSED gboolean wait)
{
	(*(int *)data)++;
	return FALSE;
}

/* A session with a farm started in FM, the extensions DISABLE named left
 * out. */
static struct smtp *
held_session(struct farm *fm, const char *const *disable)
{
	g_autoptr(GError) error = NULL;
	struct smtp_account a = {
		.host = "127.0.0.1",
		.security = SMTP_SECURITY_NONE,
		.timeout_seconds = 5,
		.helo = "test.example",
		.disable = disable,
	};
	struct smtp *smtp;

	farm_start(fm, 8, 0, NULL);
	a.port = fm->port;
	smtp = smtp_connect(&a, &error);
	g_assert_no_error(error);
	return smtp;
}

/* Closes SMTP, stops the farm FM and checks that it took COPIES mails in
 * all. */
static void
held_end(struct smtp *smtp, struct farm *fm, guint copies)
{
	smtp_close(smtp);
	farm_stop(fm);
	g_assert_cmpuint(g_hash_table_size(fm->copies), ==, copies);
	farm_clear(fm);
}

/* Says the final dot may go once waited for (data "wait"), or at once. */
static gboolean
ready_when(gpointer data, gboolean wait)
{
	const char **how = data;

	how[wait ? 1 : 0] = wait ? "waited" : "asked";
	return wait || strcmp(how[2], "at once") == 0;
}

/* A mail whose caller is ready for its final dot at once is asked once;
 * one whose caller is not is asked again, to wait: both are delivered,
 * once. */
static void
test_send_held_ready(gconstpointer data)
{
	const char *const rcpts[] = { "a@x", NULL };
	g_autoptr(GBytes) raw = g_bytes_new_static("Subject: x\n\nbody\n", 17);
	g_autoptr(GError) error = NULL;
	struct smtp_reply reply = { 0 };
	const char *how[3] = { NULL, NULL, data };
	struct farm fm;
	struct smtp *smtp = held_session(&fm, NULL);

	g_assert_true(smtp_send_held(smtp, &(struct smtp_mail){ "s@x", rcpts,
	    1, raw }, &reply, &(struct smtp_hold){ ready_when, NULL, how },
	    &error));
	g_assert_no_error(error);
	g_assert_cmpint(reply.code, ==, 250);
	g_assert_cmpstr(how[0], ==, "asked");
	g_assert_cmpstr(how[1], ==, strcmp(data, "at once") == 0 ? NULL :
	    "waited");
	smtp_reply_clear(&reply);
	held_end(smtp, &fm, 1);
}

/* A mail whose final dot is refused by its caller (smtp_send_held()) is
 * left unended: the server takes nothing, the session is dead, and it says
 * so; the same with and without PIPELINING. */
static void
test_send_held_stopped(gconstpointer data)
{
	const char *const no_pipelining[] = { "PIPELINING", NULL };
	const char *const rcpts[] = { "a@x", NULL };
	g_autoptr(GBytes) raw = g_bytes_new_static("Subject: x\n\nbody\n", 17);
	g_autoptr(GError) error = NULL;
	struct smtp_reply reply = { 0 };
	struct farm fm;
	struct smtp *smtp = held_session(&fm, data != NULL ? no_pipelining :
	    NULL);
	int calls = 0;

	g_assert_false(smtp_send_held(smtp, &(struct smtp_mail){ "s@x", rcpts,
	    1, raw }, &reply, &(struct smtp_hold){ not_ready, NULL, &calls },
	    &error));
	g_assert_error(error, SMTP_ERROR, SMTP_ERROR_CONNECTION);
	g_assert_nonnull(strstr(error->message, "unended"));
	/* Asked whether the dot may go at once, then to wait for it. */
	g_assert_cmpint(calls, ==, 2);
	g_clear_error(&error);
	/* The session is dead: nothing more goes over it. */
	g_assert_false(smtp_send(smtp, "s@x", rcpts, 1, raw, &reply, &error));
	g_assert_error(error, SMTP_ERROR, SMTP_ERROR_CONNECTION);
	smtp_reply_clear(&reply);
	held_end(smtp, &fm, 0);
}

/* What the next-mail hook of the test below is given: the mails it
 * hands out in turn, then NULL, and how often it was asked. */
struct nexts {
	const struct smtp_mail *mails[2];
	int asked;
};

static gboolean
ready_now(G_GNUC_UNUSED gpointer data, G_GNUC_UNUSED gboolean wait)
{
	return TRUE;
}

static const struct smtp_mail *
next_of(gpointer data)
{
	struct nexts *n = data;

	return n->asked < 2 ? n->mails[n->asked++] : NULL;
}

/* With PIPELINING, the envelope of the mail the caller names as next goes
 * behind the final dot, in the same flight (RFC 2920); sent next, that
 * mail has only its replies read: both are delivered, once each.  Without
 * PIPELINING nothing is asked, and each mail goes as before. */
static void
test_send_held_next(gconstpointer data)
{
	const char *const no_pipelining[] = { "PIPELINING", NULL };
	const char *const a[] = { "a@x", NULL }, *const b[] = { "b@x", "c@x",
	    NULL };
	g_autoptr(GBytes) raw = g_bytes_new_static("Subject: x\n\nbody\n", 17);
	const struct smtp_mail first = { "s@x", a, 1, raw };
	const struct smtp_mail second = { "s@x", b, 2, raw };
	gboolean pipelining = data == NULL;
	struct nexts nexts = { { &second, NULL }, 0 };
	const struct smtp_hold hold = { ready_now, next_of, &nexts };
	g_autoptr(GError) error = NULL;
	struct smtp_reply reply[2] = { { 0 } };
	struct farm fm;
	struct smtp *smtp = held_session(&fm, pipelining ? NULL :
	    no_pipelining);

	g_assert_true(smtp_send_held(smtp, &first, reply, &hold, &error));
	g_assert_no_error(error);
	g_assert_cmpint(reply[0].code, ==, 250);
	smtp_reply_clear(&reply[0]);
	g_assert_true(smtp_send_held(smtp, &second, reply, &hold, &error));
	g_assert_no_error(error);
	g_assert_cmpint(reply[0].code, ==, 250);
	g_assert_cmpint(reply[1].code, ==, 250);
	smtp_reply_clear(&reply[0]);
	smtp_reply_clear(&reply[1]);
	/* The session goes on as before: a third mail, no hook. */
	g_assert_true(smtp_send(smtp, "s@x", a, 1, raw, reply, &error));
	g_assert_no_error(error);
	smtp_reply_clear(&reply[0]);
	smtp_close(smtp);
	farm_stop(&fm);
	g_assert_cmpint(nexts.asked, ==, pipelining ? 2 : 0);
	g_assert_cmpuint(fm.ahead, ==, pipelining ? 1 : 0);
	g_assert_cmpuint(GPOINTER_TO_UINT(g_hash_table_lookup(fm.copies,
	    "a@x")), ==, 2);
	g_assert_cmpuint(GPOINTER_TO_UINT(g_hash_table_lookup(fm.copies,
	    "b@x")), ==, 1);
	g_assert_cmpuint(GPOINTER_TO_UINT(g_hash_table_lookup(fm.copies,
	    "c@x")), ==, 1);
	farm_clear(&fm);
}

/* The envelope that goes ahead is answered for its own mail: a refused
 * recipient is that mail's refusal, and the session goes on; a server
 * gone after the dot fails the mail in hand and the one ahead, and takes
 * neither. */
static void
test_send_held_next_answers(gconstpointer data)
{
	gboolean lost = data != NULL;
	const char *const a[] = { "a@x", NULL }, *const r[] = { "refused@x",
	    NULL };
	g_autoptr(GBytes) raw = g_bytes_new_static("Subject: x\n\nbody\n", 17);
	const struct smtp_mail first = { "s@x", a, 1, raw };
	const struct smtp_mail second = { "s@x", r, 1, raw };
	struct nexts nexts = { { &second, NULL }, 0 };
	const struct smtp_hold hold = { ready_now, next_of, &nexts };
	g_autoptr(GError) error = NULL;
	struct smtp_reply reply = { 0 };
	struct farm fm;
	struct smtp *smtp;

	farm_start(&fm, 8, lost ? 1 : 0, NULL);
	smtp = smtp_connect(&(struct smtp_account){ .host = "127.0.0.1",
	    .port = fm.port, .security = SMTP_SECURITY_NONE,
	    .timeout_seconds = 5, .helo = "test.example" }, &error);
	g_assert_no_error(error);
	g_assert_true(smtp_send_held(smtp, &first, &reply, &hold, &error) !=
	    lost);
	if (lost) {
		g_assert_error(error, SMTP_ERROR, SMTP_ERROR_CONNECTION);
		g_clear_error(&error);
	} else
		g_assert_cmpint(reply.code, ==, 250);
	smtp_reply_clear(&reply);
	g_assert_true(smtp_send_held(smtp, &second, &reply, &hold, &error) !=
	    lost);
	if (lost) {
		g_assert_error(error, SMTP_ERROR, SMTP_ERROR_CONNECTION);
		g_clear_error(&error);
	} else {
		g_assert_no_error(error);
		g_assert_cmpint(reply.code, ==, 550);
		g_assert_nonnull(strstr(reply.text, "no such user"));
	}
	smtp_reply_clear(&reply);
	if (!lost) {
		g_assert_true(smtp_send(smtp, "s@x", a, 1, raw, &reply,
		    &error));
		g_assert_cmpint(reply.code, ==, 250);
		smtp_reply_clear(&reply);
	}
	smtp_close(smtp);
	farm_stop(&fm);
	g_assert_cmpint(nexts.asked, ==, 1);
	g_assert_cmpuint(GPOINTER_TO_UINT(g_hash_table_lookup(fm.copies,
	    "a@x")), ==, lost ? 0 : 2);
	g_assert_false(g_hash_table_contains(fm.copies, "refused@x"));
	farm_clear(&fm);
}

/* A server that closes at RSET (421) before a second mail: the mail
 * fails with the session, whether its envelope went ahead or not, and
 * nothing of the reply is left behind. */
static void
test_send_rset_closes(gconstpointer data)
{
	const char *const no_pipelining[] = { "PIPELINING", NULL };
	const char *const a[] = { "a@x", NULL }, *const b[] = { "b@x", NULL };
	g_autoptr(GBytes) raw = g_bytes_new_static("Subject: x\n\nbody\n", 17);
	const struct smtp_mail second = { "s@x", b, 1, raw };
	struct nexts nexts = { { &second, NULL }, 0 };
	const struct smtp_hold hold = { ready_now, next_of, &nexts };
	g_autoptr(GError) error = NULL;
	struct smtp_reply reply = { 0 };
	struct farm fm;
	struct smtp *smtp = held_session(&fm, data != NULL ? no_pipelining :
	    NULL);

	fm.rset_closes = TRUE;
	g_assert_true(smtp_send_held(smtp, &(struct smtp_mail){ "s@x", a, 1,
	    raw }, &reply, &hold, &error));
	g_assert_no_error(error);
	smtp_reply_clear(&reply);
	g_assert_false(smtp_send_held(smtp, &second, &reply, &hold, &error));
	g_assert_error(error, SMTP_ERROR, SMTP_ERROR_CONNECTION);
	g_assert_nonnull(strstr(error->message, "421"));
	smtp_reply_clear(&reply);
	held_end(smtp, &fm, 1);
}

/* A mail with 8-bit bytes goes with BODY=8BITMIME when the server
 * offers it, its envelope ahead or not; a 7-bit one, or any when the
 * server does not offer it, without. */
static void
test_send_8bitmime(gconstpointer data)
{
	const char *const no_8bit[] = { "8BITMIME", NULL };
	const char *const a[] = { "a@x", NULL };
	g_autoptr(GBytes) seven = g_bytes_new_static("Subject: x\n\nbody\n",
	    17);
	g_autoptr(GBytes) eight = g_bytes_new_static("Subject: x\n\nbo\xc3"
	    "\xa9\n", 17);
	const struct smtp_mail second = { "s@x", a, 1, eight };
	struct nexts nexts = { { &second, NULL }, 0 };
	const struct smtp_hold hold = { ready_now, next_of, &nexts };
	gboolean offered = data == NULL;
	g_autoptr(GError) error = NULL;
	struct smtp_reply reply = { 0 };
	struct farm fm;
	struct smtp *smtp;

	farm_start(&fm, 8, 0, NULL);
	fm.eight = TRUE;
	smtp = smtp_connect(&(struct smtp_account){ .host = "127.0.0.1",
	    .port = fm.port, .security = SMTP_SECURITY_NONE,
	    .timeout_seconds = 5, .helo = "test.example",
	    .disable = offered ? NULL : no_8bit }, &error);
	g_assert_no_error(error);
	/* 7 bits, then 8 with its envelope ahead, then 8 as before. */
	g_assert_true(smtp_send_held(smtp, &(struct smtp_mail){ "s@x", a, 1,
	    seven }, &reply, &hold, &error));
	smtp_reply_clear(&reply);
	g_assert_true(smtp_send_held(smtp, &second, &reply, &hold, &error));
	smtp_reply_clear(&reply);
	g_assert_true(smtp_send(smtp, "s@x", a, 1, eight, &reply, &error));
	g_assert_no_error(error);
	smtp_reply_clear(&reply);
	g_assert_cmpint(nexts.asked, ==, 2);
	g_assert_cmpuint(fm.ahead, ==, 1);
	g_assert_cmpuint(fm.body8, ==, offered ? 2 : 0);
	held_end(smtp, &fm, 1);
}

/* A mail other than the one whose envelope went ahead is a mistake of
 * the caller's: it is said, and the session ends without sending it. */
static void
test_send_held_next_other(void)
{
	const char *const a[] = { "a@x", NULL }, *const b[] = { "b@x", NULL };
	g_autoptr(GBytes) raw = g_bytes_new_static("Subject: x\n\nbody\n", 17);
	const struct smtp_mail first = { "s@x", a, 1, raw };
	const struct smtp_mail second = { "s@x", b, 1, raw };
	struct nexts nexts = { { &second, NULL }, 0 };
	const struct smtp_hold hold = { ready_now, next_of, &nexts };
	g_autoptr(GError) error = NULL;
	struct smtp_reply reply = { 0 };
	struct farm fm;
	struct smtp *smtp = held_session(&fm, NULL);

	g_assert_true(smtp_send_held(smtp, &first, &reply, &hold, &error));
	smtp_reply_clear(&reply);
	g_test_expect_message("tidings", G_LOG_LEVEL_CRITICAL,
	    "*not the mail hold->next gave*");
	g_assert_false(smtp_send_held(smtp, &first, &reply, &hold, &error));
	g_test_assert_expected_messages();
	g_assert_error(error, SMTP_ERROR, SMTP_ERROR_PROTOCOL);
	smtp_reply_clear(&reply);
	smtp_close(smtp);
	farm_stop(&fm);
	g_assert_cmpuint(GPOINTER_TO_UINT(g_hash_table_lookup(fm.copies,
	    "a@x")), ==, 1);
	g_assert_false(g_hash_table_contains(fm.copies, "b@x"));
	farm_clear(&fm);
}

#define ADD(name, fn) \
	g_test_add(name, struct fixture, NULL, setup, fn, teardown)

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ADD("/outbox/dedupe", test_dedupe);
	ADD("/outbox/due", test_due);
	ADD("/outbox/claim", test_claim);
	ADD("/outbox/claim-renewed", test_claim_renewed);
	ADD("/outbox/claim-more", test_claim_more);
	ADD("/outbox/claim-put-back", test_claim_put_back);
	ADD("/outbox/states", test_states);
	ADD("/outbox/retry-purge", test_retry_purge);
	ADD("/outbox/deliver-unreachable", test_deliver_unreachable);
	ADD("/outbox/deliver-dropped", test_deliver_dropped);
	ADD("/outbox/deliver-one-connection", test_deliver_one_connection);
	g_test_add_data_func("/outbox/send-held-at-once", "at once",
	    test_send_held_ready);
	g_test_add_data_func("/outbox/send-held-waited", "waited",
	    test_send_held_ready);
	g_test_add_data_func("/outbox/send-held-next", NULL,
	    test_send_held_next);
	g_test_add_data_func("/outbox/send-held-next-no-pipelining", "",
	    test_send_held_next);
	g_test_add_data_func("/outbox/send-held-next-refused", NULL,
	    test_send_held_next_answers);
	g_test_add_data_func("/outbox/send-held-next-lost", "",
	    test_send_held_next_answers);
	g_test_add_data_func("/outbox/send-rset-closes", NULL,
	    test_send_rset_closes);
	g_test_add_data_func("/outbox/send-rset-closes-no-pipelining", "",
	    test_send_rset_closes);
	g_test_add_data_func("/outbox/send-8bitmime", NULL,
	    test_send_8bitmime);
	g_test_add_data_func("/outbox/send-8bitmime-not-offered", "",
	    test_send_8bitmime);
	g_test_add_func("/outbox/send-held-next-other",
	    test_send_held_next_other);
	g_test_add_data_func("/outbox/send-held-stopped", NULL,
	    test_send_held_stopped);
	g_test_add_data_func("/outbox/send-held-stopped-no-pipelining", "",
	    test_send_held_stopped);
	g_test_add("/outbox/deliver-connections", struct fixture,
	    GUINT_TO_POINTER(100), setup, test_deliver_connections, teardown);
	g_test_add("/outbox/deliver-connections-refused", struct fixture,
	    GUINT_TO_POINTER(2), setup, test_deliver_connections, teardown);
	g_test_add("/outbox/deliver-connections-one-taken", struct fixture,
	    GUINT_TO_POINTER(1), setup, test_deliver_connections, teardown);
	ADD("/outbox/deliver-connections-together",
	    test_deliver_connections_together);
	ADD("/outbox/deliver-connection-dies", test_deliver_connection_dies);
	g_test_add_func("/outbox/data-encode", test_data_encode);
	g_test_add_func("/outbox/backoff", test_backoff);
	return g_test_run();
}
