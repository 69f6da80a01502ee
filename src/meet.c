/* Meetings; see meet.h. */
#include "config.h"

#include <string.h>

#include "avail.h"
#include "context.h"
#include "itip.h"
#include "log.h"
#include "meet.h"
#include "render.h"
#include "replies.h"
#include "schedule.h"
#include "store-meet.h"
#include "store.h"
#include "store-team.h"
#include "store-message.h"
#include "store-checkin.h"
#include "store-avail.h"
#include "taker.h"
#include "token.h"

G_DEFINE_QUARK(tidings-meet-error-quark, meet_error)

void
meet_slot_clear(struct meet_slot *s)
{
	g_clear_pointer(&s->away, g_ptr_array_unref);
	g_clear_pointer(&s->off, g_ptr_array_unref);
}

static const char *
name_of(const char *name, const char *email)
{
	return name != NULL && *name != '\0' ? name : email;
}

static const char *
team_title(const struct team *t)
{
	return *t->title != '\0' ? t->title : t->name;
}

/* --- the slot -------------------------------------------------------- */

/* Each member's state at each step of the window: states[m * n + k] at
 * from + k * MEET_STEP. */
static enum avail_state *
window_states(struct store *st, GPtrArray *members, gint64 from, guint n,
    GError **error)
{
	enum avail_state *states = g_new(enum avail_state, members->len * n);

	for (guint m = 0; m < members->len; m++)
		for (guint k = 0; k < n; k++) {
			GError *err = NULL;
			states[m * n + k] = avail_at(st, members->pdata[m],
			    from + (gint64)k * MEET_STEP, NULL, &err);
			if (err != NULL) {
				g_propagate_error(error, err);
				g_free(states);
				return NULL;
			}
		}
	return states;
}

/* How the slot of LEN steps at step K suits the members; FALSE when
 * someone is in deep work then. */
static gboolean
judge(const enum avail_state *states, guint members, guint n, guint k,
    guint len, guint *away, guint *working)
{
	*away = *working = 0;
	for (guint m = 0; m < members; m++) {
		gboolean is_away = FALSE, all_working = TRUE;
		for (guint i = k; i < k + len; i++) {
			enum avail_state s = states[m * n + i];
			if (s == AVAIL_DEEP_WORK)
				return FALSE;
			if (s == AVAIL_AWAY)
				is_away = TRUE;
			if (s != AVAIL_WORKING)
				all_working = FALSE;
		}
		*away += is_away;
		*working += all_working;
	}
	return TRUE;
}

static void
describe(struct meet_slot *slot, const enum avail_state *states,
    GPtrArray *members, guint n, guint k, guint len)
{
	slot->away = g_ptr_array_new_with_free_func(g_free);
	slot->off = g_ptr_array_new_with_free_func(g_free);
	for (guint m = 0; m < members->len; m++) {
		const struct person *p = members->pdata[m];
		gboolean away = FALSE, working = TRUE;
		for (guint i = k; i < k + len; i++) {
			away |= states[m * n + i] == AVAIL_AWAY;
			working &= states[m * n + i] == AVAIL_WORKING;
		}
		if (away)
			g_ptr_array_add(slot->away, g_strdup(p->email));
		else if (!working)
			g_ptr_array_add(slot->off, g_strdup(p->email));
	}
}

gboolean
meet_pick(struct store *st, const char *team, gint64 now, gint64 duration,
    gint64 within, struct meet_slot *slot, GError **error)
{
	g_autoptr(GPtrArray) members = store_member_list(st, team, error);
	g_autofree enum avail_state *states = NULL;
	gint64 from = (now + MEET_STEP - 1) / MEET_STEP * MEET_STEP;
	guint len = (guint)((duration + MEET_STEP - 1) / MEET_STEP);
	guint n, best = G_MAXUINT, best_away = G_MAXUINT, best_working = 0;

	memset(slot, 0, sizeof *slot);
	if (members == NULL)
		return FALSE;
	if (members->len == 0) {
		g_set_error(error, MEET_ERROR, MEET_ERROR_NO_MEMBERS,
		    "team %s has no members to meet", team);
		return FALSE;
	}
	if (duration <= 0 || now + within < from + duration) {
		g_set_error(error, MEET_ERROR, MEET_ERROR_NO_SLOT,
		    "no slot of that length fits in the window");
		return FALSE;
	}
	n = (guint)((now + within - from) / MEET_STEP);
	if ((states = window_states(st, members, from, n, error)) == NULL)
		return FALSE;
	for (guint k = 0; k + len <= n; k++) {
		guint away, working;
		if (!judge(states, members->len, n, k, len, &away, &working) ||
		    working == 0)
			continue;
		if (away < best_away || (away == best_away &&
		    working > best_working)) {
			best = k;
			best_away = away;
			best_working = working;
		}
	}
	if (best == G_MAXUINT) {
		g_set_error(error, MEET_ERROR, MEET_ERROR_NO_SLOT,
		    "no slot in the window has anyone of %s in working hours "
		    "without someone in deep work", team);
		return FALSE;
	}
	slot->start = from + (gint64)best * MEET_STEP;
	slot->end = slot->start + duration;
	slot->members = members->len;
	slot->working = best_working;
	describe(slot, states, members, n, best, len);
	return TRUE;
}

/* --- invitations ----------------------------------------------------- */

char *
meet_team_address(struct tidings_ctx *env, const char *team)
{
	return token_address(env->address, env->domain, team);
}

