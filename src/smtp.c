/* The SMTP client; see smtp.h.
 *
 * A session goes through these steps, each one function: the greeting
 * (libetpan's mailsmtp_connect), EHLO or HELO, STARTTLS and EHLO again,
 * AUTH, then per mail RSET (after the first), MAIL FROM, RCPT TO, DATA and
 * the message; QUIT at the end.  Replies are read whole, continuation lines
 * included, by smtp_read_reply(). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libetpan/mailsmtp.h>

#include "log.h"
#include "net.h"
#include "smtp.h"

G_DEFINE_QUARK(tidings-smtp-error-quark, smtp_error)

#define SMTP_STREAM_BUFFER	65536

struct smtp {
	mailsmtp	*session;	/* owns the mailstream, whose driver
					   reads and writes net */
	struct net	*net;
	enum smtp_security security;
	char		*peer;		/* "host:port", for messages */
	char		*helo;
	char	       **disable;	/* extensions not to use */
	GHashTable	*ext;		/* EHLO keyword (upper case) →
					   its parameters */
	MMAPString	*line;		/* the reply line being read */
	gboolean	 used;		/* a mail went before: RSET first */
	gboolean	 dead;		/* no more commands */
	/* The envelope that went behind the last final dot, of the mail to
	 * send next; its replies are not read yet.  NULL: none. */
	char		*ahead_from;
	char	       **ahead_rcpts;
	gboolean	 ahead_rset;	/* RSET went before it */
};

static gboolean smtp_fail(struct smtp *, enum smtp_error, GError **,
    const char *, ...) G_GNUC_PRINTF(4, 5);

const char *
smtp_security_name(enum smtp_security s)
{
	switch (s) {
	case SMTP_SECURITY_TLS:
		return "tls";
	case SMTP_SECURITY_STARTTLS:
		return "starttls";
	case SMTP_SECURITY_NONE:
		return "none";
	}
	return "unknown";
}

void
smtp_reply_clear(struct smtp_reply *r)
{
	r->code = 0;
	g_clear_pointer(&r->text, g_free);
}

static void
reply_copy(struct smtp_reply *to, const struct smtp_reply *from)
{
	smtp_reply_clear(to);
	to->code = from->code;
	to->text = g_strdup(from->text);
}

/* -------------------------------------------------------------- errors */

/* Sets error; the grades after which nothing more can be said kill the
 * session.  Always returns FALSE. */
static gboolean
smtp_fail(struct smtp *smtp, enum smtp_error grade, GError **error,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (grade == SMTP_ERROR_CONNECTION || grade == SMTP_ERROR_PROTOCOL)
		smtp->dead = TRUE;
	g_set_error_literal(error, SMTP_ERROR, grade, msg);
	g_free(msg);
	return FALSE;
}

/* The connection broke while doing what. */
static gboolean
smtp_lost(struct smtp *smtp, const char *what, GError **error)
{
	const char *why = net_failure(smtp->net);

	return smtp_fail(smtp, SMTP_ERROR_CONNECTION, error, "%s at %s: %s",
	    what, smtp->peer, why != NULL ? why : "connection lost");
}

/* Moves *nerr of net.c into error, in the SMTP grade of the same
 * meaning.  Returns ok. */
static gboolean
smtp_net_ok(struct smtp *smtp, gboolean ok, GError **nerr, GError **error)
{
	if (ok)
		return TRUE;
	smtp->dead = TRUE;
	(*nerr)->domain = SMTP_ERROR;
	(*nerr)->code = (*nerr)->code == NET_ERROR_TLS ? SMTP_ERROR_TLS :
	    SMTP_ERROR_CONNECTION;
	g_propagate_error(error, g_steal_pointer(nerr));
	return FALSE;
}

static gboolean
smtp_alive(struct smtp *smtp, GError **error)
{
	if (!smtp->dead && smtp->session != NULL &&
	    smtp->session->stream != NULL)
		return TRUE;
	g_set_error(error, SMTP_ERROR, SMTP_ERROR_CONNECTION,
	    "the connection to %s is lost", smtp->peer);
	return FALSE;
}

/* ------------------------------------------------------------- replies */

static gboolean
reply_line_ok(const char *l)
{
	return g_ascii_isdigit(l[0]) && g_ascii_isdigit(l[1]) &&
	    g_ascii_isdigit(l[2]) && (l[3] == ' ' || l[3] == '-' ||
	    l[3] == '\0');
}

