/* The IMAP client; see imap.h.
 *
 * libetpan speaks IMAP over a stream of net.c, which does the TCP, the
 * TLS (GnuTLS, verified) and the protocol trace, credentials masked and
 * literals (message bodies) left out. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <libetpan/mailimap.h>
#include <libetpan/mailimap_extension.h>
#include <libetpan/mailstream.h>
#include <libetpan/uidplus.h>

#include "imap.h"
#include "log.h"
#include "net.h"

G_DEFINE_QUARK(tidings-imap-error-quark, imap_error)

#define IMAP_STREAM_BUFFER	8192

struct imap {
	mailimap	*session;	/* owns the mailstream, whose driver
					   reads and writes net */
	struct net	*net;
	enum imap_security security;
	char		*peer;		/* "host:port", for messages */
	char		*user;
	char	       **disable;	/* capabilities not to use */
	char		*selected;	/* the selected folder, UTF-8 */
	gboolean	 dead;		/* no more commands: connection lost
					   or protocol broken */
	gboolean	 idling;
	gboolean	 announced;	/* EXISTS while IDLE was starting,
					   which libetpan would not note */
};

static gboolean imap_fail(struct imap *, int, enum imap_error, GError **,
    const char *, ...) G_GNUC_PRINTF(5, 6);

const char *
imap_security_name(enum imap_security s)
{
	switch (s) {
	case IMAP_SECURITY_TLS:
		return "tls";
	case IMAP_SECURITY_STARTTLS:
		return "starttls";
	case IMAP_SECURITY_NONE:
		return "none";
	}
	return "unknown";
}

/* -------------------------------------------------------------- errors */

/* What the server said with its last tagged answer, response code
 * included ("[AUTHENTICATIONFAILED] Authentication failed."). */
static char *
imap_server_said(struct imap *imap)
{
	struct mailimap_response_info *ri = imap->session->imap_response_info;
	const char *text = imap->session->imap_response;

	if (text == NULL || *text == '\0')
		text = "no reason given";
	if (ri != NULL && ri->rsp_atom != NULL)
		return g_strdup_printf("[%s] %s", ri->rsp_atom, text);
	return g_strdup(text);
}

/* Whether r is the server's refusal of a command (NO), after which the
 * session goes on, rather than a broken connection or protocol. */
static gboolean
imap_refused(int r)
{
	switch (r) {
	case MAILIMAP_NO_ERROR:
	case MAILIMAP_ERROR_STREAM:
	case MAILIMAP_ERROR_PARSE:
	case MAILIMAP_ERROR_PROTOCOL:
	case MAILIMAP_ERROR_FATAL:
	case MAILIMAP_ERROR_MEMORY:
	case MAILIMAP_ERROR_BAD_STATE:
		return FALSE;
	default:
		return TRUE;
	}
}

/* Sets error from libetpan's r: a refusal (NO) gets the grade the caller
 * gives, a lost connection or broken protocol its own, and kills the
 * session.  Always returns FALSE. */
static gboolean
imap_fail(struct imap *imap, int r, enum imap_error grade, GError **error,
    const char *fmt, ...)
{
	g_autofree char *what = NULL;
	g_autofree char *said = NULL;
	va_list ap;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (r == MAILIMAP_ERROR_MEMORY)
		fatalx("%s: out of memory", what);
	if (!imap_refused(r) || grade == IMAP_ERROR_CONNECTION ||
	    grade == IMAP_ERROR_PROTOCOL)
		imap->dead = TRUE;
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_CONNECTION, "%s: %s",
		    what, net_failure(imap->net) != NULL ?
		    net_failure(imap->net) :
		    "connection lost");
		break;
	case MAILIMAP_ERROR_FATAL:
		said = imap_server_said(imap);
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_CONNECTION,
		    "%s: the server closes the connection: %s", what, said);
		break;
	case MAILIMAP_ERROR_PARSE:
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_PROTOCOL,
		    "%s: the server's answer makes no sense", what);
		break;
	case MAILIMAP_ERROR_PROTOCOL:
		said = imap_server_said(imap);
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_PROTOCOL,
		    "%s: the server says BAD: %s", what, said);
		break;
	case MAILIMAP_ERROR_BAD_STATE:
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_PROTOCOL,
		    "%s: not possible in this state", what);
		break;
	default:
		said = imap_server_said(imap);
		g_set_error(error, IMAP_ERROR, grade, "%s: %s", what, said);
		break;
	}
	return FALSE;
}

/* Passes on ok; on failure, moves *nerr of net.c into error, in the IMAP
 * grade of the same meaning. */
