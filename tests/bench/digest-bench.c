/* The digest benchmark's program: a store with a team of MEMBERS members
 * who each answer a check-in of five questions (the last asks for
 * blockers; one in ten has one) is made first, not timed; then
 * digest_build() and digest_mail() of the day are timed, in each format.
 * Every member is then made an active subscriber of the team's digest (not
 * timed), each with their copy at 08:00 in one of 24 zones, for the
 * sending half of the benchmark (digest.sh), which runs tidings on the
 * database left in DIR.
 *
 *   digest-bench DIR [MEMBERS]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "render.h"
#include "store.h"
#include "store-team.h"
#include "store-message.h"
#include "store-checkin.h"
#include "store-subscription.h"

#define DAY0 1774569600	/* 2026-03-27T00:00:00Z */

static void
check(gboolean ok, GError *error)
{
	if (!ok) {
		fprintf(stderr, "digest-bench: %s\n", error != NULL ?
		    error->message : "failed");
		exit(1);
	}
}

static void
fill(struct store *st, int members)
{
	GError *error = NULL;
	g_autoptr(Checkin) c = g_new0(struct checkin, 1);

	check(store_team_add(st, "bench", "Bench", "UTC", &error), error);
	c->team = g_strdup("bench");
	c->title = g_strdup("Daily");
	c->rrule = g_strdup("FREQ=DAILY");
	c->close_after = 86400;
	c->active = TRUE;
	c->questions = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)question_free);
	for (int i = 0; i < 5; i++) {
		struct question *q = g_new0(struct question, 1);
		q->text = g_strdup_printf("Question %d?", i + 1);
		q->blocker = i == 4;
		g_ptr_array_add(c->questions, q);
	}
	check(store_checkin_add(st, c, &error), error);
	check(store_begin(st, &error), error);
	for (int m = 0; m < members; m++) {
		g_autofree char *email = g_strdup_printf("m%d@example.org", m);
		g_autofree char *mid = g_strdup_printf("r%d@example.org", m);
		g_autoptr(Person) p = person_new(email);
		struct prompt pr = { 0 };
		gboolean claimed, dup;
		gint64 msg;
		g_free(p->name);
		p->name = g_strdup_printf("Member %d", m);
		check(store_person_save(st, p, &error), error);
		check(store_member_add(st, "bench", email, "member", &error),
		    error);
		pr.checkin_id = c->id;
		pr.person_id = p->id;
		pr.occurrence = m;
		pr.due_at = DAY0 + 9 * 3600;
		pr.closes_at = pr.due_at + 86400;
		pr.state = PROMPT_ANSWERED;
		pr.token = g_strdup_printf("t%d", m);
		pr.message_id = g_strdup_printf("p%d@example.org", m);
		check(store_prompt_claim(st, &pr, &claimed, &error), error);
		g_free(pr.token);
		g_free(pr.message_id);
		g_autofree char *raw = g_strdup_printf("From: Member %d <%s>\n"
		    "Subject: Re: Daily\nMessage-ID: <%s>\n"
		    "Date: Fri, 27 Mar 2026 10:00:00 +0000\n\n"
		    "1. Worked on the **importer**, see https://example.org/%d\n"
		    "2. More of it\n3. Reviews\n4. -\n5. none\n", m, email,
		    mid, m);
		g_autoptr(GBytes) b = g_bytes_new(raw, strlen(raw));
		g_autofree char *state = NULL;
		check(store_message_add(st, mid, mid, b, "mda", DAY0 + 36000,
		    NULL, &msg, &dup, &state, &error), error);
		for (guint q = 0; q < 5; q++) {
			g_autofree char *text = q == 4 ? g_strdup(m % 10 == 0 ?
			    "Waiting on the staging database" : "none") :
			    g_strdup_printf("Answer %u of member %d: worked on "
			    "the *importer* and reviewed two changes; see "
			    "https://example.org/%d for details.", q + 1, m, m);
			check(store_answer_add(st, pr.id, ((struct question *)
			    c->questions->pdata[q])->id, msg, text, TRUE, NULL,
			    DAY0 + 36000, &error), error);
		}
	}
	check(store_commit(st, &error), error);
}

int
main(int argc, char **argv)
{
	GError *error = NULL;
	g_autofree char *path = NULL;
	int members = argc > 2 ? atoi(argv[2]) : 1000;
	struct render_headers h = { .from = "bench@example.org",
	    .to = "sub@example.org", .message_id = "digest@example.org",
	    .date = DAY0 + 86400 };

	if (argc < 2) {
		fprintf(stderr, "usage: digest-bench DIR [MEMBERS]\n");
		return 64;
	}
	path = g_build_filename(argv[1], "bench.db", NULL);
	g_autoptr(Store) st = store_open(path, &error);
	check(st != NULL, error);
	fill(st, members);
	g_autoptr(Render) r = render_new(NULL);
	for (int f = DIGEST_ALTERNATIVE; f <= DIGEST_PLAIN; f++) {
		gint64 t0 = g_get_monotonic_time();
		g_autoptr(Digest) d = digest_build(st, "bench", DAY0,
		    DAY0 + 86400, &error);
		check(d != NULL, error);
		gint64 t1 = g_get_monotonic_time();
		g_autoptr(GBytes) mail = digest_mail(r, st, d, f, &h, NULL,
		    &error);
		check(mail != NULL, error);
		gint64 t2 = g_get_monotonic_time();
		printf("digest %-11s %u answers, %u blockers: build %.3f s, "
		    "mail %.3f s, total %.3f s, %zu bytes\n",
		    digest_format_name(f), d->answers, d->blockers->len,
		    (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t2 - t0) / 1e6,
		    g_bytes_get_size(mail));
	}
	static const char *const zones[24] = {
		"Pacific/Pago_Pago", "Pacific/Honolulu", "America/Anchorage",
		"America/Los_Angeles", "America/Denver", "America/Chicago",
		"America/New_York", "America/Halifax", "America/Sao_Paulo",
		"Atlantic/South_Georgia", "Atlantic/Azores", "Europe/London",
		"Europe/Berlin", "Europe/Athens", "Europe/Moscow", "Asia/Dubai",
		"Asia/Karachi", "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok",
		"Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney",
		"Pacific/Auckland",
	};
	check(store_begin(st, &error), error);
	for (int m = 0; m < members; m++) {
		g_autofree char *email = g_strdup_printf("m%d@example.org", m);
		g_autofree char *token = g_strdup_printf("%016d", m);
		g_autoptr(Subscription) sub = store_subscription_request(st,
		    "bench", email, token, NULL, DAY0, &error);
		check(sub != NULL && store_subscription_set_state(st, sub->id,
		    SUB_ACTIVE, DAY0, &error) &&
		    store_subscription_set_delivery(st, sub->id, zones[m % 24],
		    8 * 60, NULL, &error), error);
	}
	check(store_commit(st, &error), error);
	return 0;
}
