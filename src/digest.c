/* Digests: a team's answers of one period, gathered from the store and
 * rendered for a subscriber; see digest.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "digest.h"
#include "grid.h"
#include "message.h"
#include "pulse.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "store-team.h"
#include "store-message.h"
#include "store-checkin.h"
#include "store-digest.h"
#include "store-subscription.h"
#include "store-blocker.h"
#include "store-bounce.h"

/* How many earlier prompts' answers are read to see how long a blocker
 * has stood. */
#define HISTORY_LIMIT 600
/* The text part's width, as render.c wraps it. */
#define TEXT_WIDTH 72
#define DAY (24 * 3600)

/* --- freeing ----------------------------------------------------------- */

static void
digest_comment_free(struct digest_comment *c)
{
	g_free(c->author);
	g_free(c->text);
	g_free(c);
}

static void
digest_answer_free(struct digest_answer *a)
{
	g_free(a->email);
	g_free(a->name);
	g_free(a->zone);
	g_free(a->text);
	g_ptr_array_unref(a->comments);
	g_free(a);
}

static void
digest_question_free(struct digest_question *q)
{
	g_free(q->text);
	g_ptr_array_unref(q->answers);
	g_free(q);
}

static void
digest_checkin_free(struct digest_checkin *c)
{
	g_free(c->title);
	g_ptr_array_unref(c->questions);
	g_ptr_array_unref(c->missing);
	g_ptr_array_unref(c->skipped);
	g_free(c);
}

static void
digest_blocker_free(struct digest_blocker *b)
{
	digest_answer_free(b->answer);
	g_free(b->state);
	g_free(b->helpers);
	g_free(b->checkin);
	g_free(b);
}

void
digest_free(struct digest *d)
{
	if (d == NULL)
		return;
	g_free(d->team);
	g_free(d->team_title);
	g_free(d->zone);
	g_ptr_array_unref(d->blockers);
	if (d->tracked != NULL)
		g_ptr_array_unref(d->tracked);
	g_ptr_array_unref(d->checkins);
	g_ptr_array_unref(d->earlier);
	g_ptr_array_unref(d->away);
	if (d->bouncing != NULL)
		g_ptr_array_unref(d->bouncing);
	g_ptr_array_unref(d->comments);
	pulse_free(d->pulse);
	grid_free(d->around_html);
	grid_free(d->around_text);
	g_free(d);
}

gboolean
digest_empty(const struct digest *d)
{
	return d->answers == 0 && d->comments->len == 0 &&
	    d->earlier->len == 0;
}

/* --- blockers ---------------------------------------------------------- */

/* TEXT lower-cased, with apostrophes, slashes and dots inside words
 * dropped ("n/a" is "na", "don't" is "dont") and every other run of
 * punctuation or space made one space. */
static char *
normalize(const char *text)
{
	g_autofree char *folded = g_utf8_casefold(text, -1);
	GString *out = g_string_new(NULL);
	gboolean space = FALSE;

	for (const char *p = folded; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_isalnum(c)) {
			if (space && out->len > 0)
				g_string_append_c(out, ' ');
			space = FALSE;
			g_string_append_unichar(out, c);
		} else if (c == '\'' || c == 0x2019 || c == '/')
			continue;
		else
			space = TRUE;
	}
	return g_string_free(out, FALSE);
}

/* What people write when nothing blocks them, normalized. */
static const char *const no_blocker[] = {
	"", "none", "no", "nope", "nah", "nothing", "na", "nil", "null",
	"zero", "0", "not", "no blocker", "no blockers", "no blocks",
	"no blocking", "none so far", "no blockers so far", "not really",
	"not at all", "not that i know of", "not currently", "not yet",
	"all good", "all clear", "all fine", "all ok", "all okay", "all well",
	"ok", "okay", "good", "fine", "clear", "im good", "im fine",
	"i am good", "i am fine", "were good", "we are good", "no issues",
	"no issue", "no problems", "no problem", "no impediments",
	"nothing blocking", "nothing blocking me", "nothing is blocking",
	"nothing is blocking me", "nothings blocking me", "nothing blocks me",
	"not blocked", "im not blocked", "i am not blocked", "nothing really",
	"nothing new", "nothing to report", "nothing here", "nothing atm",
	"no none", "none thanks", "no thanks", "nothing thanks", "nope none",
	"no blockers thanks", "none at all", "nothing at all", "no blockers at all",
	"no nothing", "none really", "nothing major", "nothing serious",
	"none today", "nothing today", "no blockers today", "no not really",
	"not today", "all good here", "all good thanks", "smooth sailing",
	"clear skies", "none yet", "no blocker today", "unblocked",
	/* German, French, Spanish, Portuguese */
	"keine", "keiner", "nichts", "nein", "keine blocker", "alles gut",
	"aucun", "aucune", "rien", "non", "rien du tout", "nada", "ninguno",
	"ninguna", "nenhum", "nenhuma", "nada de nada",
};

/* Words that may follow what is in no_blocker without changing it. */
static const char *const filler[] = {
	" so far", " at the moment", " atm", " right now", " currently",
	" for now", " today", " thanks", " thank you", " thx", " here",
	" as of now", " at present", " yet", " really", " though",
};

static gboolean
in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return TRUE;
	return FALSE;
}

/* Whether normalized S is a "no blocker", once filler words are taken
 * off its end. */
static gboolean
says_none(char *s)
{
	gboolean again = TRUE;

	while (again) {
		if (in_list(s, no_blocker, G_N_ELEMENTS(no_blocker)))
			return TRUE;
		again = FALSE;
		for (size_t i = 0; i < G_N_ELEMENTS(filler); i++)
			if (g_str_has_suffix(s, filler[i])) {
				s[strlen(s) - strlen(filler[i])] = '\0';
				again = TRUE;
				break;
			}
	}
	return FALSE;
}

/* How a sentence that says its writer is blocked starts, normalized. */
static const char *const blocked_start[] = {
	"blocked", "still blocked", "waiting for", "waiting on",
	"still waiting", "stuck on", "stuck waiting", "stuck with",
	"im blocked", "i am blocked", "im stuck", "i am stuck",
	"were blocked", "we are blocked", "im waiting on", "im waiting for",
	"i am waiting on", "i am waiting for", "blocker", "blocking me",
	"need help with", "cannot proceed", "cant proceed",
	"currently blocked", "currently waiting",
};

/* Whether some sentence of TEXT starts by saying its writer is blocked
 * ("Blocked on the VPN.", "Waiting for review"). */
static gboolean
says_blocked(const char *text)
{
	g_auto(GStrv) parts = g_regex_split_simple("[.!?;\\n]+", text, 0, 0);

	for (char **part = parts; *part != NULL; part++) {
		g_autofree char *n = normalize(*part);
		for (size_t i = 0; i < G_N_ELEMENTS(blocked_start); i++) {
			size_t len = strlen(blocked_start[i]);
			if (strncmp(n, blocked_start[i], len) == 0 &&
			    (n[len] == ' ' || n[len] == '\0'))
				return TRUE;
		}
	}
	return FALSE;
}

