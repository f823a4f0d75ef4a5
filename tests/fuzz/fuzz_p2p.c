/*
 * fuzz_p2p.c - libFuzzer harness for the peer-to-peer datagram decoder
 * and the name a received file is saved under: any bytes as a datagram
 * (decoded and opened: tag and replay window checked), as a
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

/* Keys of one transfer, both sides, made once. */
static struct p2p_aead	 fz_snd, fz_rcv;

/* Open a copy of a datagram the decoder took, as the receiver would. */
static void
fz_open(const uint8_t *data, size_t size)
{
	unsigned char copy[P2P_DGRAM_MAX];
	struct p2p_pkt p;

	if (size > sizeof(copy))
		return;
	memcpy(copy, data, size);
	if (p2p_decode(copy, size, &p) == P2P_D_OK)
		p2p_open(p2p_from_sender(p.type) ? &fz_rcv : &fz_snd, copy, size,
		    p.pktno);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char secret[P2P_SECRET_LEN] = { 1, 2, 3 };
	static int ready;
	unsigned char again[P2P_DGRAM_MAX], payload[P2P_PAYLOAD_MAX];
	struct p2p_pkt p;
	char name[300], out[256];
	size_t n;

	if (!ready) {
		if (p2p_aead_init(&fz_snd, secret, 7, true) == -1 ||
		    p2p_aead_init(&fz_rcv, secret, 7, false) == -1)
			abort();
		ready = 1;
	}
	if (p2p_decode(data, size, &p) == P2P_D_OK) {
		fz_open(data, size);
		p2p_from_sender(p.type);
		/* What decodes must seal again and open the same, once. */
		memcpy(payload, p.payload, p.len);
		p.payload = payload;
		if (p.pktno != 0) {
			memset(fz_rcv.seen, 0, sizeof(fz_rcv.seen));
			fz_rcv.top = 0;
			n = p2p_encode(&p, &fz_snd, again);
			if (n == 0 || p2p_decode(again, n, &p) != P2P_D_OK ||
			    p2p_open(&fz_rcv, again, n, p.pktno) != P2P_D_OK ||
			    memcmp(p.payload, payload, p.len) != 0 ||
			    p2p_open(&fz_rcv, again, n, p.pktno) !=
			    P2P_D_REPLAY)
				abort();
		}
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
				fz_open(buf + off, plen);
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
