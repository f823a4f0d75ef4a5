/*
 * check_config.c - the settings table, the INI loader and its messages,
 * config_set, --help and the sample file.  Fixtures live in
 * tests/fixtures/config/, one per case; tests run from the repository root.
 */
#include <check.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "suites.h"

#define FIX		"tests/fixtures/config/"
#define SHIPPED_INI	"etc/firmware-server.ini"

/* Every setting, as the specification lists them. */
static const char *const all_keys[] = {
	"server.listen", "server.port", "server.max_clients",
	"server.idle_timeout", "server.login_timeout", "server.address_pending",
	"accounts.credentials", "accounts.attempts", "accounts.block_seconds",
	"accounts.registration", "accounts.address_attempts",
	"accounts.address_block_seconds", "accounts.registrations_per_hour",
	"accounts.max_accounts", "storage.data_dir",
	"storage.fsync_interval_ms", "limits.output_limit_kb",
	"limits.output_budget_mb",
	"log.level", "tls.listen", "tls.port", "tls.cert", "tls.key",
	"federation.broker", "federation.board", "federation.prefix",
	"federation.username", "federation.password_file", "federation.tls",
	"federation.ca", "federation.keepalive", "federation.homeassistant",
};
#define NKEYS	(sizeof(all_keys) / sizeof(all_keys[0]))

/* Compare two configs field by field, naming the field that differs. */
static void
assert_config_eq(const struct config *a, const struct config *b)
{
	ck_assert_str_eq(a->listen, b->listen);
	ck_assert_int_eq(a->port, b->port);
	ck_assert_int_eq(a->max_clients, b->max_clients);
	ck_assert_int_eq(a->idle_timeout, b->idle_timeout);
	ck_assert_int_eq(a->login_timeout, b->login_timeout);
	ck_assert_str_eq(a->credentials, b->credentials);
	ck_assert_int_eq(a->attempts, b->attempts);
	ck_assert_int_eq(a->block_seconds, b->block_seconds);
	ck_assert_int_eq(a->registration, b->registration);
	ck_assert_str_eq(a->data_dir, b->data_dir);
	ck_assert_int_eq(a->fsync_interval_ms, b->fsync_interval_ms);
	ck_assert_str_eq(a->tls_listen, b->tls_listen);
	ck_assert_int_eq(a->tls_port, b->tls_port);
	ck_assert_str_eq(a->tls_cert, b->tls_cert);
	ck_assert_str_eq(a->tls_key, b->tls_key);
	ck_assert_int_eq(a->address_attempts, b->address_attempts);
	ck_assert_int_eq(a->address_block_seconds, b->address_block_seconds);
	ck_assert_int_eq(a->output_limit_kb, b->output_limit_kb);
	ck_assert_int_eq(a->address_pending, b->address_pending);
	ck_assert_int_eq(a->registrations_per_hour, b->registrations_per_hour);
	ck_assert_int_eq(a->max_accounts, b->max_accounts);
	ck_assert_int_eq(a->output_budget_mb, b->output_budget_mb);
	ck_assert_int_eq(a->log_level, b->log_level);
}

/* Run a print function into a malloc'd string. */
static char *
capture(void (*print)(FILE *))
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	fp = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(fp);
	print(fp);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_ptr_nonnull(text);
	return text;
}

/* The "section.key" names an INI text holds, collected by inih itself. */
struct keylist {
	char	names[64][64];
	size_t	n;
};

static int
collect_key(void *user, const char *section, const char *name,
    const char *value)
{
	struct keylist *kl = user;

	if (kl->n < sizeof(kl->names) / sizeof(kl->names[0]))
		snprintf(kl->names[kl->n++], sizeof(kl->names[0]), "%s.%s",
		    section, name);
	return 1;
}

static bool
keylist_has(const struct keylist *kl, const char *key)
{
	size_t i;

	for (i = 0; i < kl->n; i++) {
		if (strcmp(kl->names[i], key) == 0)
			return true;
	}
	return false;
}

