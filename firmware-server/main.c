/*
 * main.c - firmware-server's command line.
 *
 *   firmware-server [-c FILE.ini] [-p PORT] [-d DIR] [-l LEVEL]
 *                   [-o KEY=VALUE]... [PORT [ATTEMPTS | BLOCK_SECONDS IDLE]]
 *
 * Settings are applied in this order, later ones winning: the table's
 * defaults, the INI file, the options, the positional arguments of the
 * earlier generations.  Without an INI file registration is on and the
 * files live in the current directory, as they always did.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "proto.h"
#include "server.h"
#include "store.h"
#include "tls.h"

#define FS_VERSION	"0.1.0"

/* The command line, kept for main_config() on SIGHUP. */
static int		 main_argc;
static char		**main_argv;
static const char	*main_ini;

/* Print how to call the program. */
static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: firmware-server [-c FILE.ini] [-p PORT] [-d DATA_DIR] "
	    "[-l LEVEL] [-o KEY=VALUE]...\n"
	    "       firmware-server --fingerprint [-c FILE.ini] [-d DATA_DIR]\n"
	    "       firmware-server PORT ATTEMPTS\n"
	    "       firmware-server PORT BLOCK_SECONDS IDLE_TIMEOUT_SECONDS\n");
}

/* --help: usage, options and every setting of the table. */
static void
help(void)
{
	usage(stdout);
	printf("\n"
	    "A messaging and file-sharing server for small Linux boards.\n\n"
	    "Options:\n"
	    "  -c, --config FILE   read settings from an INI file\n"
	    "  -p, --port PORT     same as -o server.port=PORT\n"
	    "  -d, --data-dir DIR  same as -o storage.data_dir=DIR\n"
	    "  -l, --log-level L   same as -o log.level=L (error, warn, info, "
	    "debug)\n"
	    "  -o KEY=VALUE        set any setting below\n"
	    "  --fingerprint       print the TLS certificate's SHA-256 "
	    "fingerprint (what\n"
	    "                      clients pin) and exit; makes the key and "
	    "certificate\n"
	    "                      in the data directory when they are "
	    "missing\n"
	    "  -h, --help          this text\n"
	    "  -V, --version       print the version\n\n"
	    "Positional forms of the earlier generations (they override the "
	    "INI file):\n"
	    "  PORT ATTEMPTS                 ATTEMPTS failed logins (1..5) "
	    "block a name for 10 s\n"
	    "  PORT BLOCK_SECONDS IDLE       3 attempts, block and idle "
	    "timeout in seconds\n"
	    "Without -c, registration of new accounts is on and credentials.txt "
	    "and the\nserver's files are in the current directory.\n\n"
	    "Settings (INI section.key = default):\n");
	config_print_help(stdout);
	printf("\nstorage.data_dir given neither in the INI file nor with -d "
	    "is $STATE_DIRECTORY\n(set by systemd's StateDirectory=) when set, "
	    "else the current directory.\n"
	    "\nSignals: SIGTERM and SIGINT stop the server cleanly; SIGHUP "
	    "reloads the\ncredentials and the settings that can change "
	    "while running.\n"
	    "Protocol version %d; see docs/PROTOCOL.md.\n", PROTO_VERSION);
}

/* Apply key=value or fail with a message. */
static void
set_or_die(struct config *cfg, const char *key, const char *value,
    const char *what)
{
	char err[CONFIG_ERR_MAX];

	if (config_set(cfg, key, value, err, sizeof(err)) == -1) {
		fprintf(stderr, "firmware-server: %s: %s\n", what, err);
		exit(1);
	}
}

/* Apply the generations' positional arguments. */
static void
apply_positional(struct config *cfg, int argc, char **argv)
{
	char err[CONFIG_ERR_MAX];

	if (argc > 3) {
		fprintf(stderr, "firmware-server: too many arguments\n");
		usage(stderr);
		exit(1);
	}
	if (argc >= 1 && config_set(cfg, "port", argv[0], err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "firmware-server: invalid PORT '%s': must be an "
		    "integer from 1 to 65535\n", argv[0]);
		exit(1);
	}
	if (argc == 2 && config_set(cfg, "attempts", argv[1], err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "firmware-server: invalid ATTEMPTS '%s': the "
		    "number of allowed failed consecutive attempts must be an "
		    "integer from 1 to 5\n", argv[1]);
		exit(1);
	}
	if (argc == 3) {
		if (config_set(cfg, "block_seconds", argv[1], err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "firmware-server: invalid BLOCK_SECONDS "
			    "'%s': must be an integer from 1 to 86400\n",
			    argv[1]);
			exit(1);
		}
		if (config_set(cfg, "idle_timeout", argv[2], err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "firmware-server: invalid "
			    "IDLE_TIMEOUT_SECONDS '%s': must be an integer from "
			    "0 to 86400 (0 = off)\n", argv[2]);
			exit(1);
		}
		set_or_die(cfg, "attempts", "3", "ATTEMPTS");
	}
}

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "port", required_argument, NULL, 'p' },
	{ "data-dir", required_argument, NULL, 'd' },
	{ "log-level", required_argument, NULL, 'l' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "fingerprint", no_argument, NULL, 'F' },
	{ NULL, 0, NULL, 0 },
};