gboolean
digest_is_blocker(gboolean blocker, const char *text)
{
	g_autofree char *all = NULL, *first = NULL, *head = NULL;
	const char *end;

	if (says_blocked(text))
		return TRUE;
	if (!blocker)
		return FALSE;
	all = normalize(text);
	if (says_none(all))
		return FALSE;
	/* "None. Thanks for asking!", "No - all fine": the first clause
	 * says it, unless the rest takes it back. */
	end = text + strcspn(text, ".,;:!?\n(-");
	head = g_strndup(text, (gsize)(end - text));
	first = normalize(head);
	if (*end != '\0' && *first != '\0' && says_none(first)) {
		g_autofree char *rest = normalize(end);
		g_autofree char *padded = g_strconcat(" ", rest, " ", NULL);
		return strstr(padded, " but ") != NULL ||
		    strstr(padded, " except ") != NULL ||
		    strstr(padded, " however ") != NULL ||
		    strstr(padded, " although ") != NULL ||
		    strstr(padded, " apart from ") != NULL ||
		    strstr(padded, " other than ") != NULL ||
		    strstr(padded, " block") != NULL ||
		    strstr(padded, " wait") != NULL;
	}
	return TRUE;
}

/* How many days the blocker of ROW has stood: counted in days from the
 * earliest prompt of an unbroken run of earlier prompts of the same
 * person and check-in that had a blocker too, that first day included
 * (a blocker reported on Monday, Tuesday and Wednesday has stood 3
 * days).  Prompts without answers (skipped, missed) neither break the
 * run nor lengthen it. */
static int
blocked_days(struct store *st, const struct digest_row *row, GError **error)
{
	g_autoptr(GPtrArray) hist = store_digest_history(st, row->checkin_id,
	    row->person_id, row->due_at, HISTORY_LIMIT, error);
	gint64 earliest = row->due_at;
	guint i = 0;

	if (hist == NULL)
		return -1;
	while (i < hist->len) {
		struct digest_history *h = hist->pdata[i];
		gint64 prompt = h->prompt_id;
		gboolean answered = FALSE, blocked = FALSE;
		for (; i < hist->len && ((struct digest_history *)
		    hist->pdata[i])->prompt_id == prompt; i++) {
			struct digest_history *a = hist->pdata[i];
			if (a->text == NULL)
				continue;
			answered = TRUE;
			blocked = blocked ||
			    digest_is_blocker(a->blocker, a->text);
		}
		if (answered && !blocked)
			break;
		if (blocked)
			earliest = h->due_at;
	}
	/* Rounded, so that a change of daylight saving time counts no day. */
	return (int)((row->due_at - earliest + DAY / 2) / DAY) + 1;
}

/* --- gathering --------------------------------------------------------- */

/* S on one line, valid UTF-8, without control characters: for names,
 * which also go into headers. */
static char *
one_line(const char *s)
{
	g_autofree char *valid = g_utf8_make_valid(s != NULL ? s : "", -1);
	GString *out = g_string_new(NULL);

	for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_iscntrl(c) || c == 0x2028 || c == 0x2029 ||
		    g_unichar_isspace(c))
			c = ' ';
		if (c == ' ' && (out->len == 0 || out->str[out->len - 1] == ' '))
			continue;
		g_string_append_unichar(out, c);
	}
	g_strchomp(out->str);
	return g_string_free(out, FALSE);
}

static char *
display_name(const char *name, const char *email)
{
	g_autofree char *n = one_line(name);

	return *n != '\0' ? g_steal_pointer(&n) : one_line(email);
}

static struct digest_checkin *
checkin_new(gint64 id, const char *title)
{
	struct digest_checkin *c = g_new0(struct digest_checkin, 1);

	c->id = id;
	c->title = one_line(title);
	c->questions = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)digest_question_free);
	c->missing = g_ptr_array_new_with_free_func(g_free);
	c->skipped = g_ptr_array_new_with_free_func(g_free);
	return c;
}

static struct digest_answer *
answer_new(const struct digest_row *row)
{
	struct digest_answer *a = g_new0(struct digest_answer, 1);

	a->id = row->answer_id;
	a->message = row->message;
	a->email = one_line(row->email);
	a->name = display_name(row->name, row->email);
	a->zone = g_strdup(row->zone);
	a->text = g_strdup(row->text);
	a->at = row->created_at;
	a->late = row->closes_at > 0 && row->created_at > row->closes_at;
	a->comments = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)digest_comment_free);
	return a;
}

/* Groups ROWS (in the store's order) into CHECKINS by check-in and
 * question, indexing each answer by id in BY_ID. */
static void
group_rows(GPtrArray *rows, GPtrArray *checkins, GHashTable *by_id)
{
	struct digest_checkin *c = NULL;
	struct digest_question *q = NULL;
	gint64 question = 0;

	for (guint i = 0; i < rows->len; i++) {
		struct digest_row *row = rows->pdata[i];
		if (c == NULL || c->id != row->checkin_id) {
			c = checkin_new(row->checkin_id, row->checkin);
			g_ptr_array_add(checkins, c);
			question = 0;
		}
		if (question != row->question_id) {
			q = g_new0(struct digest_question, 1);
			q->position = row->retired ? 0 : row->position;
			q->text = g_strdup(row->question);
			q->blocker = row->blocker;
			q->answers = g_ptr_array_new_with_free_func(
			    (GDestroyNotify)digest_answer_free);
			g_ptr_array_add(c->questions, q);
			question = row->question_id;
		}
		struct digest_answer *a = answer_new(row);
		a->checkin = c->title;
		a->question = q->text;
		g_ptr_array_add(q->answers, a);
		g_hash_table_insert(by_id, &a->id, a);
	}
}

static int
blockers_cmp(gconstpointer pa, gconstpointer pb)
{
	const struct digest_answer *a = *(struct digest_answer *const *)pa;
	const struct digest_answer *b = *(struct digest_answer *const *)pb;

	if (a->blocked_days != b->blocked_days)
		return a->blocked_days > b->blocked_days ? -1 : 1;
	return g_utf8_collate(a->name, b->name);
}

/* Marks the blockers among the period's answers and lists them in
 * D->blockers, longest standing first. */
static gboolean
find_blockers(struct store *st, struct digest *d, GPtrArray *rows,
    GHashTable *by_id, GError **error)
{
	for (guint i = 0; i < rows->len; i++) {
		struct digest_row *row = rows->pdata[i];
		struct digest_answer *a;
		if (!digest_is_blocker(row->blocker, row->text))
			continue;
		a = g_hash_table_lookup(by_id, &row->answer_id);
		if ((a->blocked_days = blocked_days(st, row, error)) < 0)
			return FALSE;
		g_ptr_array_add(d->blockers, a);
	}
	g_ptr_array_sort(d->blockers, blockers_cmp);
	return TRUE;
}

