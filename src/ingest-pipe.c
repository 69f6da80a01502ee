/* Ingesting on several threads; see ingest-pipe.h. */
#include "config.h"

#include <string.h>

#include "clock.h"
#include "crashnote.h"
#include "ingest-pipe.h"
#include "log.h"
#include "rawfile.h"

/* One mail on its way from a worker to the store. */
struct pipe_item {
	GBytes *raw;		/* until prepared; NULL: the end, unless */
	struct rawfile *file;	/* the loader left the mail in its file */
	struct ingest_prepared *prep;	/* NULL: the end */
	guint64 seq;		/* its place in the order the mail came */
	guint64 tag;
	gsize size;		/* of raw, to bound what waits */
	gsize reserved;		/* of the bytes in flight, this one's */
	guint worker;		/* the worker that prepared it */
	gboolean skip;		/* the loader found no mail: none to store */
	gint64 read_us;		/* what reading and loading it took */
	GError *error;		/* at the end: why reading failed */
};

struct ingest_pipe {
	const struct conf *conf;
	ingest_pipe_read_fn read;	/* NULL: mail is pushed */
	ingest_pipe_load_fn load;	/* NULL: read gives the mail itself */
	ingest_pipe_size_fn size;	/* NULL: sizes unknown before loading */
	gpointer read_data;
	GPtrArray *workers;	/* of GThread *; empty: sequential */
	GAsyncQueue *in;	/* without read: items pushed, to prepare */
	/* One worker at a time takes the next mail, and its number. */
	GMutex read_lock;	/* guards what follows */
	guint64 seq_next;
	gboolean read_ended;	/* the end was read */
	/* Everything that crosses between the threads does so under lock,
	 * in batches, so that each thread takes the lock about once per
	 * batch rather than several times per mail: a lock other threads
	 * want costs a system call at every unlock. */
	GMutex lock;		/* guards what follows, to the caller's own */
	GCond cond;		/* something below changed */
	int waiting;		/* threads waiting on cond: only they are woken */
	GQueue out;		/* of struct pipe_item *, prepared, in order */
	guint64 out_next;	/* the seq of the next item out takes */
	GPtrArray *early;	/* items prepared before one that came earlier */
	guint ahead;		/* prepared and not yet handed back */
	gsize ahead_bytes;
	gboolean end_put;	/* the end was read and put */
	/* Bytes loaded (or about to be) whose mail the store has not yet
	 * handed back (ingest_pipe_done(), and the exchange after): all of
	 * them, and those of mail already in order, which the store takes
	 * without waiting for any other. */
	gsize flight;
	gsize flight_in_order;
	gsize large;		/* of flight, the one mail larger than
				   INGEST_PIPE_BYTES, or 0 */
	int reserving;		/* workers waiting to load */
	gboolean taking;	/* the caller's thread waits for mail */
	gboolean stopping;
	/* What the caller's thread is done with, for the worker that made
	 * it to free, so that memory goes back to the allocator's arena of
	 * the thread that took it without locking it against that thread,
	 * and the thread that writes the store spends no time freeing mail.
	 * One of each per worker. */
	GPtrArray *trash[INGEST_PIPE_WORKERS];	/* of struct pipe_item * */
	GPtrArray *trash_preps[INGEST_PIPE_WORKERS];
	/* The caller's thread's own. */
	GQueue taken;		/* taken from out, not yet returned by next */
	GPtrArray *done;	/* items handed back at the next exchange */
	GPtrArray *done_preps;
	GArray *done_workers;	/* of guint: who made each of done_preps */
	GHashTable *prep_worker;	/* prep taken → its worker + 1 */
	GHashTable *prep_bytes;	/* prep taken → the bytes it holds in flight */
	gsize done_bytes_flight;	/* of done_preps */
	gboolean done_large;	/* the large mail in flight is among them */
	gsize done_bytes;
	guint pending;		/* pushed and not taken */
	gboolean ended;		/* the end was taken */
	struct ingest_times times;	/* of the mail taken */
};

