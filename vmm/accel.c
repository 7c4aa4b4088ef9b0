/* accel.c — the accelerator decision.  A /dev/kvm that opens proves little:
 * on nested-virtualization hosts KVM answers its ioctls and then cannot run
 * a 32-bit protected-mode guest (QEMU asserts on an MSR, or stops with an
 * emulation failure).  So `auto` trusts KVM only after a probe guest
 * (workloads/tbk/probe.c) has run to its end under it, with the CPU model a
 * run would get, and keeps that verdict per host, QEMU and host kernel in
 * $XDG_CACHE_HOME/ringmon/.  Also `ringmon accel`, which prints it. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/kvm.h>
#include <limits.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accel.h"
#include "cmd.h"
#include "image.h"
#include "paths.h"
#include "qemu.h"

extern char **environ;

#define PROBE_IMAGE     "tbk/probe.elf"
#define PROBE_TIMEOUT_S 10     /* KVM's own start takes ~4 s on a nested host */
#define PROBE_RAM_MB    16
#define CACHE_FORMAT    "1"    /* change when the verdict's meaning changes */

/* The KVM CPU models tried in turn: the host's own, then the host's without
 * IA32_ARCH_CAPABILITIES (MSR 0x10a), which some nested hosts cannot set. */
static const char *const kvm_cpus[] = { "host", "host,-arch-capabilities" };

static const char *kvm_device(void)
{
	const char *d = getenv("RINGMON_KVM_DEVICE");
	return d && *d ? d : ACCEL_KVM_DEVICE;
}

/* The node opens read-write and answers KVM_GET_API_VERSION: 0, or -errno
 * (-ENOENT: there is none) with why set. */
static int kvm_node_check(const char *node, char *why, size_t len)
{
	int fd = open(node, O_RDWR | O_CLOEXEC), v, ret = 0;

	if (fd < 0) {
		ret = -errno;
		snprintf(why, len, "%s: %s", node, strerror(errno));
		return ret;
	}
	v = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (v < 0) {
		ret = -errno;
		snprintf(why, len, "%s is not a KVM device (%s)", node, strerror(errno));
	} else if (v != KVM_API_VERSION) {
		ret = -ENOTSUP;
		snprintf(why, len, "%s speaks KVM API %d, not %d", node, v, KVM_API_VERSION);
	}
	close(fd);
	return ret;
}

/* --- the probe ------------------------------------------------------------ */

/* The probe guest's console, read back: its last "probe: step" and, if it
 * failed, its FAIL line. */
struct probe_console {
	char step[64], fail[160];
	bool done;
};

static void read_console(int fd, struct probe_console *pc)
{
	char buf[8192], *line, *save;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	*pc = (struct probe_console){ .step = "boot" };
	if (n <= 0)
		return;
	buf[n] = 0;
	for (line = strtok_r(buf, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		if (!strncmp(line, "probe: step ", 12))
			snprintf(pc->step, sizeof(pc->step), "%s", line + 12);
		else if (!strncmp(line, "probe: FAIL: ", 13))
			snprintf(pc->fail, sizeof(pc->fail), "%s", line + 13);
		else if (!strcmp(line, "probe: done"))
			pc->done = true;
	}
}

/* What went wrong in one probe run, in a few words, from QEMU's stderr, its
 * status and the guest's console. */
static void probe_failure(const struct qemu *q, const struct probe_console *pc,
			  bool timed_out, char *why, size_t len)
{
	const char *msr = strstr(q->err, "failed to set MSR ");

	if (msr)
		snprintf(why, len, "QEMU cannot set MSR %.*s", (int)strcspn(msr + 18, " \n"), msr + 18);
	else if (strstr(q->err, "KVM internal error. Suberror: 1"))
		snprintf(why, len, "KVM emulation failure at step '%s'", pc->step);
	else if (strstr(q->err, "KVM internal error"))
		snprintf(why, len, "KVM internal error at step '%s'", pc->step);
	else if (pc->fail[0])
		snprintf(why, len, "the probe guest failed at step '%s': %s", pc->step, pc->fail);
	else if (timed_out)
		snprintf(why, len, "the probe guest did not finish within %d s (step '%s')",
			 PROBE_TIMEOUT_S, pc->step);
	else if (WIFSIGNALED(q->wstatus))
		snprintf(why, len, "QEMU died of signal %d at step '%s'", WTERMSIG(q->wstatus),
			 pc->step);
	else
		snprintf(why, len, "QEMU exited with status %d at step '%s': %.*s",
			 WEXITSTATUS(q->wstatus), pc->step, (int)strcspn(q->err, "\n"), q->err);
}

/* Wait for QEMU, at most PROBE_TIMEOUT_S; a KVM internal error pauses the
 * VM rather than ending QEMU, so it ends the wait too.  1 if it timed out,
 * else 0 (or -errno). */
static int probe_wait(struct qemu *q)
{
	struct itimerspec it = { .it_value = { .tv_sec = PROBE_TIMEOUT_S } };
	int timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC), watch = timer, ret;
	bool timed_out = false, killed = false;

	if (timer < 0 || timerfd_settime(timer, 0, &it, NULL)) {
		ret = -errno;
		goto out;
	}
	while ((ret = qemu_poll(q, &watch, 1)) != 0) {
		if (ret == 1) {
			timed_out = true;
			watch = -1;
		} else if (ret != -EAGAIN) {
			goto out;
		}
		if (!killed && (timed_out || strstr(q->err, "KVM internal error"))) {
			qemu_kill(q, SIGKILL);
			killed = true;
		}
	}
	ret = timed_out;
out:
	if (timer >= 0)
		close(timer);
	return ret;
}