/* The blockers followed until they are gone (blocker.c) that D shows:
 * open at its end, or resolved within it; the answers that said them
 * leave D->blockers. */
static gboolean
find_tracked(struct store *st, struct digest *d, gint64 team_id,
    GError **error)
{
	g_autoptr(GPtrArray) rows = store_blocker_digest(st, team_id, d->start,
	    d->end, error);

	if (rows == NULL)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		const struct blocker *b = rows->pdata[i];
		struct digest_blocker *db = g_new0(struct digest_blocker, 1);
		struct digest_answer *a = g_new0(struct digest_answer, 1);
		gboolean resolved = b->resolved_at > 0 &&
		    b->resolved_at < d->end;
		gint64 until = resolved ? b->resolved_at : d->end;

		a->id = b->answer_id;
		a->email = one_line(b->email);
		a->name = display_name(b->name, b->email);
		a->zone = g_strdup(b->zone);
		a->text = g_strdup(b->text);
		a->at = b->confirmed_at;
		a->comments = g_ptr_array_new_with_free_func(
		    (GDestroyNotify)digest_comment_free);
		db->id = b->id;
		db->answer = a;
		db->state = g_strdup(resolved ? "resolved" :
		    strcmp(b->state, "resolved") == 0 ? "open" : b->state);
		db->days = MAX(1, (int)((until - b->opened_at + DAY / 2) / DAY));
		db->helpers = one_line(b->helpers);
		db->checkin = one_line(b->checkin);
		a->checkin = db->checkin;
		a->blocked_days = db->days;
		g_ptr_array_add(d->tracked, db);
	}
	for (guint i = d->blockers->len; i > 0; i--) {
		const struct digest_answer *a = d->blockers->pdata[i - 1];
		gboolean has;
		if (!store_blocker_has_answer(st, a->id, &has, error))
			return FALSE;
		if (has)
			g_ptr_array_remove_index(d->blockers, i - 1);
	}
	return TRUE;
}

static struct digest_checkin *
checkin_of(struct store *st, struct digest *d, gint64 id, GError **error)
{
	g_autoptr(Checkin) c = NULL;

	for (guint i = 0; i < d->checkins->len; i++) {
		struct digest_checkin *dc = d->checkins->pdata[i];
		if (dc->id == id)
			return dc;
	}
	/* Nobody answered it: known from its prompts alone. */
	if ((c = store_checkin_get(st, id, error)) == NULL)
		return NULL;
	g_ptr_array_add(d->checkins, checkin_new(id, c->title));
	return d->checkins->pdata[d->checkins->len - 1];
}

static void
add_once(GPtrArray *list, char *name)
{
	for (guint i = 0; i < list->len; i++)
		if (strcmp(list->pdata[i], name) == 0) {
			g_free(name);
			return;
		}
	g_ptr_array_add(list, name);
}

/* The away list: "Ana Lima (until 3 January)", once per person. */
static void
add_away(struct digest *d, GHashTable *seen, gint64 person,
    const char *name, const char *email, gint64 until, const char *note)
{
	g_autofree char *who = display_name(name, email);
	g_autofree char *date = until > 0 ? sched_format(d->zone, until,
	    "%-d %B") : NULL;
	g_autofree char *what = note != NULL ? one_line(note) : NULL;

	if (g_hash_table_contains(seen, &person))
		return;
	g_hash_table_add(seen, g_memdup2(&person, sizeof person));
	if (date != NULL)
		g_ptr_array_add(d->away, g_strdup_printf("%s (until %s)", who,
		    date));
	else if (what != NULL && *what != '\0')
		g_ptr_array_add(d->away, g_strdup_printf("%s (%s)", who, what));
	else
		g_ptr_array_add(d->away, g_steal_pointer(&who));
}

/* Whether the person asked by prompt P paused their prompts after it was
 * due (by a mail command "pause" rather than an answer): then *UNTIL is
 * when the pause ends. */
static gboolean
paused_after(struct store *st, const struct prompt *p, gint64 *until,
    GError **error)
{
	g_autoptr(Person) who = store_person_get(st, p->email, error);

	*until = 0;
	if (who == NULL)
		return FALSE;
	if (who->paused_until > p->due_at)
		*until = who->paused_until;
	return TRUE;
}

/* "paused until 24 December" of a pause that ends at UNTIL.  Caller
 * frees. */
static char *
paused_note(const struct digest *d, gint64 until)
{
	g_autofree char *date = sched_format(d->zone, until, "%-d %B");

	return g_strdup_printf("paused until %s", date != NULL ? date : "?");
}

/* Who did not answer, who skipped, and who was away, from the prompts
 * due in the period and the availability the members gave.  Someone away
 * or paused in the period is listed as such, never as not answering. */
static gboolean
find_absent(struct store *st, struct digest *d, gint64 team_id,
    GError **error)
{
	g_autoptr(GPtrArray) prompts = store_digest_prompts(st, team_id,
	    d->start, d->end, error);
	g_autoptr(GPtrArray) away = NULL;
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_int64_hash,
	    g_int64_equal, g_free, NULL);

	if (prompts == NULL)
		return FALSE;
	away = store_digest_away(st, team_id, d->start, d->end, error);
	if (away == NULL)
		return FALSE;
	for (guint i = 0; i < away->len; i++) {
		struct digest_away_row *a = away->pdata[i];
		add_away(d, seen, a->person_id, a->name, a->email, a->until,
		    a->summary);
	}
	for (guint i = 0; i < prompts->len; i++) {
		struct prompt *p = prompts->pdata[i];
		const char *reason = p->skip_reason != NULL ? p->skip_reason :
		    "";
		const char *note = strchr(reason, ':');
		struct digest_checkin *c;
		if (g_str_has_prefix(reason, "away")) {
			note = note != NULL ? note + 1 + strspn(note + 1, " ") :
			    NULL;
			add_away(d, seen, p->person_id, p->name, p->email, 0,
			    note);
			continue;
		}
		if (p->state == PROMPT_SKIPPED &&
		    strcmp(reason, "skipped by mail") != 0)
			continue;
		if (g_hash_table_contains(seen, &p->person_id))
			continue;	/* away, listed so */
		if ((c = checkin_of(st, d, p->checkin_id, error)) == NULL)
			return FALSE;
		if (p->state != PROMPT_SKIPPED) {
			gint64 until;
			if (!paused_after(st, p, &until, error))
				return FALSE;
			if (until > 0) {
				g_autofree char *paused = paused_note(d,
				    until);
				add_away(d, seen, p->person_id, p->name,
				    p->email, 0, paused);
				continue;
			}
		}
		add_once(p->state == PROMPT_SKIPPED ? c->skipped :
		    c->missing, display_name(p->name, p->email));
	}
	return TRUE;
}

