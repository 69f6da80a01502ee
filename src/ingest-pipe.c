/* Ingesting on two threads; see ingest-pipe.h. */
#include "config.h"

#include <string.h>

#include "clock.h"
#include "ingest-pipe.h"
#include "log.h"

/* One mail on its way from the worker to the store. */
struct pipe_item {
	GBytes *raw;		/* until prepared; NULL: the end */
	struct ingest_prepared *prep;	/* NULL: the end */
	guint64 tag;
	gsize size;		/* of raw, to bound what waits */
	GError *error;		/* at the end: why reading failed */
};

struct ingest_pipe {
	const struct conf *conf;
	ingest_pipe_read_fn read;	/* NULL: mail is pushed */
	gpointer read_data;
	GThread *worker;	/* NULL: sequential */
	GAsyncQueue *in;	/* without read: items pushed, to prepare */
	GMutex lock;		/* guards out, out_bytes and stopping */
	GCond cond;		/* out changed, or stopping was set */
	GQueue out;		/* of struct pipe_item *, prepared, in order */
	gsize out_bytes;
	gboolean stopping;
	/* Guarded by lock too: what the caller's thread is done with, for
	 * the worker to free, so that memory goes back to the allocator of
	 * the thread that took it, and the thread that writes the store
	 * spends no time freeing mail. */
	GPtrArray *trash;	/* of struct pipe_item * */
	GPtrArray *trash_preps;	/* of struct ingest_prepared * */
	/* The caller's thread's own. */
	guint pending;		/* pushed and not taken */
	gboolean ended;		/* the end was taken */
};

static void
item_free(struct pipe_item *it)
{
	if (it->raw != NULL)
		g_bytes_unref(it->raw);
	ingest_prepared_free(it->prep);
	g_clear_error(&it->error);
	g_free(it);
}

/* Frees, on the worker, what the caller's thread has finished with. */
static void
trash_empty(struct ingest_pipe *p, GPtrArray **spare, GPtrArray **spare_preps)
{
	GPtrArray *items, *preps;

	g_mutex_lock(&p->lock);
	items = p->trash;
	preps = p->trash_preps;
	p->trash = *spare;
	p->trash_preps = *spare_preps;
	g_mutex_unlock(&p->lock);
	for (guint i = 0; i < items->len; i++)
		item_free(items->pdata[i]);
	for (guint i = 0; i < preps->len; i++)
		ingest_prepared_free(preps->pdata[i]);
	g_ptr_array_set_size(items, 0);
	g_ptr_array_set_size(preps, 0);
	*spare = items;
	*spare_preps = preps;
}

/* The next mail to prepare: read, or taken from what was pushed. */
static struct pipe_item *
item_get(struct ingest_pipe *p)
{
	struct pipe_item *it;

	if (p->read == NULL)
		return g_async_queue_pop(p->in);
	it = g_new0(struct pipe_item, 1);
	it->raw = p->read(p->read_data, &it->tag, &it->error);
	if (it->raw != NULL)
		it->size = g_bytes_get_size(it->raw);
	return it;
}

static void
item_prepare(struct ingest_pipe *p, struct pipe_item *it)
{
	if (it->raw == NULL)
		return;
	it->prep = ingest_prepare(p->conf, it->raw, clock_now());
	g_clear_pointer(&it->raw, g_bytes_unref);
}

/* Queues IT for the store once there is room; FALSE when the pipe is
 * stopping (IT is not queued then). */
static gboolean
out_put(struct ingest_pipe *p, struct pipe_item *it)
{
	gboolean ok;

	g_mutex_lock(&p->lock);
	while (!p->stopping && p->out.length > 0 &&
	    (p->out.length >= INGEST_PIPE_AHEAD ||
	    p->out_bytes + it->size > INGEST_PIPE_BYTES))
		g_cond_wait(&p->cond, &p->lock);
	ok = !p->stopping;
	if (ok) {
		g_queue_push_tail(&p->out, it);
		p->out_bytes += it->size;
		g_cond_broadcast(&p->cond);
	}
	g_mutex_unlock(&p->lock);
	return ok;
}

/* The oldest prepared item; waits for one. */
static struct pipe_item *
out_take(struct ingest_pipe *p)
{
	struct pipe_item *it;

	g_mutex_lock(&p->lock);
	while (p->out.length == 0)
		g_cond_wait(&p->cond, &p->lock);
	it = g_queue_pop_head(&p->out);
	p->out_bytes -= it->size;
	g_cond_broadcast(&p->cond);
	g_mutex_unlock(&p->lock);
	return it;
}