/* Read a whole small file into a malloc'd string. */
static char *
slurp(const char *path)
{
	char *text;
	FILE *fp;
	long n;

	fp = fopen(path, "rb");
	ck_assert_msg(fp != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	rewind(fp);
	text = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(fread(text, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	return text;
}

/* Write len bytes to a new temporary file; returns its path (static). */
static const char *
write_temp(const char *data, size_t len)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/check_config.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

START_TEST(test_defaults)
{
	struct config c;

	memset(&c, 0x5a, sizeof(c));
	config_defaults(&c);
	ck_assert_str_eq(c.listen, "0.0.0.0");
	ck_assert_int_eq(c.port, 4000);
	ck_assert_int_eq(c.max_clients, 1024);
	ck_assert_int_eq(c.idle_timeout, 0);
	ck_assert_int_eq(c.login_timeout, 60);
	ck_assert_str_eq(c.credentials, "credentials.txt");
	ck_assert_int_eq(c.attempts, 3);
	ck_assert_int_eq(c.block_seconds, 10);
	ck_assert(c.registration == false);
	ck_assert_str_eq(c.data_dir, ".");
	ck_assert_int_eq(c.fsync_interval_ms, 0);
	ck_assert_int_eq(c.output_limit_kb, 1024);
	ck_assert_int_eq(c.log_level, LOG_LEVEL_INFO);
}
END_TEST

START_TEST(test_good_full)
{
	struct config c;
	char err[CONFIG_ERR_MAX] = "";

	config_defaults(&c);
	ck_assert_msg(config_load_file(&c, FIX "good_full.ini", err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(c.listen, "::1");
	ck_assert_int_eq(c.port, 4100);
	ck_assert_int_eq(c.max_clients, 50);
	ck_assert_int_eq(c.idle_timeout, 600);
	ck_assert_int_eq(c.login_timeout, 0);
	ck_assert_str_eq(c.credentials, "/etc/firmware-server/users.txt");
	ck_assert_int_eq(c.attempts, 5);
	ck_assert_int_eq(c.block_seconds, 86400);
	ck_assert(c.registration == true);
	ck_assert_str_eq(c.data_dir, "/var/lib/firmware-server");
	ck_assert_int_eq(c.fsync_interval_ms, 250);
	ck_assert_int_eq(c.output_limit_kb, 16);
	ck_assert_int_eq(c.log_level, LOG_LEVEL_DEBUG);
}
END_TEST

/* Small good files: what they set, the rest stays at the defaults. */
START_TEST(test_good_small)
{
	struct config c, want;
	char err[CONFIG_ERR_MAX] = "";

	config_defaults(&want);
	config_defaults(&c);
	ck_assert_msg(config_load_file(&c, FIX "good_empty.ini", err,
	    sizeof(err)) == 0, "%s", err);
	assert_config_eq(&c, &want);

	ck_assert_msg(config_load_file(&c, FIX "good_line_190.ini", err,
	    sizeof(err)) == 0, "%s", err);
	want.port = 4000;
	assert_config_eq(&c, &want);

	ck_assert_msg(config_load_file(&c, FIX "good_crlf.ini", err,
	    sizeof(err)) == 0, "%s", err);
	want.port = 4001;
	snprintf(want.listen, sizeof(want.listen), "*");
	assert_config_eq(&c, &want);

	ck_assert_msg(config_load_file(&c, FIX "good_bom.ini", err,
	    sizeof(err)) == 0, "%s", err);
	want.port = 4002;
	assert_config_eq(&c, &want);
}
END_TEST

/* Each bad fixture, with the exact first error it must give. */
static const struct {
	const char	*file;
	const char	*error;
} bad[] = {
	{ "bad_unknown_key.ini", "3: unknown key 'bar' in section [server]" },
	{ "bad_unknown_key_first.ini",
	  "3: unknown key 'bogus' in section [server]" },
	{ "bad_unknown_section.ini", "4: unknown section [sever]" },
	{ "bad_unknown_section_empty.ini", "4: unknown section [extras]" },
	{ "bad_attempts_range.ini",
	  "3: attempts = 9: must be an integer from 1 to 5" },
	{ "bad_long_line.ini", "3: line longer than 190 bytes" },
	{ "bad_duplicate_key.ini", "4: 'port' already set on line 2" },
	{ "bad_duplicate_key_reopened.ini",
	  "6: 'port' already set on line 2" },
	{ "bad_no_section.ini", "2: key 'port' is outside any section" },
	{ "bad_syntax.ini", "3: syntax error" },
	{ "bad_syntax_section.ini", "1: syntax error" },
	{ "bad_syntax_first.ini", "2: syntax error" },
	{ "bad_bool.ini", "2: registration = maybe: must be yes or no "
	  "(or true/false, on/off, 1/0)" },
	{ "bad_listen.ini", "3: listen = 192.168.1.300: must be an IPv4 or "
	  "IPv6 address, or *" },
	{ "bad_int_garbage.ini",
	  "2: port = 4000abc: must be an integer from 1 to 65535" },
	{ "bad_int_negative.ini",
	  "2: port = -1: must be an integer from 1 to 65535" },
	{ "bad_empty_value.ini",
	  "2: port has no value; must be an integer from 1 to 65535" },
	{ "bad_empty_path.ini", "2: data_dir has no value; must not be empty" },
	{ "bad_inline_comment.ini", "2: port = 4000;no space before the "
	  "semicolon: must be an integer from 1 to 65535" },
	{ "bad_loglevel.ini",
	  "2: level = verbose: must be error, warn, info or debug" },
	{ "bad_continuation.ini", "3: indented line continues 'port' "
	  "(continuation lines are not allowed)" },
};
#define NBAD	(sizeof(bad) / sizeof(bad[0]))

START_TEST(test_bad_fixture)
{
	struct config c;
	char path[256], want[CONFIG_ERR_MAX], err[CONFIG_ERR_MAX] = "";

	snprintf(path, sizeof(path), FIX "%s", bad[_i].file);
	snprintf(want, sizeof(want), "%s:%s", path, bad[_i].error);
	config_defaults(&c);
	ck_assert_int_eq(config_load_file(&c, path, err, sizeof(err)), -1);
	ck_assert_str_eq(err, want);
}
END_TEST

/* The same text through config_load_string names the given source. */
START_TEST(test_load_string)
{
	struct config c;
	char err[CONFIG_ERR_MAX] = "";

	config_defaults(&c);
	ck_assert_int_eq(config_load_string(&c, "inline",
	    "[server]\nport = 4242\n[log]\nlevel = warn\n", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(c.port, 4242);
	ck_assert_int_eq(c.log_level, LOG_LEVEL_WARN);
	ck_assert_int_eq(config_load_string(&c, "inline",
	    "\n\n[server]\nport = 0\n", err, sizeof(err)), -1);
	ck_assert_str_eq(err,
	    "inline:4: port = 0: must be an integer from 1 to 65535");
	ck_assert_int_eq(c.port, 4242);	/* a refused value is not stored */
}
END_TEST

START_TEST(test_file_errors)
{
	struct config c;
	char err[CONFIG_ERR_MAX] = "", want[CONFIG_ERR_MAX];
	const char *path;
	char *big;
	size_t i;

	config_defaults(&c);
	ck_assert_int_eq(config_load_file(&c, FIX "no_such_file.ini", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, FIX "no_such_file.ini: No such file or "
	    "directory");

	/* Exactly 64 KiB of comments is fine; one byte more is not. */
	big = malloc(64 * 1024 + 1);
	ck_assert_ptr_nonnull(big);
	for (i = 0; i < 64 * 1024; i++)
		big[i] = i % 64 == 63 ? '\n' : ';';
	path = write_temp(big, 64 * 1024);
	ck_assert_msg(config_load_file(&c, path, err, sizeof(err)) == 0,
	    "%s", err);
	unlink(path);
	big[64 * 1024] = '\n';
	path = write_temp(big, 64 * 1024 + 1);
	ck_assert_int_eq(config_load_file(&c, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: larger than 64 KiB", path);
	ck_assert_str_eq(err, want);
	unlink(path);
	free(big);

	/* inih would stop reading a line at a NUL byte. */
	path = write_temp("[server]\nport = 4\0" "000\n", 19);
	ck_assert_int_eq(config_load_file(&c, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: NUL byte in line", path);
	ck_assert_str_eq(err, want);
	unlink(path);
}
END_TEST

/* Error text is cut to the buffer, and no buffer at all is allowed. */
START_TEST(test_error_buffer)
{
	struct config c;
	char err[12];

	config_defaults(&c);
	memset(err, 'x', sizeof(err));
	ck_assert_int_eq(config_load_string(&c, "name",
	    "[server]\nport = 0\n", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "name:2: por");
	ck_assert_int_eq(config_load_string(&c, "name",
	    "[server]\nport = 0\n", NULL, 0), -1);
	ck_assert_int_eq(config_set(&c, "port", "0", NULL, 0), -1);
	ck_assert_int_eq(c.port, 4000);
}
END_TEST

START_TEST(test_set_good)
{
	struct config c;
	char err[CONFIG_ERR_MAX] = "", path[CONFIG_PATH_MAX];

	config_defaults(&c);
	ck_assert_int_eq(config_set(&c, "port", "5000", err, sizeof(err)), 0);
	ck_assert_int_eq(c.port, 5000);
	ck_assert_int_eq(config_set(&c, "server.port", "65535", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(c.port, 65535);
	ck_assert_int_eq(config_set(&c, "idle_timeout", "0", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(c.idle_timeout, 0);
	ck_assert_int_eq(config_set(&c, "attempts", "1", err, sizeof(err)),
	    0);
	ck_assert_int_eq(c.attempts, 1);
	ck_assert_int_eq(config_set(&c, "registration", "TRUE", err,
	    sizeof(err)), 0);
	ck_assert(c.registration);
	ck_assert_int_eq(config_set(&c, "registration", "off", err,
	    sizeof(err)), 0);
	ck_assert(!c.registration);
	ck_assert_int_eq(config_set(&c, "accounts.registration", "1", err,
	    sizeof(err)), 0);
	ck_assert(c.registration);
	ck_assert_int_eq(config_set(&c, "log.level", "error", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(c.log_level, LOG_LEVEL_ERROR);
	ck_assert_int_eq(config_set(&c, "listen", "*", err, sizeof(err)), 0);
	ck_assert_str_eq(c.listen, "*");
	ck_assert_int_eq(config_set(&c, "listen", "fe80::1:2", err,
	    sizeof(err)), 0);
	ck_assert_str_eq(c.listen, "fe80::1:2");
	ck_assert_int_eq(config_set(&c, "listen", "127.0.0.1", err,
	    sizeof(err)), 0);
	ck_assert_str_eq(c.listen, "127.0.0.1");
	/* A path of CONFIG_PATH_MAX - 1 bytes fits. */
	memset(path, 'd', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	ck_assert_int_eq(config_set(&c, "storage.data_dir", path, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(c.data_dir, path);
}
END_TEST

START_TEST(test_set_bad)
{
	struct config c, want;
	char err[CONFIG_ERR_MAX] = "", path[CONFIG_PATH_MAX + 1];
	char addr[65];

	config_defaults(&c);
	config_defaults(&want);
	ck_assert_int_eq(config_set(&c, "attempts", "9", err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "attempts: must be an integer from 1 to 5");
	ck_assert_int_eq(config_set(&c, "server.port", "65536", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "server.port: must be an integer from 1 to "
	    "65535");
	ck_assert_int_eq(config_set(&c, "port", "", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "port: must be an integer from 1 to 65535");
	ck_assert_int_eq(config_set(&c, "port", " 80", err, sizeof(err)), -1);
	ck_assert_int_eq(config_set(&c, "port", "+80", err, sizeof(err)), -1);
	ck_assert_int_eq(config_set(&c, "port", "0x50", err, sizeof(err)),
	    -1);
	ck_assert_int_eq(config_set(&c, "max_clients",
	    "18446744073709551617", err, sizeof(err)), -1);
	ck_assert_int_eq(config_set(&c, "output_limit_kb", "15", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "output_limit_kb: must be an integer from 16 "
	    "to 65536");
	ck_assert_int_eq(config_set(&c, "bogus", "1", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "bogus: unknown setting");
	ck_assert_int_eq(config_set(&c, "accounts.port", "1", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "accounts.port: unknown setting");
	ck_assert_int_eq(config_set(&c, "registration", "", err,
	    sizeof(err)), -1);
	ck_assert_int_eq(config_set(&c, "registration", "yess", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "registration: must be yes or no (or "
	    "true/false, on/off, 1/0)");
	ck_assert_int_eq(config_set(&c, "level", "INFO2", err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "level: must be error, warn, info or debug");
	ck_assert_int_eq(config_set(&c, "listen", "localhost", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "listen: must be an IPv4 or IPv6 address, or *");
	ck_assert_int_eq(config_set(&c, "listen", "", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "listen: must not be empty");
	memset(addr, '1', sizeof(addr) - 1);
	addr[sizeof(addr) - 1] = '\0';
	ck_assert_int_eq(config_set(&c, "listen", addr, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "listen: longer than 63 bytes");
	memset(path, 'd', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	ck_assert_int_eq(config_set(&c, "data_dir", path, err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "data_dir: longer than 255 bytes");
	ck_assert_int_eq(config_set(&c, "credentials", "a\tb", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "credentials: contains a control character");
	ck_assert_int_eq(config_set(&c, "credentials", "", err, sizeof(err)),
	    -1);
	/* Nothing refused was stored. */
	assert_config_eq(&c, &want);
}
END_TEST

/* The file the project ships loads, with the two demo changes only. */
START_TEST(test_shipped_ini)
{
	struct config c, want;
	char err[CONFIG_ERR_MAX] = "";

	config_defaults(&c);
	ck_assert_msg(config_load_file(&c, SHIPPED_INI, err, sizeof(err))
	    == 0, "%s", err);
	config_defaults(&want);
	want.registration = true;
	want.idle_timeout = 300;
	/* Secure by default: plain text on loopback, TLS for the network. */
	snprintf(want.listen, sizeof(want.listen), "127.0.0.1");
	want.tls_port = 4001;
	assert_config_eq(&c, &want);
}
END_TEST

/* Every key of the table is in the shipped file, and no other. */
START_TEST(test_shipped_ini_has_every_key)
{
	struct keylist shipped, table;
	char *sample, *text;
	size_t i;

	memset(&shipped, 0, sizeof(shipped));
	memset(&table, 0, sizeof(table));
	text = slurp(SHIPPED_INI);
	ck_assert_int_eq(ini_parse_string(text, collect_key, &shipped), 0);
	sample = capture(config_print_sample);
	ck_assert_int_eq(ini_parse_string(sample, collect_key, &table), 0);
	ck_assert_uint_eq(table.n, NKEYS);
	ck_assert_uint_eq(shipped.n, NKEYS);
	for (i = 0; i < NKEYS; i++) {
		ck_assert_msg(keylist_has(&table, all_keys[i]),
		    "%s missing from the table", all_keys[i]);
		ck_assert_msg(keylist_has(&shipped, all_keys[i]),
		    "%s missing from " SHIPPED_INI, all_keys[i]);
	}
	free(sample);
	free(text);
}
END_TEST

/* config_set takes bare key names, so they must be unique, except in
   [tls], whose listen and port are always written tls.listen, tls.port:
   a bare name means the first row, the plain listener's. */
START_TEST(test_keys_unique)
{
	struct config c;
	char err[CONFIG_ERR_MAX];
	const char *a, *b;
	size_t i, j;

	for (i = 0; i < NKEYS; i++) {
		for (j = i + 1; j < NKEYS; j++) {
			a = strchr(all_keys[i], '.') + 1;
			b = strchr(all_keys[j], '.') + 1;
			if (strncmp(all_keys[j], "tls.", 4) != 0)
				ck_assert_str_ne(a, b);
		}
	}
	config_defaults(&c);
	ck_assert_int_eq(config_set(&c, "port", "5000", err, sizeof(err)), 0);
	ck_assert_int_eq(config_set(&c, "tls.port", "5001", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(config_set(&c, "listen", "127.0.0.1", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(c.port, 5000);
	ck_assert_int_eq(c.tls_port, 5001);
	ck_assert_str_eq(c.listen, "127.0.0.1");
	ck_assert_str_eq(c.tls_listen, "0.0.0.0");
	ck_assert_int_eq(config_set(&c, "tls.port", "65536", err,
	    sizeof(err)), -1);
}
END_TEST

/* The sample, loaded back, gives exactly the defaults. */
START_TEST(test_sample_is_defaults)
{
	struct config c, want;
	char err[CONFIG_ERR_MAX] = "";
	char *sample;

	sample = capture(config_print_sample);
	ck_assert_ptr_nonnull(strstr(sample, "\n[server]\n"));
	ck_assert_ptr_nonnull(strstr(sample, "\n; TCP port to listen on\n"
	    "; integer 1..65535\nport = 4000\n"));
	/* Start from other values so that every key must be set. */
	memset(&c, 0, sizeof(c));
	c.port = 1;
	c.log_level = LOG_LEVEL_DEBUG;
	c.registration = true;
	ck_assert_msg(config_load_string(&c, "sample", sample, err,
	    sizeof(err)) == 0, "%s", err);
	config_defaults(&want);
	assert_config_eq(&c, &want);
	free(sample);
}
END_TEST

START_TEST(test_help)
{
	char *help, line[128];
	struct keylist table;
	size_t i;

	memset(&table, 0, sizeof(table));
	help = capture(config_print_help);
	for (i = 0; i < NKEYS; i++) {
		snprintf(line, sizeof(line), "  %s = ", all_keys[i]);
		ck_assert_msg(strstr(help, line) != NULL, "--help lacks %s",
		    all_keys[i]);
	}
	ck_assert_ptr_nonnull(strstr(help,
	    "  server.port = 4000            (integer 1..65535)\n"
	    "      TCP port to listen on\n"));
	ck_assert_ptr_nonnull(strstr(help,
	    "  accounts.attempts = 3         (integer 1..5)\n"));
	ck_assert_ptr_nonnull(strstr(help,
	    "  accounts.registration = no    (yes or no)\n"));
	free(help);
}
END_TEST

Suite *
suite_config(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("config");

	tc = tcase_create("load");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_good_full);
	tcase_add_test(tc, test_good_small);
	tcase_add_loop_test(tc, test_bad_fixture, 0, (int)NBAD);
	tcase_add_test(tc, test_load_string);
	tcase_add_test(tc, test_file_errors);
	tcase_add_test(tc, test_error_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("set");
	tcase_add_test(tc, test_set_good);
	tcase_add_test(tc, test_set_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("table");
	tcase_add_test(tc, test_shipped_ini);
	tcase_add_test(tc, test_shipped_ini_has_every_key);
	tcase_add_test(tc, test_keys_unique);
	tcase_add_test(tc, test_sample_is_defaults);
	tcase_add_test(tc, test_help);
	suite_add_tcase(s, tc);

	return s;
}
