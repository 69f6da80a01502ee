# A real mail stack for integration tests: Dovecot (IMAP, IMAPS) and Postfix
# (SMTP) on 127.0.0.1, run as root without systemd, entirely inside one
# directory.  Sourced by tests/integration/T*.sh after ../lib.sh; needs bash.
#
# Functions
#   mailstack_available       0 when the stack can run here; otherwise prints
#                             the reason on stdout and returns 1 (for skip_all);
#                             TIDINGS_TESTS_NO_MAILSTACK set says it is not
#                             wanted (the distribution check of .ci/run)
#   mailstack_start DIR       builds the stack under DIR (created if missing,
#                             made traversable by the servers' users, and so
#                             are its parents), starts both servers on free
#                             ports, waits until they accept connections, and
#                             registers mailstack_stop to run at exit
#   mailstack_stop            stops both servers and waits until all their
#                             processes are gone; idempotent
#   mailstack_stop_dovecot, mailstack_start_dovecot,
#   mailstack_stop_postfix, mailstack_start_postfix
#                             stop or restart one server, on the same ports;
#                             changes a test made to the configuration files
#                             are kept
#   mailstack_postconf ARG... postconf -c on the stack's Postfix configuration
#                             (e.g. -e "name = value", -M, -F); use it rather
#                             than postconf itself: it keeps Postfix from
#                             waiting up to 2 s for the files to settle at its
#                             next start or reload (see _ms_backdate); the
#                             change takes effect at the next reload or start
#   mailstack_add_user NAME PASSWORD
#                             IMAP login NAME (or NAME@$MAIL_DOMAIN) with that
#                             password, mailbox NAME@$MAIL_DOMAIN, and its
#                             Maildir; before mailstack_start the user is
#                             created by it, while Postfix runs it is reloaded.
#                             NAME and PASSWORD must not contain ':' or spaces.
#   mailstack_send FROM TO FILE
#                             submits the RFC 5322 message in FILE over SMTP to
#                             127.0.0.1:$SMTP_PORT; curl's status is returned
#                             (non-zero when Postfix refuses the recipient)
#   mailstack_wait_mail USER COUNT [TIMEOUT_SECONDS]
#                             waits (default 20 s) until USER's Maildir holds
#                             at least COUNT messages (new + cur); 1 on timeout
#   mailstack_count_mail USER prints the number of messages in USER's Maildir
#   mailstack_logs [LINES]    prints the tails of the Dovecot and Postfix logs,
#                             each line prefixed with "# " (TAP diagnostics)
#   mailstack_pids [dovecot|postfix]
#                             prints the pids of this stack's server processes
#
# Variables exported by mailstack_start
#   MAILSTACK_DIR   the stack's directory
#   IMAP_PORT       plain IMAP (plaintext login allowed, STARTTLS offered)
#   IMAPS_PORT      IMAP with implicit TLS
#   SMTP_PORT       Postfix smtpd; no authentication, STARTTLS offered;
#                   recipients outside $MAIL_DOMAIN are refused (error
#                   transport), so nothing ever leaves the machine
#   MAIL_DOMAIN     example.test, the only domain delivered to
#   MAILSTACK_CA    self-signed certificate of both servers (CN=localhost,
#                   subjectAltName DNS:localhost and IP:127.0.0.1); use it as
#                   the CA to verify them
#
# Layout of DIR
#   tls/cert.pem tls/key.pem        the certificate and its key
#   mail/NAME/Maildir               mailboxes, written by Postfix's virtual(8)
#                                   as the vmail user, served by Dovecot
#   dovecot/dovecot.conf users      Dovecot's configuration and passwd-file
#   dovecot/run dovecot/state       its base_dir and state_dir
#   postfix/etc postfix/spool postfix/data
#                                   Postfix's config, queue and data directories
#   log/dovecot.log log/postfix.log the servers' logs (there is no syslog)
#
# Every run has its own Dovecot instance_name and Postfix multi_instance_name,
# its own directories and ports, so concurrent runs do not interfere.  The
# vmail user (uid/gid 5000) that owns the Maildirs is created when missing.
# One stack per test shell.
#
# Teardown: mailstack_start registers mailstack_stop with lib.sh's tap_at_exit
# (or, without lib.sh, as the EXIT trap), and also starts a small guard
# process that stops the servers should the shell die without running its
# exit trap (SIGKILL, a second signal during exit); it ends with the shell.
#
# Small helpers below share their caller's local variables (bash scoping is
# dynamic), e.g. _ms_enough_mail in mailstack_wait_mail.