/* Hand-backs are held until this many, or until the caller waits. */
#define PIPE_HANDBACK 64
/* The caller's thread, waiting for mail, is woken when this many are
 * ready in order (or at the end, or when the workers must wait for room):
 * woken for each, it would sleep and wake again every mail or two. */
#define PIPE_WAKE_BATCH 16

static void
item_free(struct pipe_item *it)
{
	if (it->raw != NULL)
		g_bytes_unref(it->raw);
	rawfile_unref(it->file);
	ingest_prepared_free(it->prep);
	g_clear_error(&it->error);
	g_free(it);
}

/* Waits, with lock held, for the other thread to change something. */
static void
pipe_wait(struct ingest_pipe *p)
{
	p->waiting++;
	g_cond_wait(&p->cond, &p->lock);
	p->waiting--;
}

/* Wakes, with lock held, whoever waits: most of the time nobody does. */
static void
pipe_wake(struct ingest_pipe *p)
{
	if (p->waiting > 0)
		g_cond_broadcast(&p->cond);
}

static void
free_all(GPtrArray *items, GPtrArray *preps)
{
	for (guint i = 0; i < items->len; i++)
		item_free(items->pdata[i]);
	for (guint i = 0; i < preps->len; i++)
		ingest_prepared_free(preps->pdata[i]);
	g_ptr_array_set_size(items, 0);
	g_ptr_array_set_size(preps, 0);
}

/* The next mail to prepare: read, or taken from what was pushed. */
static struct pipe_item *
item_get(struct ingest_pipe *p)
{
	struct pipe_item *it;
	gint64 t0;

	if (p->read == NULL)
		return g_async_queue_pop(p->in);
	it = g_new0(struct pipe_item, 1);
	t0 = g_get_monotonic_time();
	it->raw = p->read(p->read_data, &it->tag, &it->error);
	if (it->raw != NULL)
		it->size = g_bytes_get_size(it->raw);
	it->read_us = g_get_monotonic_time() - t0;
	return it;
}

/* Loads what read named, outside the readers' lock. */
static void
item_load(struct ingest_pipe *p, struct pipe_item *it)
{
	GBytes *name = it->raw;
	gint64 t0;

	if (p->load == NULL || name == NULL)
		return;
	t0 = g_get_monotonic_time();
	it->raw = p->load(p->read_data, name, &it->file);
	it->read_us += g_get_monotonic_time() - t0;
	g_bytes_unref(name);
	it->skip = it->raw == NULL && it->file == NULL;
	if (it->raw != NULL)
		it->size = g_bytes_get_size(it->raw);
	else
		it->size = it->file != NULL ? it->file->size : 0;
}

static void
item_prepare(struct ingest_pipe *p, struct pipe_item *it)
{
	g_autoptr(GError) error = NULL;

	item_load(p, it);
	if (it->file != NULL) {
		it->prep = ingest_prepare_file(p->conf, it->file, clock_now(),
		    &error);
		g_clear_pointer(&it->file, rawfile_unref);
		/* As when the loader found no mail: it is not there to
		 * store. */
		if (it->prep == NULL) {
			log_warnx("%s", error->message);
			it->skip = TRUE;
		}
		return;
	}
	if (it->raw == NULL)
		return;
	it->prep = ingest_prepare(p->conf, it->raw, clock_now());
	g_clear_pointer(&it->raw, g_bytes_unref);
}

/* Whether what is ready is worth waking the caller's thread for; see
 * PIPE_WAKE_BATCH.  Pushed mail is awaited one by one.  With lock
 * held. */
static gboolean
out_worth_waking(struct ingest_pipe *p)
{
	return p->read == NULL || p->end_put ||
	    p->out.length >= PIPE_WAKE_BATCH ||
	    p->ahead >= INGEST_PIPE_AHEAD || p->ahead_bytes >= INGEST_PIPE_BYTES;
}

/* Puts IT, prepared, where the store takes it: in out when it is the
 * next in order (with those prepared early that follow it), else aside
 * until it is.  With lock held. */