static gboolean
imap_net_ok(gboolean ok, GError **nerr, GError **error)
{
	if (ok)
		return TRUE;
	(*nerr)->domain = IMAP_ERROR;
	(*nerr)->code = (*nerr)->code == NET_ERROR_TLS ? IMAP_ERROR_TLS :
	    IMAP_ERROR_CONNECTION;
	g_propagate_error(error, g_steal_pointer(nerr));
	return FALSE;
}

/* Whether commands may be sent; the session dies with the connection. */
static gboolean
imap_alive(struct imap *imap, GError **error)
{
	if (!imap->dead && imap->session != NULL &&
	    imap->session->imap_stream != NULL)
		return TRUE;
	g_set_error(error, IMAP_ERROR, IMAP_ERROR_CONNECTION,
	    "the connection to %s is lost", imap->peer);
	return FALSE;
}

/* ------------------------------------------------------------- folders */

#define FOLDER_PRINTABLE(c) ((c) >= 0x20 && (c) <= 0x7e)

/* Appends UTF-16 units as modified BASE64: "," for "/", no padding. */
static void
folder_append_base64(GString *out, const gunichar2 *units, glong n)
{
	g_autofree guchar *be = g_new(guchar, n * 2);
	g_autofree char *b64 = NULL;
	char *p;
	glong i;

	for (i = 0; i < n; i++) {
		be[2 * i] = units[i] >> 8;
		be[2 * i + 1] = units[i] & 0xff;
	}
	b64 = g_base64_encode(be, n * 2);
	for (p = b64; *p != '\0' && *p != '='; p++)
		g_string_append_c(out, *p == '/' ? ',' : *p);
}

/* Appends the non-ASCII run of len bytes at run as "&" BASE64 "-". */
static void
folder_append_run(GString *out, const char *run, glong len)
{
	g_autofree gunichar2 *units = NULL;
	glong n = 0;

	units = g_utf8_to_utf16(run, len, NULL, &n, NULL);
	g_string_append_c(out, '&');
	if (units != NULL)
		folder_append_base64(out, units, n);
	g_string_append_c(out, '-');
}

/* A folder name in IMAP's modified UTF-7 (RFC 3501, 5.1.3): printable
 * ASCII as is but "&" as "&-", anything else as "&" BASE64(UTF-16) "-". */
static char *
folder_encode(const char *folder, GError **error)
{
	GString *out;
	const char *p, *run;

	if (*folder == '\0' || !g_utf8_validate(folder, -1, NULL)) {
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_MAILBOX,
		    "invalid folder name \"%s\"", folder);
		return NULL;
	}
	out = g_string_new(NULL);
	for (p = folder; *p != '\0';) {
		if (FOLDER_PRINTABLE(*p)) {
			if (*p == '&')
				g_string_append(out, "&-");
			else
				g_string_append_c(out, *p);
			p++;
			continue;
		}
		for (run = p; *p != '\0' && !FOLDER_PRINTABLE(*p);)
			p = g_utf8_next_char(p);
		folder_append_run(out, run, p - run);
	}
	return g_string_free(out, FALSE);
}

/* ------------------------------------------------------------ sessions */

/* Sends the parts and CRLF, then flushes. */
static int
send_line(mailimap *s, const char *a, const char *b)
{
	if (mailstream_write(s->imap_stream, a, strlen(a)) == -1 ||
	    (b != NULL && mailstream_write(s->imap_stream, b, strlen(b)) == -1) ||
	    mailstream_write(s->imap_stream, "\r\n", 2) == -1 ||
	    mailstream_flush(s->imap_stream) == -1)
		return MAILIMAP_ERROR_STREAM;
	return MAILIMAP_NO_ERROR;
}

/* Reads the capabilities unless libetpan has them already (from the
 * greeting or the login's answer); force asks again, after STARTTLS. */
static gboolean
imap_load_capabilities(struct imap *imap, gboolean force, GError **error)
{
	struct mailimap_connection_info *ci;
	struct mailimap_capability_data *caps = NULL;
	int r;

	ci = imap->session->imap_connection_info;
	if (!force && ci != NULL && ci->imap_capability != NULL)
		return TRUE;
	r = mailimap_capability(imap->session, &caps);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(imap, r, IMAP_ERROR_PROTOCOL, error,
		    "CAPABILITY at %s", imap->peer);
	/* A copy: libetpan keeps its own in imap_connection_info. */
	mailimap_capability_data_free(caps);
	return TRUE;
}

/* Drops the capabilities libetpan holds, so that those the login's answer
 * brings, or their absence, can be seen. */
static void
imap_forget_capabilities(struct imap *imap)
{
	struct mailimap_connection_info *ci;

	ci = imap->session->imap_connection_info;
	if (ci != NULL && ci->imap_capability != NULL) {
		mailimap_capability_data_free(ci->imap_capability);
		ci->imap_capability = NULL;
	}
}