# shellcheck shell=bash
# Helpers called only through _ms_wait_until look unreachable to shellcheck;
# mailstack_logs' LINES is optional.
# shellcheck disable=SC2317,SC2119,SC2120

MAIL_DOMAIN=example.test
export MAIL_DOMAIN

# Root's PATH has the sbin directories, but a test runner may not pass them on.
case ":$PATH:" in
*:/usr/sbin:*) ;;
*) PATH="$PATH:/usr/sbin:/sbin" ;;
esac

_ms_teardown_registered=
_ms_pending_users=()	# NAME PASSWORD pairs added before mailstack_start
_ms_lib="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"

mailstack_available() {
	local cmd
	if [ -n "${TIDINGS_TESTS_NO_MAILSTACK:-}" ]; then
		echo "the mail stack is not wanted in this run (TIDINGS_TESTS_NO_MAILSTACK)"
		return 1
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "the mail stack needs root (Dovecot and Postfix run as root)"
		return 1
	fi
	for cmd in dovecot doveadm postfix postconf curl openssl ss setsid useradd; do
		if ! command -v "$cmd" >/dev/null 2>&1; then
			echo "$cmd is not installed"
			return 1
		fi
	done
	if [ ! -r /etc/postfix/master.cf ]; then
		echo "/etc/postfix/master.cf is missing (Postfix not installed as a package?)"
		return 1
	fi
	return 0
}

# ---------------------------------------------------------------- helpers

_ms_err() { echo "mailstack: $*" >&2; }

# Microseconds since the epoch, without forking.
_ms_now_us() { local t=${EPOCHREALTIME/[.,]/}; echo "$t"; }

# _ms_alive PID: the process exists and is not a zombie.  Here init reaps
# orphans only every couple of seconds, so a server that has exited can
# linger as a zombie, which kill -0 still reports.
_ms_alive() {
	local stat
	stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	case "$stat" in Z*) return 1 ;; esac
	return 0
}

# _ms_backdate FILE...: Postfix rereads a configuration or table file that
# changed within the last second, dozing 300 ms between tries, because an
# editor may still be writing it; that costs up to 2 s per program start.
# Files written here are complete, so their clocks are set back.
_ms_backdate() { touch -d "@$((EPOCHSECONDS - 10))" "$@"; }

# _ms_free_port PORT...: a TCP port on which no socket exists, below Linux's
# default ephemeral range (where an outgoing connection could take it
# meanwhile), and not one of the given ports.  A race with another program remains; the callers retry
# when a server cannot bind.
_ms_free_port() {
	local p taken tries=0
	while [ "$tries" -lt 200 ]; do
		tries=$((tries + 1))
		p=$((20000 + RANDOM % 12000))
		for taken in "$@"; do
			[ "$p" = "$taken" ] && continue 2
		done
		if [ -z "$(ss -Htan "( sport = :$p )" 2>/dev/null)" ]; then
			echo "$p"
			return 0
		fi
	done
	_ms_err "no free TCP port found"
	return 1
}

# _ms_greets PORT PATTERN [BYE]: connects to 127.0.0.1:PORT and, unless
# PATTERN is empty, checks that the first line the server sends starts with
# PATTERN (a glob), then says BYE to part politely.  Loopback connections are
# refused at once, so this cannot hang on connect.
_ms_greets() {
	local fd line status=0
	# The braces keep the stderr redirection to this one command: on a bare
	# exec it would stay for the rest of the shell.
	{ exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	if [ -n "$2" ]; then
		# read -t arms a SIGALRM timer.  Were the shell's signal trap to
		# exit in the middle of the read, the alarm would still fire and
		# kill the exit trap that stops the servers; in a subshell it
		# cannot.
		line=$(IFS= read -r -t 2 l <&"$fd"; printf '%s' "${l:-}")
		case "$line" in "$2"*) ;; *) status=1 ;; esac
		[ -n "${3:-}" ] && { printf '%s\r\n' "$3" >&"$fd"; } 2>/dev/null
	fi
	exec {fd}<&-
	return "$status"
}

