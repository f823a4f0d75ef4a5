/*
 * main.c - tui-client: arguments, the UDP socket for peer-to-peer sends,
 * the connection to the server, then a frontend until the session ends.
 *
 *   tui-client [--plain] [--tls [--fingerprint SHA256:HEX]] SERVER_IP
 *              SERVER_PORT [UDP_PORT]
 *   tui-client [--plain] SERVER_PORT		(server on 127.0.0.1)
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <termios.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "conf.h"
#include "feature.h"
#include "log.h"
#include "model.h"
#include "net.h"
#include "net_tls.h"
#include "trust.h"
#include "p2p.h"
#include "plain.h"
#include "proto.h"
#include "ui.h"

#define TUI_VERSION	"0.1.0"

static void	 main_usage(FILE *f, bool full);
static int	 main_port(const char *s, unsigned *out);
static int	 main_udp_bind(unsigned port, unsigned *bound);

/* The synopsis (after an error), or the whole help (for --help). */
static void
main_usage(FILE *f, bool full)
{
	fprintf(f,
	    "usage: tui-client [--plain [--reconnect]] [-c FILE.ini] [--tls "
	    "[--fingerprint SHA256:HEX]]\n"
	    "                  SERVER_IP SERVER_PORT [UDP_PORT]\n"
	    "       tui-client [--plain [--reconnect]] [-c FILE.ini] [--tls] "
	    "SERVER_PORT\n"
	    "       tui-client --help | --version\n");
	if (!full)
		return;
	fprintf(f,
	    "\n"
	    "SERVER_IP may be a host name or an IPv4/IPv6 address (default\n"
	    "127.0.0.1); without UDP_PORT the system picks a free port.\n"
	    "  --plain    line mode: read the username, the password and then\n"
	    "             one command per line from standard input; end of\n"
	    "             input logs out (the default when standard input or\n"
	    "             output is not a terminal; else the screen runs)\n"
	    "  --reconnect  plain mode: after a lost connection or a server\n"
	    "             shutdown, connect and log in again (1 s doubling\n"
	    "             to 30 s); without it plain mode exits with status 1.\n"
	    "             The screen always does this, and offers to log in\n"
	    "             again with Enter after an idle logout\n"
	    "  -c FILE    read settings from an INI file (below)\n"
	    "  --tls      connect with TLS 1.3 (the server's TLS port); never\n"
	    "             falls back to plain.  The first time, the server's\n"
	    "             certificate fingerprint is shown and you are asked\n"
	    "             whether to trust it; the answer is pinned in\n"
	    "             $XDG_DATA_HOME/tui-client/known_servers (default\n"
	    "             ~/.local/share/...).  A changed certificate is refused.\n"
	    "  --fingerprint SHA256:HEX\n"
	    "             trust only this certificate (from firmware-server\n"
	    "             --fingerprint); implies --tls\n"
	    "  --help     show this help\n"
	    "  --version  show the version\n"
	    "Exit status: 0 after a normal logout, 2 when login failed, the\n"
	    "account is blocked or the server is not trusted, 1 for other\n"
	    "errors.\n\n");
	conf_help(f);
}

