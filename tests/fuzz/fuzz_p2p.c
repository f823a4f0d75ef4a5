/*
 * fuzz_p2p.c - libFuzzer harness for the peer-to-peer datagram decoder
 * and the name a received file is saved under: any bytes as a datagram
 * (decoded, MAC checked, and an ACK's selective bitmap walked), as a
 * buffer the kernel coalesced (the first two bytes its segment size, as
 * untrusted as the rest: every piece must lie inside the buffer), and as
 * an offered file name, which must come out as a plain name.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "p2p_wire.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[SIPHASH_KEY_LEN] = { 1, 2, 3 };
	unsigned char again[P2P_DGRAM_MAX];
	struct p2p_pkt p;
	char name[300], out[256];
	size_t n;

	if (p2p_decode(data, size, &p) == P2P_D_OK) {
		p2p_verify(data, size, key);
		p2p_from_sender(p.type);
		/* What decodes must encode again and decode the same. */
		n = p2p_encode(&p, key, again);
		if (p2p_decode(again, n, &p) != P2P_D_OK ||
		    !p2p_verify(again, n, key))
			abort();
	}
	if (size >= 2) {
		const uint8_t *buf = data + 2;
		size_t len = size - 2, seg, pieces, i, off, plen;

		pieces = p2p_gro_pieces(len, (size_t)data[0] << 8 | data[1],
		    &seg);
		if (pieces == 0 || (len > 0 && seg == 0))
			abort();
		if (pieces > 1 && p2p_gro_fits(seg))
			for (i = 0, off = 0; i < pieces; i++, off += seg) {
				plen = len - off < seg ? len - off : seg;
				if (off >= len || plen == 0 || off + plen > len ||
				    (i + 1 < pieces && plen != seg))
					abort();
				if (p2p_decode(buf + off, plen, &p) == P2P_D_OK)
					p2p_verify(buf + off, plen, key);
			}
	}
	n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;
	memcpy(name, data, n);
	name[n] = '\0';
	if (p2p_safe_name("alice", name, out, sizeof(out)) == 0 &&
	    (strchr(out, '/') != NULL || strcmp(out, ".") == 0 ||
	    strcmp(out, "..") == 0 || out[0] == '.'))
		abort();
	return 0;
}