# _ms_detached CMD...: runs a server's start command in a session of its own
# and waits for it.  A signal for the test's process group (Ctrl-C, timeout)
# would otherwise kill the starter half-way while the daemon it forked lives
# on, not yet in its directory nor in its pid file, where mailstack_stop
# looks.  This way the shell runs its exit trap only once the start is
# complete, and the stop then finds the server.
_ms_detached() { setsid -w "$@"; }

# _ms_wait_until SECONDS CMD...: polls CMD every 50 ms until it succeeds.
_ms_wait_until() {
	local deadline=$(($(_ms_now_us) + $1 * 1000000))
	shift
	until "$@"; do
		[ "${EPOCHREALTIME/[.,]/}" -ge "$deadline" ] && return 1
		sleep 0.05
	done
	return 0
}

# _ms_pids_under DIR: pids of Dovecot and Postfix processes whose working
# directory lies under DIR; zombies, which have neither, are not listed.  Both
# masters chdir into their own directory (Dovecot's base_dir, Postfix's
# queue_directory) before their start command returns, and their children
# stay there or below (imap in the user's home, imap-login chrooted into
# base_dir), so this finds a stack's processes without pid files.
_ms_pids_under() {
	local servers
	mapfile -t servers < <(find /proc -mindepth 2 -maxdepth 2 -name exe \
		\( -lname '/usr/sbin/dovecot*' -o -lname '/usr/lib/dovecot/*' \
		-o -lname '/usr/lib/postfix/*' \) -printf '%h/cwd\n' 2>/dev/null)
	[ "${#servers[@]}" -gt 0 ] || return 0
	find "${servers[@]}" -maxdepth 0 \( -lname "$1" -o -lname "$1/*" \) \
		-printf '%h\n' 2>/dev/null | sed 's|^/proc/||'
}

mailstack_pids() {
	[ -n "${MAILSTACK_DIR:-}" ] || return 0
	case "${1:-}" in
	dovecot) _ms_pids_under "$MAILSTACK_DIR/dovecot" ;;
	postfix) _ms_pids_under "$MAILSTACK_DIR/postfix" ;;
	*) _ms_pids_under "$MAILSTACK_DIR" ;;
	esac
}

_ms_gone() { [ -z "$(mailstack_pids "$1")" ]; }

# mailstack_kill_dovecot: Dovecot crashes: its master and every IMAP
# process (which run in the users' mail directories) are killed at once,
# so clients see their connections drop without a goodbye.
mailstack_kill_dovecot() {
	local pids
	pids="$(mailstack_pids dovecot) $(_ms_pids_under "$MAILSTACK_DIR/mail")"
	# shellcheck disable=SC2086
	[ -n "${pids// /}" ] && kill -KILL $pids 2>/dev/null
	_ms_wait_until 5 _ms_gone dovecot
}

# _ms_reap SERVER: waits for the server's processes to exit after a stop
# request; kills what is still there after 10 s so no test leaves servers
# behind.
_ms_reap() {
	local pids
	_ms_wait_until 10 _ms_gone "$1" && return 0
	pids=$(mailstack_pids "$1")
	_ms_err "$1 did not stop in time, killing: ${pids//$'\n'/ }"
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	_ms_wait_until 5 _ms_gone "$1"
}

# _ms_guard SHELL_PID DIR: waits until the test shell has gone, then stops
# whatever server processes of the stack in DIR are left.  It is the second
# line of defence behind mailstack_stop in the exit trap: a shell can die
# without running that trap (SIGKILL, or a second SIGTERM, as timeout(1)
# sends to its child and then to the whole group, arriving while the first
# one's "exit" is starting the trap).
_ms_guard() {
	local shell=$1 dir=$2 pids
	while kill -0 "$shell" 2>/dev/null; do
		sleep 0.2
	done
	pids=$(_ms_pids_under "$dir")
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086 # a list of pids
	kill -TERM $pids 2>/dev/null
	_ms_dir_gone() { [ -z "$(_ms_pids_under "$dir")" ]; }
	_ms_wait_until 10 _ms_dir_gone && return 0
	# shellcheck disable=SC2046
	kill -KILL $(_ms_pids_under "$dir") 2>/dev/null
}

