/* Subject keys; see subject.h. */
#include "config.h"

#include <string.h>

#include "message.h"
#include "subject.h"

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
subject_key(const char *subject, gboolean *reply)
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
subject_key_prepare(struct message *msg)
{
	if (msg->subject_key == NULL)
		msg->subject_key = subject_key(msg->subject,
		    &msg->subject_reply);
}

const char *
subject_key_of(const struct message *msg, gboolean *reply, char **own)
{
	*own = NULL;
	if (msg->subject_key != NULL) {
		*reply = msg->subject_reply;
		return msg->subject_key;
	}
	return *own = subject_key(msg->subject, reply);
}