/* The stream on our driver, and the server's greeting. */
static gboolean
imap_open_session(struct imap *imap, GError **error)
{
	mailstream *stream;
	int r;

	stream = net_stream_new(imap->net, IMAP_STREAM_BUFFER);
	imap->session = mailimap_new(0, NULL);
	if (imap->session == NULL)
		fatalx("mailimap_new: out of memory");
	/* From here on the session owns the stream, even on failure. */
	r = mailimap_connect(imap->session, stream);
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
		return imap_fail(imap, r, IMAP_ERROR_PROTOCOL, error,
		    "no IMAP greeting from %s%s", imap->peer,
		    imap->security != IMAP_SECURITY_TLS ? " (if the port"
		    " expects TLS first, set security = tls in [imap])" : "");
	return imap_load_capabilities(imap, FALSE, error);
}

static gboolean
imap_starttls(struct imap *imap, GError **error)
{
	GError *nerr = NULL;
	int r;

	/* PREAUTH leaves no way to TLS before commands: a man in the
	 * middle would love it. */
	if (imap->session->imap_state == MAILIMAP_STATE_AUTHENTICATED) {
		imap->dead = TRUE;
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_TLS,
		    "%s logs in before STARTTLS (PREAUTH); refusing to go on"
		    " without TLS", imap->peer);
		return FALSE;
	}
	if (!imap_has_capability(imap, "STARTTLS")) {
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_TLS,
		    "%s does not offer STARTTLS; set security = tls in [imap]"
		    " and the server's IMAPS port (993)", imap->peer);
		return FALSE;
	}
	r = mailimap_starttls(imap->session);
	if (r != MAILIMAP_NO_ERROR) {
		/* Debian's libetpan also fails here when data followed the
		 * OK: in any case, not another word without TLS. */
		imap->dead = TRUE;
		return imap_fail(imap, r, IMAP_ERROR_TLS, error,
		    "%s refuses STARTTLS", imap->peer);
	}
	/* What came after the OK came before TLS: an injection attack
	 * (CVE-2020-15953).  Never read it as if it were protected. */
	if (imap->session->imap_stream->read_buffer_len != 0) {
		imap->dead = TRUE;
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_PROTOCOL,
		    "%s sent data after agreeing to STARTTLS", imap->peer);
		return FALSE;
	}
	if (!imap_net_ok(net_start_tls(imap->net, FALSE, &nerr), &nerr,
	    error)) {
		imap->dead = TRUE;
		return FALSE;
	}
	/* Capabilities said before TLS cannot be trusted. */
	return imap_load_capabilities(imap, TRUE, error);
}

/* AUTHENTICATE PLAIN (RFC 4616), with the initial response on the command
 * line when the server offers SASL-IR, else after its continuation. */
static int
imap_auth_plain(struct imap *imap, const char *user, const char *password,
    gboolean sasl_ir)
{
	mailimap *s = imap->session;
	struct mailimap_response *rsp = NULL;
	size_t ulen = strlen(user), plen = strlen(password);
	size_t len = ulen + plen + 2;
	gboolean answered = FALSE;
	char *creds, *b64;
	int r, state;

	/* authorization identity (none) NUL user NUL password */
	creds = g_malloc0(len);
	memcpy(creds + 1, user, ulen);
	memcpy(creds + 2 + ulen, password, plen);
	b64 = g_base64_encode((guchar *)creds, len);
	explicit_bzero(creds, len);
	g_free(creds);

	mailstream_set_privacy(s->imap_stream, 0);
	r = mailimap_send_current_tag(s);
	if (r == MAILIMAP_NO_ERROR && sasl_ir)
		r = send_line(s, "AUTHENTICATE PLAIN ", b64);
	else if (r == MAILIMAP_NO_ERROR) {
		r = send_line(s, "AUTHENTICATE PLAIN", NULL);
		if (r == MAILIMAP_NO_ERROR && mailimap_read_line(s) == NULL)
			r = MAILIMAP_ERROR_STREAM;
		/* Anything but "+" is already the answer: a refusal. */
		answered = s->imap_stream_buffer->str[0] != '+';
		if (r == MAILIMAP_NO_ERROR && !answered)
			r = send_line(s, b64, NULL);
	}
	if (r == MAILIMAP_NO_ERROR && !answered &&
	    mailimap_read_line(s) == NULL)
		r = MAILIMAP_ERROR_STREAM;
	mailstream_set_privacy(s->imap_stream, 1);
	explicit_bzero(b64, strlen(b64));
	g_free(b64);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	r = mailimap_parse_response(s, &rsp);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	state = rsp->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->rsp_type;
	mailimap_response_free(rsp);
	if (state != MAILIMAP_RESP_COND_STATE_OK)
		return MAILIMAP_ERROR_LOGIN;
	s->imap_state = MAILIMAP_STATE_AUTHENTICATED;
	return MAILIMAP_NO_ERROR;
}

