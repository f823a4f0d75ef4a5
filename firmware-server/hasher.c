/*
 * hasher.c - the password-hashing child and the loop's side of it.
 *
 * One SOCK_SEQPACKET pair: each request and each reply is one message, in
 * order, so replies answer the oldest request sent.  At most
 * HASHER_INFLIGHT requests are sent at a time (the socket never blocks the
 * loop); the rest wait in the queue.  Passwords are wiped from memory as
 * soon as they are no longer needed, on both sides.
 */
#include <sys/prctl.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hasher.h"
#include "log.h"
#include "loop.h"
#include "proto.h"

#define HASHER_INFLIGHT	32

struct hasher_req {
	uint32_t	 job;
	char		 setting[CRYPT_OUTPUT_SIZE];	/* "": a new salt */
	char		 password[PROTO_PASS_MAX + 1];
};

struct hasher_rep {
	uint32_t	 job;
	char		 hash[CRYPT_OUTPUT_SIZE];	/* "": failed */
};

struct hasher_job {
	struct hasher_req	 req;
	hasher_cb		*cb;		/* NULL: cancelled */
	void			*arg;
	bool			 sent;
	TAILQ_ENTRY(hasher_job)	 entry;
};

static TAILQ_HEAD(, hasher_job) hasher_jobs = TAILQ_HEAD_INITIALIZER(hasher_jobs);
static int		 hasher_fd = -1;
static pid_t		 hasher_pid = -1;
static int		 hasher_nsent;
static uint32_t		 hasher_next = 1;
static struct loop	*hasher_loop;

/* crypt(3): a new yescrypt hash (setting NULL or "") or a check. */
int
hasher_hash_now(const char *setting, const char *password, char *out,
    size_t outlen)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h;
	int r = -1;

	/* struct crypt_data is 32 KiB: keep it off the stack. */
	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return -1;
	if (setting == NULL || setting[0] == '\0') {
		if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) ==
		    NULL)
			goto done;
		setting = salt;
	}
	h = crypt_r(password, setting, cd);
	if (h != NULL && h[0] != '*' && strlen(h) < outlen) {
		strcpy(out, h);
		r = 0;
	}
done:
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return r;
}

/* The child: answer requests until the parent goes away. */
static void __attribute__((noreturn))
hasher_child(int fd)
{
	struct hasher_req req;
	struct hasher_rep rep;
	ssize_t n;

	signal(SIGINT, SIG_IGN);	/* the parent decides when to stop */
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(0);
	for (;;) {
		n = recv(fd, &req, sizeof(req), 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(req))
			_exit(0);
		req.setting[sizeof(req.setting) - 1] = '\0';
		req.password[sizeof(req.password) - 1] = '\0';
		memset(&rep, 0, sizeof(rep));
		rep.job = req.job;
		if (hasher_hash_now(req.setting, req.password, rep.hash,
		    sizeof(rep.hash)) == -1)
			rep.hash[0] = '\0';
		explicit_bzero(&req, sizeof(req));
		if (send(fd, &rep, sizeof(rep), 0) != (ssize_t)sizeof(rep))
			_exit(0);
	}
}