/* The token of EMAIL's own address for meeting UID: what it signs is the
 * UID and the address in lower case, so it stays the same across the
 * meeting's updates and its cancel.  Caller frees. */
static char *
attendee_token(GBytes *key, const char *uid, const char *email)
{
	g_autofree char *e = g_ascii_strdown(email, -1);
	g_autofree char *subject = g_strdup_printf("%s %s", uid, e);

	return token_make(key, "meet", subject);
}

char *
meet_attendee_address(struct tidings_ctx *env, const char *uid,
    const char *email, GError **error)
{
	GBytes *key = tidings_ctx_secret(env, error);
	g_autofree char *token = NULL, *detail = NULL;
	char *address;

	if (key == NULL)
		return NULL;
	token = attendee_token(key, uid, email);
	detail = g_strdup_printf("meet-%s", token);
	if ((address = token_address(env->address, env->domain,
	    detail)) == NULL)
		g_set_error(error, MEET_ERROR, MEET_ERROR_ADDRESS,
		    "tidings' address %s has no subaddresses for meetings",
		    env->address);
	return address;
}

/* "Tue 31 Mar 15:00" and "15:30" of [START, END) in ZONE. */
static char *
local_text(const char *zone, gint64 t)
{
	return sched_format(zone, t, "%a %-d %b %H:%M");
}

/* The line of one member in the invitation: "Ana Lima: Tue 31 Mar
 * 15:00–15:30 (Europe/Berlin)". */
static char *
member_line(const struct person *p, gint64 start, gint64 end)
{
	g_autofree char *s = local_text(p->zone, start);
	g_autofree char *e = sched_format(p->zone, end, "%H:%M");

	return g_strdup_printf("%s: %s-%s (%s)", name_of(p->name, p->email),
	    s, e, p->zone);
}

/* What an invitation or a cancellation needs of a meeting. */
struct invite {
	const struct team *team;
	GPtrArray *people;	/* struct person * */
	const char *uid;
	int sequence;
	const char *title;
	gint64 start;
	gint64 end;
	char *organizer;
	char *summary;		/* "3 of 4 in working hours" */
	GPtrArray *lines;	/* char *: member_line() of each */
	struct itip_meeting m;
	struct itip_attendee *attendees;
	const char **zones;
	char *description;
};

static void
invite_clear(struct invite *iv)
{
	g_free(iv->organizer);
	g_free(iv->summary);
	g_free(iv->description);
	g_free(iv->attendees);
	g_free(iv->zones);
	if (iv->lines != NULL)
		g_ptr_array_unref(iv->lines);
}

static void
invite_init(struct invite *iv, struct tidings_ctx *env, gint64 now)
{
	GString *d = g_string_new(NULL);
	guint n = iv->people->len;

	iv->organizer = meet_team_address(env, iv->team->name);
	iv->lines = g_ptr_array_new_with_free_func(g_free);
	iv->attendees = g_new0(struct itip_attendee, n + 1);
	iv->zones = g_new0(const char *, n + 2);
	for (guint i = 0; i < n; i++) {
		const struct person *p = iv->people->pdata[i];
		char *line = member_line(p, iv->start, iv->end);
		g_ptr_array_add(iv->lines, line);
		g_string_append_printf(d, "%s\n", line);
		iv->attendees[i].email = p->email;
		iv->attendees[i].name = p->name;
		iv->attendees[i].partstat = NULL;
		iv->zones[i] = p->zone;
	}
	iv->zones[n] = iv->team->zone;
	iv->description = g_string_free(d, FALSE);
	iv->m = (struct itip_meeting){
		.uid = iv->uid,
		.sequence = iv->sequence,
		.title = iv->title,
		.description = iv->description,
		.start = iv->start,
		.end = iv->end,
		.stamp = now,
		.zone = iv->team->zone,
		.organizer = iv->organizer,
		.organizer_name = team_title(iv->team),
		.attendees = iv->attendees,
		.zones = iv->zones,
	};
}

/* The mail of template NAME to P with the calendar BUILD makes of the
 * meeting (METHOD), organised by P's own address for it, queued. */
static gboolean
queue_invite(struct tidings_ctx *env, const struct invite *iv,
    const struct person *p, const char *name, const char *method,
    char *(*build)(const struct itip_meeting *, GError **), gint64 now,
    GError **error)
{
	g_autofree char *organizer = meet_attendee_address(env, iv->uid,
	    p->email, error);
	g_autofree char *calendar = NULL;
	struct itip_meeting m = iv->m;
	g_autoptr(RenderVars) v = render_vars_new();
	g_autofree char *mid = g_strdup_printf("%s.%d.%" G_GINT64_FORMAT ".%s",
	    name, iv->sequence, p->id, iv->uid);
	g_autofree char *key = g_strdup_printf("%s:%s:%d:%s", name, iv->uid,
	    iv->sequence, p->email);
	g_autofree char *marker = g_strdup_printf("%s %s", name, iv->uid);
	g_autofree char *local = local_text(p->zone, iv->start);
	g_autofree char *local_end = sched_format(p->zone, iv->end, "%H:%M");
	g_autofree char *subject = NULL;
	g_autoptr(GBytes) raw = NULL;
	struct render_headers h = {
		.from_name = team_title(iv->team),
		.from = iv->organizer,
		.to_name = p->name,
		.to = p->email,
		.message_id = mid,
		.marker = marker,
		.date = now,
	};

	if (organizer == NULL)
		return FALSE;
	m.organizer = organizer;
	if ((calendar = build(&m, error)) == NULL)
		return FALSE;
	render_vars_set(v, "team", iv->team->name);
	render_vars_set(v, "team_title", team_title(iv->team));
	render_vars_set(v, "member_name", name_of(p->name, p->email));
	render_vars_set(v, "title", iv->title);
	render_vars_set(v, "local_time", local);
	render_vars_set(v, "local_end", local_end);
	render_vars_set(v, "zone", p->zone);
	render_vars_set(v, "summary", iv->summary);
	render_vars_set(v, "uid", iv->uid);
	render_vars_add(v, "times", NULL);
	for (guint i = 0; i < iv->lines->len; i++)
		render_vars_add(v, "times", iv->lines->pdata[i]);
	raw = render_mail_calendar(env->render, name, &h, v, method, calendar,
	    &subject, error);
	return raw != NULL && reply_queue(env, "invite", key, p->email, raw,
	    mid, subject, now, error);
}

