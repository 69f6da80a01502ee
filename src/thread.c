/* Threading; see thread.h. */
#include "config.h"

#include <string.h>

#include "message.h"
#include "store.h"
#include "thread.h"

/* Reply and forward prefixes as mail programs write them, lower case. */
static const char *const prefixes[] = {
	"re", "fw", "fwd", "aw", "wg", "sv", "vs", "vb", "antw", "tr", "rv",
	"r", "enc", "odp", "pd", "ynt", "ilt", "res", "réf", "ref", "atb",
	"отв", "回复", "答复", "转发", "回覆", "轉寄", "返信", "転送",
	NULL
};

/* Length of a prefix such as "Re:", "RE[2]:", "Fwd :" or "回复：" at S,
 * or 0. */
static size_t
prefix_len(const char *s)
{
	for (const char *const *p = prefixes; *p != NULL; p++) {
		size_t n = strlen(*p);
		const char *q;
		if (g_ascii_strncasecmp(s, *p, n) != 0 &&
		    !(n > 2 && strncmp(s, *p, n) == 0))
			continue;
		q = s + n;
		if (*q == '[' || *q == '(') {	/* Re[2]: */
			while (g_ascii_isdigit(q[1]))
				q++;
			if (q[1] != ']' && q[1] != ')')
				continue;
			q += 2;
		}
		while (*q == ' ')
			q++;
		if (*q == ':')
			return (size_t)(q + 1 - s);
		if (strncmp(q, "：", strlen("：")) == 0)	/* full-width */
			return (size_t)(q + strlen("：") - s);
	}
	return 0;
}

char *
thread_subject_key(const char *subject, gboolean *reply)
{
	g_autofree char *lower = g_utf8_strdown(subject != NULL ? subject : "",
	    -1);
	const char *s = lower;
	GString *out = g_string_new(NULL);
	gboolean changed = TRUE;

	*reply = FALSE;
	while (changed) {
		size_t n;
		changed = FALSE;
		while (g_ascii_isspace(*s))
			s++;
		if ((n = prefix_len(s)) > 0) {
			s += n;
			*reply = changed = TRUE;
		} else if (*s == '[' && strchr(s, ']') != NULL) {
			s = strchr(s, ']') + 1;	/* a list tag */
			changed = TRUE;
		}
	}
	/* One space between words. */
	for (; *s != '\0'; s++) {
		if (g_ascii_isspace(*s)) {
			if (out->len > 0 && out->str[out->len - 1] != ' ')
				g_string_append_c(out, ' ');
		} else
			g_string_append_c(out, *s);
	}
	while (out->len > 0 && out->str[out->len - 1] == ' ')
		g_string_truncate(out, out->len - 1);
	return g_string_free(out, FALSE);
}

void
thread_key_prepare(struct message *msg)
{
	if (msg->subject_key == NULL)
		msg->subject_key = thread_subject_key(msg->subject,
		    &msg->subject_reply);
}

const char *
thread_key_of(const struct message *msg, gboolean *reply, char **own)
{
	*own = NULL;
	if (msg->subject_key != NULL) {
		*reply = msg->subject_reply;
		return msg->subject_key;
	}
	return *own = thread_subject_key(msg->subject, reply);
}

/* The Message-IDs that place MSG: its own (for a thread rooted at it, or
 * another copy), its references and In-Reply-To. */
static GPtrArray *
placing_ids(const struct message *msg)
{
	GPtrArray *ids = g_ptr_array_new();

	g_ptr_array_add(ids, msg->message_id);
	for (guint i = 0; msg->references != NULL && i < msg->references->len;
	    i++)
		g_ptr_array_add(ids, msg->references->pdata[i]);
	/* Usually the last reference already. */
	if (msg->in_reply_to != NULL && !g_ptr_array_find_with_equal_func(ids,
	    msg->in_reply_to, g_str_equal, NULL))
		g_ptr_array_add(ids, msg->in_reply_to);
	return ids;
}

gboolean
thread_place(struct store *st, const struct message *msg, gint64 *thread,
    GError **error)
{
	g_autoptr(GPtrArray) ids = placing_ids(msg);
	g_autoptr(GArray) rel = NULL;
	g_autofree char *own = NULL;
	const char *key;
	gboolean reply;
	const char *root;

	rel = store_thread_relatives(st, msg->message_id, ids, error);
	if (rel == NULL)
		return FALSE;
	key = thread_key_of(msg, &reply, &own);
	if (rel->len > 0) {
		/* Mail that links threads (a parent arriving after its
		 * children) makes them one. */
		*thread = g_array_index(rel, gint64, 0);
		for (guint i = 1; i < rel->len; i++)
			if (!store_thread_merge(st, *thread,
			    g_array_index(rel, gint64, i), error))
				return FALSE;
		return store_thread_widen(st, *thread, msg->date, error);
	}
	/* Only mail with no references at all: one whose parent is merely
	 * unseen gets its own thread, which mends when the parent comes. */
	if (reply && *key != '\0' && ids->len == 1) {
		*thread = store_thread_by_subject(st, key,
		    msg->date - THREAD_SUBJECT_WINDOW, error);
		if (*thread < 0)
			return FALSE;
		if (*thread > 0)
			return store_thread_widen(st, *thread, msg->date,
			    error);
	}
	/* A new thread, rooted where the references say it starts. */
	root = msg->references != NULL && msg->references->len > 0 ?
	    msg->references->pdata[0] : msg->in_reply_to != NULL ?
	    msg->in_reply_to : msg->message_id;
	*thread = store_thread_new(st, root, msg->subject, key, msg->date,
	    error);
	return *thread > 0;
}