/* The members whose mail bounces (take-bounce.c), who are not asked. */
static gboolean
find_bouncing(struct store *st, struct digest *d, gint64 team_id,
    GError **error)
{
	g_autoptr(GPtrArray) rows = store_team_mail_dead(st, team_id, error);

	if (rows == NULL)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		struct mail_dead *m = rows->pdata[i];
		g_autofree char *since = sched_format(d->zone, m->since,
		    "%A %-d %B");
		g_autofree char *who = *m->name != '\0' ?
		    g_strdup_printf("%s <%s>", m->name, m->email) :
		    g_strdup(m->email);
		g_ptr_array_add(d->bouncing, g_strdup_printf("mail to %s "
		    "bounces since %s", who, since != NULL ? since : "?"));
	}
	return TRUE;
}

/* Comments made in the period: under their answers (those of earlier
 * periods gathered in D->earlier) or on the digests themselves. */
static gboolean
find_comments(struct store *st, struct digest *d, gint64 team_id,
    GHashTable *by_id, GError **error)
{
	g_autoptr(GPtrArray) rows = store_digest_comments(st, team_id,
	    d->start, d->end, error);
	g_autoptr(GPtrArray) earlier = NULL;

	if (rows == NULL)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		struct digest_comment_row *r = rows->pdata[i];
		if (r->answer_id != 0 && !g_hash_table_contains(by_id,
		    &r->answer_id)) {
			earlier = store_digest_answers(st, team_id, d->start,
			    d->end, TRUE, error);
			if (earlier == NULL)
				return FALSE;
			group_rows(earlier, d->earlier, by_id);
			break;
		}
	}
	for (guint i = 0; i < rows->len; i++) {
		struct digest_comment_row *r = rows->pdata[i];
		struct digest_answer *a = g_hash_table_lookup(by_id,
		    &r->answer_id);
		struct digest_comment *c;
		if (r->answer_id != 0 && a == NULL)
			continue;	/* on an answer no longer current */
		c = g_new0(struct digest_comment, 1);
		c->id = r->id;
		c->author = one_line(*r->author != '\0' ? r->author :
		    "someone");
		c->text = g_strdup(r->text);
		c->at = r->created_at;
		g_ptr_array_add(a != NULL ? a->comments : d->comments, c);
	}
	return TRUE;
}

static int
checkin_cmp(gconstpointer pa, gconstpointer pb)
{
	const struct digest_checkin *a = *(struct digest_checkin *const *)pa;
	const struct digest_checkin *b = *(struct digest_checkin *const *)pb;
	int c = strcmp(a->title, b->title);

	return c != 0 ? c : (a->id > b->id) - (a->id < b->id);
}

/* On the team's around day (that of the last instant the digest covers,
 * in its zone), who is around the seven days from that day's midnight. */
static gboolean
find_around(struct store *st, struct digest *d, const struct team *t,
    GError **error)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(t->zone);
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(d->end - 1);
	g_autoptr(GDateTime) local = NULL, midnight = NULL, week = NULL;
	gint64 from, len;

	if (t->around_day < 0 || tz == NULL)
		return TRUE;
	local = g_date_time_to_timezone(utc, tz);
	if (g_date_time_get_day_of_week(local) - 1 != t->around_day)
		return TRUE;
	midnight = g_date_time_new(tz, g_date_time_get_year(local),
	    g_date_time_get_month(local), g_date_time_get_day_of_month(local),
	    0, 0, 0);
	week = g_date_time_add_days(midnight, 7);
	from = g_date_time_to_unix(midnight);
	/* Seven days of the zone, 167 or 169 hours across a change of
	 * daylight saving time. */
	len = g_date_time_to_unix(week) - from;
	d->around_html = grid_build(st, t->name, t->zone, from, 3600,
	    (guint)(len / 3600), GRID_AROUND_NEAR, error);
	if (d->around_html == NULL)
		return FALSE;
	/* Three hours a cell and short names: within the text's 72
	 * columns. */
	d->around_text = grid_build(st, t->name, t->zone, from, 3 * 3600,
	    (guint)(len / (3 * 3600)), GRID_AROUND_NEAR, error);
	if (d->around_text == NULL)
		return FALSE;
	d->around_text->name_width = 12;
	d->around_text->no_zones = TRUE;
	return TRUE;
}

struct digest *
digest_build(struct store *st, const char *team, gint64 start, gint64 end,
    GError **error)
{
	g_autoptr(Team) t = store_team_get(st, team, error);
	g_autoptr(Digest) d = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	g_autoptr(GHashTable) by_id = g_hash_table_new(g_int64_hash,
	    g_int64_equal);

	if (t == NULL)
		return NULL;
	d = g_new0(struct digest, 1);
	d->team = g_strdup(t->name);
	d->team_title = one_line(*t->title != '\0' ? t->title : t->name);
	d->zone = g_strdup(t->zone);
	d->start = start;
	d->end = end;
	d->blockers = g_ptr_array_new();
	d->tracked = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)digest_blocker_free);
	d->checkins = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)digest_checkin_free);
	d->earlier = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)digest_checkin_free);
	d->away = g_ptr_array_new_with_free_func(g_free);
	d->bouncing = g_ptr_array_new_with_free_func(g_free);
	d->comments = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)digest_comment_free);
	rows = store_digest_answers(st, t->id, start, end, FALSE, error);
	if (rows == NULL)
		return NULL;
	d->answers = rows->len;
	group_rows(rows, d->checkins, by_id);
	if (!find_blockers(st, d, rows, by_id, error) ||
	    !find_tracked(st, d, t->id, error) ||
	    !find_absent(st, d, t->id, error) ||
	    !find_bouncing(st, d, t->id, error) ||
	    !find_comments(st, d, t->id, by_id, error))
		return NULL;
	g_ptr_array_sort(d->checkins, checkin_cmp);
	if ((d->pulse = pulse_gather(st, t, start, end, error)) == NULL ||
	    !find_around(st, d, t, error))
		return NULL;
	return g_steal_pointer(&d);
}

/* --- formats ----------------------------------------------------------- */

static const char *const format_names[] = {
	[DIGEST_ALTERNATIVE] = "alternative",
	[DIGEST_MIME] = "mime",
	[DIGEST_PLAIN] = "plain",
};

gboolean
digest_format_parse(const char *name, enum digest_format *f)
{
	for (size_t i = 0; i < G_N_ELEMENTS(format_names); i++)
		if (name != NULL && strcmp(name, format_names[i]) == 0) {
			*f = (enum digest_format)i;
			return TRUE;
		}
	return FALSE;
}

const char *
digest_format_name(enum digest_format f)
{
	return (size_t)f < G_N_ELEMENTS(format_names) ? format_names[f] : NULL;
}

/* --- rendering: pieces -------------------------------------------------- */

/* Inline styles only, in colours that read on light and dark
 * backgrounds; text colours are left to the reader's scheme. */