static gboolean
imap_login(struct imap *imap, const char *password, GError **error)
{
	mailstream *stream = imap->session->imap_stream;
	struct mailimap_response_info *ri;
	gboolean plain, sasl_ir;
	int r;

	plain = imap_has_capability(imap, "AUTH=PLAIN");
	sasl_ir = imap_has_capability(imap, "SASL-IR");
	if (!plain && imap_has_capability(imap, "LOGINDISABLED")) {
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_AUTH,
		    "%s does not allow logging in %s (LOGINDISABLED)",
		    imap->peer, !net_is_tls(imap->net) ?
		    "without TLS; set security = tls or starttls in [imap]" :
		    "with a password");
		return FALSE;
	}
	imap_forget_capabilities(imap);
	if (plain)
		r = imap_auth_plain(imap, imap->user, password, sasl_ir);
	else
		r = mailimap_login(imap->session, imap->user, password);
	/* The password went through the stream's write buffer. */
	explicit_bzero(stream->write_buffer, stream->buffer_max_size);
	if (r == MAILIMAP_NO_ERROR) {
		log_debug("%s: logged in as %s with %s", imap->peer,
		    imap->user, plain ? "AUTHENTICATE PLAIN" : "LOGIN");
		return imap_load_capabilities(imap, FALSE, error);
	}
	/* [UNAVAILABLE] (RFC 5530): the server cannot check passwords
	 * now; the password may well be right. */
	ri = imap->session->imap_response_info;
	return imap_fail(imap, r, ri != NULL && ri->rsp_atom != NULL &&
	    g_ascii_strcasecmp(ri->rsp_atom, "UNAVAILABLE") == 0 ?
	    IMAP_ERROR_CONNECTION : IMAP_ERROR_AUTH, error,
	    "%s refuses the login of %s", imap->peer, imap->user);
}

static struct imap *
imap_new(const struct imap_account *acct)
{
	struct imap *imap = g_new0(struct imap, 1);
	int port = acct->port;

	if (port <= 0)
		port = acct->security == IMAP_SECURITY_TLS ? 993 : 143;
	struct net_options o = {
		.host = acct->host,
		.port = port,
		.ca_file = acct->ca_file,
		.ca_dir = acct->ca_dir,
		.timeout_seconds = acct->timeout_seconds,
		.section = "imap",
		.starttls_port = 143,
		.trace = TRACE_IMAP,
		.imap_literals = TRUE,
	};

	imap->security = acct->security;
	imap->net = net_new(&o);
	imap->peer = g_strdup(net_peer(imap->net));
	imap->user = g_strdup(acct->user);
	imap->disable = g_strdupv((char **)acct->disable);
	return imap;
}

struct imap *
imap_connect(const struct imap_account *acct, GError **error)
{
	struct imap *imap;
	GError *nerr = NULL;

	g_return_val_if_fail(acct != NULL && acct->host != NULL &&
	    acct->user != NULL && acct->password != NULL, NULL);
	imap = imap_new(acct);
	if (!imap_net_ok(net_connect(imap->net,
	    acct->security != IMAP_SECURITY_NONE, &nerr), &nerr, error))
		goto fail;
	if (acct->security == IMAP_SECURITY_TLS &&
	    !imap_net_ok(net_start_tls(imap->net, TRUE, &nerr), &nerr, error))
		goto fail;
	if (!imap_open_session(imap, error))
		goto fail;
	if (acct->security == IMAP_SECURITY_STARTTLS &&
	    !imap_starttls(imap, error))
		goto fail;
	if (imap->session->imap_state != MAILIMAP_STATE_AUTHENTICATED &&
	    !imap_login(imap, acct->password, error))
		goto fail;
	return imap;

fail:
	imap_close(imap);
	return NULL;
}

gboolean
imap_has_capability(struct imap *imap, const char *cap)
{
	char **d;

	g_return_val_if_fail(imap != NULL && cap != NULL, FALSE);
	if (imap->session == NULL)
		return FALSE;
	for (d = imap->disable; d != NULL && *d != NULL; d++)
		if (g_ascii_strcasecmp(*d, cap) == 0)
			return FALSE;
	if (g_ascii_strncasecmp(cap, "AUTH=", 5) == 0)
		return mailimap_has_authentication(imap->session, cap + 5);
	return mailimap_has_extension(imap->session, cap);
}