# Starts _ms_guard for this shell: in a session of its own, so that signals
# for the test's process group do not reach it; with stdin, stdout and stderr
# on /dev/null, so that a TAP driver reading the test's output does not wait
# for it; and from a subshell, so that it is not a job of the test shell,
# whose "wait" would otherwise wait for it too.  It ends at most 0.2 s after
# the test shell.
_ms_start_guard() {
	# shellcheck disable=SC2016 # expanded by the new shell
	(setsid bash -c '. "$1" && _ms_guard "$2" "$3"' mailstack-guard \
		"$_ms_lib" "$$" "$MAILSTACK_DIR" </dev/null >/dev/null 2>&1 &)
}

# Makes DIR and its parents traversable: Dovecot's auth and login processes,
# Postfix's daemons and the vmail user must reach files under it, and
# mktemp -d creates directories with mode 0700.
_ms_make_reachable() {
	local d=$1
	while [ -n "$d" ] && [ "$d" != / ]; do
		if [ -d "$d" ] && [ "$(($(stat -c '0%a' "$d") & 1))" -eq 0 ]; then
			chmod o+x "$d" || return 1
		fi
		d=$(dirname "$d")
	done
}

_ms_ensure_vmail() {
	if ! getent passwd vmail >/dev/null; then
		# Two concurrent first runs may race here; the loser finds it made.
		useradd -u 5000 -U -M -d /nonexistent -s /usr/sbin/nologin vmail \
			2>/dev/null || getent passwd vmail >/dev/null || {
			_ms_err "cannot create the vmail user (uid 5000 taken?)"
			return 1
		}
	fi
	_ms_uid=$(id -u vmail) && _ms_gid=$(id -g vmail)
}

_ms_make_cert() {
	mkdir -p "$MAILSTACK_DIR/tls"
	# An EC key: as good for the tests and much faster to make than RSA.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 2 -subj /CN=localhost \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
		-keyout "$MAILSTACK_DIR/tls/key.pem" \
		-out "$MAILSTACK_DIR/tls/cert.pem" >/dev/null 2>&1 || {
		_ms_err "openssl could not make a certificate"
		return 1
	}
	chmod 600 "$MAILSTACK_DIR/tls/key.pem"
	chmod 644 "$MAILSTACK_DIR/tls/cert.pem"
	MAILSTACK_CA="$MAILSTACK_DIR/tls/cert.pem"
	export MAILSTACK_CA
}

# ---------------------------------------------------------------- Dovecot

_ms_dovecot_conf() { echo "$MAILSTACK_DIR/dovecot/dovecot.conf"; }

_ms_write_dovecot_conf() {
	local d=$MAILSTACK_DIR
	cat >"$d/dovecot/dovecot.conf" <<EOF
# Dovecot for tidings' integration tests, written by mailstack.sh.
instance_name = $_ms_instance
base_dir = $d/dovecot/run
state_dir = $d/dovecot/state
log_path = $d/log/dovecot.log
protocols = imap
listen = 127.0.0.1

ssl = yes
ssl_cert = <$d/tls/cert.pem
ssl_key = <$d/tls/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
# Refused logins answer at once: tests check refusals and must stay fast.
auth_failure_delay = 0
# Accept both "alice" and "alice@$MAIL_DOMAIN" as the login.
auth_username_format = %Ln

first_valid_uid = $_ms_uid
mail_location = maildir:$d/mail/%u/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN $d/dovecot/users
}
userdb {
  driver = passwd-file
  args = $d/dovecot/users
}

# Nor does a failed login slow down the next logins from 127.0.0.1 (anvil's
# per-IP authentication penalty, 2 s and more).
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
EOF
}

_ms_dovecot_up() {
	_ms_greets "$IMAP_PORT" '* OK' 'a LOGOUT' && _ms_greets "$IMAPS_PORT" ''
}

# _ms_run_dovecot [fresh]: starts Dovecot with its configuration as it is
# (a test may have changed it); with "fresh", a port another program took
# meanwhile is replaced by a new free one.
_ms_run_dovecot() {
	local tries=0 out="$MAILSTACK_DIR/log/dovecot.start"
	while :; do
		# Dovecot binds its listeners before it daemonises, so a port
		# conflict shows in its exit status.
		if _ms_detached dovecot -c "$(_ms_dovecot_conf)" >"$out" 2>&1; then
			break
		fi
		tries=$((tries + 1))
		if [ "${1:-}" = fresh ] && [ "$tries" -lt 5 ] &&
			grep -q 'in use' "$out" "$MAILSTACK_DIR/log/dovecot.log" 2>/dev/null; then
			IMAP_PORT=$(_ms_free_port "$SMTP_PORT") || return 1
			IMAPS_PORT=$(_ms_free_port "$SMTP_PORT" "$IMAP_PORT") || return 1
			export IMAP_PORT IMAPS_PORT
			_ms_write_dovecot_conf
			continue
		fi
		_ms_err "dovecot did not start:"
		cat "$out" >&2
		mailstack_logs >&2
		return 1
	done
	if ! _ms_wait_until 30 _ms_dovecot_up; then
		_ms_err "dovecot does not answer on 127.0.0.1:$IMAP_PORT and :$IMAPS_PORT"
		mailstack_logs >&2
		return 1
	fi
}