#define CSS_H2 "font-size: 18px; margin: 28px 0 8px 0; padding-bottom: 4px; " \
	"border-bottom: 1px solid #9aa0a6;"
#define CSS_H3 "font-size: 15px; margin: 20px 0 8px 0;"
#define CSS_ANSWER "margin: 0 0 16px 0; padding: 2px 0 2px 12px; " \
	"border-left: 3px solid #9aa0a6;"
#define CSS_BLOCKER "margin: 0 0 16px 0; padding: 2px 0 2px 12px; " \
	"border-left: 4px solid #d93025;"
#define CSS_NAME "margin: 0 0 4px 0; font-weight: bold;"
#define CSS_MUTED "color: #888888; font-weight: normal;"
#define CSS_TAG "display: inline-block; padding: 0 6px; border-radius: 3px; " \
	"background-color: #b3261e; color: #ffffff; font-size: 12px; " \
	"font-weight: bold;"
#define CSS_COMMENT "margin: 8px 0 4px 16px; padding: 0 0 0 10px; " \
	"border-left: 2px solid #9aa0a6; font-size: 14px;"
#define CSS_P "margin: 0 0 8px 0;"

/* A section of the mail written twice: as text and as HTML. */
struct section {
	GString *text;
	GString *html;
};

static void
section_init(struct section *s)
{
	s->text = g_string_new(NULL);
	s->html = g_string_new(NULL);
}

static void
section_set(struct section *s, struct render_vars *vars, const char *name)
{
	render_vars_set_markup(vars, name, s->text->str, s->html->str);
	g_string_free(s->text, TRUE);
	g_string_free(s->html, TRUE);
}

static char *
plural(guint n, const char *one, const char *many)
{
	return g_strdup_printf("%u %s", n, n == 1 ? one : many);
}

static void
append_escaped(GString *out, const char *text)
{
	g_autofree char *e = g_markup_escape_text(text, -1);

	g_string_append(out, e);
}

/* TEXT as safe HTML, its paragraphs without the browsers' wide
 * margins. */
static void
append_text_html(GString *out, const char *text)
{
	g_autofree char *html = render_text_html(text);
	g_auto(GStrv) parts = g_strsplit(html, "<p>", -1);
	g_autofree char *styled = g_strjoinv("<p style=\"" CSS_P "\">", parts);

	g_string_append(out, styled);
}

/* TEXT with each line put after INDENT and wrapped to fit the text
 * part's width: a comment set off under its answer, which format=flowed
 * would otherwise wrap back to the margin. */
static void
append_indented(GString *out, const char *text, const char *indent)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	glong room = TEXT_WIDTH - g_utf8_strlen(indent, -1);

	for (char **line = lines; *line != NULL; line++) {
		g_auto(GStrv) words = g_strsplit(g_strchomp(*line), " ", -1);
		glong used = -1;
		g_string_append(out, indent);
		for (char **w = words; *w != NULL; w++) {
			glong len = g_utf8_strlen(*w, -1);
			if (used > 0 && used + 1 + len > room) {
				g_string_append_c(out, '\n');
				g_string_append(out, indent);
				used = -1;
			}
			if (used >= 0)
				g_string_append_c(out, ' ');
			g_string_append(out, *w);
			used += len + 1;
		}
		g_string_append_c(out, '\n');
	}
}

static char *
local_day(const struct digest *d, gint64 t)
{
	g_autofree char *s = sched_format(d->zone, t, "%-d %B");

	return s != NULL ? g_steal_pointer(&s) : g_strdup("");
}

static void
comments_section(struct section *s, const struct digest *d, GPtrArray *list)
{
	for (guint i = 0; i < list->len; i++) {
		struct digest_comment *c = list->pdata[i];
		g_autofree char *day = local_day(d, c->at);
		g_autofree char *head = g_strdup_printf("%s, %s:", c->author,
		    day);
		g_string_append_c(s->text, '\n');
		append_indented(s->text, head, "    ");
		append_indented(s->text, c->text, "    ");
		g_string_append(s->html, "<div style=\"" CSS_COMMENT "\">"
		    "<p style=\"" CSS_NAME "\">");
		append_escaped(s->html, c->author);
		g_string_append(s->html, " <span style=\"" CSS_MUTED "\">");
		append_escaped(s->html, day);
		g_string_append(s->html, "</span></p>");
		append_text_html(s->html, c->text);
		g_string_append(s->html, "</div>\n");
	}
}

/* One answer under its question, or (BLOCKERS) in the list of blockers. */
static void
answer_section(struct section *s, const struct digest *d,
    const struct digest_answer *a, gboolean blockers)
{
	g_autofree char *days = plural((guint)a->blocked_days, "day", "days");

	g_string_append(s->text, a->name);
	if (blockers)
		g_string_append_printf(s->text, ", blocked for %s (%s)", days,
		    a->checkin);
	else if (a->late)
		g_string_append(s->text, " (late)");
	g_string_append(s->text, ":\n");
	g_string_append(s->text, a->text);
	g_string_append_c(s->text, '\n');

	g_string_append_printf(s->html, "<div style=\"%s\"><p style=\"" CSS_NAME
	    "\">", blockers ? CSS_BLOCKER : CSS_ANSWER);
	append_escaped(s->html, a->name);
	if (blockers) {
		g_string_append_printf(s->html, " <span style=\"" CSS_TAG
		    "\">blocked for %s</span> <span style=\"" CSS_MUTED "\">",
		    days);
		append_escaped(s->html, a->checkin);
		g_string_append(s->html, "</span>");
	} else if (a->late)
		g_string_append(s->html, " <span style=\"" CSS_MUTED
		    "\">(late)</span>");
	g_string_append(s->html, "</p>");
	append_text_html(s->html, a->text);
	if (!blockers)
		comments_section(s, d, a->comments);
	g_string_append(s->html, "</div>\n");
	g_string_append_c(s->text, '\n');
}

/* A blocker followed until it is gone: who, how long, its state, its
 * text, and who offered help. */
static void
tracked_section(struct section *s, const struct digest_blocker *b)
{
	const struct digest_answer *a = b->answer;
	gboolean resolved = strcmp(b->state, "resolved") == 0;
	g_autofree char *days = plural((guint)b->days, "day", "days");
	g_autofree char *head = resolved ?
	    g_strdup_printf("resolved after %s", days) :
	    g_strdup_printf("blocked for %s, %s", days, b->state);

	g_string_append_printf(s->text, "%s, %s", a->name, head);
	if (*b->checkin != '\0')
		g_string_append_printf(s->text, " (%s)", b->checkin);
	g_string_append(s->text, ":\n");
	g_string_append(s->text, a->text);
	g_string_append_c(s->text, '\n');
	if (*b->helpers != '\0')
		g_string_append_printf(s->text, "Offered help: %s.\n",
		    b->helpers);
	g_string_append_c(s->text, '\n');

	g_string_append_printf(s->html, "<div style=\"%s\"><p style=\""
	    CSS_NAME "\">", resolved ? CSS_ANSWER : CSS_BLOCKER);
	append_escaped(s->html, a->name);
	g_string_append(s->html, " <span style=\"" CSS_TAG "\">");
	append_escaped(s->html, head);
	g_string_append(s->html, "</span> <span style=\"" CSS_MUTED "\">");
	append_escaped(s->html, b->checkin);
	g_string_append(s->html, "</span></p>");
	append_text_html(s->html, a->text);
	if (*b->helpers != '\0') {
		g_string_append(s->html, "<p style=\"" CSS_P "\"><span style=\""
		    CSS_MUTED "\">Offered help:</span> ");
		append_escaped(s->html, b->helpers);
		g_string_append(s->html, ".</p>");
	}
	g_string_append(s->html, "</div>\n");
}

