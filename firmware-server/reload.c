/*
 * reload.c - what SIGHUP does.  The settings are built anew exactly as at
 * start (main.c's reconfigure hook: defaults, INI file, command line,
 * $STATE_DIRECTORY); the ones bound to resources made at start (the
 * listening socket, the data directory, the credentials path, the sync
 * timer) are put back to their running values with a log line saying they
 * need a restart, and the rest replaces the running settings at once.
 * Every reader of srv->cfg looks at it when it acts, so nothing else has
 * to be told.  A new setting that is only read at start belongs in
 * reload_keep_restart_only().
 */
#include <stdio.h>
#include <string.h>

#include "accounts.h"
#include "config.h"
#include "conn.h"
#include "log.h"
#include "notify.h"
#include "reload.h"
#include "server.h"

/* Log a setting that changed in the file but needs a restart. */
static void
reload_restart_note(const char *key, const char *running, const char *wanted)
{
	log_warnx("reload: %s changed (%s -> %s): takes effect after a "
	    "restart", key, running, wanted);
}

/* Put back the running values of the settings that need a restart. */
static void
reload_keep_restart_only(const struct config *cur, struct config *nc)
{
	char a[32], b[32];

	if (strcmp(cur->listen, nc->listen) != 0)
		reload_restart_note("server.listen", cur->listen, nc->listen);
	memcpy(nc->listen, cur->listen, sizeof(nc->listen));
	if (cur->port != nc->port) {
		snprintf(a, sizeof(a), "%d", cur->port);
		snprintf(b, sizeof(b), "%d", nc->port);
		reload_restart_note("server.port", a, b);
		nc->port = cur->port;
	}
	if (strcmp(cur->data_dir, nc->data_dir) != 0)
		reload_restart_note("storage.data_dir", cur->data_dir,
		    nc->data_dir);
	memcpy(nc->data_dir, cur->data_dir, sizeof(nc->data_dir));
	if (strcmp(cur->credentials, nc->credentials) != 0)
		reload_restart_note("accounts.credentials", cur->credentials,
		    nc->credentials);
	memcpy(nc->credentials, cur->credentials, sizeof(nc->credentials));
	/* The broker link is made once, at start-up (fed.c). */
	if (strcmp(cur->fed_broker, nc->fed_broker) != 0 ||
	    strcmp(cur->fed_board, nc->fed_board) != 0 ||
	    strcmp(cur->fed_prefix, nc->fed_prefix) != 0 ||
	    strcmp(cur->fed_username, nc->fed_username) != 0 ||
	    strcmp(cur->fed_password_file, nc->fed_password_file) != 0 ||
	    strcmp(cur->fed_ca, nc->fed_ca) != 0 ||
	    cur->fed_tls != nc->fed_tls ||
	    cur->fed_keepalive != nc->fed_keepalive)
		reload_restart_note("federation.*", "(running)", "(changed)");
	memcpy(nc->fed_broker, cur->fed_broker, sizeof(nc->fed_broker));
	memcpy(nc->fed_board, cur->fed_board, sizeof(nc->fed_board));
	memcpy(nc->fed_prefix, cur->fed_prefix, sizeof(nc->fed_prefix));
	memcpy(nc->fed_username, cur->fed_username, sizeof(nc->fed_username));
	memcpy(nc->fed_password_file, cur->fed_password_file,
	    sizeof(nc->fed_password_file));
	memcpy(nc->fed_ca, cur->fed_ca, sizeof(nc->fed_ca));
	nc->fed_tls = cur->fed_tls;
	nc->fed_keepalive = cur->fed_keepalive;
	if (cur->fsync_interval_ms != nc->fsync_interval_ms) {
		snprintf(a, sizeof(a), "%d", cur->fsync_interval_ms);
		snprintf(b, sizeof(b), "%d", nc->fsync_interval_ms);
		reload_restart_note("storage.fsync_interval_ms", a, b);
		nc->fsync_interval_ms = cur->fsync_interval_ms;
	}
	/* The TLS listener, key and certificate are set up once, at start. */
	if (cur->tls_port != nc->tls_port ||
	    strcmp(cur->tls_listen, nc->tls_listen) != 0 ||
	    strcmp(cur->tls_cert, nc->tls_cert) != 0 ||
	    strcmp(cur->tls_key, nc->tls_key) != 0)
		reload_restart_note("tls.*", "running", "changed");
	nc->tls_port = cur->tls_port;
	memcpy(nc->tls_listen, cur->tls_listen, sizeof(nc->tls_listen));
	memcpy(nc->tls_cert, cur->tls_cert, sizeof(nc->tls_cert));
	memcpy(nc->tls_key, cur->tls_key, sizeof(nc->tls_key));
}

/* Re-read the settings; the running ones stay on an error. */
static void
reload_settings(struct server *srv)
{
	struct config nc;
	char err[CONFIG_ERR_MAX];

	if (srv->reconfigure == NULL)
		return;
	if (srv->reconfigure(&nc, err, sizeof(err)) == -1) {
		log_warnx("reload: settings unchanged: %s", err);
		return;
	}
	reload_keep_restart_only(&srv->cfg, &nc);
	srv->cfg = nc;
	conn_set_budget((size_t)nc.output_budget_mb * 1024 * 1024);
	log_set_level((enum log_level)nc.log_level);
	log_info("reload: settings: attempts %d, block %d s, idle timeout "
	    "%d s, login timeout %d s, registration %s, max_clients %d, "
	    "log level %s", nc.attempts, nc.block_seconds, nc.idle_timeout,
	    nc.login_timeout, nc.registration ? "on" : "off", nc.max_clients,
	    log_level_name((enum log_level)nc.log_level));
}

/* Re-read the credentials; the running set stays on an error. */
static void
reload_accounts(struct server *srv)
{
	char err[CONFIG_ERR_MAX];
	size_t added, removed;

	if (accounts_reload(srv->accounts, srv->cfg.registration, &added,
	    &removed, err, sizeof(err)) == -1) {
		log_warnx("reload: credentials unchanged: %s", err);
		return;
	}
	log_info("reload: credentials %s: %zu accounts, %zu new, %zu removed",
	    srv->creds_path, accounts_count(srv->accounts), added, removed);
}

/* SIGHUP: settings, then credentials, told to systemd. */
void
reload_run(struct server *srv)
{
	log_info("SIGHUP: reloading");
	notify_send("RELOADING=1\nSTATUS=reloading");
	reload_settings(srv);
	reload_accounts(srv);
	notify_sendf("READY=1\nSTATUS=listening on %s port %d",
	    srv->cfg.listen, srv->cfg.port);
}
