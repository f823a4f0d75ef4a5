/*
 * heap.h - giving freed heap memory back to the kernel, a second after a
 * burst of presence events or ended sessions.
 */
#ifndef HEAP_H
#define HEAP_H

/* Give freed heap back a second from now, unless that is planned. */
void	heap_trim_soon(void);
/* ms until the planned trim, 0 when due, or -1 when none is planned. */
int	heap_trim_wait(void);
/* Trim when due; ms until the planned trim, or -1 when none is left. */
int	heap_trim_pass(void);

#endif /* HEAP_H */