/* A UID of its own for a meeting of TEAM at START. */
static char *
meeting_uid(struct tidings_ctx *env, const char *team, gint64 start,
    gint64 now)
{
	g_autofree char *seed = g_strdup_printf("%s %" G_GINT64_FORMAT " %"
	    G_GINT64_FORMAT " %u %u", team, start, now, g_random_int(),
	    g_random_int());
	g_autofree char *hash = g_compute_checksum_for_string(
	    G_CHECKSUM_SHA256, seed, -1);

	return g_strdup_printf("meet-%s-%.16s@%s", team, hash, env->domain);
}

gboolean
meet_request(struct tidings_ctx *env, const char *team,
    const struct meet_slot *slot, const char *title, gint64 now, char **uid,
    GError **error)
{
	g_autoptr(Team) t = store_team_get(env->st, team, error);
	g_autoptr(GPtrArray) members = NULL;
	g_autofree char *id = NULL;
	struct invite iv = { 0 };
	struct meeting m = { 0 };
	gboolean ok = FALSE;

	if (t == NULL || (members = store_member_list(env->st, team,
	    error)) == NULL)
		return FALSE;
	if (members->len == 0) {
		g_set_error(error, MEET_ERROR, MEET_ERROR_NO_MEMBERS,
		    "team %s has no members to meet", team);
		return FALSE;
	}
	id = meeting_uid(env, team, slot->start, now);
	iv = (struct invite){ .team = t, .people = members, .uid = id,
	    .title = title, .start = slot->start, .end = slot->end };
	iv.summary = g_strdup_printf("%u of %u in working hours%s", slot->working,
	    members->len, slot->away != NULL && slot->away->len > 0 ?
	    ", some away" : "");
	invite_init(&iv, env, now);
	m = (struct meeting){ .team_id = t->id, .uid = id, .title =
	    (char *)title, .starts_at = slot->start, .ends_at = slot->end };
	if (!store_begin(env->st, error))
		goto out;
	if (!store_meeting_add(env->st, &m, now, error))
		goto rollback;
	for (guint i = 0; i < members->len; i++) {
		const struct person *p = members->pdata[i];
		if (!store_attendee_add(env->st, m.id, p->id, error) ||
		    !queue_invite(env, &iv, p, "invite", "REQUEST",
		    itip_request, now, error))
			goto rollback;
	}
	if (!store_commit(env->st, error))
		goto rollback;
	log_info("meet %s: %s invited to %s (%u members)", team, id, title,
	    members->len);
	if (uid != NULL)
		*uid = g_steal_pointer(&id);
	ok = TRUE;
	goto out;
rollback:
	store_rollback(env->st);
out:
	invite_clear(&iv);
	return ok;
}

/* The people of ATTENDEES, as store_member_list() gives them. */
static GPtrArray *
attendee_people(struct tidings_ctx *env, GPtrArray *attendees,
    GError **error)
{
	GPtrArray *people = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)person_free);

	for (guint i = 0; i < attendees->len; i++) {
		const struct attendee *a = attendees->pdata[i];
		struct person *p = store_person_get(env->st, a->email, error);
		if (p == NULL) {
			g_ptr_array_unref(people);
			return NULL;
		}
		g_ptr_array_add(people, p);
	}
	return people;
}

gboolean
meet_cancel(struct tidings_ctx *env, const char *uid, gint64 now,
    GError **error)
{
	g_autoptr(Meeting) mt = store_meeting_get(env->st, uid, error);
	g_autoptr(Team) t = NULL;
	g_autoptr(GPtrArray) attendees = NULL, people = NULL;
	struct invite iv = { 0 };
	gboolean ok = FALSE;

	if (mt == NULL || (t = store_team_get(env->st, mt->team,
	    error)) == NULL || (attendees = store_attendee_list(env->st,
	    mt->id, error)) == NULL || (people = attendee_people(env,
	    attendees, error)) == NULL)
		return FALSE;
	if (strcmp(mt->state, "cancelled") == 0) {
		g_set_error(error, MEET_ERROR, MEET_ERROR_CANCELLED,
		    "meeting %s is cancelled already", uid);
		return FALSE;
	}
	iv = (struct invite){ .team = t, .people = people, .uid = mt->uid,
	    .sequence = mt->sequence + 1, .title = mt->title,
	    .start = mt->starts_at, .end = mt->ends_at };
	invite_init(&iv, env, now);
	if (!store_begin(env->st, error))
		goto out;
	if (!store_meeting_set_state(env->st, mt->id, "cancelled",
	    iv.sequence, error))
		goto rollback;
	for (guint i = 0; i < people->len; i++)
		if (!queue_invite(env, &iv, people->pdata[i], "invite-cancel",
		    "CANCEL", itip_cancel, now, error))
			goto rollback;
	if (!store_commit(env->st, error))
		goto rollback;
	log_info("meet %s: %s cancelled (sequence %d)", mt->team, uid,
	    iv.sequence);
	ok = TRUE;
	goto out;
rollback:
	store_rollback(env->st);
out:
	invite_clear(&iv);
	return ok;
}