void
imap_close(struct imap *imap)
{
	mailimap *s;

	if (imap == NULL)
		return;
	s = imap->session;
	if (s != NULL) {
		if (imap->idling && !imap->dead &&
		    mailimap_idle_done(s) != MAILIMAP_NO_ERROR)
			imap->dead = TRUE;
		/* LOGOUT closes the stream; mailimap_free() would try it
		 * too, so a dead stream is closed first. */
		if (!imap->dead && s->imap_stream != NULL)
			mailimap_logout(s);
		if (s->imap_stream != NULL) {
			mailstream_close(s->imap_stream);
			s->imap_stream = NULL;
		}
		mailimap_free(s);
	}
	net_free(imap->net);
	g_free(imap->peer);
	g_free(imap->user);
	g_strfreev(imap->disable);
	g_free(imap->selected);
	g_free(imap);
}

/* ---------------------------------------------------------- new mail */

/* Whether the server announced messages since news_reset(). */
static gboolean
news_seen(struct imap *imap)
{
	struct mailimap_selection_info *si;

	si = imap->session->imap_selection_info;
	return imap->announced || (si != NULL &&
	    (si->sel_has_exists || si->sel_has_recent));
}

static void
news_reset(struct imap *imap)
{
	struct mailimap_selection_info *si;

	si = imap->session->imap_selection_info;
	imap->announced = FALSE;
	if (si != NULL) {
		si->sel_has_exists = 0;
		si->sel_has_recent = 0;
	}
}

/* ---------------------------------------------------------- commands */

gboolean
imap_select(struct imap *imap, const char *folder, guint32 *uidvalidity,
    guint32 *uidnext, guint32 *exists, GError **error)
{
	struct mailimap_selection_info *si;
	g_autofree char *name = NULL;
	int r;

	g_return_val_if_fail(imap != NULL && folder != NULL, FALSE);
	g_return_val_if_fail(!imap->idling, FALSE);
	if (!imap_alive(imap, error))
		return FALSE;
	if ((name = folder_encode(folder, error)) == NULL)
		return FALSE;
	g_clear_pointer(&imap->selected, g_free);
	r = mailimap_select(imap->session, name);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(imap, r, IMAP_ERROR_MAILBOX, error,
		    "cannot select folder \"%s\" on %s", folder, imap->peer);
	si = imap->session->imap_selection_info;
	if (si == NULL || si->sel_uidvalidity == 0) {
		g_set_error(error, IMAP_ERROR, IMAP_ERROR_MAILBOX,
		    "folder \"%s\" on %s has no UIDVALIDITY", folder,
		    imap->peer);
		return FALSE;
	}
	imap->selected = g_strdup(folder);
	news_reset(imap);
	if (uidvalidity != NULL)
		*uidvalidity = si->sel_uidvalidity;
	if (uidnext != NULL)
		*uidnext = si->sel_uidnext;
	if (exists != NULL)
		*exists = si->sel_exists;
	return TRUE;
}

static int
uid_compare(gconstpointer a, gconstpointer b)
{
	guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;

	return x < y ? -1 : x > y;
}

/* The UIDs above after, ascending.  "n:*" means "n or the highest" to
 * IMAP, so the highest comes back even when it is not above after. */
static gboolean
fetch_search(struct imap *imap, guint32 after, GArray *uids,
    GError **error)
{
	struct mailimap_search_key *key;
	clist *result = NULL;
	clistiter *it;
	guint32 uid;
	int r;

	key = mailimap_search_key_new_uid(mailimap_set_new_interval(after + 1,
	    0));
	r = mailimap_uid_search(imap->session, NULL, key, &result);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(imap, r, IMAP_ERROR_MAILBOX, error,
		    "cannot list the new messages of \"%s\" on %s",
		    imap->selected, imap->peer);
	for (it = clist_begin(result); it != NULL; it = clist_next(it)) {
		uid = *(uint32_t *)clist_content(it);
		if (uid > after)
			g_array_append_val(uids, uid);
	}
	mailimap_search_result_free(result);
	g_array_sort(uids, uid_compare);
	return TRUE;
}

/* A set of sorted UIDs, runs as ranges: "4:53,60". */
static struct mailimap_set *
uid_set_new(const guint32 *uids, guint n)
{
	struct mailimap_set *set = mailimap_set_new_empty();
	guint i, j;

	for (i = 0; i < n; i = j + 1) {
		for (j = i; j + 1 < n && uids[j + 1] == uids[j] + 1; j++)
			;
		if (i == j)
			mailimap_set_add_single(set, uids[i]);
		else
			mailimap_set_add_interval(set, uids[i], uids[j]);
	}
	return set;
}