static void
out_put_locked(struct ingest_pipe *p, struct pipe_item *it)
{
	gboolean moved = TRUE;

	p->ahead++;
	p->ahead_bytes += it->size;
	p->end_put = p->end_put || (it->prep == NULL && !it->skip);
	if (it->seq != p->out_next) {
		g_ptr_array_add(p->early, it);
		if (out_worth_waking(p))
			pipe_wake(p);
		return;
	}
	g_queue_push_tail(&p->out, it);
	p->flight_in_order += it->reserved;
	p->out_next++;
	while (moved) {
		moved = FALSE;
		for (guint i = 0; i < p->early->len; i++) {
			struct pipe_item *e = p->early->pdata[i];
			if (e->seq != p->out_next)
				continue;
			g_queue_push_tail(&p->out, e);
			p->flight_in_order += e->reserved;
			g_ptr_array_remove_index_fast(p->early, i);
			p->out_next++;
			moved = TRUE;
			break;
		}
	}
	if (out_worth_waking(p) || p->reserving > 0)
		pipe_wake(p);
}

/* Whether mail number SEQ, of SIZE bytes, may be loaded now.  One larger
 * than INGEST_PIPE_BYTES: when no other such is in flight, and it is the
 * next the store takes (a later one would hold the place while the store
 * waited for those before it); the others go on beside it, so that the
 * workers are not idle while it is prepared.  Another: when it fits in
 * INGEST_PIPE_BYTES with the rest in flight; when it is the next the
 * store takes, once the store is done with all it took before (what else
 * is in flight then came early).  So at most one large mail and
 * INGEST_PIPE_BYTES of others are in memory at a time, and the next in
 * order never waits for one after it.  With lock held. */
static gboolean
may_load(struct ingest_pipe *p, guint64 seq, gsize size)
{
	if (size > INGEST_PIPE_BYTES)
		return p->large == 0 && seq == p->out_next;
	if (p->flight - p->large + size <= INGEST_PIPE_BYTES)
		return TRUE;
	return seq == p->out_next && p->flight_in_order == 0;
}

/* Waits until IT, named, may be loaded (see may_load()), and counts its
 * bytes in flight from then on.  FALSE when the pipe is stopping. */
static gboolean
reserve(struct ingest_pipe *p, struct pipe_item *it)
{
	gsize size;
	gboolean ok;

	if (p->size == NULL || p->load == NULL || it->raw == NULL)
		return TRUE;
	size = p->size(p->read_data, it->raw);
	g_mutex_lock(&p->lock);
	while (!p->stopping && !may_load(p, it->seq, size)) {
		p->reserving++;
		/* What is ready is then all that comes until the store
		 * hands back: it must not wait for more. */
		if (p->taking && p->out.length > 0)
			g_cond_broadcast(&p->cond);
		pipe_wait(p);
		p->reserving--;
	}
	ok = !p->stopping;
	if (ok) {
		p->flight += size;
		if (size > INGEST_PIPE_BYTES)
			p->large = size;
		it->reserved = size;
	}
	g_mutex_unlock(&p->lock);
	return ok;
}

/* Waits until there is room for more mail ahead of the store, and takes
 * what the store handed back into *SPARE, *SPARE_PREPS, to free.  FALSE
 * when the pipe is stopping.  The room is asked for before a mail is read,
 * so that a mail once read is always queued: the one the store waits for
 * may never wait behind those after it. */
static gboolean
room_wait(struct ingest_pipe *p, guint w, GPtrArray **spare,
    GPtrArray **spare_preps)
{
	GPtrArray *t;
	gboolean ok;

	g_mutex_lock(&p->lock);
	while (!p->stopping && p->ahead > 0 &&
	    (p->ahead >= INGEST_PIPE_AHEAD ||
	    p->ahead_bytes >= INGEST_PIPE_BYTES))
		pipe_wait(p);
	ok = !p->stopping;
	t = p->trash[w];
	p->trash[w] = *spare;
	*spare = t;
	t = p->trash_preps[w];
	p->trash_preps[w] = *spare_preps;
	*spare_preps = t;
	g_mutex_unlock(&p->lock);
	return ok;
}