/* --- accepting a proposal ------------------------------------------- */

/* The attendee whose proposal is taken: ATTENDEE (NULL: whoever proposed
 * last), when they have one standing. */
static const struct attendee *
proposal_of(GPtrArray *attendees, const char *attendee)
{
	const struct attendee *best = NULL;

	for (guint i = 0; i < attendees->len; i++) {
		const struct attendee *a = attendees->pdata[i];
		if (a->counter_start == 0 || (attendee != NULL &&
		    g_ascii_strcasecmp(a->email, attendee) != 0))
			continue;
		if (best == NULL || a->updated_at > best->updated_at)
			best = a;
	}
	return best;
}

/* MT moved to A's proposal, and the update queued to every attendee, in
 * the caller's transaction. */
static gboolean
move_to(struct tidings_ctx *env, const struct meeting *mt,
    GPtrArray *attendees, const struct attendee *a, gint64 now,
    GError **error)
{
	g_autoptr(Team) t = store_team_get(env->st, mt->team, error);
	g_autoptr(GPtrArray) people = NULL;
	struct invite iv = { 0 };
	gboolean ok = FALSE;

	if (t == NULL || (people = attendee_people(env, attendees,
	    error)) == NULL)
		return FALSE;
	iv = (struct invite){ .team = t, .people = people, .uid = mt->uid,
	    .sequence = mt->sequence + 1, .title = mt->title,
	    .start = a->counter_start, .end = a->counter_end > a->counter_start ?
	    a->counter_end : a->counter_start + (mt->ends_at - mt->starts_at) };
	iv.summary = g_strdup_printf("the time %s proposed",
	    name_of(a->name, a->email));
	invite_init(&iv, env, now);
	if (!store_meeting_move(env->st, mt->id, iv.start, iv.end, iv.sequence,
	    error))
		goto out;
	for (guint i = 0; i < people->len; i++)
		if (!queue_invite(env, &iv, people->pdata[i], "invite-update",
		    "REQUEST", itip_request, now, error))
			goto out;
	log_info("meet %s: moved to the time %s proposed (sequence %d)",
	    mt->uid, a->email, iv.sequence);
	ok = TRUE;
out:
	invite_clear(&iv);
	return ok;
}

/* Meeting UID and the attendee whose proposal moves it, once it is known
 * that there is one to accept. */
static gboolean
accept_find(struct tidings_ctx *env, const char *uid, const char *attendee,
    struct meeting **mt, GPtrArray **attendees, const struct attendee **a,
    GError **error)
{
	if ((*mt = store_meeting_get(env->st, uid, error)) == NULL)
		return FALSE;
	if (strcmp((*mt)->state, "cancelled") == 0) {
		g_set_error(error, MEET_ERROR, MEET_ERROR_CANCELLED,
		    "meeting %s is cancelled", uid);
		return FALSE;
	}
	if ((*attendees = store_attendee_list(env->st, (*mt)->id, error)) ==
	    NULL)
		return FALSE;
	if ((*a = proposal_of(*attendees, attendee)) != NULL)
		return TRUE;
	if (attendee != NULL)
		g_set_error(error, MEET_ERROR, MEET_ERROR_NO_PROPOSAL,
		    "%s has proposed no other time for %s (tidings meet --show "
		    "%s)", attendee, uid, uid);
	else
		g_set_error(error, MEET_ERROR, MEET_ERROR_NO_PROPOSAL,
		    "nobody has proposed another time for %s", uid);
	return FALSE;
}

gboolean
meet_accept(struct tidings_ctx *env, const char *uid, const char *attendee,
    gint64 now, gint64 *start, gint64 *end, GError **error)
{
	g_autoptr(Meeting) mt = NULL;
	g_autoptr(GPtrArray) attendees = NULL;
	const struct attendee *a;

	if (!accept_find(env, uid, attendee, &mt, &attendees, &a, error) ||
	    !store_begin(env->st, error))
		return FALSE;
	if (!move_to(env, mt, attendees, a, now, error) ||
	    !store_commit(env->st, error)) {
		store_rollback(env->st);
		return FALSE;
	}
	if (start != NULL)
		*start = a->counter_start;
	if (end != NULL)
		*end = a->counter_end;
	return TRUE;
}

/* The notice of a proposal that MSG answers: the stored COUNTER mail's id
 * and the meeting's UID, from the notice's Message-ID
 * (counter.MAIL.PERSON.UID).  Caller frees *uid. */
static gboolean
notice_of(const struct message *msg, gint64 *mail, char **uid)
{
	const char *id = msg->in_reply_to;

	for (guint i = 0; (id == NULL || !g_str_has_prefix(id, "counter.")) &&
	    msg->references != NULL && i < msg->references->len; i++)
		id = msg->references->pdata[msg->references->len - 1 - i];
	if (id == NULL || !g_str_has_prefix(id, "counter."))
		return FALSE;
	char *end;
	*mail = g_ascii_strtoll(id + 8, &end, 10);
	if (*mail <= 0 || *end != '.')
		return FALSE;
	(void)g_ascii_strtoll(end + 1, &end, 10);
	if (*end != '.' || end[1] == '\0')
		return FALSE;
	*uid = g_strdup(end + 1);
	return TRUE;
}