mailstack_start_dovecot() {
	_ms_wait_until 10 _ms_gone dovecot ||
		{ _ms_err "dovecot is already running"; return 1; }
	_ms_run_dovecot
}

mailstack_stop_dovecot() {
	local IFS=$' \t\n'	# see mailstack_stop
	[ -n "${MAILSTACK_DIR:-}" ] || return 0
	_ms_gone dovecot && return 0
	doveadm -c "$(_ms_dovecot_conf)" stop >/dev/null 2>&1
	_ms_reap dovecot
}

# ---------------------------------------------------------------- Postfix

_ms_pf_etc() { echo "$MAILSTACK_DIR/postfix/etc"; }

_ms_write_postfix_conf() {
	local d=$MAILSTACK_DIR etc
	etc=$(_ms_pf_etc)
	cat >"$etc/main.cf" <<EOF
# Postfix for tidings' integration tests, written by mailstack.sh.
compatibility_level = 3.6
multi_instance_name = postfix-$_ms_instance
config_directory = $etc
queue_directory = $d/postfix/spool
data_directory = $d/postfix/data
# There is no syslog; Postfix's postlogd writes this file.
maillog_file = $d/log/postfix.log
maillog_file_prefixes = $d/log

myhostname = mail.$MAIL_DOMAIN
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
biff = no
smtpd_banner = \$myhostname ESMTP
# No DNS: the client is always 127.0.0.1.
smtpd_peername_lookup = no

# Delivery into the Maildirs Dovecot serves.
virtual_mailbox_domains = $MAIL_DOMAIN
virtual_mailbox_base = $d/mail
virtual_mailbox_maps = texthash:$etc/vmailbox
virtual_uid_maps = static:$_ms_uid
virtual_gid_maps = static:$_ms_gid
virtual_minimum_uid = 1000

# Nothing leaves the machine: smtpd refuses recipients outside $MAIL_DOMAIN.
default_transport = error:outbound mail is disabled in the test stack
relay_transport = error:outbound mail is disabled in the test stack
local_transport = error:no local delivery in the test stack

smtpd_tls_security_level = may
smtpd_tls_cert_file = $d/tls/cert.pem
smtpd_tls_key_file = $d/tls/key.pem
EOF
	_ms_backdate "$etc/main.cf"
	# Debian's services, with the listener moved to loopback and without
	# chroot (a chroot would need copies of /etc files in the spool).
	cp /etc/postfix/master.cf "$etc/master.cf"
	_ms_move_smtpd smtp && mailstack_postconf -F '*/*/chroot = n'
}

# _ms_move_smtpd NAME: replaces the inet service NAME of master.cf with the
# SMTP listener on 127.0.0.1:$SMTP_PORT.
_ms_move_smtpd() {
	mailstack_postconf -M "$1/inet=127.0.0.1:$SMTP_PORT inet n - n - - smtpd"
}

mailstack_postconf() {
	postconf -c "$(_ms_pf_etc)" "$@" &&
		_ms_backdate "$(_ms_pf_etc)/main.cf" "$(_ms_pf_etc)/master.cf"
}

_ms_postfix_up() { _ms_greets "$SMTP_PORT" '220 ' 'QUIT'; }

# Postfix reports errors of "postfix check" only to syslog, which is absent,
# unless it has a terminal: show them through one.
_ms_postfix_diagnose() {
	if command -v script >/dev/null; then
		script -qec "postfix -c '$(_ms_pf_etc)' check" /dev/null >&2
	fi
}