/*
 * Reads one reply, continuation lines and all, into r; lines (may be
 * NULL) gets the text of each line, for EHLO.  A broken connection, a
 * reply that is no reply, or 421 (the server closes the connection) kill
 * the session: FALSE with error.
 */
static gboolean
smtp_read_reply(struct smtp *smtp, struct smtp_reply *r, GPtrArray *lines,
    const char *what, GError **error)
{
	GString *text = g_string_new(NULL);
	const char *l;
	int code = -1;

	smtp_reply_clear(r);
	for (;;) {
		l = mailstream_read_line_remove_eol(smtp->session->stream,
		    smtp->line);
		if (l == NULL) {
			g_string_free(text, TRUE);
			return smtp_lost(smtp, what, error);
		}
		if (!reply_line_ok(l) || (code != -1 && atoi(l) != code)) {
			g_string_free(text, TRUE);
			return smtp_fail(smtp, SMTP_ERROR_PROTOCOL, error,
			    "%s at %s: the server's answer makes no sense:"
			    " \"%.80s\"", what, smtp->peer, l);
		}
		code = atoi(l);
		if (l[3] != '\0') {
			if (text->len > 0)
				g_string_append(text, "; ");
			g_string_append(text, l + 4);
		}
		if (lines != NULL)
			g_ptr_array_add(lines, g_strdup(l[3] != '\0' ? l + 4 :
			    ""));
		if (l[3] != '-')
			break;
	}
	r->code = code;
	r->text = g_string_free(text, FALSE);
	if (code == 421)
		return smtp_fail(smtp, SMTP_ERROR_CONNECTION, error,
		    "%s at %s: the server closes the connection: %d %s", what,
		    smtp->peer, code, r->text);
	return TRUE;
}

/* Queues a command line; private ones (credentials) are sent at once, so
 * that the trace sees them as private. */
static gboolean
smtp_write(struct smtp *smtp, const char *line, gboolean private)
{
	mailstream *s = smtp->session->stream;
	gboolean ok;

	if (private)
		mailstream_set_privacy(s, 0);
	ok = mailstream_write(s, line, strlen(line)) != -1 &&
	    mailstream_write(s, "\r\n", 2) != -1 &&
	    (!private || mailstream_flush(s) != -1);
	if (private) {
		mailstream_set_privacy(s, 1);
		/* The credentials went through the write buffer. */
		explicit_bzero(s->write_buffer, s->buffer_max_size);
	}
	return ok;
}

static gboolean
smtp_flush(struct smtp *smtp, const char *what, GError **error)
{
	if (mailstream_flush(smtp->session->stream) == -1)
		return smtp_lost(smtp, what, error);
	return TRUE;
}

/* Sends one command and reads its reply. */
static gboolean
smtp_command(struct smtp *smtp, const char *line, gboolean private,
    struct smtp_reply *r, GPtrArray *lines, const char *what,
    GError **error)
{
	if (!smtp_write(smtp, line, private))
		return smtp_lost(smtp, what, error);
	if (!smtp_flush(smtp, what, error))
		return FALSE;
	return smtp_read_reply(smtp, r, lines, what, error);
}

/* ------------------------------------------------------- the greeting */

static gboolean
smtp_greeting(struct smtp *smtp, GError **error)
{
	mailstream *stream;
	mailsmtp *s;
	int r;

	stream = net_stream_new(smtp->net, SMTP_STREAM_BUFFER);
	s = smtp->session = mailsmtp_new(0, NULL);
	if (s == NULL)
		fatalx("mailsmtp_new: out of memory");
	/* The session owns the stream from here on, even on failure, when
	 * libetpan closes it. */
	r = mailsmtp_connect(s, stream);
	if (r == MAILSMTP_NO_ERROR)
		return TRUE;
	if (r == MAILSMTP_ERROR_STREAM)
		return smtp_lost(smtp, "no SMTP greeting", error);
	if (s->response_code / 100 == 5 || s->response_code / 100 == 4)
		return smtp_fail(smtp, SMTP_ERROR_CONNECTION, error,
		    "%s does not take mail now: %d %s", smtp->peer,
		    s->response_code, g_strstrip(s->response));
	return smtp_fail(smtp, SMTP_ERROR_PROTOCOL, error,
	    "no SMTP greeting from %s%s", smtp->peer,
	    smtp->security != SMTP_SECURITY_TLS ? " (if the port expects TLS"
	    " first, set security = tls in [smtp])" : "");
}

