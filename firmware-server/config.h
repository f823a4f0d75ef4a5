/*
 * config.h - the server's settings.  One table in config.c (section, key,
 * type, bounds, default, help) drives the INI loader, its error messages,
 * --help and the sample etc/firmware-server.ini.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CONFIG_PATH_MAX		256	/* bytes in a path setting */
#define CONFIG_ERR_MAX		512	/* bytes in an error message */
#define CONFIG_LINE_MAX		190	/* longest INI line accepted (inih cuts at 199) */

struct config {
	/* [server] */
	char	listen[64];		/* IPv4/IPv6 address or "*" */
	int	port;			/* 1..65535 */
	int	max_clients;		/* 1..100000 */
	int	idle_timeout;		/* seconds, 0 = off */
	int	login_timeout;		/* seconds to finish logging in, 0 = off */
	int	address_pending;	/* connections not logged in per address,
					   0 = no limit */
	/* [accounts] */
	char	credentials[CONFIG_PATH_MAX];	/* relative to data_dir */
	int	attempts;		/* 1..5 */
	int	block_seconds;		/* 1..86400 */
	bool	registration;
	int	address_attempts;	/* failed logins per address, 0 = off */
	int	address_block_seconds;
	int	registrations_per_hour;	/* per address, 0 = no limit */
	int	max_accounts;		/* registration stops at this many */
	/* [storage] */
	char	data_dir[CONFIG_PATH_MAX];
	int	fsync_interval_ms;	/* 0: fsync every append */
	/* [limits] */
	int	output_limit_kb;	/* per-client output queue, KiB */
	int	output_budget_mb;	/* all clients' output queues, MiB */
	/* [log] */
	int	log_level;		/* enum log_level */
	/* [tls] */
	char	tls_listen[64];		/* like listen */
	int	tls_port;		/* 0 = no TLS listener */
	char	tls_cert[CONFIG_PATH_MAX];	/* relative to data_dir */
	char	tls_key[CONFIG_PATH_MAX];
	/* [federation] (fed.c): off while broker is empty */
	char	fed_broker[128];	/* HOST:PORT of the MQTT broker */
	char	fed_board[33];		/* this board's name; "": host name */
	char	fed_prefix[65];		/* topic prefix */
	char	fed_username[65];	/* broker user name, "": none */
	char	fed_password_file[CONFIG_PATH_MAX];	/* its first line */
	bool	fed_tls;		/* TLS to the broker */
	char	fed_ca[CONFIG_PATH_MAX];	/* CA file for TLS */
	int	fed_keepalive;		/* seconds */
	bool	fed_homeassistant;	/* Home Assistant discovery */
};

/* Fill c with the table's defaults. */
void	 config_defaults(struct config *c);

/*
 * Load an INI file over c.  Returns 0, or -1 with err holding
 * "FILE:LINE: reason" (or "FILE: reason" when it cannot be read) for the
 * first error.  Unknown sections and keys, duplicate keys, bad values,
 * values out of bounds and lines over CONFIG_LINE_MAX bytes are errors.
 */
int	 config_load_file(struct config *c, const char *path, char *err,
	     size_t errlen);

/* The same for INI text in memory; name stands for the file in errors. */
int	 config_load_string(struct config *c, const char *name,
	     const char *text, char *err, size_t errlen);

/*
 * Set one key ("port" or "server.port") from a string, with the table's
 * checks.  Returns 0, or -1 with err holding "KEY: reason".
 */
int	 config_set(struct config *c, const char *key, const char *value,
	     char *err, size_t errlen);

/* Print every setting (section.key, type, bounds, default, help) for --help. */
void	 config_print_help(FILE *fp);

/* Print a complete sample INI file, every key commented, from the table. */
void	 config_print_sample(FILE *fp);

#endif /* CONFIG_H */
