/*
 * fuzz_accounts.c - libFuzzer harness for the credentials file parser:
 * any bytes as credentials.txt (through a memfd, so nothing touches the
 * disk); every account found is looked up and verified once.
 */
#include <sys/mman.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "accounts.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct accounts *a;
	struct account *acct;
	char path[64], err[512];
	int fd;

	if ((fd = memfd_create("credentials", 0)) == -1)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((a = accounts_load(path, false, err, sizeof(err))) != NULL) {
		if ((acct = accounts_at(a, 0)) != NULL) {
			if (accounts_find(a, acct->name) != acct)
				__builtin_trap();
			/* Plain-text secrets only: hashing is slow by design. */
			if (acct->secret[0] != '$')
				accounts_verify(acct, "guess");
		}
		accounts_free(a);
	}
	close(fd);
	return 0;
}
