/*
 * fuzz_config.c - libFuzzer harness for the INI loader: any bytes as an
 * INI file, then as one key=value override.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char err[CONFIG_ERR_MAX], *text, *eq;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	config_defaults(&c);
	config_load_string(&c, "fuzz.ini", text, err, sizeof(err));
	if ((eq = strchr(text, '=')) != NULL) {
		*eq = '\0';
		config_defaults(&c);
		config_set(&c, text, eq + 1, err, sizeof(err));
	}
	free(text);
	return 0;
}