# _ms_run_postfix [fresh]: starts Postfix with its configuration as it is
# (a test may have changed it); with "fresh", a port another program took
# meanwhile is replaced by a new free one.
_ms_run_postfix() {
	local tries=0 old out="$MAILSTACK_DIR/log/postfix.start"
	while :; do
		# "postfix start" waits (master -w) until the master daemon has
		# bound its listeners, so a port conflict shows in its status.
		if _ms_detached postfix -c "$(_ms_pf_etc)" start >"$out" 2>&1; then
			break
		fi
		tries=$((tries + 1))
		if [ "${1:-}" = fresh ] && [ "$tries" -lt 5 ] &&
			grep -q 'in use' "$out" "$MAILSTACK_DIR/log/postfix.log" 2>/dev/null; then
			old=$SMTP_PORT
			SMTP_PORT=$(_ms_free_port "$IMAP_PORT" "$IMAPS_PORT") || return 1
			export SMTP_PORT
			_ms_move_smtpd "127.0.0.1:$old" || return 1
			continue
		fi
		# What Postfix said is kept in the test's log (TAP comments),
		# and it is tried again: a start can fail for a moment on a
		# loaded machine.  (The restarts after a stop in the middle of
		# deliveries that failed now and then were postsuper unable to
		# write the log; see mailstack_start.)
		sed 's/^/# postfix start: /' "$out"
		if [ "${1:-}" != fresh ] && [ "$tries" -lt 3 ]; then
			sleep 1
			continue
		fi
		_ms_err "postfix did not start:"
		cat "$out" >&2
		mailstack_logs
		_ms_postfix_diagnose
		return 1
	done
	# A loaded machine can take its time; a dead start fails sooner.
	if ! _ms_wait_until 30 _ms_postfix_up; then
		_ms_err "postfix does not answer on 127.0.0.1:$SMTP_PORT"
		echo "# postfix does not answer on 127.0.0.1:$SMTP_PORT"
		mailstack_logs
		return 1
	fi
}

mailstack_start_postfix() {
	# A master that was just stopped may take a moment to be gone.
	if ! _ms_wait_until 10 _ms_gone postfix; then
		_ms_err "postfix is already running"
		echo "# postfix is still running: $(mailstack_pids postfix | tr '\n' ' ')"
		return 1
	fi
	_ms_run_postfix
}

mailstack_stop_postfix() {
	local IFS=$' \t\n'	# see mailstack_stop
	[ -n "${MAILSTACK_DIR:-}" ] || return 0
	_ms_gone postfix && return 0
	postfix -c "$(_ms_pf_etc)" stop >/dev/null 2>&1
	_ms_reap postfix
}

# texthash tables are read once per process: after a change, reload Postfix
# and wait until the processes that read the old table have exited, so the
# next connection sees the new user.
_ms_postfix_reload() {
	local old master
	master=$(sed 1q "$MAILSTACK_DIR/postfix/spool/pid/master.pid" 2>/dev/null | tr -d ' ')
	old=$(mailstack_pids postfix | grep -vx "${master:-x}")
	postfix -c "$(_ms_pf_etc)" reload >/dev/null 2>&1 || return 1
	_ms_old_gone() {
		local p
		for p in $old; do
			_ms_alive "$p" && return 1
		done
		return 0
	}
	_ms_wait_until 10 _ms_old_gone
}

# ---------------------------------------------------------------- users

mailstack_add_user() {
	local name=$1 pass=$2 maildir
	case "$name$pass" in
	*:* | *' '*) _ms_err "user name and password must not contain ':' or spaces"; return 1 ;;
	esac
	if [ -z "${MAILSTACK_DIR:-}" ]; then
		_ms_pending_users+=("$name" "$pass")
		return 0
	fi
	maildir="$MAILSTACK_DIR/mail/$name/Maildir"
	mkdir -p "$maildir/cur" "$maildir/new" "$maildir/tmp"
	chown -R "$_ms_uid:$_ms_gid" "$MAILSTACK_DIR/mail/$name"
	chmod -R go-rwx "$MAILSTACK_DIR/mail/$name"
	# Dovecot re-reads the passwd-file when it changes.
	echo "$name:{PLAIN}$pass:$_ms_uid:$_ms_gid::$MAILSTACK_DIR/mail/$name::" \
		>>"$MAILSTACK_DIR/dovecot/users"
	echo "$name@$MAIL_DOMAIN $name/Maildir/" >>"$(_ms_pf_etc)/vmailbox"
	_ms_backdate "$(_ms_pf_etc)/vmailbox"
	if ! _ms_gone postfix; then
		_ms_postfix_reload || { _ms_err "postfix reload failed"; return 1; }
	fi
}

