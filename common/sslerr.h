/*
 * sslerr.h - OpenSSL's error queue as one short reason for a message,
 * the same in the server and the client.
 */
#ifndef SSLERR_H
#define SSLERR_H

/* The reason of OpenSSL's last error in this thread, or fallback when
   the queue is empty or the reason has no text (static text). */
const char	*sslerr_reason(const char *fallback);

#endif /* SSLERR_H */
