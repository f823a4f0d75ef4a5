/*
 * benchlib.h - what the benchmark programs share: a clock, a free
 * loopback port, a connect that waits for a server to listen.
 */
#ifndef BENCHLIB_H
#define BENCHLIB_H

/* Monotonic seconds. */
double	bench_now_s(void);
/* A free TCP port on 127.0.0.1. */
int	bench_free_port(void);
/* Connect to 127.0.0.1:port, trying again every nap_us until deadline
   (bench_now_s() time); the descriptor, or -1. */
int	bench_connect(int port, double deadline, unsigned nap_us);

#endif