/* Whether the first line of TEXT is the word "accept" (in any case,
 * with a full stop or an exclamation mark). */
static gboolean
says_accept(const char *text)
{
	g_autofree char *line = NULL;
	const char *nl;

	if (text == NULL)
		return FALSE;
	text += strspn(text, " \t\r\n");
	nl = strchr(text, '\n');
	line = nl != NULL ? g_strndup(text, (gsize)(nl - text)) :
	    g_strdup(text);
	g_strstrip(line);
	while (*line != '\0' && strchr(".!", line[strlen(line) - 1]) != NULL)
		line[strlen(line) - 1] = '\0';
	return g_ascii_strcasecmp(line, "accept") == 0;
}

gboolean
meet_is_accept(const struct message *msg)
{
	g_autofree char *uid = NULL;
	gint64 mail;

	return notice_of(msg, &mail, &uid) && says_accept(msg->reply != NULL ?
	    msg->reply : msg->text);
}

/* Whether EMAIL is an owner of TEAM. */
static gboolean
is_owner(struct tidings_ctx *env, const char *team, const char *email,
    gboolean *owner, GError **error)
{
	g_autoptr(GPtrArray) members = store_member_list(env->st, team, error);

	*owner = FALSE;
	if (members == NULL)
		return FALSE;
	for (guint i = 0; i < members->len && !*owner; i++) {
		const struct person *p = members->pdata[i];
		*owner = g_strcmp0(p->role, "owner") == 0 &&
		    g_ascii_strcasecmp(p->email, email) == 0;
	}
	return TRUE;
}

/* Answers the owner: the meeting MT moved to START (or, with WHY, not). */
static gboolean
tell_accepted(struct tidings_ctx *env, struct take *t, const char *title,
    const char *uid, gint64 start, const char *why, GError **error)
{
	g_autoptr(RenderVars) v = render_vars_new();
	g_autoptr(Person) p = store_person_get(env->st, t->msg->from, NULL);
	g_autofree char *local = NULL;

	if (start > 0)
		local = local_text(p != NULL ? p->zone : "UTC", start);
	render_vars_set(v, "member_name", p != NULL ? name_of(p->name,
	    p->email) : "");
	render_vars_set(v, "title", title != NULL ? title : "the meeting");
	render_vars_set(v, "uid", uid);
	render_vars_set(v, "local_time", local != NULL ? local : "");
	render_vars_set(v, "zone", p != NULL ? p->zone : "UTC");
	render_vars_set(v, "error", why != NULL ? why : "");
	return reply_send(env, t, "invite-accepted", v, error);
}

gboolean
meet_take_accept(struct tidings_ctx *env, struct take *t, GError **error)
{
	const struct message *msg = t->msg;
	g_autoptr(Meeting) mt = NULL;
	g_autoptr(GPtrArray) attendees = NULL;
	g_autoptr(MessageRow) counter = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree char *uid = NULL, *why = NULL;
	const struct attendee *a = NULL;
	gboolean owner = FALSE;
	gint64 mail;

	if (!notice_of(msg, &mail, &uid))
		return TRUE;
	if ((counter = store_message_get(env->st, mail, &err)) == NULL &&
	    err->domain == STORE_ERROR && err->code != STORE_ERROR_NOT_FOUND) {
		g_propagate_error(error, g_steal_pointer(&err));
		return FALSE;
	}
	g_clear_error(&err);
	if (!accept_find(env, uid, counter != NULL ? counter->sender : "?",
	    &mt, &attendees, &a, &err)) {
		if (err->domain == STORE_ERROR && err->code !=
		    STORE_ERROR_NOT_FOUND) {
			g_propagate_error(error, g_steal_pointer(&err));
			return FALSE;
		}
		why = g_strdup(err->message);
	} else if (!is_owner(env, mt->team, msg->from, &owner, error))
		return FALSE;
	else if (!owner)
		why = g_strdup_printf("%s is not an owner of team %s", msg->from,
		    mt->team);
	if (why != NULL) {
		log_warnx("<%s>: proposal not accepted: %s", msg->message_id,
		    why);
		return store_message_bind(env->st, t->id, 0, FALSE, why,
		    error) && tell_accepted(env, t, mt != NULL ? mt->title :
		    NULL, uid, 0, why, error);
	}
	return move_to(env, mt, attendees, a, t->now, error) &&
	    store_message_bind(env->st, t->id, 0, TRUE, "an owner accepted a "
	    "proposed time", error) && tell_accepted(env, t, mt->title,
	    mt->uid, a->counter_start, NULL, error);
}

/* --- replies --------------------------------------------------------- */

/* The first iTIP REPLY or COUNTER among MSG's parts.  Caller frees. */
static char *
itip_text(const struct message *msg)
{
	for (guint i = 0; msg->parts != NULL && i < msg->parts->len; i++) {
		const struct message_part *p = msg->parts->pdata[i];
		g_autofree char *method = NULL;
		g_autofree char *text = NULL;

		if (g_strcmp0(p->content_type, "text/calendar") != 0 &&
		    g_strcmp0(p->content_type, "application/ics") != 0)
			continue;
		if (p->method != NULL && strcmp(p->method, "REPLY") != 0 &&
		    strcmp(p->method, "COUNTER") != 0)
			continue;
		text = p->text != NULL ? g_strdup(p->text) : p->data != NULL ?
		    g_strndup(g_bytes_get_data(p->data, NULL),
		    g_bytes_get_size(p->data)) : NULL;
		method = itip_method(text);
		if (method != NULL && (strcmp(method, "REPLY") == 0 ||
		    strcmp(method, "COUNTER") == 0))
			return g_steal_pointer(&text);
	}
	return NULL;
}