/* Puts the body of each message of list into raw[], at its UID's place
 * in uids; unsolicited FETCH answers (flags others changed) carry no
 * body and are passed over. */
static void
fetch_collect(clist *list, const guint32 *uids, guint n, GBytes **raw)
{
	struct mailimap_msg_att *att;
	struct mailimap_msg_att_item *item;
	struct mailimap_msg_att_static *st;
	struct mailimap_msg_att_body_section *body;
	clistiter *it, *jt;
	guint32 uid, *at;

	for (it = clist_begin(list); it != NULL; it = clist_next(it)) {
		att = clist_content(it);
		uid = 0;
		body = NULL;
		for (jt = clist_begin(att->att_list); jt != NULL;
		    jt = clist_next(jt)) {
			item = clist_content(jt);
			if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
				continue;
			st = item->att_data.att_static;
			if (st->att_type == MAILIMAP_MSG_ATT_UID)
				uid = st->att_data.att_uid;
			else if (st->att_type == MAILIMAP_MSG_ATT_BODY_SECTION)
				body = st->att_data.att_body_section;
		}
		if (body == NULL || body->sec_body_part == NULL)
			continue;
		at = bsearch(&uid, uids, n, sizeof(*uids), uid_compare);
		if (at != NULL && raw[at - uids] == NULL)
			raw[at - uids] = g_bytes_new(body->sec_body_part,
			    body->sec_length);
	}
}

/* One UID FETCH of n messages, then fn on each, in UID order. */
static gboolean
fetch_batch(struct imap *imap, const guint32 *uids, guint n,
    imap_message_fn fn, gpointer data, gboolean *stop, GError **error)
{
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set;
	GBytes **raw = g_new0(GBytes *, n);
	clist *list = NULL;
	gboolean ok = FALSE;
	guint i;
	int r;

	set = uid_set_new(uids, n);
	ft = mailimap_fetch_type_new_fetch_att_list_empty();
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_uid());
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	    mailimap_fetch_att_new_body_peek_section(mailimap_section_new(NULL)));
	r = mailimap_uid_fetch(imap->session, set, ft, &list);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR) {
		imap_fail(imap, r, IMAP_ERROR_MAILBOX, error,
		    "cannot fetch messages %u to %u of \"%s\" on %s", uids[0],
		    uids[n - 1], imap->selected, imap->peer);
		goto out;
	}
	fetch_collect(list, uids, n, raw);
	mailimap_fetch_list_free(list);
	for (i = 0; i < n && !*stop; i++) {
		if (raw[i] == NULL)
			log_warnx("%s: message UID %u of \"%s\" was not sent"
			    " (expunged meanwhile, or unreadable on the"
			    " server); skipped, left on the server",
			    imap->peer, uids[i], imap->selected);
		else if (!fn(uids[i], raw[i], data))
			*stop = TRUE;
	}
	ok = TRUE;

out:
	for (i = 0; i < n; i++)
		if (raw[i] != NULL)
			g_bytes_unref(raw[i]);
	g_free(raw);
	return ok;
}

gboolean
imap_fetch_new(struct imap *imap, guint32 after, guint batch,
    imap_message_fn fn, gpointer data, GError **error)
{
	g_autoptr(GArray) uids = g_array_new(FALSE, FALSE, sizeof(guint32));
	gboolean stop = FALSE;
	guint i, n;

	g_return_val_if_fail(imap != NULL && fn != NULL, FALSE);
	g_return_val_if_fail(imap->selected != NULL && !imap->idling, FALSE);
	if (!imap_alive(imap, error))
		return FALSE;
	if (after == G_MAXUINT32)
		return TRUE;
	if (batch == 0)
		batch = IMAP_FETCH_BATCH;
	/* What arrives from now on is news again. */
	news_reset(imap);
	if (!fetch_search(imap, after, uids, error))
		return FALSE;
	log_debug("%s: %u new messages in \"%s\" after UID %u", imap->peer,
	    uids->len, imap->selected, after);
	for (i = 0; i < uids->len && !stop; i += n) {
		n = MIN(batch, uids->len - i);
		if (!fetch_batch(imap, &g_array_index(uids, guint32, i), n, fn,
		    data, &stop, error))
			return FALSE;
	}
	return TRUE;
}

/* UID STORE +FLAGS.SILENT (flag) on n sorted UIDs; takes flag. */
static int
store_flag(struct imap *imap, const guint32 *uids, guint n,
    struct mailimap_flag *flag)
{
	struct mailimap_store_att_flags *att;
	struct mailimap_flag_list *flags;
	struct mailimap_set *set;
	int r;

