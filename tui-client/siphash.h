/*
 * siphash.h - SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012): a 64-bit keyed MAC under a 128-bit key.  Every
 * peer-to-peer datagram carries one, keyed by the transfer's secret: it
 * authenticates the datagram and doubles as its checksum.
 */
#ifndef SIPHASH_H
#define SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN	16

uint64_t siphash24(const unsigned char key[SIPHASH_KEY_LEN], const void *data,
	     size_t len);

#endif /* SIPHASH_H */