/* Parse a port 1..65535, or say what is wrong; 0 or -1. */
static int
main_port(const char *s, unsigned *out)
{
	long long v;

	if (proto_parse_int(s, 1, 65535, &v) == -1) {
		fprintf(stderr,
		    "tui-client: invalid port '%s' (expected 1..65535)\n", s);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/*
 * Bind a UDP socket on every address (IPv6 and IPv4 when the system has
 * IPv6, else IPv4 only) on port (0: any free one).  Returns the socket
 * with the port in *bound, or -1 after saying why.
 */
static int
main_udp_bind(unsigned port, unsigned *bound)
{
	struct sockaddr_in6 sin6;
	struct sockaddr_in sin;
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, off = 0;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_any;
	sin6.sin6_port = htons((unsigned short)port);
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd != -1) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
		if (bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0)
			goto bound;
		if (errno == EADDRINUSE || errno == EACCES)
			goto fail;
		close(fd);
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	sin.sin_port = htons((unsigned short)port);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		fprintf(stderr, "tui-client: cannot open a UDP socket: %s\n",
		    strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		goto fail;
bound:
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
		fprintf(stderr, "tui-client: UDP socket: %s\n",
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (ss.ss_family == AF_INET6)
		*bound = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		*bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return fd;
fail:
	if (errno == EADDRINUSE)
		fprintf(stderr, "tui-client: UDP port %u is in use\n", port);
	else
		fprintf(stderr, "tui-client: cannot bind UDP port %u: %s\n",
		    port, strerror(errno));
	close(fd);
	return -1;
}

/* First contact in plain mode: the next input line answers, read a byte
   at a time so that the lines after it stay for the session. */
static bool
main_ask_line(void)
{
	char line[64];
	size_t len;
	char ch;

	for (;;) {
		printf("Trust this server? (y/n)\n");
		fflush(stdout);
		len = 0;
		while (read(STDIN_FILENO, &ch, 1) == 1 && ch != '\n')
			if (len + 1 < sizeof(line) && ch != '\r')
				line[len++] = ch;
		line[len] = '\0';
		if (len == 0 && ch != '\n')
			return false;	/* end of input: no */
		if (strcmp(line, "y") == 0 || strcmp(line, "yes") == 0)
			return true;
		if (strcmp(line, "n") == 0 || strcmp(line, "no") == 0)
			return false;
		printf("Please answer y or n.\n");
	}
}

/* The same on a terminal for the screen: one key, no Enter. */
static bool
main_ask_key(void)
{
	struct termios saved, raw;
	char ch = 0;
	bool yes = false;

	printf("Trust this server? (y/n) ");
	fflush(stdout);
	if (tcgetattr(STDIN_FILENO, &saved) == -1)
		return main_ask_line();
	raw = saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
	while (read(STDIN_FILENO, &ch, 1) == 1) {
		if (ch == 'y' || ch == 'Y') {
			yes = true;
			break;
		}
		if (ch == 'n' || ch == 'N' || ch == 'q' || ch == 27)
			break;
	}
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	printf("%s\n", yes ? "y" : "n");
	return yes;
}

/* Trust on first use: show the fingerprint and ask. */
static bool
main_ask_trust(const char *key, const char *fp, void *arg)
{
	bool *screen = arg;

	printf("The server %s is not known yet.\n"
	    "Its certificate fingerprint is %s\n"
	    "Compare it with what the server's admin published "
	    "(firmware-server --fingerprint).\n", key, fp);
	return *screen ? main_ask_key() : main_ask_line();
}

/* Parse the arguments, connect, and run a frontend. */
int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "plain",	no_argument,	NULL, 'p' },
		{ "reconnect",	no_argument,	NULL, 'r' },
		{ "help",	no_argument,	NULL, 'h' },
		{ "config",	required_argument, NULL, 'c' },
		{ "version",	no_argument,	NULL, 'V' },
		{ "tls",	no_argument,	NULL, 'T' },
		{ "fingerprint", required_argument, NULL, 'F' },
		{ NULL,		0,		NULL, 0 },
	};
	const char *host = "127.0.0.1", *port_s;
	unsigned port, udp_port = 0, udp_bound;
	char err[1024], where[300], fpr[TRUST_FP_LEN];
	struct net_tls_opts tls = { 0 };
	bool tls_on = false;
	struct model *m;
	struct app *a;
	struct conf conf;
	bool plain = false, reconnect = false, screen;
	int ch, n, fd, udp_fd, status;

	log_init("tui-client", LOG_LEVEL_WARN);
	conf_defaults(&conf);
	while ((ch = getopt_long(argc, argv, "hVc:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			if (conf_load(&conf, optarg, err, sizeof(err)) == -1) {
				fprintf(stderr, "tui-client: %s\n", err);
				return APP_EXIT_ERROR;
			}
			break;
		case 'p':
			plain = true;
			break;
		case 'T':
			tls_on = true;
			break;
		case 'F':
			if (trust_fp_parse(optarg, fpr) == -1) {
				fprintf(stderr, "tui-client: --fingerprint %s: "
				    "expected SHA256: and 64 hex digits (as "
				    "firmware-server --fingerprint prints)\n",
				    optarg);
				return APP_EXIT_ERROR;
			}
			tls.fingerprint = fpr;
			tls_on = true;
			break;
		case 'r':
			reconnect = true;
			break;
		case 'h':
			main_usage(stdout, true);
			return 0;
		case 'V':
			printf("tui-client %s (protocol %d)\n", TUI_VERSION,
			    PROTO_VERSION);
			return 0;
		default:
			main_usage(stderr, false);
			return APP_EXIT_ERROR;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 3) {
		main_usage(stderr, false);
		return APP_EXIT_ERROR;
	}
	n = 0;
	if (argc >= 2)
		host = argv[n++];
	port_s = argv[n++];
	if (main_port(port_s, &port) == -1 ||
	    (argc == 3 && main_port(argv[n], &udp_port) == -1)) {
		main_usage(stderr, false);
		return APP_EXIT_ERROR;
	}

	/* A dead server must give an error from write(), not kill us. */
	signal(SIGPIPE, SIG_IGN);

	screen = !plain && isatty(STDIN_FILENO) == 1 &&
	    isatty(STDOUT_FILENO) == 1;
	if (tls_on || conf.tls) {
		if (tls.fingerprint == NULL && conf.tls_fingerprint[0] != '\0')
			tls.fingerprint = conf.tls_fingerprint;
		tls.ca = conf.tls_ca[0] != '\0' ? conf.tls_ca : NULL;
		tls.ask = main_ask_trust;
		tls.ask_arg = &screen;
		net_use_tls(&tls);
	}

	/* Kept open for the whole session: later issues receive files on it. */
	if ((udp_fd = main_udp_bind(udp_port, &udp_bound)) == -1)
		return APP_EXIT_ERROR;
	if ((fd = net_connect(host, port_s, err, sizeof(err))) == -1) {
		if (net_refused()) {
			fprintf(stderr, "tui-client: %s\n", err);
			close(udp_fd);
			return APP_EXIT_LOGIN;
		}
		fprintf(stderr, "tui-client: cannot connect to %s%s%s:%s: %s\n",
		    strchr(host, ':') != NULL ? "[" : "", host,
		    strchr(host, ':') != NULL ? "]" : "", port_s, err);
		close(udp_fd);
		return APP_EXIT_ERROR;
	}
	p2p_setup(udp_fd, &conf);
	if ((m = model_new(0)) == NULL ||
	    (a = app_new(m, fd, udp_bound, features_all)) == NULL) {
		fprintf(stderr, "tui-client: %s\n", strerror(errno));
		model_free(m);
		close(fd);
		close(udp_fd);
		return APP_EXIT_ERROR;
	}

	/*
	 * The frontend: the screen when both ends are a terminal and --plain
	 * is not given, plain lines otherwise (or when the terminal type is
	 * unknown to curses).
	 */
	status = -1;
	/* The screen always stays on; plain mode only with --reconnect. */
	app_set_server(a, host, port_s, screen || reconnect, screen);
	if (screen) {
		ui_set_look(conf.time_format, conf.log_dir);
		snprintf(where, sizeof(where), "%s%s%s:%s",
		    strchr(host, ':') != NULL ? "[" : "", host,
		    strchr(host, ':') != NULL ? "]" : "", port_s);
		p2p_set_screen(true);
		if ((status = ui_run(a, m, where)) == -1)
			fprintf(stderr, "tui-client: cannot use this terminal "
			    "(TERM=%s); plain mode\n", getenv("TERM") != NULL ?
			    getenv("TERM") : "");
	}
	if (status == -1) {
		app_set_server(a, host, port_s, reconnect, false);
		p2p_set_screen(false);
		status = plain_run(a, m);
	}

	app_free(a);
	model_free(m);
	close(udp_fd);
	return status;
}