gboolean
meet_is_itip(const struct message *msg)
{
	g_autofree char *text = itip_text(msg);

	return text != NULL;
}

/* The attendee of ATTENDEES with address EMAIL, or NULL. */
static const struct attendee *
find_attendee(GPtrArray *attendees, const char *email)
{
	for (guint i = 0; email != NULL && i < attendees->len; i++) {
		const struct attendee *a = attendees->pdata[i];
		if (g_ascii_strcasecmp(a->email, email) == 0)
			return a;
	}
	return NULL;
}

/* Tells TEAM's owners of A's proposal R for MT. */
static gboolean
tell_owners(struct tidings_ctx *env, const struct meeting *mt,
    const struct attendee *a, const struct itip_reply *r, gint64 id,
    gint64 now, GError **error)
{
	g_autoptr(Team) t = store_team_get(env->st, mt->team, error);
	g_autoptr(GPtrArray) members = NULL;

	if (t == NULL || (members = store_member_list(env->st, mt->team,
	    error)) == NULL)
		return FALSE;
	for (guint i = 0; i < members->len; i++) {
		const struct person *p = members->pdata[i];
		g_autoptr(RenderVars) v = NULL;
		g_autofree char *key = NULL, *mid = NULL, *subject = NULL;
		g_autofree char *proposed = NULL, *local = NULL, *marker = NULL;
		g_autoptr(GBytes) raw = NULL;
		struct render_headers h = {
			.from_name = team_title(t),
			.from = env->address,
			.to_name = p->name,
			.to = p->email,
			.date = now,
		};

		if (g_strcmp0(p->role, "owner") != 0)
			continue;
		v = render_vars_new();
		proposed = local_text(p->zone, r->start);
		local = local_text(p->zone, mt->starts_at);
		render_vars_set(v, "team", t->name);
		render_vars_set(v, "team_title", team_title(t));
		render_vars_set(v, "member_name", name_of(p->name, p->email));
		render_vars_set(v, "attendee", name_of(a->name, a->email));
		render_vars_set(v, "title", mt->title);
		render_vars_set(v, "proposed", proposed);
		render_vars_set(v, "local_time", local);
		render_vars_set(v, "zone", p->zone);
		render_vars_set(v, "comment", r->comment);
		render_vars_set(v, "uid", mt->uid);
		key = g_strdup_printf("invite-counter:%" G_GINT64_FORMAT ":%s",
		    id, p->email);
		mid = g_strdup_printf("counter.%" G_GINT64_FORMAT ".%"
		    G_GINT64_FORMAT ".%s", id, p->id, mt->uid);
		marker = g_strdup_printf("invite-counter %s", mt->uid);
		h.message_id = mid;
		h.marker = marker;
		raw = render_mail(env->render, "invite-counter", &h, v,
		    &subject, error);
		if (raw == NULL || !reply_queue(env, "invite-counter", key,
		    p->email, raw, mid, subject, now, error))
			return FALSE;
	}
	return TRUE;
}

/* Changes nothing for MSG, and says why. */
static gboolean
ignore(struct tidings_ctx *env, const struct message *msg, gint64 id,
    const char *why, GError **error)
{
	log_warnx("<%s>: iTIP reply not taken: %s", msg->message_id, why);
	return store_message_bind(env->st, id, 0, FALSE, why, error);
}

gboolean
meet_vouch(struct tidings_ctx *env, const struct take *t, char **why)
{
	const struct message *msg = t->msg;
	g_autofree char *text = NULL;
	g_autoptr(ItipReply) r = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree char *token = NULL;
	GBytes *key;

	if (msg->meet_token == NULL) {
		*why = g_strdup("not sent to the attendee's own address for "
		    "the meeting");
		return FALSE;
	}
	text = itip_text(msg);
	if ((r = itip_parse_reply(text, msg->from, &err)) == NULL) {
		*why = g_strdup_printf("the calendar cannot be read: %s",
		    err->message);
		return FALSE;
	}
	if ((key = tidings_ctx_secret(env, &err)) == NULL) {
		*why = g_strdup_printf("its meeting address cannot be "
		    "checked: %s", err->message);
		return FALSE;
	}
	token = attendee_token(key, r->uid, r->attendee);
	if (!token_equal(token, msg->meet_token)) {
		*why = g_strdup_printf("sent to a meeting address that is not "
		    "%s's for %s", r->attendee, r->uid);
		return FALSE;
	}
	*why = g_strdup_printf("from %s, to their own address for the meeting",
	    r->attendee);
	return TRUE;
}

