/* qemu.c — launch qemu-system-i386 for one run, pass its console through,
 * keep its stderr, forward signals to it, reap it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu.h"
#include "trace.h"

int qemu_find(char *path, size_t len)
{
	const char *dirs = getenv("PATH");

	for (dirs = dirs && *dirs ? dirs : "/usr/local/bin:/usr/bin:/bin"; *dirs;) {
		size_t n = strcspn(dirs, ":");
		struct stat st;
		snprintf(path, len, "%.*s/%s", (int)n, n ? dirs : ".", QEMU_BINARY);
		if (!stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK))
			return 0;
		dirs += n + (dirs[n] == ':');
	}
	return -ENOENT;
}

/* The descriptors QEMU inherits, at fixed numbers so that its command line,
 * and so the monitor's and the guest's, is the same in every run. */
#define FD_RAM     3
#define FD_KERNEL  4
#define FD_MODULE  5   /* and on, one per module */
#define FD_FREE    (FD_MODULE + QEMU_MAX_MODULES)   /* the first one above them */
#define FD_PATH    "/proc/self/fd/%d"

void qemu_file_name(int module, char *name, size_t len)
{
	snprintf(name, len, FD_PATH, module < 0 ? FD_KERNEL : FD_MODULE + module);
}

/* -initrd's argument: each module's path, then its command line after a
 * space; QEMU splits the list at commas, and ",," stands for one comma. */
static char *initrd_arg(const struct qemu_config *c)
{
	size_t n = 1;
	char *arg, *p;

	for (int i = 0; i < c->n_modules; i++)
		n += QEMU_FILE_NAME_MAX + 2 + 2 * strlen(c->modules[i].cmdline);
	if (!(arg = p = malloc(n)))
		return NULL;
	for (int i = 0; i < c->n_modules; i++) {
		if (i)
			*p++ = ',';
		qemu_file_name(i, p, QEMU_FILE_NAME_MAX);
		p += strlen(p);
		if (*c->modules[i].cmdline)
			*p++ = ' ';
		for (const char *s = c->modules[i].cmdline; *s; s++) {
			if (*s == ',')
				*p++ = ',';
			*p++ = *s;
		}
	}
	*p = 0;
	return arg;
}

/* In the child: move the inherited descriptors to their numbers (first out
 * of the way, above them, so that no dup2() clobbers a source). */
static int child_fds(const struct qemu_config *c)
{
	int from[2 + QEMU_MAX_MODULES], to[2 + QEMU_MAX_MODULES], n = 0;

	if (c->ram_fd >= 0) {
		from[n] = c->ram_fd;
		to[n++] = FD_RAM;
	}
	from[n] = c->kernel_fd;
	to[n++] = FD_KERNEL;
	for (int i = 0; i < c->n_modules; i++) {
		from[n] = c->modules[i].fd;
		to[n++] = FD_MODULE + i;
	}
	for (int i = 0; i < n; i++)
		if ((from[i] = fcntl(from[i], F_DUPFD_CLOEXEC, FD_FREE)) < 0)
			return -1;
	for (int i = 0; i < n; i++)
		if (dup2(from[i], to[i]) != to[i])
			return -1;
	return 0;
}

/* In the child between fork and exec: only async-signal-safe calls. */
static void child_exec(const struct qemu_config *c, char *const argv[], pid_t parent,
		       int out, int err, int report)
{
	sigset_t none;
	int in = open("/dev/null", O_RDONLY);

	/* ringmon blocks its stop signals and ignores SIGPIPE; QEMU must not
	 * inherit that, nor the SIGINT a shell ignores for background jobs.
	 * Its own process group keeps a terminal's ^C for ringmon, which
	 * forwards it; and QEMU dies with ringmon. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == 0 && getppid() == parent && in >= 0 &&
	    dup2(in, 0) == 0 && dup2(out, 1) == 1 && dup2(err, 2) == 2 && !child_fds(c))
		execv(c->binary, argv);
	int e = errno ? errno : ECHILD;
	write(report, &e, sizeof(e));
	_exit(127);
}

/* The command line of the one machine (struct qemu_config).  -icount: the
 * TSC and all virtual time advance with guest instructions only, and idle
 * time is skipped (sleep=off). */
#define QEMU_MAX_ARGS 40
static void machine_args(const struct qemu_config *c, const char **argv, char *mem,
			 size_t mem_len, char *mb, size_t mb_len, char *kernel, char *initrd)
{
	int n = 0;

	snprintf(mb, mb_len, "%u", c->ram_mb);
	qemu_file_name(-1, kernel, QEMU_FILE_NAME_MAX);
	argv[n++] = c->binary;
	argv[n++] = "-accel", argv[n++] = c->accel;
	argv[n++] = "-cpu", argv[n++] = c->cpu;
	argv[n++] = "-m", argv[n++] = mb;
	if (c->ram_fd >= 0) {
		snprintf(mem, mem_len, "memory-backend-file,id=ram,size=%uM,mem-path="
			 FD_PATH ",share=on", c->ram_mb, FD_RAM);
		argv[n++] = "-object", argv[n++] = mem;
		argv[n++] = "-machine", argv[n++] = "pc,memory-backend=ram";
	} else {
		argv[n++] = "-machine", argv[n++] = "pc";
	}
	argv[n++] = "-kernel", argv[n++] = kernel;
	if (c->append)
		argv[n++] = "-append", argv[n++] = c->append;
	if (c->n_modules)
		argv[n++] = "-initrd", argv[n++] = initrd;
	argv[n++] = "-device", argv[n++] = "isa-debug-exit,iobase=0xf4,iosize=4";
	argv[n++] = "-serial", argv[n++] = "stdio";
	argv[n++] = "-display", argv[n++] = "none";
	argv[n++] = "-monitor", argv[n++] = "none";
	argv[n++] = "-no-reboot";
	argv[n++] = "-nodefaults";
	if (c->icount)
		argv[n++] = "-icount", argv[n++] = "shift=0,sleep=off";
	argv[n] = NULL;
}

int qemu_start(struct qemu *q, const struct qemu_config *c)
{
	char mem[256], mb[16], kernel[QEMU_FILE_NAME_MAX], *initrd = initrd_arg(c);
	const char *argv[QEMU_MAX_ARGS];
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, rep[2] = { -1, -1 }, e, ret;
	pid_t parent = getpid();

	*q = (struct qemu){ .pid = -1, .pidfd = -1, .out_fd = -1, .err_fd = -1,
			    .console_fd = c->console_fd, .console_bol = true,
			    .before_console = c->before_console,
			    .console_line = c->console_line, .ctx = c->ctx };
	if (!initrd)
		return -ENOMEM;
	if (c->n_modules > QEMU_MAX_MODULES) {
		free(initrd);
		return -EINVAL;
	}
	machine_args(c, argv, mem, sizeof(mem), mb, sizeof(mb), kernel, initrd);

	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC) || pipe2(rep, O_CLOEXEC) ||
	    (q->pid = fork()) < 0) {
		ret = -errno;
		goto err_close;
	}
	if (q->pid == 0)
		child_exec(c, (char *const *)argv, parent, out[1], err[1], rep[1]);
	close(rep[1]);
	rep[1] = -1;
	/* the report pipe closes at exec (EOF) or carries the exec error */
	ret = read(rep[0], &e, sizeof(e)) == sizeof(e) ? -e : 0;
	if (ret) {
		waitpid(q->pid, NULL, 0);
		q->pid = -1;
		goto err_close;
	}
	q->pidfd = pidfd_open(q->pid, 0);
	if (q->pidfd < 0) {
		ret = -errno;
		goto err_close;
	}
	q->out_fd = out[0];
	q->err_fd = err[0];
	close(out[1]);
	close(err[1]);
	close(rep[0]);
	free(initrd);
	return 0;