# ---------------------------------------------------------------- stack

mailstack_start() {
	local dir=${1:?mailstack_start DIR} i
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd) || return 1
	_ms_make_reachable "$dir" || return 1
	_ms_ensure_vmail || return 1

	MAILSTACK_DIR=$dir
	export MAILSTACK_DIR
	# Unique per run: pid plus random, also in the config of both servers.
	_ms_instance="tidings-$$-$RANDOM"

	# Teardown first: a signal during start must not leave servers behind.
	if [ -z "$_ms_teardown_registered" ]; then
		if declare -F tap_at_exit >/dev/null; then
			tap_at_exit mailstack_stop
		else	# not under lib.sh
			trap mailstack_stop EXIT
		fi
		_ms_teardown_registered=1
	fi
	_ms_start_guard

	mkdir -p "$dir/log" "$dir/mail" "$dir/dovecot/run" "$dir/dovecot/state" \
		"$dir/postfix/etc" "$dir/postfix/spool" "$dir/postfix/data" || return 1
	chown "$_ms_uid:$_ms_gid" "$dir/mail"
	chown postfix "$dir/postfix/data"
	chmod 700 "$dir/postfix/data"
	# postlogd (root) writes Postfix's log, but postsuper, which "postfix
	# start" runs as the mail owner, opens it itself when it has something
	# to say, such as a queue file that a stop in the middle of a delivery
	# left half written: the file is the mail owner's, or that start fails.
	: >"$dir/log/postfix.log"
	chown postfix "$dir/log/postfix.log"
	chmod 600 "$dir/log/postfix.log"
	: >"$dir/postfix/etc/vmailbox"
	_ms_backdate "$dir/postfix/etc/vmailbox"
	: >"$dir/dovecot/users"
	chgrp dovecot "$dir/dovecot/users"
	chmod 640 "$dir/dovecot/users"
	_ms_make_cert || return 1

	for ((i = 0; i < ${#_ms_pending_users[@]}; i += 2)); do
		mailstack_add_user "${_ms_pending_users[i]}" "${_ms_pending_users[i + 1]}" || return 1
	done
	_ms_pending_users=()

	IMAP_PORT=$(_ms_free_port) &&
		IMAPS_PORT=$(_ms_free_port "$IMAP_PORT") &&
		SMTP_PORT=$(_ms_free_port "$IMAP_PORT" "$IMAPS_PORT") || return 1
	export IMAP_PORT IMAPS_PORT SMTP_PORT

	_ms_write_dovecot_conf && _ms_write_postfix_conf || return 1
	_ms_run_dovecot fresh && _ms_run_postfix fresh
}

mailstack_stop() {
	# Run from an exit trap, this may have interrupted an "IFS= read" and
	# inherited its empty IFS; the pid lists below are split on white space.
	local IFS=$' \t\n'
	[ -n "${MAILSTACK_DIR:-}" ] || return 0
	mailstack_stop_dovecot
	mailstack_stop_postfix
}

# ---------------------------------------------------------------- mail

mailstack_count_mail() {
	local f n=0 md="$MAILSTACK_DIR/mail/$1/Maildir"
	for f in "$md"/new/* "$md"/cur/*; do
		[ -e "$f" ] && n=$((n + 1))
	done
	echo "$n"
}

mailstack_wait_mail() {
	local user=$1 want=$2
	_ms_enough_mail() { [ "$(mailstack_count_mail "$user")" -ge "$want" ]; }
	_ms_wait_until "${3:-20}" _ms_enough_mail
}

mailstack_send() {
	curl -sS --max-time 20 "smtp://127.0.0.1:$SMTP_PORT/localhost" \
		--mail-from "$1" --mail-rcpt "$2" --upload-file "$3"
}

mailstack_logs() {
	local lines=${1:-25} f
	[ -n "${MAILSTACK_DIR:-}" ] || return 0
	for f in "$MAILSTACK_DIR/log/dovecot.log" "$MAILSTACK_DIR/log/postfix.log"; do
		echo "# --- last $lines lines of $f"
		if [ -s "$f" ]; then
			tail -n "$lines" "$f" | sed 's/^/#   /'
		else
			echo "#   (empty or missing)"
		fi
	done
}