/* Run the probe guest under KVM with CPU model cpu: 0 when it reached its
 * end, else 1 with why set, or -errno. */
static int probe_cpu(const char *qemu, int probe_fd, const char *cpu, char *why, size_t len)
{
	struct probe_console pc;
	struct qemu q;
	int console = memfd_create("ringmon-probe-console", MFD_CLOEXEC), ret;

	if (console < 0)
		return -errno;
	ret = qemu_start(&q, &(struct qemu_config){
		.binary = qemu, .accel = "kvm", .cpu = cpu, .ram_mb = PROBE_RAM_MB,
		.ram_fd = -1, .kernel_fd = probe_fd, .console_fd = console });
	if (!ret)
		ret = probe_wait(&q);
	qemu_release(&q);
	if (ret >= 0) {
		read_console(console, &pc);
		bool ok = !ret && pc.done && WIFEXITED(q.wstatus) && WEXITSTATUS(q.wstatus) == 1;
		if (!ok)
			probe_failure(&q, &pc, ret == 1, why, len);
		ret = !ok;
	}
	close(console);
	return ret;
}

/* Every candidate CPU model in turn; the first that runs the probe wins. */
static int probe_kvm(const char *qemu, const char *probe, struct accel *a)
{
	int fd = open(probe, O_RDONLY | O_CLOEXEC), ret = 1;
	size_t n = 0;

	if (fd < 0)
		return -errno;
	n = (size_t)snprintf(a->why, sizeof(a->why), "%s cannot run 32-bit protected-mode"
			     " guests here (", kvm_device());
	for (size_t i = 0; i < sizeof(kvm_cpus) / sizeof(kvm_cpus[0]) && ret == 1; i++) {
		char one[200];
		ret = probe_cpu(qemu, fd, kvm_cpus[i], one, sizeof(one));
		if (ret == 0) {
			a->accel = "kvm";
			snprintf(a->cpu, sizeof(a->cpu), "%s", kvm_cpus[i]);
			snprintf(a->why, sizeof(a->why), "KVM ran the probe guest with -cpu %s",
				 kvm_cpus[i]);
		} else if (ret == 1 && n < sizeof(a->why)) {
			n += (size_t)snprintf(a->why + n, sizeof(a->why) - n, "%s-cpu %s: %s",
					      i ? "; " : "", kvm_cpus[i], one);
		}
	}
	if (ret == 1 && n < sizeof(a->why))
		snprintf(a->why + n, sizeof(a->why) - n, ")");
	close(fd);
	return ret < 0 ? ret : 0;
}

/* --- the verdict's cache ---------------------------------------------------- */

