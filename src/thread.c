/* Threading decisions; see thread.h. */
#include "config.h"

#include "message.h"
#include "thread.h"

GPtrArray *
thread_placing_ids(const struct message *msg)
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

enum thread_step
thread_plan(guint nids, guint nrelatives, const char *key, gboolean reply)
{
	if (nrelatives > 0)
		return THREAD_JOIN;
	if (reply && key != NULL && *key != '\0' && nids == 1)
		return THREAD_BY_SUBJECT;
	return THREAD_NEW;
}

const char *
thread_root(const struct message *msg)
{
	if (msg->references != NULL && msg->references->len > 0)
		return msg->references->pdata[0];
	if (msg->in_reply_to != NULL)
		return msg->in_reply_to;
	return msg->message_id;
}