/*
 * Build the settings from the command line kept in main_argc/main_argv:
 * defaults, INI file, options, positional arguments, then
 * $STATE_DIRECTORY for a data_dir that none of them gave.  Used at start
 * and on SIGHUP (the options passed once, so only the INI file can fail).
 * Returns 0, or -1 with err set.
 */
static int
main_config(struct config *cfg, char *err, size_t errlen)
{
	const char *state_dir;
	char key[CONFIG_ERR_MAX], dir[CONFIG_PATH_MAX], *eq;
	int ch;

	config_defaults(cfg);
	/* Empty, which no source can set: "data_dir was not given". */
	cfg->data_dir[0] = '\0';
	if (main_ini == NULL)
		set_or_die(cfg, "registration", "yes", "default");
	else if (config_load_file(cfg, main_ini, err, errlen) == -1)
		return -1;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(main_argc, main_argv, "+c:p:d:l:o:hV",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			set_or_die(cfg, "port", optarg, "-p");
			break;
		case 'd':
			set_or_die(cfg, "data_dir", optarg, "-d");
			break;
		case 'l':
			set_or_die(cfg, "level", optarg, "-l");
			break;
		case 'o':
			if ((eq = strchr(optarg, '=')) == NULL ||
			    (size_t)(eq - optarg) >= sizeof(key)) {
				fprintf(stderr, "firmware-server: -o %s: expected "
				    "KEY=VALUE\n", optarg);
				exit(1);
			}
			memcpy(key, optarg, (size_t)(eq - optarg));
			key[eq - optarg] = '\0';
			set_or_die(cfg, key, eq + 1, "-o");
			break;
		default:
			break;
		}
	}
	apply_positional(cfg, main_argc - optind, main_argv + optind);
	if (cfg->data_dir[0] == '\0') {
		/* systemd lists several StateDirectory= paths with ':'. */
		state_dir = getenv("STATE_DIRECTORY");
		if (state_dir != NULL && *state_dir != '\0') {
			snprintf(dir, sizeof(dir), "%.*s",
			    (int)strcspn(state_dir, ":"), state_dir);
			set_or_die(cfg, "data_dir", dir, "$STATE_DIRECTORY");
		} else
			set_or_die(cfg, "data_dir", ".", "default");
	}
	return 0;
}

/* --fingerprint: set up TLS as a start would, print, exit. */
static int
main_fingerprint(const struct config *cfg)
{
	char fp[TLS_FP_LEN], err[CONFIG_ERR_MAX];

	if (store_mkdir(cfg->data_dir) == -1) {
		fprintf(stderr, "firmware-server: data directory %s: %s\n",
		    cfg->data_dir, strerror(errno));
		return 1;
	}
	if (tls_setup(cfg->data_dir, cfg->tls_cert, cfg->tls_key, fp, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "firmware-server: tls: %s\n", err);
		return 1;
	}
	tls_cleanup();
	printf("%s\n", fp);
	return 0;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct server srv;
	const char *ini = NULL;
	char err[CONFIG_ERR_MAX];
	sigset_t stopsigs;
	bool fingerprint = false;
	int ch, status;

	/* First pass: find -c, so the INI file comes before the options. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+c:p:d:l:o:hV", longopts,
	    NULL)) != -1) {
		if (ch == 'c')
			ini = optarg;
		else if (ch == 'F')
			fingerprint = true;
		else if (ch == 'h') {
			help();
			return 0;
		} else if (ch == 'V') {
			printf("firmware-server %s (protocol %d)\n", FS_VERSION,
			    PROTO_VERSION);
			return 0;
		} else if (ch == '?') {
			fprintf(stderr, "firmware-server: unknown option or "
			    "missing value: %s\n", argv[optind - 1]);
			usage(stderr);
			return 1;
		}
	}
	main_argc = argc;
	main_argv = argv;
	main_ini = ini;
	if (main_config(&cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "firmware-server: %s\n", err);
		return 1;
	}
	if (fingerprint)
		return main_fingerprint(&cfg);

	log_init("firmware-server", (enum log_level)cfg.log_level);
	/*
	 * Hold the stop signals from here on: a SIGTERM that arrives once the
	 * port accepts but before server_run() has its handlers waits for the
	 * loop instead of killing the server half-started.
	 */
	sigemptyset(&stopsigs);
	sigaddset(&stopsigs, SIGTERM);
	sigaddset(&stopsigs, SIGINT);
	sigaddset(&stopsigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &stopsigs, NULL);
	if (server_init(&srv, &cfg) == -1) {
		server_free(&srv);
		return 1;
	}
	srv.reconfigure = main_config;
	status = server_run(&srv);
	server_free(&srv);
	log_info("stopped");
	return status == 0 ? 0 : 1;
}