/* The next mail, numbered, or NULL when another worker read the end. */
static struct pipe_item *
item_next(struct ingest_pipe *p)
{
	struct pipe_item *it = NULL;

	g_mutex_lock(&p->read_lock);
	if (!p->read_ended) {
		it = item_get(p);
		it->seq = p->seq_next++;
		p->read_ended = it->raw == NULL;
	}
	g_mutex_unlock(&p->read_lock);
	return it;
}

/* What a worker is started with. */
struct worker {
	struct ingest_pipe *pipe;
	guint index;
};

static gpointer
pipe_work(gpointer data)
{
	struct worker *self = data;
	struct ingest_pipe *p = self->pipe;
	guint w = self->index;
	struct pipe_item *it;
	GPtrArray *spare = g_ptr_array_sized_new(INGEST_PIPE_AHEAD);
	GPtrArray *spare_preps = g_ptr_array_sized_new(INGEST_PIPE_AHEAD);

	g_free(self);
	crashnote_thread_init();
	while (room_wait(p, w, &spare, &spare_preps)) {
		free_all(spare, spare_preps);
		if ((it = item_next(p)) == NULL)
			break;
		it->worker = w;
		if (!reserve(p, it)) {
			item_free(it);
			break;
		}
		item_prepare(p, it);
		g_mutex_lock(&p->lock);
		out_put_locked(p, it);
		g_mutex_unlock(&p->lock);
	}
	free_all(spare, spare_preps);
	g_ptr_array_unref(spare);
	g_ptr_array_unref(spare_preps);
	return NULL;
}

/* Hands back what the caller's thread is done with; with lock held. */
static void
hand_back(struct ingest_pipe *p)
{
	for (guint i = 0; i < p->done->len; i++) {
		struct pipe_item *it = p->done->pdata[i];
		p->flight -= it->reserved;
		p->flight_in_order -= it->reserved;
		if (it->reserved > INGEST_PIPE_BYTES)
			p->large = 0;
		g_ptr_array_add(p->trash[it->worker], it);
	}
	for (guint i = 0; i < p->done_preps->len; i++)
		g_ptr_array_add(p->trash_preps[g_array_index(p->done_workers,
		    guint, i)], p->done_preps->pdata[i]);
	p->flight -= p->done_bytes_flight;
	p->flight_in_order -= p->done_bytes_flight;
	p->done_bytes_flight = 0;
	if (p->done_large)
		p->large = 0;
	p->done_large = FALSE;
	p->ahead -= p->done->len;
	p->ahead_bytes -= p->done_bytes;
	g_ptr_array_set_size(p->done, 0);
	g_ptr_array_set_size(p->done_preps, 0);
	g_array_set_size(p->done_workers, 0);
	p->done_bytes = 0;
	pipe_wake(p);
}

/* Moves every prepared item into the caller's own queue, handing back
 * what it is done with; waits for one. */
static void
out_take(struct ingest_pipe *p)
{
	gint64 t0 = 0;

	g_mutex_lock(&p->lock);
	hand_back(p);
	if (p->out.length == 0)
		t0 = g_get_monotonic_time();
	p->taking = TRUE;
	while (p->out.length == 0)
		pipe_wait(p);
	p->taking = FALSE;
	if (t0 != 0)
		p->times.wait += g_get_monotonic_time() - t0;
	while (p->out.length > 0)
		g_queue_push_tail(&p->taken, g_queue_pop_head(&p->out));
	g_mutex_unlock(&p->lock);
}

/* Hands back now, when enough waits to be handed back. */
static void
hand_back_some(struct ingest_pipe *p)
{
	if (p->done->len + p->done_preps->len < PIPE_HANDBACK)
		return;
	g_mutex_lock(&p->lock);
	hand_back(p);
	g_mutex_unlock(&p->lock);
}