	flags = mailimap_flag_list_new_empty();
	mailimap_flag_list_add(flags, flag);
	att = mailimap_store_att_flags_new_add_flags_silent(flags);
	set = uid_set_new(uids, n);
	r = mailimap_uid_store(imap->session, set, att);
	mailimap_set_free(set);
	mailimap_store_att_flags_free(att);
	return r;
}

gboolean
imap_mark_seen(struct imap *imap, guint32 uid, GError **error)
{
	return imap_mark_seen_uids(imap, &uid, 1, error);
}

gboolean
imap_mark_seen_uids(struct imap *imap, const guint32 *uids, guint n,
    GError **error)
{
	int r;

	g_return_val_if_fail(imap != NULL && imap->selected != NULL, FALSE);
	g_return_val_if_fail(!imap->idling, FALSE);
	if (n == 0)
		return TRUE;
	if (!imap_alive(imap, error))
		return FALSE;
	r = store_flag(imap, uids, n, mailimap_flag_new_seen());
	if (r != MAILIMAP_NO_ERROR && n == 1)
		return imap_fail(imap, r, IMAP_ERROR_MESSAGE, error,
		    "cannot mark message UID %u of \"%s\" on %s seen",
		    uids[0], imap->selected, imap->peer);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(imap, r, IMAP_ERROR_MESSAGE, error,
		    "cannot mark messages UID %u to %u of \"%s\" on %s seen",
		    uids[0], uids[n - 1], imap->selected, imap->peer);
	return TRUE;
}

/* UID MOVE, or UID COPY without it. */
static int
move_transfer(struct imap *imap, guint32 uid, const char *name,
    gboolean move)
{
	struct mailimap_set *set = mailimap_set_new_single(uid);
	int r;

	if (move)
		r = mailimap_uid_move(imap->session, set, name);
	else
		r = mailimap_uid_copy(imap->session, set, name);
	mailimap_set_free(set);
	return r;
}

/* CREATE and SUBSCRIBE, after the server refused a move: most likely the
 * folder is missing ([TRYCREATE]).  A refused CREATE (it exists, say) is
 * no failure; the second move attempt will tell. */
static int
move_create(struct imap *imap, const char *name, const char *folder)
{
	int r;

	r = mailimap_create(imap->session, name);
	if (r == MAILIMAP_NO_ERROR) {
		log_info("%s: created folder \"%s\"", imap->peer, folder);
		r = mailimap_subscribe(imap->session, name);
	}
	return imap_refused(r) ? MAILIMAP_NO_ERROR : r;
}

/* \Deleted, then UID EXPUNGE of that message alone, or EXPUNGE. */
static int
move_expunge(struct imap *imap, guint32 uid)
{
	struct mailimap_set *set;
	int r;

	r = store_flag(imap, &uid, 1, mailimap_flag_new_deleted());
	if (r != MAILIMAP_NO_ERROR)
		return r;
	if (!imap_has_capability(imap, "UIDPLUS"))
		return mailimap_expunge(imap->session);
	set = mailimap_set_new_single(uid);
	r = mailimap_uid_expunge(imap->session, set);
	mailimap_set_free(set);
	return r;
}

gboolean
imap_move(struct imap *imap, guint32 uid, const char *folder,
    GError **error)
{
	g_autofree char *name = NULL;
	gboolean move;
	int r;

	g_return_val_if_fail(imap != NULL && folder != NULL, FALSE);
	g_return_val_if_fail(imap->selected != NULL && !imap->idling, FALSE);
	if (!imap_alive(imap, error))
		return FALSE;
	if ((name = folder_encode(folder, error)) == NULL)
		return FALSE;
	move = imap_has_capability(imap, "MOVE");
	r = move_transfer(imap, uid, name, move);
	if (imap_refused(r)) {
		log_debug("%s: moving UID %u to \"%s\" refused; creating the"
		    " folder", imap->peer, uid, folder);
		r = move_create(imap, name, folder);
		if (r == MAILIMAP_NO_ERROR)
			r = move_transfer(imap, uid, name, move);
	}
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(imap, r, IMAP_ERROR_MESSAGE, error,
		    "cannot %s message UID %u of \"%s\" to \"%s\" on %s",
		    move ? "move" : "copy", uid, imap->selected, folder,
		    imap->peer);
	if (move)
		return TRUE;
	r = move_expunge(imap, uid);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(imap, r, IMAP_ERROR_MESSAGE, error,
		    "message UID %u of \"%s\" on %s is copied to \"%s\" but"
		    " cannot be removed", uid, imap->selected, imap->peer,
		    folder);
	return TRUE;
}

/* ---------------------------------------------------------------- IDLE */

/* Reads what follows a literal announced at the end of the line in the
 * buffer, so that the next line read is a new response. */