/* ------------------------------------------------------------- EHLO */

static gboolean
smtp_disabled(struct smtp *smtp, const char *ext)
{
	for (char **d = smtp->disable; d != NULL && *d != NULL; d++)
		if (g_ascii_strcasecmp(*d, ext) == 0)
			return TRUE;
	return FALSE;
}

/* Notes the extensions of EHLO's answer, one a line after the first. */
static void
ehlo_parse(struct smtp *smtp, GPtrArray *lines)
{
	g_hash_table_remove_all(smtp->ext);
	for (guint i = 1; i < lines->len; i++) {
		const char *l = lines->pdata[i];
		size_t n = strcspn(l, " =");
		char *key = g_ascii_strup(l, n);

		/* "AUTH=PLAIN LOGIN": some old servers' spelling. */
		g_hash_table_replace(smtp->ext, key,
		    g_strdup(l[n] != '\0' ? l + n + 1 : ""));
	}
}

static gboolean
smtp_helo(struct smtp *smtp, GError **error)
{
	g_autofree char *cmd = g_strdup_printf("HELO %s", smtp->helo);
	struct smtp_reply r = { 0 };
	gboolean ok;

	g_hash_table_remove_all(smtp->ext);
	if (!smtp_command(smtp, cmd, FALSE, &r, NULL, "HELO", error))
		return FALSE;
	ok = r.code / 100 == 2;
	if (!ok)
		smtp_fail(smtp, SMTP_ERROR_CONFIG, error, "%s refuses HELO %s:"
		    " %d %s (set helo in [smtp] to this host's name)",
		    smtp->peer, smtp->helo, r.code, r.text);
	smtp_reply_clear(&r);
	return ok;
}

/* EHLO; HELO when the server does not know EHLO (5xx). */
static gboolean
smtp_ehlo(struct smtp *smtp, GError **error)
{
	g_autofree char *cmd = g_strdup_printf("EHLO %s", smtp->helo);
	g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
	struct smtp_reply r = { 0 };
	gboolean ok = TRUE;

	if (smtp_disabled(smtp, "EHLO"))
		return smtp_helo(smtp, error);
	if (!smtp_command(smtp, cmd, FALSE, &r, lines, "EHLO", error))
		return FALSE;
	if (r.code == 250)
		ehlo_parse(smtp, lines);
	else if (r.code / 100 == 5) {
		log_debug("%s: EHLO refused (%d); trying HELO", smtp->peer,
		    r.code);
		ok = smtp_helo(smtp, error);
	} else
		ok = smtp_fail(smtp, SMTP_ERROR_PROTOCOL, error, "%s answers"
		    " EHLO with %d %s", smtp->peer, r.code, r.text);
	smtp_reply_clear(&r);
	return ok;
}

gboolean
smtp_has_extension(struct smtp *smtp, const char *ext)
{
	const char *params;
	g_auto(GStrv) mechs = NULL;

	g_return_val_if_fail(smtp != NULL && ext != NULL, FALSE);
	if (smtp_disabled(smtp, ext))
		return FALSE;
	if (g_ascii_strncasecmp(ext, "AUTH=", 5) != 0)
		return g_hash_table_contains(smtp->ext, ext);
	if ((params = g_hash_table_lookup(smtp->ext, "AUTH")) == NULL)
		return FALSE;
	mechs = g_strsplit_set(params, " =", -1);
	for (char **m = mechs; *m != NULL; m++)
		if (g_ascii_strcasecmp(*m, ext + 5) == 0)
			return TRUE;
	return FALSE;
}

/* ------------------------------------------------------------- STARTTLS */

