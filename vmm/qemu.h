/* qemu.h — the machine: qemu-system-i386 as a child process, its console
 * passed through, its stderr kept for when something goes wrong. */
#ifndef RINGMON_QEMU_H
#define RINGMON_QEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define QEMU_BINARY "qemu-system-i386"

/* One -initrd file: a Multiboot module with its command line, or a Linux
 * kernel's initrd (cmdline ""). */
struct qemu_module {
	int fd;
	const char *cmdline;
};
/* The monitor takes the guest and up to 15 modules of the guest's */
#define QEMU_MAX_MODULES 16

/* The machine.  Every run, monitored, native or the accelerator probe, is
 * this one PC: only the kernel, its modules and the RAM's backing differ. */
struct qemu_config {
	const char *binary;         /* absolute path, from qemu_find() */
	const char *accel, *cpu;    /* -accel kvm|tcg, -cpu MODEL (vmm/accel.h) */
	bool icount;                /* -icount shift=0,sleep=off (TCG only) */
	unsigned ram_mb;            /* -m */
	int ram_fd;                 /* guest RAM in this shared file, or -1 */
	int kernel_fd;              /* -kernel: the monitor, or a native guest */
	const char *append;         /* its command line, or NULL */
	struct qemu_module modules[QEMU_MAX_MODULES];
	int n_modules;
	int console_fd;             /* QEMU's stdout (the serial console) goes here */
	void (*before_console)(void *ctx);   /* called before console output */
	/* called with each whole console line (without '\r' and '\n', cut at
	 * QEMU_LINE_MAX bytes), or NULL */
	void (*console_line)(void *ctx, const char *line);
	void *ctx;
};

#define QEMU_STDERR_KEEP 8192
#define QEMU_LINE_MAX 1024

struct qemu {
	pid_t pid;
	int pidfd;                  /* readable once QEMU has exited */
	int out_fd, err_fd;         /* its stdout and stderr, -1 after EOF */
	int console_fd;
	bool console_broken;        /* console_fd went away: output is dropped */
	bool console_bol;           /* the console is at the start of a line */
	void (*before_console)(void *ctx);
	void (*console_line)(void *ctx, const char *line);
	void *ctx;
	char line[QEMU_LINE_MAX + 1];   /* the console line so far */
	size_t line_len;
	bool exited;
	int wstatus;                /* waitpid() status once exited */
	char err[QEMU_STDERR_KEEP]; /* the start of its stderr */
	size_t err_len;
};

/* QEMU_BINARY in $PATH, into path[len]. */
int qemu_find(char *path, size_t len);

int qemu_start(struct qemu *q, const struct qemu_config *c);

/* The name QEMU is given for its kernel (module -1) or for module i, into
 * name[len]: where the command lines it gives a Multiboot kernel start. */
#define QEMU_FILE_NAME_MAX 32
void qemu_file_name(int module, char *name, size_t len);

/* Wait for something to happen and move QEMU's output along.  Returns 0
 * once QEMU has exited and its output is drained, 1 + i when watch[i] (up to
 * QEMU_MAX_WATCH fds, -1 to skip) is readable, -EAGAIN when it only moved
 * output (call again), or another -errno. */
#define QEMU_MAX_WATCH 4
int qemu_poll(struct qemu *q, const int *watch, int nwatch);

void qemu_kill(struct qemu *q, int sig);

/* Kill QEMU if it still runs, reap it, close everything. */
void qemu_release(struct qemu *q);

#endif