static int
idle_skip_literals(mailimap *s)
{
	MMAPString *b = s->imap_stream_buffer;
	char scratch[4096];
	guint64 left;
	size_t len;
	ssize_t n;

	for (;;) {
		len = b->len;
		while (len > 0 && (b->str[len - 1] == '\n' ||
		    b->str[len - 1] == '\r'))
			len--;
		left = net_literal_size(b->str, len);
		if (left == 0)
			return MAILIMAP_NO_ERROR;
		while (left > 0) {
			n = mailstream_read(s->imap_stream, scratch,
			    MIN(left, sizeof(scratch)));
			if (n <= 0)
				return MAILIMAP_ERROR_STREAM;
			left -= n;
		}
		if (mailimap_read_line(s) == NULL)
			return MAILIMAP_ERROR_STREAM;
	}
}

/* An untagged response that came before IDLE's continuation: libetpan's
 * mailimap_idle() throws those away, and with them the EXISTS of mail
 * that arrived just then, which would then wait for the next one. */
static int
idle_untagged(struct imap *imap, const char *line)
{
	g_autofree char *l = g_ascii_strup(line, -1);

	g_strchomp(l);
	if (g_str_has_suffix(l, " EXISTS") || g_str_has_suffix(l, " RECENT"))
		imap->announced = TRUE;
	return idle_skip_literals(imap->session);
}

gboolean
imap_idle_start(struct imap *imap, GError **error)
{
	mailimap *s;
	const char *line;
	struct mailimap_response *rsp = NULL;
	int r;

	g_return_val_if_fail(imap != NULL && imap->selected != NULL, FALSE);
	g_return_val_if_fail(!imap->idling, FALSE);
	g_return_val_if_fail(imap_has_capability(imap, "IDLE"), FALSE);
	if (!imap_alive(imap, error))
		return FALSE;
	s = imap->session;
	r = mailimap_send_current_tag(s);
	if (r == MAILIMAP_NO_ERROR)
		r = send_line(s, "IDLE", NULL);
	while (r == MAILIMAP_NO_ERROR) {
		if ((line = mailimap_read_line(s)) == NULL) {
			r = MAILIMAP_ERROR_STREAM;
			break;
		}
		if (line[0] == '+') {
			imap->idling = TRUE;
			return TRUE;
		}
		if (line[0] != '*') {
			/* The tagged answer: IDLE refused. */
			r = mailimap_parse_response(s, &rsp);
			if (r == MAILIMAP_NO_ERROR) {
				mailimap_response_free(rsp);
				r = MAILIMAP_ERROR_EXTENSION;
			}
			break;
		}
		r = idle_untagged(imap, line);
	}
	return imap_fail(imap, r, IMAP_ERROR_PROTOCOL, error,
	    "IDLE on \"%s\" at %s", imap->selected, imap->peer);
}

int
imap_idle_fd(struct imap *imap)
{
	g_return_val_if_fail(imap != NULL, -1);
	return imap->idling && !imap->dead ? net_fd(imap->net) : -1;
}

gboolean
imap_pending(struct imap *imap)
{
	mailstream *stream;

	g_return_val_if_fail(imap != NULL, FALSE);
	if (imap->session == NULL || imap->dead)
		return FALSE;
	stream = imap->session->imap_stream;
	return news_seen(imap) ||
	    (stream != NULL && stream->read_buffer_len > 0) ||
	    net_tls_pending(imap->net);
}

gboolean
imap_idle_done(struct imap *imap, gboolean *new_mail, GError **error)
{
	int r;

	g_return_val_if_fail(imap != NULL && imap->idling, FALSE);
	imap->idling = FALSE;
	if (!imap_alive(imap, error))
		return FALSE;
	/* DONE, then the untagged answers (EXISTS among them, which
	 * libetpan notes in its selection info) and the tagged OK. */
	r = mailimap_idle_done(imap->session);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(imap, r, IMAP_ERROR_PROTOCOL, error,
		    "ending IDLE on \"%s\" at %s", imap->selected,
		    imap->peer);
	if (new_mail != NULL)
		*new_mail = news_seen(imap);
	return TRUE;
}

gboolean
imap_noop(struct imap *imap, gboolean *new_mail, GError **error)
{
	int r;

	g_return_val_if_fail(imap != NULL && !imap->idling, FALSE);
	if (!imap_alive(imap, error))
		return FALSE;
	r = mailimap_noop(imap->session);
	if (r != MAILIMAP_NO_ERROR)
		return imap_fail(imap, r, IMAP_ERROR_PROTOCOL, error,
		    "NOOP at %s", imap->peer);
	if (new_mail != NULL)
		*new_mail = news_seen(imap);
	return TRUE;
}