/* The blockers: those followed until they are gone, then the other
 * answers that say their writer is blocked. */
static void
blockers_section(struct section *s, const struct digest *d)
{
	for (guint i = 0; i < d->tracked->len; i++)
		tracked_section(s, d->tracked->pdata[i]);
	for (guint i = 0; i < d->blockers->len; i++)
		answer_section(s, d, d->blockers->pdata[i], TRUE);
}

static void
names_line(struct section *s, const char *what, GPtrArray *names)
{
	g_autofree char *list = NULL;

	if (names->len == 0)
		return;
	g_ptr_array_add(names, NULL);
	list = g_strjoinv(", ", (char **)names->pdata);
	g_ptr_array_remove_index(names, names->len - 1);
	g_string_append_printf(s->text, "%s: %s.\n", what, list);
	g_string_append_printf(s->html, "<p style=\"" CSS_P "\"><span style=\""
	    CSS_MUTED "\">%s:</span> ", what);
	append_escaped(s->html, list);
	g_string_append(s->html, ".</p>\n");
}

static void
checkin_section(struct section *s, const struct digest *d,
    const struct digest_checkin *c)
{
	glong width = MIN(g_utf8_strlen(c->title, -1), TEXT_WIDTH);

	g_string_append_printf(s->text, "%s\n", c->title);
	for (glong i = 0; i < width; i++)
		g_string_append_c(s->text, '=');
	g_string_append(s->text, "\n\n");
	g_string_append(s->html, "<h2 style=\"" CSS_H2 "\">");
	append_escaped(s->html, c->title);
	g_string_append(s->html, "</h2>\n");
	for (guint i = 0; i < c->questions->len; i++) {
		struct digest_question *q = c->questions->pdata[i];
		g_autofree char *head = q->position > 0 ?
		    g_strdup_printf("%d. %s", q->position, q->text) :
		    g_strdup(q->text);
		g_string_append_printf(s->text, "%s\n\n", head);
		g_string_append(s->html, "<h3 style=\"" CSS_H3 "\">");
		append_escaped(s->html, head);
		g_string_append(s->html, "</h3>\n");
		for (guint j = 0; j < q->answers->len; j++)
			answer_section(s, d, q->answers->pdata[j], FALSE);
	}
	names_line(s, "Not answered", c->missing);
	names_line(s, "Skipped", c->skipped);
	if (c->missing->len + c->skipped->len > 0)
		g_string_append_c(s->text, '\n');
}

/* The period in the team's zone: "Friday 27 March", or "23 March to 29
 * March" when it spans days. */
static char *
period_text(const struct digest *d)
{
	gint64 last = d->end > d->start ? d->end - 1 : d->start;
	g_autofree char *a = sched_format(d->zone, d->start, "%Y-%m-%d");
	g_autofree char *b = sched_format(d->zone, last, "%Y-%m-%d");

	if (a == NULL || b == NULL || strcmp(a, b) == 0)
		return sched_format(d->zone, d->start, "%A %-d %B");
	g_autofree char *from = sched_format(d->zone, d->start, "%-d %B");
	g_autofree char *to = sched_format(d->zone, last, "%-d %B");
	return g_strdup_printf("%s to %s", from, to);
}

static guint
people_count(const struct digest *d)
{
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	for (guint i = 0; i < d->checkins->len; i++) {
		struct digest_checkin *c = d->checkins->pdata[i];
		for (guint j = 0; j < c->questions->len; j++) {
			struct digest_question *q = c->questions->pdata[j];
			for (guint k = 0; k < q->answers->len; k++) {
				struct digest_answer *a = q->answers->pdata[k];
				g_hash_table_add(seen, a->email);
			}
		}
	}
	return g_hash_table_size(seen);
}

/* The variables every digest template has. */
static struct render_vars *
common_vars(const struct digest *d)
{
	struct render_vars *v = render_vars_new();
	g_autofree char *period = period_text(d);
	g_autofree char *answers = plural(d->answers, "answer", "answers");
	g_autofree char *people = plural(people_count(d), "person", "people");
	guint nblockers = d->blockers->len + d->tracked->len, open = 0;
	g_autofree char *blockers = NULL;
	g_autofree char *summary = NULL;

	/* The summary counts what still blocks. */
	for (guint i = 0; i < d->tracked->len; i++)
		open += strcmp(((struct digest_blocker *)
		    d->tracked->pdata[i])->state, "resolved") != 0;
	open += d->blockers->len;
	blockers = plural(open, "blocker", "blockers");
	summary = open > 0 ?
	    g_strdup_printf("%s from %s, %s", answers, people, blockers) :
	    g_strdup_printf("%s from %s", answers, people);
	render_vars_set(v, "team", d->team);
	render_vars_set(v, "team_title", d->team_title);
	render_vars_set(v, "period", period != NULL ? period : "");
	render_vars_set(v, "summary", summary);
	render_vars_set_int(v, "empty", digest_empty(d));
	render_vars_set_int(v, "answers", d->answers);
	render_vars_set_int(v, "blockers_count", nblockers);
	render_vars_add(v, "away", NULL);
	for (guint i = 0; i < d->away->len; i++)
		render_vars_add(v, "away", d->away->pdata[i]);
	g_ptr_array_add(d->away, NULL);
	g_autofree char *away = g_strjoinv(", ", (char **)d->away->pdata);
	g_ptr_array_remove_index(d->away, d->away->len - 1);
	render_vars_set(v, "away_list", away);
	render_vars_add(v, "bouncing", NULL);
	for (guint i = 0; i < d->bouncing->len; i++)
		render_vars_add(v, "bouncing", d->bouncing->pdata[i]);
	g_ptr_array_add(d->bouncing, NULL);
	g_autofree char *bouncing = g_strjoinv("; ",
	    (char **)d->bouncing->pdata);
	g_ptr_array_remove_index(d->bouncing, d->bouncing->len - 1);
	render_vars_set(v, "bouncing_list", bouncing);
	render_vars_add(v, "missing", NULL);
	g_autoptr(GString) missing = g_string_new(NULL);
	for (guint i = 0; i < d->checkins->len; i++) {
		struct digest_checkin *c = d->checkins->pdata[i];
		for (guint j = 0; j < c->missing->len; j++) {
			g_autofree char *m = g_strdup_printf("%s (%s)",
			    (char *)c->missing->pdata[j], c->title);
			render_vars_add(v, "missing", m);
			g_string_append_printf(missing, "%s%s",
			    missing->len > 0 ? ", " : "", m);
		}
	}
	render_vars_set(v, "missing_list", missing->str);
	return v;
}