/* Fork the child. */
int
hasher_start(void)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		/* Keep only the standard descriptors and the socket. */
		if (sv[1] != 3 && dup2(sv[1], 3) == -1)
			_exit(1);
		closefrom(4);
		hasher_child(3);
	}
	close(sv[1]);
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) == -1) {
		close(sv[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	hasher_fd = sv[0];
	hasher_pid = pid;
	return 0;
}

bool
hasher_running(void)
{
	return hasher_fd != -1;
}

/* Call the job's callback (unless cancelled) and free it. */
static void
hasher_finish(struct hasher_job *j, const char *hash)
{
	TAILQ_REMOVE(&hasher_jobs, j, entry);
	if (j->sent)
		hasher_nsent--;
	explicit_bzero(&j->req, sizeof(j->req));
	if (j->cb != NULL)
		j->cb(j->arg, hash);
	free(j);
}

/* Hash what waits here, in the loop (no child). */
static void
hasher_drain_here(void)
{
	struct hasher_job *j;
	char out[CRYPT_OUTPUT_SIZE];

	while ((j = TAILQ_FIRST(&hasher_jobs)) != NULL) {
		if (j->cb != NULL && hasher_hash_now(j->req.setting,
		    j->req.password, out, sizeof(out)) == 0)
			hasher_finish(j, out);
		else
			hasher_finish(j, NULL);
	}
}

/* The child is gone (or misbehaved): carry on without it. */
static void
hasher_lost(const char *why)
{
	log_warnx("password hasher: %s; hashing in the main loop from now on",
	    why);
	hasher_stop();
}

/* Send what waits, up to HASHER_INFLIGHT in the child. */
static void
hasher_send(void)
{
	struct hasher_job *j;
	ssize_t n;

	TAILQ_FOREACH(j, &hasher_jobs, entry) {
		if (hasher_fd == -1 || hasher_nsent >= HASHER_INFLIGHT)
			return;
		if (j->sent)
			continue;
		n = send(hasher_fd, &j->req, sizeof(j->req), MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n != (ssize_t)sizeof(j->req)) {
			hasher_lost("cannot write to it");
			return;
		}
		j->sent = true;
		hasher_nsent++;
	}
}

/* Replies from the child. */
static void
hasher_io(int fd, short revents, void *arg)
{
	struct hasher_rep rep;
	struct hasher_job *j;
	ssize_t n;

	(void)revents;
	(void)arg;
	for (;;) {
		n = recv(fd, &rep, sizeof(rep), 0);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n != (ssize_t)sizeof(rep)) {
			hasher_lost(n == 0 ? "it exited" : "a bad reply");
			return;
		}
		j = TAILQ_FIRST(&hasher_jobs);
		if (j == NULL || !j->sent || j->req.job != rep.job) {
			hasher_lost("a reply out of order");
			return;
		}
		rep.hash[sizeof(rep.hash) - 1] = '\0';
		hasher_finish(j, rep.hash[0] ? rep.hash : NULL);
		if (hasher_fd == -1)
			return;
	}
	hasher_send();
}

int
hasher_watch(struct loop *l)
{
	if (hasher_fd == -1)
		return 0;
	hasher_loop = l;
	return loop_add(l, hasher_fd, POLLIN, hasher_io, NULL);
}

void
hasher_stop(void)
{
	if (hasher_fd == -1)
		return;
	if (hasher_loop != NULL)
		loop_del(hasher_loop, hasher_fd);
	close(hasher_fd);
	hasher_fd = -1;
	/*
	 * Not "wait for EOF": the child reads EOF only after hashing every
	 * request already sent (up to HASHER_INFLIGHT), whose answers nobody
	 * wants any more.  That is 0.5 s natively but a minute under
	 * valgrind (a yescrypt hash takes 1 to 3 s there), so a SIGTERM could
	 * take longer than anyone waits.  It holds nothing worth keeping.
	 */
	if (hasher_pid != -1) {
		kill(hasher_pid, SIGKILL);
		while (waitpid(hasher_pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	hasher_pid = -1;
	hasher_nsent = 0;
	hasher_drain_here();
}

unsigned
hasher_submit(const char *setting, const char *password, hasher_cb *cb,
    void *arg)
{
	struct hasher_job *j;
	char out[CRYPT_OUTPUT_SIZE];

	if (hasher_fd == -1 || (j = calloc(1, sizeof(*j))) == NULL) {
		if (hasher_hash_now(setting, password, out, sizeof(out)) == 0)
			cb(arg, out);
		else
			cb(arg, NULL);
		explicit_bzero(out, sizeof(out));
		return 0;
	}
	j->req.job = hasher_next++;
	if (hasher_next == 0)
		hasher_next = 1;
	snprintf(j->req.setting, sizeof(j->req.setting), "%s",
	    setting ? setting : "");
	snprintf(j->req.password, sizeof(j->req.password), "%s", password);
	j->cb = cb;
	j->arg = arg;
	TAILQ_INSERT_TAIL(&hasher_jobs, j, entry);
	hasher_send();
	return j->req.job;
}

void
hasher_cancel(unsigned job)
{
	struct hasher_job *j;

	TAILQ_FOREACH(j, &hasher_jobs, entry)
		if (j->req.job == job) {
			j->cb = NULL;
			/* Sent: its reply still comes and is dropped. */
			if (!j->sent)
				hasher_finish(j, NULL);
			return;
		}
}