struct ingest_pipe *
ingest_pipe_new(const struct conf *conf, ingest_pipe_read_fn read,
    ingest_pipe_load_fn load, ingest_pipe_size_fn size, gpointer data)
{
	struct ingest_pipe *p = g_new0(struct ingest_pipe, 1);
	const char *seq = g_getenv("TIDINGS_SEQUENTIAL");
	guint n;

	p->conf = conf;
	p->read = read;
	p->load = load;
	p->size = size;
	p->read_data = data;
	p->workers = g_ptr_array_new();
	p->early = g_ptr_array_new();
	g_mutex_init(&p->read_lock);
	g_mutex_init(&p->lock);
	g_cond_init(&p->cond);
	g_queue_init(&p->out);
	g_queue_init(&p->taken);
	for (guint i = 0; i < INGEST_PIPE_WORKERS; i++) {
		p->trash[i] = g_ptr_array_new();
		p->trash_preps[i] = g_ptr_array_new();
	}
	p->done = g_ptr_array_sized_new(PIPE_HANDBACK);
	p->done_preps = g_ptr_array_sized_new(PIPE_HANDBACK);
	p->done_workers = g_array_sized_new(FALSE, FALSE, sizeof(guint),
	    PIPE_HANDBACK);
	p->prep_worker = g_hash_table_new(g_direct_hash, g_direct_equal);
	p->prep_bytes = g_hash_table_new(g_direct_hash, g_direct_equal);
	if (read == NULL)
		p->in = g_async_queue_new();
	if (seq != NULL && strcmp(seq, "1") == 0)
		return p;
	/* clock_now() reads TIDINGS_NOW on its first call: made here, while
	 * there is one thread. */
	(void)clock_now();
	/* A worker per core: the store's thread waits for them at times (a
	 * commit, a wait for the disk), and its core then prepares mail too. */
	n = CLAMP(g_get_num_processors(), 1, INGEST_PIPE_WORKERS);
	for (guint i = 0; i < n; i++) {
		g_autoptr(GError) error = NULL;
		struct worker *self = g_new(struct worker, 1);
		GThread *t;

		self->pipe = p;
		self->index = i;
		if ((t = g_thread_try_new("ingest", pipe_work, self, &error)) ==
		    NULL) {
			g_free(self);
			log_debug("ingest: %u worker thread%s only: %s", i,
			    i == 1 ? "" : "s", error->message);
			break;
		}
		g_ptr_array_add(p->workers, t);
	}
	return p;
}

void
ingest_pipe_push(struct ingest_pipe *p, GBytes *raw, guint64 tag)
{
	struct pipe_item *it = g_new0(struct pipe_item, 1);

	g_return_if_fail(p->read == NULL && raw != NULL);
	it->raw = g_bytes_ref(raw);
	it->size = g_bytes_get_size(raw);
	it->tag = tag;
	p->pending++;
	if (p->workers->len > 0) {
		g_async_queue_push(p->in, it);
		return;
	}
	item_prepare(p, it);
	g_queue_push_tail(&p->out, it);
}

guint
ingest_pipe_pending(struct ingest_pipe *p)
{
	return p->pending;
}

gboolean
ingest_pipe_ready(struct ingest_pipe *p)
{
	gboolean ready;

	if (p->taken.length > 0)
		return TRUE;
	g_mutex_lock(&p->lock);
	ready = p->out.length > 0;
	g_mutex_unlock(&p->lock);
	return ready;
}

/* Hands IT back to the workers, or frees it without them. */
static void
item_done(struct ingest_pipe *p, struct pipe_item *it)
{
	if (p->workers->len == 0) {
		item_free(it);
		return;
	}
	g_ptr_array_add(p->done, it);
	p->done_bytes += it->size;
	hand_back_some(p);
}