static gboolean
smtp_starttls(struct smtp *smtp, GError **error)
{
	struct smtp_reply r = { 0 };
	GError *nerr = NULL;
	int code;

	if (!smtp_has_extension(smtp, "STARTTLS"))
		return smtp_fail(smtp, SMTP_ERROR_TLS, error, "%s does not"
		    " offer STARTTLS; set security = tls in [smtp] and the"
		    " server's port for TLS (465)", smtp->peer);
	if (!smtp_command(smtp, "STARTTLS", FALSE, &r, NULL, "STARTTLS",
	    error))
		return FALSE;
	code = r.code;
	if (code != 220) {
		smtp_fail(smtp, SMTP_ERROR_TLS, error, "%s refuses STARTTLS:"
		    " %d %s", smtp->peer, r.code, r.text);
		smtp_reply_clear(&r);
		smtp->dead = TRUE;
		return FALSE;
	}
	smtp_reply_clear(&r);
	/* What came after the 220 came before TLS: an injection attack.
	 * Never read it as if it were protected. */
	if (smtp->session->stream->read_buffer_len != 0)
		return smtp_fail(smtp, SMTP_ERROR_PROTOCOL, error,
		    "%s sent data after agreeing to STARTTLS", smtp->peer);
	if (!smtp_net_ok(smtp, net_start_tls(smtp->net, FALSE, &nerr), &nerr,
	    error))
		return FALSE;
	/* What the server said before TLS cannot be trusted. */
	return smtp_ehlo(smtp, error);
}

/* ----------------------------------------------------------------- AUTH */

static char *
b64(const char *a, size_t alen)
{
	return g_base64_encode((const guchar *)a, alen);
}

/* Sends a private line of base64 and reads the reply. */
static gboolean
auth_send_secret(struct smtp *smtp, char *secret, struct smtp_reply *r,
    GError **error)
{
	gboolean ok = smtp_command(smtp, secret, TRUE, r, NULL, "AUTH",
	    error);

	explicit_bzero(secret, strlen(secret));
	return ok;
}

/* AUTH PLAIN with the initial response (RFC 4954, RFC 4616). */
static gboolean
auth_plain(struct smtp *smtp, const char *user, const char *password,
    struct smtp_reply *r, GError **error)
{
	size_t ulen = strlen(user), plen = strlen(password);
	size_t len = ulen + plen + 2;
	char *creds = g_malloc0(len);
	char *enc, *cmd;
	gboolean ok;

	/* authorization identity (none) NUL user NUL password */
	memcpy(creds + 1, user, ulen);
	memcpy(creds + 2 + ulen, password, plen);
	enc = b64(creds, len);
	explicit_bzero(creds, len);
	g_free(creds);
	cmd = g_strconcat("AUTH PLAIN ", enc, NULL);
	explicit_bzero(enc, strlen(enc));
	g_free(enc);
	ok = auth_send_secret(smtp, cmd, r, error);
	g_free(cmd);
	return ok;
}

/* AUTH LOGIN: the user name and the password, each after a 334. */
static gboolean
auth_login(struct smtp *smtp, const char *user, const char *password,
    struct smtp_reply *r, GError **error)
{
	char *enc;

	if (!smtp_command(smtp, "AUTH LOGIN", FALSE, r, NULL, "AUTH", error))
		return FALSE;
	if (r->code != 334)
		return TRUE;
	enc = b64(user, strlen(user));
	if (!auth_send_secret(smtp, enc, r, error)) {
		g_free(enc);
		return FALSE;
	}
	g_free(enc);
	if (r->code != 334)
		return TRUE;
	enc = b64(password, strlen(password));
	if (!auth_send_secret(smtp, enc, r, error)) {
		g_free(enc);
		return FALSE;
	}
	g_free(enc);
	return TRUE;
}