/* The sections of the alternative format: blockers, check-ins, and
 * comments (on earlier answers and on the digests). */
static struct render_vars *
alternative_vars(const struct digest *d)
{
	struct render_vars *v = common_vars(d);
	struct section s;

	section_init(&s);
	blockers_section(&s, d);
	section_set(&s, v, "blockers");
	section_init(&s);
	for (guint i = 0; i < d->checkins->len; i++)
		checkin_section(&s, d, d->checkins->pdata[i]);
	section_set(&s, v, "checkins");
	section_init(&s);
	for (guint i = 0; i < d->earlier->len; i++)
		checkin_section(&s, d, d->earlier->pdata[i]);
	section_set(&s, v, "earlier");
	render_vars_set_int(v, "earlier_count", d->earlier->len);
	section_init(&s);
	comments_section(&s, d, d->comments);
	section_set(&s, v, "comments");
	render_vars_set_int(v, "comments_count", d->comments->len);
	if (pulse_any(d->pulse)) {
		g_autofree char *text = NULL, *html = NULL;
		pulse_render(d->pulse, &text, &html);
		render_vars_set_markup(v, "pulse", text, html);
	}
	render_vars_set_int(v, "pulse_count", pulse_any(d->pulse));
	if (d->around_html != NULL && d->around_text != NULL) {
		g_autofree char *grid = grid_text(d->around_text, GRID_ASCII,
		    TRUE);
		g_autofree char *text = g_strconcat("WHO IS AROUND THIS WEEK\n"
		    "=======================\n\n", grid, NULL);
		g_autofree char *caption = g_strdup_printf("In %s, an hour a "
		    "cell", d->zone);
		g_autofree char *html = grid_html(d->around_html, TRUE,
		    caption);
		g_autofree char *h2 = g_strconcat("<h2 style=\"" CSS_H2
		    "\">Who is around this week</h2>\n", html, "\n", NULL);
		render_vars_set_markup(v, "around", text, h2);
	}
	render_vars_set_int(v, "around_count", d->around_html != NULL);
	return v;
}

char *
digest_text(struct render *r, const struct digest *d, GError **error)
{
	g_autoptr(RenderVars) v = alternative_vars(d);

	return render_text(r, "digest", v, error);
}

/* --- the MIME digest ---------------------------------------------------- */

static int
answer_time_cmp(gconstpointer pa, gconstpointer pb)
{
	const struct digest_answer *a = *(struct digest_answer *const *)pa;
	const struct digest_answer *b = *(struct digest_answer *const *)pb;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return (a->message > b->message) - (a->message < b->message);
}

/* Every answer of the period, in the digest's order. */
static GPtrArray *
all_answers(const struct digest *d)
{
	GPtrArray *all = g_ptr_array_new();

	for (guint i = 0; i < d->checkins->len; i++) {
		struct digest_checkin *c = d->checkins->pdata[i];
		for (guint j = 0; j < c->questions->len; j++) {
			struct digest_question *q = c->questions->pdata[j];
			for (guint k = 0; k < q->answers->len; k++)
				g_ptr_array_add(all, q->answers->pdata[k]);
		}
	}
	return all;
}

/* The stored replies the answers came in, each once, oldest first, as
 * the MIME digest shows them: the member as stored, the reply's date,
 * subject and Message-ID, and the reply text tidings read, nothing of the
 * mail as it came (struct render_digest_reply).  ROWS (of MessageRow)
 * holds what they point into. */
static GPtrArray *
replies(struct store *st, const struct digest *d, GPtrArray *rows,
    GError **error)
{
	g_autoptr(GPtrArray) answers = all_answers(d);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_int64_hash,
	    g_int64_equal);
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_sort(answers, answer_time_cmp);
	for (guint i = 0; i < answers->len; i++) {
		struct digest_answer *a = answers->pdata[i];
		struct message_row *row;
		struct render_digest_reply *reply;
		if (!g_hash_table_add(seen, &a->message))
			continue;
		if ((row = store_message_get(st, a->message, error)) == NULL)
			return NULL;
		g_ptr_array_add(rows, row);
		reply = g_new0(struct render_digest_reply, 1);
		reply->from_name = g_strcmp0(a->name, a->email) != 0 ?
		    a->name : NULL;
		reply->from = a->email;
		reply->date = row->date != 0 ? row->date : a->at;
		reply->subject = row->subject;
		reply->message_id = row->message_id;
		reply->text = row->body_text;
		g_ptr_array_add(out, reply);
	}
	return g_steal_pointer(&out);
}

/* The summary before the replies: blockers, and per check-in how many
 * answered and who did not. */
static struct render_vars *
mime_vars(const struct digest *d, guint replies_count)
{
	struct render_vars *v = common_vars(d);
	g_autoptr(GString) overview = g_string_new(NULL);
	struct section s;

	section_init(&s);
	blockers_section(&s, d);
	section_set(&s, v, "blockers");
	for (guint i = 0; i < d->checkins->len; i++) {
		struct digest_checkin *c = d->checkins->pdata[i];
		g_autoptr(GHashTable) people = g_hash_table_new(g_str_hash,
		    g_str_equal);
		guint n = 0;
		for (guint j = 0; j < c->questions->len; j++) {
			struct digest_question *q = c->questions->pdata[j];
			for (guint k = 0; k < q->answers->len; k++) {
				struct digest_answer *a = q->answers->pdata[k];
				g_hash_table_add(people, a->email);
				n++;
			}
		}
		g_autofree char *answers = plural(n, "answer", "answers");
		g_autofree char *who = plural(g_hash_table_size(people),
		    "person", "people");
		g_string_append_printf(overview, "%s: %s from %s.\n",
		    c->title, answers, who);
	}
	render_vars_set(v, "overview", overview->str);
	render_vars_set_int(v, "replies", replies_count);
	return v;
}

/* --- RFC 1153 ----------------------------------------------------------- */

/* T in the team's zone as an RFC 5322 date, in English whatever the
 * locale. */
static char *
mail_date(const struct digest *d, gint64 t)
{
	static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat", "Sun" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	g_autofree char *s = sched_format(d->zone, t, "%u %-d %m %Y %T %z");
	int wd = 0, day = 0, month = 0, year = 0;
	char rest[32] = "";

	if (s == NULL || sscanf(s, "%d %d %d %d %31[^\n]", &wd, &day, &month,
	    &year, rest) != 5 || wd < 1 || wd > 7 || month < 1 || month > 12)
		return g_strdup("");
	return g_strdup_printf("%s, %d %s %d %s", days[wd - 1], day,
	    months[month - 1], year, rest);
}