struct ingest_prepared *
ingest_pipe_next(struct ingest_pipe *p, guint64 *tag, GError **error)
{
	struct ingest_prepared *prep;
	struct pipe_item *it;

	for (;;) {
		if (p->ended || (p->read == NULL && p->pending == 0))
			return NULL;
		if (p->workers->len == 0 && p->read != NULL) {
			it = item_get(p);
			item_prepare(p, it);
		} else if (p->workers->len == 0)
			it = g_queue_pop_head(&p->out);
		else {
			if (p->taken.length == 0)
				out_take(p);
			it = g_queue_pop_head(&p->taken);
		}
		if (p->read == NULL)
			p->pending--;
		/* Mail the loader skipped held its place in the order. */
		if (!it->skip)
			break;
		item_done(p, it);
	}
	prep = g_steal_pointer(&it->prep);
	*tag = it->tag;
	p->times.read += it->read_us;
	if (prep != NULL)
		ingest_prepared_add_times(prep, &p->times);
	if (prep != NULL && p->workers->len > 0) {
		g_hash_table_insert(p->prep_worker, prep,
		    GUINT_TO_POINTER(it->worker + 1));
		/* Its mail is in flight until the store is done with it,
		 * not only until it is taken. */
		if (it->reserved > 0)
			g_hash_table_insert(p->prep_bytes, prep,
			    GSIZE_TO_POINTER(it->reserved));
		it->reserved = 0;
	}
	if (prep == NULL) {
		p->ended = TRUE;
		if (it->error != NULL)
			g_propagate_error(error, g_steal_pointer(&it->error));
	}
	item_done(p, it);
	return prep;
}

void
ingest_pipe_times(const struct ingest_pipe *p, struct ingest_times *t)
{
	*t = p->times;
	t->workers = p->workers->len;
}

void
ingest_pipe_done(struct ingest_pipe *p, struct ingest_prepared *prep)
{
	gsize bytes;
	guint w;

	if (prep == NULL)
		return;
	if (p->workers->len == 0) {
		ingest_prepared_free(prep);
		return;
	}
	w = GPOINTER_TO_UINT(g_hash_table_lookup(p->prep_worker, prep));
	g_return_if_fail(w > 0);
	g_hash_table_remove(p->prep_worker, prep);
	bytes = GPOINTER_TO_SIZE(g_hash_table_lookup(p->prep_bytes, prep));
	p->done_bytes_flight += bytes;
	p->done_large = p->done_large || bytes > INGEST_PIPE_BYTES;
	g_hash_table_remove(p->prep_bytes, prep);
	w--;
	g_ptr_array_add(p->done_preps, prep);
	g_array_append_val(p->done_workers, w);
	hand_back_some(p);
}

void
ingest_pipe_free(struct ingest_pipe *p)
{
	struct pipe_item *it;

	if (p == NULL)
		return;
	if (p->workers->len > 0) {
		g_mutex_lock(&p->lock);
		p->stopping = TRUE;
		g_cond_broadcast(&p->cond);
		g_mutex_unlock(&p->lock);
		/* The worker waiting for mail to be pushed wakes to the end,
		 * which the others then see. */
		if (p->in != NULL)
			g_async_queue_push(p->in, g_new0(struct pipe_item, 1));
		for (guint i = 0; i < p->workers->len; i++)
			g_thread_join(p->workers->pdata[i]);
	}
	g_ptr_array_unref(p->workers);
	while ((it = g_queue_pop_head(&p->out)) != NULL)
		item_free(it);
	for (guint i = 0; i < p->early->len; i++)
		item_free(p->early->pdata[i]);
	g_ptr_array_unref(p->early);
	while ((it = g_queue_pop_head(&p->taken)) != NULL)
		item_free(it);
	for (guint i = 0; i < INGEST_PIPE_WORKERS; i++) {
		free_all(p->trash[i], p->trash_preps[i]);
		g_ptr_array_unref(p->trash[i]);
		g_ptr_array_unref(p->trash_preps[i]);
	}
	free_all(p->done, p->done_preps);
	g_ptr_array_unref(p->done);
	g_ptr_array_unref(p->done_preps);
	g_array_unref(p->done_workers);
	/* Preps taken and never handed back are the caller's to free. */
	g_hash_table_unref(p->prep_worker);
	g_hash_table_unref(p->prep_bytes);
	if (p->in != NULL) {
		while ((it = g_async_queue_try_pop(p->in)) != NULL)
			item_free(it);
		g_async_queue_unref(p->in);
	}
	g_mutex_clear(&p->read_lock);
	g_mutex_clear(&p->lock);
	g_cond_clear(&p->cond);
	g_free(p);
}