gboolean
meet_take(struct tidings_ctx *env, struct take *t, GError **error)
{
	const struct message *msg = t->msg;
	gint64 id = t->id, now = t->now;
	g_autofree char *text = itip_text(msg);
	g_autoptr(GError) err = NULL;
	g_autoptr(ItipReply) r = itip_parse_reply(text, msg->from, &err);
	g_autoptr(Meeting) mt = NULL;
	g_autoptr(GPtrArray) attendees = NULL;
	g_autofree char *why = NULL;
	const struct attendee *a;
	const char *partstat = NULL;
	gint64 cs = 0, ce = 0;

	if (r == NULL) {
		why = g_strdup_printf("the calendar cannot be read: %s",
		    err->message);
		return ignore(env, msg, id, why, error);
	}
	mt = store_meeting_get(env->st, r->uid, &err);
	if (mt == NULL) {
		if (!g_error_matches(err, STORE_ERROR, STORE_ERROR_NOT_FOUND)) {
			g_propagate_error(error, g_steal_pointer(&err));
			return FALSE;
		}
		why = g_strdup_printf("no meeting has UID %s", r->uid);
		return ignore(env, msg, id, why, error);
	}
	if ((attendees = store_attendee_list(env->st, mt->id, error)) == NULL)
		return FALSE;
	if ((a = find_attendee(attendees, r->attendee)) == NULL) {
		why = g_strdup_printf("%s is not invited to %s", r->attendee,
		    mt->uid);
		return ignore(env, msg, id, why, error);
	}
	if (msg->from == NULL || g_ascii_strcasecmp(msg->from, a->email) != 0) {
		why = g_strdup_printf("the answer of %s was sent by %s",
		    a->email, msg->from != NULL ? msg->from : "nobody");
		return ignore(env, msg, id, why, error);
	}
	if (r->sequence < mt->sequence || strcmp(mt->state, "cancelled") == 0) {
		why = g_strdup_printf("%s answers a meeting that has changed "
		    "since (sequence %d, now %d, %s)", a->email, r->sequence,
		    mt->sequence, mt->state);
		return ignore(env, msg, id, why, error);
	}
	if (r->partstat != NULL && (strcmp(r->method, "REPLY") == 0 ||
	    strcmp(r->partstat, "NEEDS-ACTION") != 0))
		partstat = r->partstat;
	/* A COUNTER proposes its time; so does a REPLY whose time moved
	 * (Google's "propose a new time" can come either way). */
	if (r->start != 0 && (strcmp(r->method, "COUNTER") == 0 ||
	    ABS(r->start - mt->starts_at) >= 60)) {
		cs = r->start;
		ce = r->end > r->start ? r->end :
		    r->start + (mt->ends_at - mt->starts_at);
	}
	if (!store_message_bind(env->st, id, 0, TRUE, t->why != NULL ? t->why :
	    "an iTIP answer from the attendee", error) ||
	    !store_attendee_answer(env->st, mt->id, a->person_id, partstat,
	    cs, ce, r->comment, now, error))
		return FALSE;
	log_info("meet %s: %s %s%s", mt->uid, a->email, partstat != NULL ?
	    partstat : "answers", cs != 0 ? ", proposing another time" : "");
	return cs == 0 || tell_owners(env, mt, a, r, id, now, error);
}

/* --- export ---------------------------------------------------------- */

/* P's busy and away time in [FROM, TO) as struct itip_busy. */
static GArray *
busy_of(struct store *st, const struct person *p, gint64 from, gint64 to,
    GError **error)
{
	g_autoptr(GPtrArray) rows = store_availability_list(st, p->id, from,
	    error);
	GArray *busy;

	if (rows == NULL)
		return NULL;
	busy = g_array_new(FALSE, TRUE, sizeof(struct itip_busy));
	for (guint i = 0; i < rows->len; i++) {
		const struct availability *a = rows->pdata[i];
		gboolean away = strcmp(a->kind, "away") == 0;
		g_autoptr(GArray) occ = NULL;
		gint64 len = a->ends_at - a->starts_at;

		if (strcmp(a->kind, "working") == 0)
			continue;
		if (a->rrule == NULL) {
			struct itip_busy b = { MAX(a->starts_at, from),
			    a->ends_at == 0 ? to : MIN(a->ends_at, to), away };
			if (b.start < b.end)
				g_array_append_val(busy, b);
			continue;
		}
		if (len <= 0)
			continue;
		occ = sched_occurrences(a->rrule, a->zone != NULL ? a->zone :
		    p->zone, a->starts_at, from - len, to, NULL);
		for (guint k = 0; occ != NULL && k < occ->len; k++) {
			gint64 at = g_array_index(occ, struct sched_occurrence,
			    k).at;
			struct itip_busy b = { MAX(at, from), MIN(at + len, to),
			    away };
			if (b.start < b.end)
				g_array_append_val(busy, b);
		}
	}
	return busy;
}

/* The meetings of team T (struct meeting *) that have not ended by FROM
 * into C, as events organized by ORGANIZER in the team's name. */
static void
add_meetings(struct itip_calendar *c, const struct team *t,
    GPtrArray *meetings, const char *organizer, gint64 from)
{
	for (guint i = 0; i < meetings->len; i++) {
		const struct meeting *mt = meetings->pdata[i];
		struct itip_meeting m = {
			.uid = mt->uid, .sequence = mt->sequence,
			.title = mt->title, .start = mt->starts_at,
			.end = mt->ends_at, .stamp = from, .zone = t->zone,
			.cancelled = strcmp(mt->state, "cancelled") == 0,
			.organizer = organizer,
			.organizer_name = team_title(t),
		};
		if (mt->ends_at >= from)
			itip_calendar_add_event(c, &m);
	}
}

