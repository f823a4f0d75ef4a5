/*
 * reload.h - SIGHUP: read the credentials file and the settings again and
 * apply what can change while clients are connected.
 */
#ifndef RELOAD_H
#define RELOAD_H

struct server;

/*
 * Reload, logging what changed.  Settings: attempts, block_seconds,
 * idle_timeout, login_timeout, registration, max_clients, address_pending,
 * registrations_per_hour, max_accounts, output_limit_kb (new
 * connections), output_budget_mb and log.level take effect; listen, port, data_dir,
 * credentials and fsync_interval_ms need a restart (logged, old value
 * kept).  A bad INI or credentials file changes nothing of its kind and
 * logs FILE:LINE: reason.  Tells systemd RELOADING=1, then READY=1.
 */
void	reload_run(struct server *srv);

#endif /* RELOAD_H */