/* RFC 1153 separates messages with a line of 30 hyphens: a line of the
 * text that could be read as one is set off by a space. */
static void
append_unseparated(GString *out, const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (char **line = lines; *line != NULL; line++) {
		g_strchomp(*line);
		if (g_str_has_prefix(*line, "---") &&
		    strspn(*line, "-") == strlen(*line))
			g_string_append_c(out, ' ');
		g_string_append(out, *line);
		g_string_append_c(out, '\n');
	}
}

static void
plain_message(GString *out, const char *date, const char *from,
    const char *subject, const char *text)
{
	g_string_append_printf(out, "Date: %s\nFrom: %s\nSubject: %s\n\n",
	    date, from, subject);
	append_unseparated(out, text);
	g_string_append(out, "\n------------------------------\n\n");
}

/* The first message: blockers, who did not answer, who was away. */
static void
plain_summary(GString *out, const struct digest *d,
    const struct render_headers *h)
{
	g_autoptr(GString) text = g_string_new(NULL);
	g_autofree char *date = mail_date(d, d->end);
	g_autofree char *from = NULL;
	struct section s;

	section_init(&s);
	blockers_section(&s, d);
	if (s.text->len > 0)
		g_string_append_printf(text, "Blockers\n\n%s", s.text->str);
	g_string_truncate(s.text, 0);
	for (guint i = 0; i < d->checkins->len; i++) {
		struct digest_checkin *c = d->checkins->pdata[i];
		g_autofree char *what = g_strdup_printf("%s, not answered",
		    c->title);
		g_autofree char *skip = g_strdup_printf("%s, skipped",
		    c->title);
		names_line(&s, what, c->missing);
		names_line(&s, skip, c->skipped);
	}
	if (d->away->len > 0)
		names_line(&s, "Away", d->away);
	g_string_append(text, s.text->str);
	g_string_free(s.text, TRUE);
	g_string_free(s.html, TRUE);
	if (text->len == 0)
		return;
	from = h->from_name != NULL ? g_strdup_printf("%s <%s>", h->from_name,
	    h->from) : g_strdup(h->from);
	g_autofree char *clean_from = one_line(from);
	plain_message(out, date, clean_from, "Blockers and absences",
	    text->str);
}

static struct render_vars *
plain_vars(const struct digest *d, const struct render_headers *h)
{
	struct render_vars *v = common_vars(d);
	g_autoptr(GPtrArray) answers = all_answers(d);
	g_autoptr(GString) messages = g_string_new(NULL);
	g_autoptr(GPtrArray) topics = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GArray) counts = g_array_new(FALSE, TRUE, sizeof(guint));
	g_autofree char *masthead = NULL, *stars = NULL, *end_line = NULL;
	g_autofree char *day = sched_format(d->zone, d->start, "%a, %-d %b %Y");
	g_autofree char *year = sched_format(d->zone, d->start, "%Y");
	g_autofree char *yday = sched_format(d->zone, d->start, "%-j");

	plain_summary(messages, d, h);
	if (messages->len > 0) {
		g_ptr_array_add(topics, g_strdup("Blockers and absences"));
		guint one = 1;
		g_array_append_val(counts, one);
	}
	for (guint i = 0; i < answers->len; i++) {
		struct digest_answer *a = answers->pdata[i];
		g_autofree char *subject = g_strdup_printf("%s: %s", a->checkin,
		    a->question);
		g_autofree char *subject1 = one_line(subject);
		g_autofree char *date = mail_date(d, a->at);
		g_autofree char *from = g_strdup_printf("%s <%s>", a->name,
		    a->email);
		plain_message(messages, date, from, subject1, a->text);
		if (topics->len == 0 || strcmp(topics->pdata[topics->len - 1],
		    subject1) != 0) {
			guint zero = 0;
			g_ptr_array_add(topics, g_steal_pointer(&subject1));
			g_array_append_val(counts, zero);
		}
		g_array_index(counts, guint, counts->len - 1)++;
	}
	render_vars_add(v, "topics", NULL);
	for (guint i = 0; i < topics->len; i++) {
		guint n = g_array_index(counts, guint, i);
		g_autofree char *t = n > 1 ? g_strdup_printf("%u. %s (%u "
		    "messages)", i + 1, (char *)topics->pdata[i], n) :
		    g_strdup_printf("%u. %s", i + 1, (char *)topics->pdata[i]);
		render_vars_add(v, "topics", t);
	}
	masthead = g_strdup_printf("%s Digest      %s      Volume %s : Issue "
	    "%s", d->team_title, day != NULL ? day : "", year != NULL ? year :
	    "", yday != NULL ? yday : "");
	end_line = g_strdup_printf("End of %s Digest", d->team_title);
	stars = g_strnfill((gsize)g_utf8_strlen(end_line, -1), '*');
	render_vars_set(v, "masthead", masthead);
	render_vars_set(v, "volume", year != NULL ? year : "");
	render_vars_set(v, "issue", yday != NULL ? yday : "");
	render_vars_set(v, "messages", messages->str);
	render_vars_set(v, "end_line", end_line);
	render_vars_set(v, "stars", stars);
	return v;
}

/* --- the mail ----------------------------------------------------------- */

GBytes *
digest_mail(struct render *r, struct store *st, const struct digest *d,
    enum digest_format f, const struct render_headers *h, char **subject,
    GError **error)
{
	g_autoptr(RenderVars) v = NULL;
	g_autoptr(GPtrArray) parts = NULL;
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)message_row_free);

	switch (f) {
	case DIGEST_MIME:
		if ((parts = replies(st, d, rows, error)) == NULL)
			return NULL;
		v = mime_vars(d, parts->len);
		return render_mail_digest(r, "digest-mime", h, v, parts,
		    subject, error);
	case DIGEST_PLAIN:
		v = plain_vars(d, h);
		return render_mail(r, "digest-plain", h, v, subject, error);
	case DIGEST_ALTERNATIVE:
	default:
		v = alternative_vars(d);
		return render_mail(r, "digest", h, v, subject, error);
	}
}

struct digest_sent *
digest_replied(struct store *st, const struct message *msg)
{
	g_autoptr(GPtrArray) parents = message_parents(msg);
	g_autoptr(GPtrArray) ids = g_ptr_array_sized_new(parents->len);

	/* Most mail answers no digest: it is not looked up at all. */
	for (guint i = 0; i < parents->len; i++)
		if (g_str_has_prefix(parents->pdata[i], DIGEST_ID_KIND "-"))
			g_ptr_array_add(ids, parents->pdata[i]);
	if (ids->len == 0)
		return NULL;
	return store_digest_find_first(st, (const char *const *)ids->pdata,
	    ids->len, NULL);
}