/* The first line `qemu --version` prints. */
static int qemu_version(const char *qemu, char *out, size_t len)
{
	char *const argv[] = { (char *)qemu, "--version", NULL };
	posix_spawn_file_actions_t fa;
	int p[2], ret, ws;
	pid_t pid;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	ret = posix_spawn_file_actions_init(&fa);
	if (!ret)
		ret = posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	if (!ret)
		ret = posix_spawn(&pid, qemu, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (ret) {
		close(p[0]);
		return -ret;
	}
	n = read(p[0], out, len - 1);
	ret = n < 0 ? -errno : 0;
	close(p[0]);
	if (waitpid(pid, &ws, 0) != pid || !WIFEXITED(ws) || WEXITSTATUS(ws))
		ret = ret ? ret : -EIO;
	out[n > 0 ? n : 0] = 0;
	out[strcspn(out, "\n")] = 0;
	return ret;
}

/* $XDG_CACHE_HOME/ringmon (or ~/.cache/ringmon), created. */
static int cache_dir(char *out, size_t len)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	const struct passwd *pw = home && *home ? NULL : getpwuid(getuid());
	char parent[PATH_MAX];

	if (pw)
		home = pw->pw_dir;
	if (x && *x)
		snprintf(parent, sizeof(parent), "%s", x);
	else if (home && *home)
		snprintf(parent, sizeof(parent), "%s/.cache", home);
	else
		return -ENOENT;
	if ((size_t)snprintf(out, len, "%s/ringmon", parent) >= len)
		return -ENAMETOOLONG;
	if ((mkdir(parent, 0755) && errno != EEXIST) || (mkdir(out, 0755) && errno != EEXIST))
		return -errno;
	return 0;
}

/* What a verdict holds for: this host, QEMU, host kernel, KVM node, probe. */
static int cache_key(const char *qemu, const char *probe, char *key, size_t len)
{
	char host[256] = "", version[256] = "", sha[SHA256_HEX_LEN + 1];
	struct utsname u;
	struct stat st;
	int ret;

	if (gethostname(host, sizeof(host) - 1) || uname(&u))
		return -errno;
	if ((ret = qemu_version(qemu, version, sizeof(version))) ||
	    (ret = image_sha256(probe, sha)))
		return ret;
	if (stat(kvm_device(), &st))
		st.st_rdev = 0;
	snprintf(key, len, "format %s; host %s; %s; kernel %s; device %s (%u:%u); probe %.16s",
		 CACHE_FORMAT, host, version, u.release, kvm_device(), major(st.st_rdev),
		 minor(st.st_rdev), sha);
	return 0;
}

static int cache_file(char *out, size_t len)
{
	char dir[PATH_MAX], host[256] = "";
	int ret = cache_dir(dir, sizeof(dir));

	if (ret)
		return ret;
	gethostname(host, sizeof(host) - 1);
	for (char *p = host; *p; p++)
		*p = *p == '/' ? '_' : *p;
	if ((size_t)snprintf(out, len, "%s/accel-%s", dir, host) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* src into dst[len], cut short if need be. */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* The cached verdict for key: 0 when there is one, else -ENOENT. */
static int cache_read(const char *key, struct accel *a)
{
	char path[PATH_MAX], line[1024], accel[8] = "";
	bool key_ok = false;
	FILE *f;

	if (cache_file(path, sizeof(path)) || !(f = fopen(path, "re")))
		return -ENOENT;
	a->cpu[0] = a->why[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "key ", 4))
			key_ok = !strcmp(line + 4, key);
		else if (!strncmp(line, "accel ", 6))
			copy_str(accel, sizeof(accel), line + 6);
		else if (!strncmp(line, "cpu ", 4))
			copy_str(a->cpu, sizeof(a->cpu), line + 4);
		else if (!strncmp(line, "why ", 4))
			copy_str(a->why, sizeof(a->why), line + 4);
	}
	fclose(f);
	if (!key_ok || !a->cpu[0] || !a->why[0] || (strcmp(accel, "kvm") && strcmp(accel, "tcg")))
		return -ENOENT;
	a->accel = accel[0] == 'k' ? "kvm" : "tcg";
	return 0;
}

/* Written whole or not at all: a sweep's runs may read it meanwhile. */
static int cache_write(const char *key, const struct accel *a)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	int fd, ret = cache_file(path, sizeof(path));
	FILE *f;

	if (ret)
		return ret;
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0)
		return -errno;
	if (!(f = fdopen(fd, "w"))) {
		ret = -errno;
		close(fd);
		unlink(tmp);
		return ret;
	}
	fprintf(f, "key %s\naccel %s\ncpu %s\nwhy %s\n", key, a->accel, a->cpu, a->why);
	ret = fclose(f) ? -errno : rename(tmp, path) ? -errno : 0;
	if (ret)
		unlink(tmp);
	return ret;
}

/* --- the decision ------------------------------------------------------------ */

static void tcg(struct accel *a, const char *why)
{
	a->accel = "tcg";
	snprintf(a->cpu, sizeof(a->cpu), "%s", ACCEL_TCG_CPU);
	if (why)
		snprintf(a->why, sizeof(a->why), "%s", why);
}