static gboolean
smtp_auth(struct smtp *smtp, const char *user, const char *password,
    GError **error)
{
	struct smtp_reply r = { 0 };
	const char *mech, *offered;
	gboolean ok;

	if (!net_is_tls(smtp->net) && smtp->security != SMTP_SECURITY_NONE)
		return smtp_fail(smtp, SMTP_ERROR_CONFIG, error, "refusing to"
		    " send the password to %s without TLS", smtp->peer);
	offered = g_hash_table_lookup(smtp->ext, "AUTH");
	if (offered == NULL)
		return smtp_fail(smtp, SMTP_ERROR_AUTH, error, "%s offers no"
		    " authentication (AUTH)%s; unset user in [smtp] to submit"
		    " without it", smtp->peer, net_is_tls(smtp->net) ? "" :
		    " without TLS");
	if (smtp_has_extension(smtp, "AUTH=PLAIN"))
		mech = "PLAIN";
	else if (smtp_has_extension(smtp, "AUTH=LOGIN"))
		mech = "LOGIN";
	else
		return smtp_fail(smtp, SMTP_ERROR_AUTH, error, "%s offers"
		    " neither AUTH PLAIN nor AUTH LOGIN (it offers %s)",
		    smtp->peer, offered);
	ok = strcmp(mech, "PLAIN") == 0 ?
	    auth_plain(smtp, user, password, &r, error) :
	    auth_login(smtp, user, password, &r, error);
	if (!ok)
		return FALSE;
	if (r.code == 235)
		log_debug("%s: logged in as %s with AUTH %s", smtp->peer, user,
		    mech);
	else if (r.code / 100 == 4)
		/* 454: the server cannot check passwords now. */
		ok = smtp_fail(smtp, SMTP_ERROR_CONNECTION, error, "%s cannot"
		    " log %s in now: %d %s", smtp->peer, user, r.code, r.text);
	else
		ok = smtp_fail(smtp, SMTP_ERROR_AUTH, error, "%s refuses the"
		    " login of %s (AUTH %s): %d %s", smtp->peer, user, mech,
		    r.code, r.text);
	smtp_reply_clear(&r);
	return ok;
}

/* ------------------------------------------------------------- sessions */

static struct smtp *
smtp_new(const struct smtp_account *acct)
{
	struct smtp *smtp = g_new0(struct smtp, 1);
	int port = acct->port;
	struct net_options o = {
		.host = acct->host,
		.ca_file = acct->ca_file,
		.ca_dir = acct->ca_dir,
		.timeout_seconds = acct->timeout_seconds,
		.section = "smtp",
		.starttls_port = 587,
		.trace = TRACE_SMTP,
	};

	if (port <= 0)
		port = acct->security == SMTP_SECURITY_TLS ? 465 :
		    acct->security == SMTP_SECURITY_STARTTLS ? 587 : 25;
	o.port = port;
	smtp->security = acct->security;
	smtp->net = net_new(&o);
	smtp->peer = g_strdup(net_peer(smtp->net));
	smtp->helo = g_strdup(acct->helo != NULL ? acct->helo :
	    g_get_host_name());
	smtp->disable = g_strdupv((char **)acct->disable);
	smtp->ext = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	smtp->line = mmap_string_new("");
	if (smtp->line == NULL)
		fatalx("mmap_string_new: out of memory");
	return smtp;
}

struct smtp *
smtp_connect(const struct smtp_account *acct, GError **error)
{
	struct smtp *smtp;
	GError *nerr = NULL;

	g_return_val_if_fail(acct != NULL && acct->host != NULL, NULL);
	g_return_val_if_fail(acct->user == NULL || acct->password != NULL,
	    NULL);
	smtp = smtp_new(acct);
	if (!smtp_net_ok(smtp, net_connect(smtp->net,
	    acct->security != SMTP_SECURITY_NONE, &nerr), &nerr, error))
		goto fail;
	if (acct->security == SMTP_SECURITY_TLS &&
	    !smtp_net_ok(smtp, net_start_tls(smtp->net, TRUE, &nerr), &nerr,
	    error))
		goto fail;
	if (!smtp_greeting(smtp, error) || !smtp_ehlo(smtp, error))
		goto fail;
	if (acct->security == SMTP_SECURITY_STARTTLS &&
	    !smtp_starttls(smtp, error))
		goto fail;
	if (acct->user != NULL &&
	    !smtp_auth(smtp, acct->user, acct->password, error))
		goto fail;
	return smtp;

fail:
	smtp_close(smtp);
	return NULL;
}

void
smtp_close(struct smtp *smtp)
{
	mailsmtp *s;

	if (smtp == NULL)
		return;
	s = smtp->session;
	if (s != NULL) {
		/* QUIT closes the stream; mailsmtp_free() would send it
		 * too, so a dead stream is closed first. */
		if (!smtp->dead && smtp->ahead_from == NULL &&
		    s->stream != NULL)
			mailsmtp_quit(s);
		if (s->stream != NULL) {
			mailstream_close(s->stream);
			s->stream = NULL;
		}
		mailsmtp_free(s);
	}
	net_free(smtp->net);
	if (smtp->line != NULL)
		mmap_string_free(smtp->line);
	g_hash_table_unref(smtp->ext);
	g_free(smtp->peer);
	g_free(smtp->helo);
	g_strfreev(smtp->disable);
	g_free(smtp->ahead_from);
	g_strfreev(smtp->ahead_rcpts);
	g_free(smtp);
}