static gpointer
pipe_work(gpointer data)
{
	struct ingest_pipe *p = data;
	struct pipe_item *it;
	GPtrArray *spare = g_ptr_array_sized_new(INGEST_PIPE_AHEAD);
	GPtrArray *spare_preps = g_ptr_array_sized_new(INGEST_PIPE_AHEAD);
	gboolean end;

	do {
		trash_empty(p, &spare, &spare_preps);
		it = item_get(p);
		end = it->raw == NULL;
		item_prepare(p, it);
		if (!out_put(p, it)) {
			item_free(it);
			break;
		}
	} while (!end);
	g_ptr_array_unref(spare);
	g_ptr_array_unref(spare_preps);
	return NULL;
}

struct ingest_pipe *
ingest_pipe_new(const struct conf *conf, ingest_pipe_read_fn read,
    gpointer data)
{
	struct ingest_pipe *p = g_new0(struct ingest_pipe, 1);
	const char *seq = g_getenv("TIDINGS_SEQUENTIAL");
	g_autoptr(GError) error = NULL;

	p->conf = conf;
	p->read = read;
	p->read_data = data;
	g_mutex_init(&p->lock);
	g_cond_init(&p->cond);
	g_queue_init(&p->out);
	p->trash = g_ptr_array_sized_new(INGEST_PIPE_AHEAD);
	p->trash_preps = g_ptr_array_sized_new(INGEST_PIPE_AHEAD);
	if (read == NULL)
		p->in = g_async_queue_new();
	if (seq != NULL && strcmp(seq, "1") == 0)
		return p;
	/* clock_now() reads TIDINGS_NOW on its first call: made here, while
	 * there is one thread. */
	(void)clock_now();
	p->worker = g_thread_try_new("ingest", pipe_work, p, &error);
	if (p->worker == NULL)
		log_debug("ingest: one thread only: %s", error->message);
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
	if (p->worker != NULL) {
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

	g_mutex_lock(&p->lock);
	ready = p->out.length > 0;
	g_mutex_unlock(&p->lock);
	return ready;
}

/* Hands IT to the worker to free; frees it at once without one. */
static void
trash_put(struct ingest_pipe *p, struct pipe_item *it)
{
	if (p->worker == NULL) {
		item_free(it);
		return;
	}
	g_mutex_lock(&p->lock);
	g_ptr_array_add(p->trash, it);
	g_mutex_unlock(&p->lock);
}

struct ingest_prepared *
ingest_pipe_next(struct ingest_pipe *p, guint64 *tag, GError **error)
{
	struct ingest_prepared *prep;
	struct pipe_item *it;

	if (p->ended || (p->read == NULL && p->pending == 0))
		return NULL;
	if (p->worker == NULL && p->read != NULL) {
		it = item_get(p);
		item_prepare(p, it);
	} else
		it = out_take(p);
	if (p->read == NULL)
		p->pending--;
	prep = g_steal_pointer(&it->prep);
	*tag = it->tag;
	if (prep == NULL) {
		p->ended = TRUE;
		if (it->error != NULL)
			g_propagate_error(error, g_steal_pointer(&it->error));
	}
	trash_put(p, it);
	return prep;
}

void
ingest_pipe_done(struct ingest_pipe *p, struct ingest_prepared *prep)
{
	if (prep == NULL)
		return;
	if (p->worker == NULL) {
		ingest_prepared_free(prep);
		return;
	}
	g_mutex_lock(&p->lock);
	g_ptr_array_add(p->trash_preps, prep);
	g_mutex_unlock(&p->lock);
}

void
ingest_pipe_free(struct ingest_pipe *p)
{
	struct pipe_item *it;

	if (p == NULL)
		return;
	if (p->worker != NULL) {
		g_mutex_lock(&p->lock);
		p->stopping = TRUE;
		g_cond_broadcast(&p->cond);
		g_mutex_unlock(&p->lock);
		/* A worker waiting for mail to be pushed wakes to the end. */
		if (p->in != NULL)
			g_async_queue_push(p->in, g_new0(struct pipe_item, 1));
		g_thread_join(p->worker);
	}
	while ((it = g_queue_pop_head(&p->out)) != NULL)
		item_free(it);
	for (guint i = 0; i < p->trash->len; i++)
		item_free(p->trash->pdata[i]);
	g_ptr_array_unref(p->trash);
	for (guint i = 0; i < p->trash_preps->len; i++)
		ingest_prepared_free(p->trash_preps->pdata[i]);
	g_ptr_array_unref(p->trash_preps);
	if (p->in != NULL) {
		while ((it = g_async_queue_try_pop(p->in)) != NULL)
			item_free(it);
		g_async_queue_unref(p->in);
	}
	g_mutex_clear(&p->lock);
	g_cond_clear(&p->cond);
	g_free(p);
}