/* KVM's verdict, from the cache or a new probe. */
static int kvm_verdict(struct accel *a, bool reprobe, const char *qemu)
{
	char probe[PATH_MAX], key[768];
	int ret = own_file(PROBE_IMAGE, probe, sizeof(probe));

	if (!ret && access(probe, R_OK))
		ret = -errno;
	if (ret) {
		snprintf(a->why, sizeof(a->why), "no probe guest %s: %s (build it with `make`)",
			 PROBE_IMAGE, strerror(-ret));
		return ret;
	}
	if ((ret = cache_key(qemu, probe, key, sizeof(key)))) {
		snprintf(a->why, sizeof(a->why), "cannot tell QEMU's version: %s", strerror(-ret));
		return ret;
	}
	if (!reprobe && !cache_read(key, a))
		return 0;
	if ((ret = probe_kvm(qemu, probe, a))) {
		snprintf(a->why, sizeof(a->why), "cannot run the KVM probe: %s", strerror(-ret));
		return ret;
	}
	if (!strcmp(a->accel, "tcg"))
		tcg(a, NULL);
	/* without a cache every run probes again: slower, not wrong */
	if ((ret = cache_write(key, a)))
		pr_err("cannot cache the accelerator verdict: %s", strerror(-ret));
	return 0;
}

int accel_choose(struct accel *a, const char *want, bool deterministic, bool reprobe,
		 const char *qemu)
{
	int ret;

	*a = (struct accel){ .accel = "tcg" };
	if (!strcmp(want, "tcg") || deterministic) {
		tcg(a, deterministic ? "--deterministic: TCG's -icount" : "--accel tcg");
		return 0;
	}
	a->accel = "tcg";   /* until KVM has proved itself */
	ret = kvm_node_check(kvm_device(), a->why, sizeof(a->why));
	if (!ret)
		ret = kvm_verdict(a, reprobe, qemu);
	if (!ret && !strcmp(a->accel, "kvm"))
		return 0;
	a->fell_back = ret != -ENOENT || strcmp(kvm_device(), ACCEL_KVM_DEVICE);
	tcg(a, NULL);
	return strcmp(want, "kvm") ? 0 : -ENODEV;
}

void accel_fallback_line(const struct accel *a, char *line, size_t len)
{
	snprintf(line, len, "%s; using tcg", a->why);
}

/* --- `ringmon accel` ------------------------------------------------------------ */

static const char accel_usage[] =
	"usage: ringmon accel [--reprobe] [--accel auto|kvm|tcg]\n"
	"\n"
	"Print the QEMU accelerator and CPU model that `ringmon run --accel auto`\n"
	"(or the --accel given) would use here, and why, as three lines:\n"
	"  accel kvm|tcg\n"
	"  cpu MODEL\n"
	"  why TEXT\n"
	"KVM is used only once a probe guest has run to its end under it; the verdict\n"
	"is cached in $XDG_CACHE_HOME/ringmon/ per host, QEMU version, host kernel and\n"
	"KVM device (RINGMON_KVM_DEVICE, default /dev/kvm).\n"
	"\n"
	"  --reprobe              probe again, whatever the cache says\n"
	"  --accel A              the choice --accel A would give (auto)\n"
	"  -h, --help             this text\n"
	"\n"
	"Exit status: 0; 2 when --accel kvm cannot be had here.\n";

int cmd_accel(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reprobe", no_argument, NULL, 'r' },
		{ "accel", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *want = "auto";
	char qemu[PATH_MAX];
	bool reprobe = false;
	struct accel a;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'r')
			reprobe = true;
		else if (c == 'a' && (!strcmp(optarg, "auto") || !strcmp(optarg, "kvm") ||
				      !strcmp(optarg, "tcg")))
			want = optarg;
		else if (c == 'a')
			usage_err("accel: --accel: unknown value '%s' (auto, kvm, tcg)", optarg);
		else if (c == 'h')
			return fputs(accel_usage, stdout) == EOF;
		else
			bad_option("accel", c, argv);
	}
	if (optind < argc)
		usage_err("accel: unexpected argument '%s'", argv[optind]);
	if (qemu_find(qemu, sizeof(qemu)))
		usage_err("%s not found in $PATH (`make deps` installs it)", QEMU_BINARY);
	if (accel_choose(&a, want, false, reprobe, qemu))
		usage_err("accel: --accel kvm: %s", a.why);
	printf("accel %s\ncpu %s\nwhy %s\n", a.accel, a.cpu, a.why);
	return fflush(stdout) ? EXIT_FAILED : 0;
}