/* ------------------------------------------------------------- mail */

GBytes *
smtp_data_encode(const void *data, gsize len)
{
	const char *p = data, *end = p + len;
	GString *out = g_string_sized_new(len + len / 32 + 8);

	/* A line at a time: its leading dot doubled, its end (CRLF, LF or a
	 * lone CR) made CRLF. */
	while (p < end) {
		const char *eol = p;

		while (eol < end && *eol != '\r' && *eol != '\n')
			eol++;
		if (*p == '.')
			g_string_append_c(out, '.');
		g_string_append_len(out, p, eol - p);
		g_string_append_len(out, "\r\n", 2);
		if (eol == end)
			break;
		if (*eol == '\r' && eol + 1 < end && eol[1] == '\n')
			eol++;
		p = eol + 1;
	}
	g_string_append_len(out, ".\r\n", 3);
	return g_string_free_to_bytes(out);
}

static gboolean
has_8bit(GBytes *raw)
{
	gsize len;
	const guchar *p = g_bytes_get_data(raw, &len);

	for (gsize i = 0; i < len; i++)
		if (p[i] & 0x80)
			return TRUE;
	return FALSE;
}

/* MAIL FROM for M: with BODY=8BITMIME when it has 8-bit bytes and the
 * server takes them so.  Caller frees. */
static char *
mail_from(struct smtp *smtp, const struct smtp_mail *m)
{
	gboolean eight = smtp_has_extension(smtp, "8BITMIME") &&
	    has_8bit(m->raw);

	return g_strdup_printf("MAIL FROM:<%s>%s", m->from,
	    eight ? " BODY=8BITMIME" : "");
}

/* With PIPELINING: RSET (after a mail), MAIL FROM, every RCPT TO and
 * DATA, written, not flushed; *RSET whether RSET is among them. */
static gboolean
envelope_write(struct smtp *smtp, const struct smtp_mail *m,
    gboolean *rset, GError **error)
{
	g_autofree char *mail_cmd = mail_from(smtp, m);

	*rset = smtp->used;
	if ((smtp->used && !smtp_write(smtp, "RSET", FALSE)) ||
	    !smtp_write(smtp, mail_cmd, FALSE))
		return smtp_lost(smtp, "MAIL FROM", error);
	for (guint i = 0; i < m->n_rcpts; i++) {
		g_autofree char *cmd = g_strdup_printf("RCPT TO:<%s>",
		    m->rcpts[i]);
		if (!smtp_write(smtp, cmd, FALSE))
			return smtp_lost(smtp, "RCPT TO", error);
	}
	if (!smtp_write(smtp, "DATA", FALSE))
		return smtp_lost(smtp, "DATA", error);
	smtp->used = TRUE;
	return TRUE;
}

/* The replies to what envelope_write() wrote (RSET's first when RSET),
 * for N recipients. */
static gboolean
envelope_read(struct smtp *smtp, gboolean rset, guint n,
    struct smtp_reply *mail, struct smtp_reply *replies,
    struct smtp_reply *data, GError **error)
{
	struct smtp_reply r = { 0 };
	gboolean rset_ok = TRUE;

	if (rset) {
		/* A reply that kills the session (421) is kept too. */
		gboolean ok = smtp_read_reply(smtp, &r, NULL, "RSET", error);

		rset_ok = r.code / 100 == 2;
		smtp_reply_clear(&r);
		if (!ok)
			return FALSE;
	}
	if (!smtp_read_reply(smtp, mail, NULL, "MAIL FROM", error))
		return FALSE;
	for (guint i = 0; i < n; i++)
		if (!smtp_read_reply(smtp, &replies[i], NULL, "RCPT TO",
		    error))
			return FALSE;
	if (!smtp_read_reply(smtp, data, NULL, "DATA", error))
		return FALSE;
	if (!rset_ok)
		return smtp_fail(smtp, SMTP_ERROR_PROTOCOL, error, "%s refuses"
		    " RSET", smtp->peer);
	return TRUE;
}

/* RSET (after a mail), MAIL FROM and RCPT TO: with PIPELINING in one
 * flight, DATA last (RFC 2920), its reply in *data; else one at a time,
 * with no RCPT after a refused MAIL, and data left alone.  An envelope
 * that went ahead, behind the last final dot, has only its replies
 * read. */