char *
meet_export(struct store *st, const char *team, const char *member,
    const char *organizer, gint64 now, int days, GError **error)
{
	g_autoptr(GPtrArray) members = store_member_list(st, team, error);
	g_autoptr(GPtrArray) meetings = NULL;
	g_autoptr(Team) t = NULL;
	g_autoptr(ItipCalendar) c = NULL;
	gint64 to = now + (gint64)days * 86400;
	guint shown = 0;

	if (members == NULL || (meetings = store_meeting_list(st, team,
	    error)) == NULL || (t = store_team_get(st, team, error)) == NULL)
		return NULL;
	c = itip_calendar_new(now);
	for (guint i = 0; i < members->len; i++) {
		const struct person *p = members->pdata[i];
		g_autofree char *uid = g_strdup_printf("hours-%s", p->email);
		struct itip_hours h = { p->email, p->name, p->zone,
		    p->work_start, p->work_end, p->workdays };
		g_autoptr(GArray) busy = NULL;

		if (member != NULL && g_ascii_strcasecmp(member, p->email) != 0)
			continue;
		if ((busy = busy_of(st, p, now, to, error)) == NULL)
			return NULL;
		itip_calendar_add_hours(c, &h, uid, now);
		itip_calendar_add_freebusy(c, p->email, NULL, now, to, busy);
		shown++;
	}
	if (member != NULL && shown == 0) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
		    "%s is not a member of %s", member, team);
		return NULL;
	}
	add_meetings(c, t, meetings, organizer, now);
	return itip_calendar_text(c);
}

/* P's blocks in [FROM, TO) as VEVENTs of C: away, deep work and busy
 * time opaque, anything else (a status) transparent. */
static gboolean
blocks_of(struct itip_calendar *c, struct store *st, const struct person *p,
    gint64 from, gint64 to, GError **error)
{
	g_autoptr(GPtrArray) rows = store_availability_list(st, p->id, from,
	    error);
	const char *who = p->name != NULL && *p->name != '\0' ? p->name :
	    p->email;

	if (rows == NULL)
		return FALSE;
	for (guint i = 0; i < rows->len; i++) {
		const struct availability *a = rows->pdata[i];
		gint64 len = a->ends_at - a->starts_at;
		gboolean away = strcmp(a->kind, "away") == 0;
		gboolean deep = strcmp(a->kind, "deep-work") == 0;
		/* A summary that only names the kind again says nothing. */
		const char *what = a->summary != NULL && *a->summary != '\0' &&
		    g_ascii_strcasecmp(a->summary, "deep work") != 0 &&
		    g_ascii_strcasecmp(a->summary, a->kind) != 0 ?
		    a->summary : NULL;
		g_autofree char *summary = g_strdup_printf("%s %s%s%s", who,
		    away ? "away" : deep ? "in deep work" :
		    strcmp(a->kind, "busy") == 0 ? "busy" : a->kind,
		    what != NULL ? ": " : "", what != NULL ? what : "");
		g_autoptr(GArray) occ = NULL;

		if (strcmp(a->kind, "working") == 0)
			continue;
		if (a->rrule == NULL) {
			g_autofree char *uid = g_strdup_printf(
			    "avail-%" G_GINT64_FORMAT "@tidings", a->id);
			struct itip_block b = { uid, summary,
			    MAX(a->starts_at, from), a->ends_at == 0 ? to :
			    MIN(a->ends_at, to), away || deep ||
			    strcmp(a->kind, "busy") == 0 };
			if (b.start < b.end)
				itip_calendar_add_block(c, &b);
			continue;
		}
		if (len <= 0)
			continue;
		occ = sched_occurrences(a->rrule, a->zone != NULL ? a->zone :
		    p->zone, a->starts_at, from - len, to, NULL);
		for (guint k = 0; occ != NULL && k < occ->len; k++) {
			gint64 at = g_array_index(occ, struct sched_occurrence,
			    k).at;
			g_autofree char *uid = g_strdup_printf("avail-%"
			    G_GINT64_FORMAT "-%" G_GINT64_FORMAT "@tidings",
			    a->id, at);
			struct itip_block b = { uid, summary, MAX(at, from),
			    MIN(at + len, to), TRUE };
			if (b.start < b.end)
				itip_calendar_add_block(c, &b);
		}
	}
	return TRUE;
}

char *
meet_export_events(struct store *st, const char *team, const char *member,
    const char *organizer, gint64 from, int days, GError **error)
{
	g_autoptr(GPtrArray) members = store_member_list(st, team, error);
	g_autoptr(GPtrArray) meetings = NULL;
	g_autoptr(Team) t = NULL;
	g_autoptr(ItipCalendar) c = NULL;
	g_autofree char *name = NULL;
	gint64 to = from + (gint64)days * 86400;
	guint shown = 0;

	if (members == NULL || (meetings = store_meeting_list(st, team,
	    error)) == NULL || (t = store_team_get(st, team, error)) == NULL)
		return NULL;
	c = itip_calendar_new(from);
	for (guint i = 0; i < members->len; i++) {
		const struct person *p = members->pdata[i];
		g_autofree char *uid = g_strdup_printf("hours-%s@tidings",
		    p->email);
		struct itip_hours h = { p->email, p->name, p->zone,
		    p->work_start, p->work_end, p->workdays };

		if (member != NULL && g_ascii_strcasecmp(member, p->email) != 0)
			continue;
		if (member != NULL)
			name = g_strdup_printf("%s (%s)", p->name != NULL && *p->name != '\0' ?
			    p->name : p->email, team_title(t));
		itip_calendar_add_hours_event(c, &h, uid, from);
		if (!blocks_of(c, st, p, from, to, error))
			return NULL;
		shown++;
	}
	if (member != NULL && shown == 0) {
		g_set_error(error, STORE_ERROR, STORE_ERROR_NOT_FOUND,
		    "%s is not a member of %s", member, team);
		return NULL;
	}
	itip_calendar_set_feed(c, name != NULL ? name : team_title(t), "PT1H");
	add_meetings(c, t, meetings, organizer, from);
	return itip_calendar_text(c);
}