err_close:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (err[i] >= 0)
			close(err[i]);
		if (rep[i] >= 0)
			close(rep[i]);
	}
	qemu_release(q);
	free(initrd);
	return ret;
}

/* Cut the console into lines for console_line(), without carriage returns:
 * terminal motion, not text (GNU Mach starts its lines with one). */
static void split_lines(struct qemu *q, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\r')
			continue;
		if (buf[i] == '\n') {
			q->line[q->line_len] = 0;
			q->console_line(q->ctx, q->line);
			q->line_len = 0;
		} else if (q->line_len < QEMU_LINE_MAX) {
			q->line[q->line_len++] = buf[i];
		}
	}
}

static void write_all(struct qemu *q, const char *buf, size_t n)
{
	if (q->console_line)
		split_lines(q, buf, n);
	if (n && q->before_console)
		q->before_console(q->ctx);
	if (n)
		q->console_bol = buf[n - 1] == '\n';
	while (n && !q->console_broken) {
		ssize_t w = write(q->console_fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			q->console_broken = true;   /* e.g. `| head`: QEMU runs on */
			return;
		}
		buf += w;
		n -= (size_t)w;
	}
}

/* Move what fd has; at EOF (or a read error) close it. */
static void pump(struct qemu *q, int *fd, bool console)
{
	char buf[4096];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n < 0 && errno == EINTR)
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
	} else if (console) {
		write_all(q, buf, (size_t)n);
	} else {
		size_t keep = sizeof(q->err) - 1 - q->err_len;
		keep = (size_t)n < keep ? (size_t)n : keep;
		memcpy(q->err + q->err_len, buf, keep);
		q->err_len += keep;
		q->err[q->err_len] = 0;
	}
}

int qemu_poll(struct qemu *q, const int *watch, int nwatch)
{
	struct pollfd p[3 + QEMU_MAX_WATCH];
	int n;

	if (q->exited && q->out_fd < 0 && q->err_fd < 0)
		return 0;
	if (nwatch > QEMU_MAX_WATCH)
		return -EINVAL;
	p[0] = (struct pollfd){ .fd = q->exited ? -1 : q->pidfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = q->out_fd, .events = POLLIN };
	p[2] = (struct pollfd){ .fd = q->err_fd, .events = POLLIN };
	for (int i = 0; i < nwatch; i++)
		p[3 + i] = (struct pollfd){ .fd = watch[i], .events = POLLIN };
	n = poll(p, (nfds_t)(3 + nwatch), -1);
	if (n < 0)
		return errno == EINTR ? -EAGAIN : -errno;
	if (p[1].revents)
		pump(q, &q->out_fd, true);
	if (p[2].revents)
		pump(q, &q->err_fd, false);
	if (p[0].revents && waitpid(q->pid, &q->wstatus, WNOHANG) == q->pid)
		q->exited = true;
	for (int i = 0; i < nwatch; i++)
		if (p[3 + i].revents)
			return 1 + i;
	return -EAGAIN;
}

void qemu_kill(struct qemu *q, int sig)
{
	/* not reaped yet, so the pid cannot have been reused */
	if (q->pid > 0 && !q->exited)
		kill(q->pid, sig);
}

void qemu_release(struct qemu *q)
{
	if (q->pid > 0 && !q->exited) {
		kill(q->pid, SIGKILL);
		if (waitpid(q->pid, &q->wstatus, 0) == q->pid)
			q->exited = true;
	}
	if (q->pidfd >= 0)
		close(q->pidfd);
	if (q->out_fd >= 0)
		close(q->out_fd);
	if (q->err_fd >= 0)
		close(q->err_fd);
	q->pidfd = q->out_fd = q->err_fd = -1;
}