static gboolean
send_envelope(struct smtp *smtp, gboolean pipe, const struct smtp_mail *m,
    struct smtp_reply *mail, struct smtp_reply *replies,
    struct smtp_reply *data, GError **error)
{
	g_autofree char *mail_cmd = NULL;
	struct smtp_reply rset = { 0 };
	gboolean rset_ok = TRUE, with_rset;

	if (smtp->ahead_from != NULL) {
		with_rset = smtp->ahead_rset;
		g_clear_pointer(&smtp->ahead_from, g_free);
		g_clear_pointer(&smtp->ahead_rcpts, g_strfreev);
		return envelope_read(smtp, with_rset, m->n_rcpts, mail,
		    replies, data, error);
	}
	if (pipe)
		return envelope_write(smtp, m, &with_rset, error) &&
		    smtp_flush(smtp, "MAIL FROM", error) &&
		    envelope_read(smtp, with_rset, m->n_rcpts, mail, replies,
		    data, error);
	if (smtp->used) {
		gboolean ok = smtp_command(smtp, "RSET", FALSE, &rset, NULL,
		    "RSET", error);

		rset_ok = rset.code / 100 == 2;
		smtp_reply_clear(&rset);
		if (!ok)
			return FALSE;
	}
	mail_cmd = mail_from(smtp, m);
	if (!smtp_command(smtp, mail_cmd, FALSE, mail, NULL, "MAIL FROM",
	    error))
		return FALSE;
	for (guint i = 0; i < m->n_rcpts && mail->code / 100 == 2; i++) {
		g_autofree char *cmd = g_strdup_printf("RCPT TO:<%s>",
		    m->rcpts[i]);
		if (!smtp_command(smtp, cmd, FALSE, &replies[i], NULL,
		    "RCPT TO", error))
			return FALSE;
	}
	smtp->used = TRUE;
	if (!rset_ok)
		return smtp_fail(smtp, SMTP_ERROR_PROTOCOL, error, "%s refuses"
		    " RSET", smtp->peer);
	return TRUE;
}

/* Whether M is the mail whose envelope went ahead. */
static gboolean
is_ahead(struct smtp *smtp, const struct smtp_mail *m)
{
	if (strcmp(smtp->ahead_from, m->from) != 0 ||
	    g_strv_length(smtp->ahead_rcpts) != m->n_rcpts)
		return FALSE;
	for (guint i = 0; i < m->n_rcpts; i++)
		if (strcmp(smtp->ahead_rcpts[i], m->rcpts[i]) != 0)
			return FALSE;
	return TRUE;
}

/* Writes the envelope of the next mail HOLD names, if any, behind a final
 * dot not yet flushed. */
static gboolean
envelope_ahead(struct smtp *smtp, const struct smtp_hold *hold,
    GError **error)
{
	const struct smtp_mail *next;

	if (hold == NULL || hold->next == NULL ||
	    !smtp_has_extension(smtp, "PIPELINING") ||
	    (next = hold->next(hold->data)) == NULL)
		return TRUE;
	if (!envelope_write(smtp, next, &smtp->ahead_rset, error))
		return FALSE;
	smtp->ahead_from = g_strdup(next->from);
	smtp->ahead_rcpts = g_new0(char *, next->n_rcpts + 1);
	for (guint i = 0; i < next->n_rcpts; i++)
		smtp->ahead_rcpts[i] = g_strdup(next->rcpts[i]);
	return TRUE;
}

/* The message, after DATA's 354: *final is the reply after the final
 * dot.  With raw NULL, an empty message, to end a DATA that the server
 * took although no recipient was accepted (the reply is then no news).
 * With HOLD, the message goes without its final dot first, and the dot
 * only once hold->ready said so; when it says no, the message is left
 * unended and the session dead, so that the server keeps nothing.  The
 * next mail's envelope may go behind the dot (envelope_ahead()). */
static gboolean
send_message(struct smtp *smtp, GBytes *raw, struct smtp_reply *final,
    const struct smtp_hold *hold, GError **error)
{
	g_autoptr(GBytes) encoded = NULL;
	mailstream *s = smtp->session->stream;
	gsize len = 3;
	const char *p = ".\r\n";
	gboolean ok;

	if (raw != NULL) {
		encoded = smtp_data_encode(g_bytes_get_data(raw, NULL),
		    g_bytes_get_size(raw));
		p = g_bytes_get_data(encoded, &len);
	}
	net_trace_quiet_next(smtp->net, len);
	/* The last three bytes are the final ".\r\n". */
	ok = mailstream_write(s, p, len - 3) != -1;
	/* When the dot may go at once, it goes with the message's last
	 * bytes; else they travel while the caller gets ready. */
	if (ok && hold != NULL && raw != NULL &&
	    !hold->ready(hold->data, FALSE)) {
		ok = mailstream_flush(s) != -1;
		if (ok && !hold->ready(hold->data, TRUE)) {
			net_trace_quiet_next(smtp->net, 0);
			return smtp_fail(smtp, SMTP_ERROR_CONNECTION, error,
			    "the message to %s was left unended: delivery "
			    "stopped", smtp->peer);
		}
	}
	ok = ok && mailstream_write(s, p + len - 3, 3) != -1;
	if (!ok)
		return smtp_lost(smtp, "sending the message", error);
	if ((raw != NULL && !envelope_ahead(smtp, hold, error)) ||
	    !smtp_flush(smtp, "sending the message", error))
		return FALSE;
	return smtp_read_reply(smtp, final, NULL, "the end of the message",
	    error);
}

gboolean
smtp_send(struct smtp *smtp, const char *from, const char *const *rcpts,
    guint n, GBytes *raw, struct smtp_reply *replies, GError **error)
{
	const struct smtp_mail m = { from, rcpts, n, raw };

	return smtp_send_held(smtp, &m, replies, NULL, error);
}

gboolean
smtp_send_held(struct smtp *smtp, const struct smtp_mail *m,
    struct smtp_reply *replies, const struct smtp_hold *hold,
    GError **error)
{
	struct smtp_reply mail = { 0 }, final = { 0 };
	guint i, n, accepted = 0;
	gboolean ok = FALSE, pipe;

	g_return_val_if_fail(smtp != NULL && m != NULL && m->from != NULL &&
	    m->raw != NULL, FALSE);
	g_return_val_if_fail(m->n_rcpts > 0 && m->rcpts != NULL &&
	    replies != NULL, FALSE);
	if (!smtp_alive(smtp, error))
		return FALSE;
	/* The mail whose envelope went ahead comes next, none other: the
	 * server holds that envelope, so the session can go no further. */
	if (smtp->ahead_from != NULL && !is_ahead(smtp, m)) {
		g_critical("smtp_send_held: not the mail hold->next gave");
		return smtp_fail(smtp, SMTP_ERROR_PROTOCOL, error, "a mail "
		    "other than the one whose envelope went ahead was given to"
		    " %s", smtp->peer);
	}
	n = m->n_rcpts;
	pipe = smtp_has_extension(smtp, "PIPELINING");
	/* With PIPELINING, final holds DATA's reply first. */
	if (!send_envelope(smtp, pipe, m, &mail, replies, &final, error))
		goto out;
	for (i = 0; i < n; i++)
		if (mail.code / 100 == 2 && replies[i].code / 100 == 2)
			accepted++;
	if (pipe && final.code == 354 && accepted == 0 &&
	    !send_message(smtp, NULL, &final, NULL, error))
		goto out;
	if (mail.code == 530) {
		smtp_fail(smtp, SMTP_ERROR_AUTH, error, "%s wants a login: %d"
		    " %s (set user and password-command in [smtp])",
		    smtp->peer, mail.code, mail.text);
		goto out;
	}
	/* After a refused MAIL FROM, its refusal is the answer. */
	for (i = 0; i < n && mail.code / 100 != 2; i++)
		reply_copy(&replies[i], &mail);
	if (accepted > 0) {
		if (!pipe && !smtp_command(smtp, "DATA", FALSE, &final, NULL,
		    "DATA", error))
			goto out;
		/* Else the refusal of DATA is the answer. */
		if (final.code == 354 &&
		    !send_message(smtp, m->raw, &final, hold, error))
			goto out;
		for (i = 0; i < n; i++)
			if (replies[i].code / 100 == 2)
				reply_copy(&replies[i], &final);
	}
	ok = TRUE;

out:
	smtp_reply_clear(&mail);
	smtp_reply_clear(&final);
	return ok;
}
