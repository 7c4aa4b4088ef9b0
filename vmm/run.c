/* run.c — `ringmon run`: validate everything, then boot the monitor with the
 * guest in QEMU, drain the trace ring into the database while it runs, and
 * exit with the guest's status. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accel.h"
#include "bundle.h"
#include "cmd.h"
#include "image.h"
#include "knobs.h"
#include "paths.h"
#include "progress.h"
#include "qemu.h"
#include "ring.h"
#include "sinks.h"
#include "symbols.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char run_usage[] =
	"usage: ringmon run [OPTIONS] GUEST\n"
	"\n"
	"Run GUEST, a 32-bit i386 Multiboot ELF or a Linux bzImage, at ring 3 under the\n"
	"ringmon monitor in\n"
	"QEMU; record every trap, symbolized, in an SQLite database (or other sinks);\n"
	"pass the guest console through to stdout; exit with the guest's status.\n"
	"\n"
	"  --db F                 database, created if missing (ringmon.db)\n"
	"  --sink LIST            where traps go, of sqlite,lttng,text (sqlite); text\n"
	"                         is one line per trap on stderr\n"
	"  --symbols F            symbol source: an ELF (symbols and DWARF lines) or a\n"
	"                         System.map (GUEST's own symbols and DWARF); refused\n"
	"                         if it is found not to be GUEST's\n"
	"  --symbols-mismatch-ok  use --symbols F even so\n"
	"  --accel auto|kvm|tcg   auto: kvm where a probe guest runs under it, else\n"
	"                         tcg (auto; `ringmon accel` tells which and why)\n"
	"  --deterministic        TCG with -icount: the same guest and knobs give the\n"
	"                         same trap records, timestamps in instructions\n"
	"  --timeout S            stop the guest after S seconds, 0 never (60)\n"
	"  --until REGEX          end the run, with status 0, once a guest console line\n"
	"                         matches REGEX (POSIX extended): for kernels that never\n"
	"                         exit by themselves\n"
	"  --cmdline S            the guest's command line (empty; a bzImage gets\n"
	"                         console=ttyS0)\n"
	"  --initrd F             a bzImage's initial RAM disk (cpio or cpio.gz)\n"
	"  --module 'FILE ARGS'   a Multiboot module: FILE loaded after GUEST, with the\n"
	"                         command line ARGS, as QEMU and GRUB load one; again\n"
	"                         for each further module, in order (at most 15)\n"
	"  --variant NAME         the guest's link-order variant, as recorded in the\n"
	"                         database (none)\n"
	"  --progress             show the progress line even off a terminal\n"
	"  --monitor PATH         monitor image (module/monitor.elf beside ringmon)\n"
	"  --native               boot GUEST natively at ring 0 instead, no monitor and\n"
	"                         no database, in the machine a monitored run shows\n"
	"                         its guest (accelerator, CPU model, its 224 MiB of\n"
	"                         RAM, firmware tables, devices, command line): the\n"
	"                         reference a monitored run is compared with\n"
	"  -h, --help             this text\n"
	"\n"
	"Exit status: the guest's; 0 after --until matched; 124 after --timeout; 125 if\n"
	"the monitor killed the guest, the guest halted for good (hlt with its\n"
	"interrupts off) or the run failed; 2 for bad input, when nothing was started.\n"
	"\n"
	"The research knobs, recorded with every run (trace/knobs_table.h):\n";

static const char *const accels[] = { "auto", "kvm", "tcg", NULL };

struct run_opts {
	const char *db, *accel, *cmdline, *monitor, *guest;
	const char *symbols;
	bool symbols_mismatch_ok;
	const char *sym_check;        /* how --symbols was found GUEST's (runs.sym_check) */
	const char *initrd;       /* a bzImage's, or NULL */
	/* The guest's files after it: the initrd, or each --module's FILE with
	 * its ARGS ("" for none), in order. */
	const char *files[BUNDLE_MAX_MODULES], *file_args[BUNDLE_MAX_MODULES];
	int n_files, n_modules;
	char module_file[BUNDLE_MAX_MODULES][PATH_MAX];
	bool linux_guest;         /* GUEST is a bzImage */
	const char *variant;          /* --variant, NULL if not given */
	const char *until;            /* --until, NULL if not given */
	regex_t until_re;             /* compiled, when until is set */
	struct knob_values knobs;     /* as recorded, and as the monitor gets them */
	char sink[24];                /* the list as recorded */
	unsigned timeout_s;
	unsigned sinks;               /* enum sink_kind bits */
	bool deterministic, progress, native;
	bool monitor_default;
	struct accel acc;             /* --accel resolved */
	char qemu[PATH_MAX];          /* qemu-system-i386 found in $PATH */
	char monitor_path[PATH_MAX];
	char guest_path[PATH_MAX];    /* absolute, links resolved */
	char guest_sha256[SHA256_HEX_LEN + 1];
	char sym_path[PATH_MAX];      /* the symbol source, absolute; "" if none */
};

/* One run from start to end.  Trap path 4.2 is sink_record(). */
struct run {
	const struct run_opts *o;
	struct symtab syms;
	struct slide_probe slide;     /* where a relocatable kernel runs: not known yet */
	struct sinks sinks;
	struct bundle bundle;
	struct qemu qemu;
	struct ring_consumer ring;
	struct progress progress;
	bool ring_running;
	int sigfd, timerfd, progress_fd;   /* progress_fd: its timer, -1 if off */
	int stop_signal;              /* SIGINT etc., forwarded to QEMU */
	bool timed_out;
	bool until_hit;               /* a console line matched --until */
	bool until_asked;             /* ... and the monitor was asked to stop */
	char until_line[QEMU_LINE_MAX + 1];
};

/* How long a monitor asked to stop (--until) may take to reach its next
 * record before QEMU is killed: a guest that never traps again. */
#define UNTIL_GRACE_S "10"

/* How a run ended: the runs row, the message on stderr, the exit code. */
struct verdict {
	struct run_end end;
	char msg[RING_REASON_LEN + 512 + 32];   /* "" if none */
	char kill_reason[RING_REASON_LEN + 512];
	char lossless[160];           /* "" unless the lossless check failed */
	bool show_qemu_stderr;
	int code;
};

/* --- the command line ----------------------------------------------------- */

static const char *one_of(const char *opt, const char *v, const char *const *set)
{
	char list[64] = "";
	for (size_t i = 0; set[i]; i++) {
		if (!strcmp(v, set[i]))
			return set[i];
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? ", " : "", set[i]);
	}
	usage_err("run: --%s: unknown value '%s' (%s)", opt, v, list);
}

/* A comma-separated list of names from set[count] as a mask (bit i for
 * set[i]), and the same list in set's order (as recorded) into out[len]. */
static unsigned parse_list(const char *opt, const char *what, const char *v,
			   const char *const *set, size_t count, char *out, size_t len)
{
	unsigned mask = 0;
	char list[64] = "";

	for (const char *p = v;; p++) {
		size_t n = strcspn(p, ","), i;
		for (i = 0; i < count; i++)
			if (strlen(set[i]) == n && !strncmp(p, set[i], n))
				break;
		if (i == count) {
			for (i = 0; i < count; i++)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
					 i ? ", " : "", set[i]);
			usage_err("run: --%s: unknown %s '%.*s' (%s)", opt, what, (int)n, p, list);
		}
		mask |= 1u << i;
		p += n;
		if (!*p)
			break;
	}
	out[0] = 0;
	for (size_t i = 0; i < count; i++)
		if (mask & 1u << i)
			snprintf(out + strlen(out), len - strlen(out), "%s%s",
				 out[0] ? "," : "", set[i]);
	return mask;
}

static unsigned parse_uint(const char *opt, const char *v, unsigned long max)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || errno || x > max)
		usage_err("run: --%s: '%s' is not a number from 0 to %lu", opt, v, max);
	return (unsigned)x;
}

enum { OPT_DB = 256, OPT_ACCEL, OPT_TIMEOUT, OPT_CMDLINE, OPT_MONITOR, OPT_SINK,
       OPT_SYMBOLS, OPT_SYMBOLS_MISMATCH_OK, OPT_DETERMINISTIC, OPT_PROGRESS, OPT_VARIANT,
       OPT_INITRD, OPT_MODULE, OPT_NATIVE,
       OPT_UNTIL, OPT_KNOB /* + enum knob_id */ };

static const struct option run_options[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "sink", required_argument, NULL, OPT_SINK },
	{ "symbols", required_argument, NULL, OPT_SYMBOLS },
	{ "symbols-mismatch-ok", no_argument, NULL, OPT_SYMBOLS_MISMATCH_OK },
	{ "deterministic", no_argument, NULL, OPT_DETERMINISTIC },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "accel", required_argument, NULL, OPT_ACCEL },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "module", required_argument, NULL, OPT_MODULE },
	{ "variant", required_argument, NULL, OPT_VARIANT },
	{ "monitor", required_argument, NULL, OPT_MONITOR },
	{ "native", no_argument, NULL, OPT_NATIVE },
	{ "help", no_argument, NULL, 'h' },
};
#define RUN_OPTIONS (ARRAY_SIZE(run_options) + KNOB_COUNT + 1)

/* run_options, then one --NAME per knob, then the end. */
static void all_options(struct option *o)
{
	memcpy(o, run_options, sizeof(run_options));
	for (unsigned id = 0; id < KNOB_COUNT; id++)
		o[ARRAY_SIZE(run_options) + id] = (struct option){
			knob_table[id].name, required_argument, NULL, OPT_KNOB + (int)id };
	o[RUN_OPTIONS - 1] = (struct option){ NULL, 0, NULL, 0 };
}

/* --until REGEX, compiled once (a second --until replaces the first). */
static void parse_until(struct run_opts *o, const char *re)
{
	char why[256];
	int ret;

	if (o->until)
		regfree(&o->until_re);
	o->until = NULL;
	ret = regcomp(&o->until_re, re, REG_EXTENDED | REG_NOSUB);
	if (ret) {
		regerror(ret, &o->until_re, why, sizeof(why));
		usage_err("run: --until: '%s': %s", re, why);
	}
	o->until = re;
}

/* --module 'FILE ARGS', split as QEMU splits it: at the first space. */
static void parse_module(struct run_opts *o, const char *v)
{
	size_t n = strcspn(v, " ");

	if (o->n_modules == BUNDLE_MAX_MODULES)
		usage_err("run: --module: at most %d modules", BUNDLE_MAX_MODULES);
	if (!n || n >= PATH_MAX)
		usage_err("run: --module '%s': no FILE, or a FILE name too long", v);
	memcpy(o->module_file[o->n_modules], v, n);
	o->module_file[o->n_modules][n] = 0;
	o->files[o->n_modules] = o->module_file[o->n_modules];
	o->file_args[o->n_modules++] = v[n] ? v + n + 1 : "";
}

static void parse(int argc, char **argv, struct run_opts *o)
{
	struct option options[RUN_OPTIONS];
	char why[256];
	int c;

	*o = (struct run_opts){ .db = "ringmon.db", .accel = "auto", .cmdline = "",
				.timeout_s = 60, .sink = "sqlite", .sinks = SINK_SQLITE };
	knobs_defaults(&o->knobs);
	all_options(options);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		if (c >= OPT_KNOB && c < OPT_KNOB + KNOB_COUNT) {
			if (knob_set(&o->knobs, (enum knob_id)(c - OPT_KNOB), optarg, why, sizeof(why)))
				usage_err("run: %s", why);
			continue;
		}
		switch (c) {
		case OPT_DB:
			o->db = optarg;
			break;
		case OPT_SINK:
			o->sinks = parse_list("sink", "sink", optarg, sink_names, SINK_COUNT,
					      o->sink, sizeof(o->sink));
			break;
		case OPT_SYMBOLS:
			o->symbols = optarg;
			break;
		case OPT_SYMBOLS_MISMATCH_OK:
			o->symbols_mismatch_ok = true;
			break;
		case OPT_DETERMINISTIC:
			o->deterministic = true;
			break;
		case OPT_PROGRESS:
			o->progress = true;
			break;
		case OPT_ACCEL:
			o->accel = one_of("accel", optarg, accels);
			break;
		case OPT_TIMEOUT:
			o->timeout_s = parse_uint("timeout", optarg, 7 * 24 * 3600);
			break;
		case OPT_INITRD:
			o->initrd = optarg;
			break;
		case OPT_MODULE:
			parse_module(o, optarg);
			break;
		case OPT_UNTIL:
			parse_until(o, optarg);
			break;
		case OPT_CMDLINE:
			o->cmdline = optarg;
			break;
		case OPT_VARIANT:
			if (!optarg[0])
				usage_err("run: --variant: empty name");
			o->variant = optarg;
			break;
		case OPT_MONITOR:
			o->monitor = optarg;
			break;
		case OPT_NATIVE:
			o->native = true;
			break;
		case 'h':
			fputs(run_usage, stdout);
			knobs_usage(stdout);
			exit(0);
		default:
			bad_option("run", c, argv);
		}
	}
	if (optind == argc)
		usage_err("run: no GUEST given (see ringmon run --help)");
	if (optind + 1 < argc)
		usage_err("run: unexpected argument '%s' after GUEST", argv[optind + 1]);
	o->guest = argv[optind];
}

/* --- validation: everything is checked before anything is created -------- */

/* An ELF guest loads into guest RAM; the monitor anywhere below 4 GiB. */
static void check_image(const char *path, uint32_t lo, uint32_t hi, struct image_info *info,
			const char *hint)
{
	const char *why;
	int ret = image_check(path, lo, hi, info, &why);

	if (ret)
		usage_err("%s: %s%s", path, why ? why : strerror(-ret), hint);
}

/* The guest gets its command line whole or not at all: the monitor refuses
 * one that does not fit (trace.h, GUEST_CMDLINE_MAX), and a Linux line cut
 * at its kernel's cmdline_size would lose what the monitor appends. */
static void check_cmdline(const struct run_opts *o, const struct image_info *gi)
{
	const size_t own = sizeof(LINUX_MONITOR_CMDLINE) - 1;
	size_t n = strlen(o->cmdline), max = GUEST_CMDLINE_MAX;

	if (gi->bzimage && gi->cmdline_size < max + own)
		max = gi->cmdline_size > own ? gi->cmdline_size - own : 0;
	if (n <= max)
		return;
	if (gi->bzimage)
		usage_err("run: --cmdline: %zu bytes, this kernel takes %zu (its cmdline_size %u,"
			  " less %zu for the monitor's \"%s\")", n, max, gi->cmdline_size, own,
			  LINUX_MONITOR_CMDLINE + 1);
	usage_err("run: --cmdline: %zu bytes, a guest gets at most %u", n, GUEST_CMDLINE_MAX);
}

static uint64_t page_up(uint64_t n)
{
	return (n + 4095) & ~(uint64_t)4095;
}

/* The size of a file the guest is given: readable and regular, or refused. */
static uint64_t file_size(const char *path)
{
	struct stat st;

	if (stat(path, &st) || access(path, R_OK))
		usage_err("%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		usage_err("%s: not a regular file", path);
	return (uint64_t)st.st_size;
}

/* The initrd, or the modules: each a readable file, all of them where QEMU
 * puts them.  A Multiboot guest's follow its kernel in guest RAM, after a
 * page or more of command lines (module/guest.c checks it to the byte); in a
 * monitored run QEMU first loads them, with the guest image, after the
 * monitor, in the monitor's part of RAM.  What does not fit is refused here,
 * before anything starts. */
static void check_files(struct run_opts *o, const struct image_info *gi,
			const struct image_info *mi)
{
	const char *opt = o->initrd ? "--initrd" : "--module";
	/* the room the lines and the module list take, at most (2 * for ",,") */
	uint64_t files = 0, lines = 2 * QEMU_FILE_NAME_MAX + strlen(o->cmdline);

	if (o->initrd && !o->linux_guest)
		usage_err("%s: --initrd is for a Linux bzImage guest", o->guest);
	if (o->n_modules && o->linux_guest)
		usage_err("%s: --module is for a Multiboot guest (a bzImage takes --initrd)",
			  o->guest);
	if (o->initrd) {
		o->files[0] = o->initrd;
		o->file_args[0] = "";
	}
	o->n_files = o->initrd ? 1 : o->n_modules;
	for (int i = 0; i < o->n_files; i++) {
		files += page_up(file_size(o->files[i]));
		lines += 16 + QEMU_FILE_NAME_MAX + 2 + 2 * strlen(o->file_args[i]);
	}
	lines = page_up(lines);
	if (!o->linux_guest && page_up(gi->load_end) + lines + files > GUEST_MEM_END)
		usage_err("run: %s: %llu KiB of modules do not fit in guest RAM after the kernel"
			  " (it ends at %08x, RAM at %08x)", opt, (unsigned long long)files >> 10,
			  gi->load_end, GUEST_MEM_END);
	if (o->native || !o->n_files)
		return;
	files += page_up(file_size(o->guest_path));
	if (page_up(mi->load_end) + lines + files > (uint64_t)RINGMON_RAM_MB << 20)
		usage_err("run: %s: %llu KiB with the guest image, more than the monitor's part"
			  " of QEMU's RAM holds after the monitor (%llu KiB)", opt,
			  (unsigned long long)files >> 10,
			  (unsigned long long)(((uint64_t)RINGMON_RAM_MB << 20) -
					       page_up(mi->load_end) - lines) >> 10);
}

/* module/monitor.elf in the directory that holds the ringmon executable. */
static void default_monitor(struct run_opts *o)
{
	int ret = own_file("module/monitor.elf", o->monitor_path, sizeof(o->monitor_path));

	if (ret)
		usage_err("cannot find the monitor: %s (give --monitor)", strerror(-ret));
	o->monitor = o->monitor_path;
	o->monitor_default = true;
}

/* --symbols F, else the guest's own symbols (a bzImage's kallsyms table).  A
 * guest without any runs unsymbolized, and says so; a --symbols file without
 * symbols is an error. */
static void load_symbols(struct run_opts *o, struct symtab *syms)
{
	const char *path = o->symbols ? o->symbols : o->guest;
	int ret = symtab_load(syms, path);

	/* a Multiboot a.out-kludge guest need be neither ELF nor bzImage */
	if (ret == -ENOEXEC && !o->symbols && !o->linux_guest)
		ret = 0;
	if (ret)
		usage_err("%s: cannot read symbols: %s", path,
			  ret == -ENOEXEC && syms->why ? syms->why : strerror(-ret));
	if (!syms->n && o->symbols)
		usage_err("%s: no symbols in it", path);
	if (!syms->n) {
		pr_err("%s: no symbol table: traps are not symbolized (give --symbols)", path);
		return;
	}
	if (!realpath(path, o->sym_path))
		usage_err("%s: %s", path, strerror(errno));
	/* a System.map knows no physical addresses: the guest's layout gives them */
	ret = symtab_layout_guest(syms, o->guest);
	if (ret)
		usage_err("%s: cannot read its layout: %s", o->guest, strerror(-ret));
	if (!symtab_names_data(syms) && !strcmp(syms->format, "kallsyms"))
		pr_err("%s: " SYMTAB_NO_DATA_HINT, path);
	else if (!symtab_names_data(syms))
		pr_err("%s: its symbols name no data objects: data addresses stay unnamed", path);
}

/* Symbols of another kernel would name every trap wrongly: a --symbols
 * file found not to be the guest's is refused unless the user insists. */
static void check_symbols(struct run_opts *o, const struct symtab *syms)
{
	struct sym_check c;
	int ret;

	if (!o->symbols || !syms->n)
		return;
	ret = symtab_check_guest(syms, o->symbols, o->guest, &c);
	if (ret < 0)
		usage_err("%s: cannot check it against %s: %s", o->symbols, o->guest,
			  strerror(-ret));
	o->sym_check = c.method;
	if (!ret && !strcmp(c.method, "unchecked"))
		pr_err("--symbols %s: not checked against %s: %s", o->symbols, o->guest, c.why);
	if (!ret)
		return;
	if (!o->symbols_mismatch_ok)
		usage_err("--symbols %s is not %s's (%s: %s); give the guest's own, or"
			  " --symbols-mismatch-ok", o->symbols, o->guest, c.method, c.why);
	pr_err("--symbols %s is not %s's (%s: %s): used anyway (--symbols-mismatch-ok)",
	       o->symbols, o->guest, c.method, c.why);
	o->sym_check = "mismatch-ok";
}

/* The accelerator, decided before anything starts: `--accel kvm` where KVM
 * cannot run the monitor stops here, and auto's fallback says so once. */
static void choose_accel(struct run_opts *o)
{
	char line[sizeof(o->acc.why) + 16];

	if (accel_choose(&o->acc, o->accel, o->deterministic, false, o->qemu))
		usage_err("run: --accel kvm: %s", o->acc.why);
	if (o->acc.fell_back) {
		accel_fallback_line(&o->acc, line, sizeof(line));
		pr_err("%s", line);
	}
}

static void validate(struct run_opts *o, struct symtab *syms)
{
	struct image_info gi, mi = { 0 };
	int ret;

	check_image(o->guest, GUEST_LOAD_MIN, GUEST_MEM_END, &gi, "");
	if (!realpath(o->guest, o->guest_path))
		usage_err("%s: %s", o->guest, strerror(errno));
	o->linux_guest = gi.bzimage;
	check_cmdline(o, &gi);
	ret = image_sha256(o->guest_path, o->guest_sha256);
	if (ret)
		usage_err("%s: %s", o->guest, strerror(-ret));
	if (!o->monitor && !o->native)
		default_monitor(o);
	if (!o->native)
		check_image(o->monitor, 0, UINT32_MAX, &mi, o->monitor_default ?
			    " (build it with `make`, or give --monitor)" : "");
	check_files(o, &gi, &mi);   /* mi: unset, and unused, in a native run */
	if (qemu_find(o->qemu, sizeof(o->qemu)))
		usage_err("%s not found in $PATH (`make deps` installs it)", QEMU_BINARY);
	if (o->deterministic && !strcmp(o->accel, "kvm"))
		usage_err("run: --deterministic needs TCG's -icount, not --accel kvm");
	if (!o->native) {
		load_symbols(o, syms);
		check_symbols(o, syms);
	}
	choose_accel(o);
}

/* --- the run --------------------------------------------------------------- */

/* A relocatable kernel's first record at its virtual addresses: its image
 * is in guest RAM now, so where it runs can be read there (sym_slide.c),
 * and the symbols follow it, in the lookups and in the database. */
static int find_slide(struct run *run, const struct trap_record *r)
{
	const struct sym_seg *k = run->syms.nseg ? &run->syms.segs[0] : NULL;
	int64_t slide;

	if (!run->slide.bytes || !k || r->eip < k->vaddr - k->paddr)
		return 0;
	int ret = slide_find(&run->slide, run->bundle.ram_fd, GUEST_MEM_END, &slide);
	slide_free(&run->slide);
	if (ret == -ENOENT) {
		pr_err("cannot tell where the relocatable kernel runs: symbols stay at its link addresses");
		return 0;
	}
	if (ret)
		return ret;
	if (!slide)
		return 0;
	symtab_set_slide(&run->syms, slide);
	return sinks_symbols_slid(&run->sinks, slide);
}

/* Trap path 4.2: name the data address (when the trap has one) and the
 * code address with the guest's symbols, find the code's source line, and
 * hand the event to the sinks. */
static int sink_record(void *ctx, const struct trap_record *r)
{
	struct run *run = ctx;
	struct trap_event e = { .r = r, .has_data = r->addr || r->access != ACCESS_NONE };
	int ret = find_slide(run, r);

	if (ret)
		return ret;
	if (e.has_data)
		e.data = symtab_lookup(&run->syms, r->addr, r->gpa);
	e.code = symtab_lookup(&run->syms, r->eip, 0);
	if (symtab_line(&run->syms, r->eip, &e.code_file, &e.code_line)) {
		e.code_file = NULL;
		e.code_line = 0;
	}
	progress_note(&run->progress, r);
	return sinks_trap(&run->sinks, &e);
}

static int sink_idle(void *ctx)
{
	struct run *run = ctx;
	return sinks_idle(&run->sinks);
}

static int record_start(struct run *run)
{
	const struct run_opts *o = run->o;
	const char *kernel = strrchr(o->guest, '/');
	char host[256] = "";

	gethostname(host, sizeof(host) - 1);
	return sinks_run_begin(&run->sinks, &(struct run_info){
		.guest = o->guest_path, .guest_sha256 = o->guest_sha256,
		.kernel = kernel ? kernel + 1 : o->guest, .variant = o->variant,
		.cmdline = o->cmdline[0] ? o->cmdline : NULL,
		.protect = o->knobs.v[KNOB_PROTECT], .mode = o->knobs.v[KNOB_MODE],
		.emulate = o->knobs.v[KNOB_EMULATE], .placement = o->knobs.v[KNOB_PLACEMENT],
		.fastpath = o->knobs.v[KNOB_FASTPATH],
		.accel = o->acc.accel, .cpu = o->acc.cpu,
		.accel_why = o->acc.why,
		.host = host[0] ? host : NULL,
		.sym_file = o->sym_path[0] ? o->sym_path : NULL,
		.sym_format = run->syms.n ? run->syms.format : NULL,
		.sym_check = o->sym_check,
		.ring = knob_ring(&o->knobs), .deterministic = o->deterministic }, &run->syms);
}

static void before_console(void *ctx)
{
	struct run *run = ctx;
	progress_hide(&run->progress);
}

/* The first console line that matches --until ends the run: supervise()
 * stops the guest. */
static void console_line(void *ctx, const char *line)
{
	struct run *run = ctx;

	if (run->o->until && !run->until_hit && !regexec(&run->o->until_re, line, 0, NULL, 0)) {
		run->until_hit = true;
		snprintf(run->until_line, sizeof(run->until_line), "%s", line);
	}
}

/* A timerfd that fires every ms milliseconds from now, or -errno. */
static int arm_timer(unsigned ms, bool periodic)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L };
	struct itimerspec it = { .it_value = t, .it_interval = periodic ? t : (struct timespec){ 0 } };
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (timerfd_settime(fd, 0, &it, NULL)) {
		int ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/* The monitor's modules: the guest, then its files.  A Multiboot guest's
 * lines are those of a native run, each led by the name QEMU gives the file
 * natively, for the monitor drops its own name for it from the front
 * (module/guest.c); a bzImage's are as given.  Into m[], the lines made into
 * lines[] (to be freed); 0 or -ENOMEM. */
static int monitored_modules(const struct run *run, struct qemu_module *m, char **lines)
{
	const struct run_opts *o = run->o;
	char name[QEMU_FILE_NAME_MAX];

	m[0] = (struct qemu_module){ run->bundle.guest_fd, o->cmdline };
	for (int i = 0; i < o->n_files; i++)
		m[1 + i] = (struct qemu_module){ run->bundle.module_fd[i], o->file_args[i] };
	for (int i = 0; !o->linux_guest && i <= o->n_files; i++) {
		qemu_file_name(i - 1, name, sizeof(name));
		if (asprintf(&lines[i], "%s%s%s", name, !i || *m[i].cmdline ? " " : "",
			     m[i].cmdline) < 0) {
			lines[i] = NULL;
			return -ENOMEM;
		}
		m[i].cmdline = lines[i];
	}
	return 0;
}

/* Boot bundle, QEMU, consumer thread, deadline; the first failure says why. */
static int start(struct run *run, char *why, size_t len)
{
	const struct run_opts *o = run->o;
	char knobs[KNOB_COUNT * (KNOB_VALUE_MAX + 16)], *lines[QEMU_MAX_MODULES] = { 0 };
	struct qemu_config c = {
		.binary = o->qemu, .accel = o->acc.accel, .cpu = o->acc.cpu,
		.icount = o->deterministic, .ram_mb = RINGMON_RAM_MB, .append = knobs,
		.n_modules = 1 + o->n_files, .console_fd = STDOUT_FILENO,
		.before_console = before_console, .console_line = console_line, .ctx = run };
	int ret;

	ret = bundle_create(&run->bundle, o->guest_path, o->monitor, o->files, o->n_files);
	if (ret) {
		snprintf(why, len, "cannot set up the boot images and guest RAM: %s", strerror(-ret));
		return ret;
	}
	/* per-CPU copies are named from the guest's RAM, so only now */
	ret = symtab_percpu_attach(&run->syms, run->bundle.ram_fd);
	if (ret) {
		snprintf(why, len, "cannot map __per_cpu_offset in guest RAM: %s", strerror(-ret));
		return ret;
	}
	const char *bad = NULL;
	if (o->linux_guest && run->syms.nseg &&
	    (ret = slide_prepare(&run->slide, run->bundle.guest_fd, &bad))) {
		snprintf(why, len, "cannot read the kernel inside %s: %s", o->guest,
			 bad ? bad : strerror(-ret));
		return ret;
	}
	knobs_cmdline(&o->knobs, knobs, sizeof(knobs));
	c.ram_fd = run->bundle.ram_fd;
	c.kernel_fd = run->bundle.monitor_fd;
	ret = monitored_modules(run, c.modules, lines);
	if (!ret)
		ret = qemu_start(&run->qemu, &c);
	for (int i = 0; i < QEMU_MAX_MODULES; i++)
		free(lines[i]);
	if (ret) {
		snprintf(why, len, "cannot start %s: %s", QEMU_BINARY, strerror(-ret));
		return ret;
	}
	ret = ring_start(&run->ring, run->bundle.ring, &(struct trap_sink){
		.record = sink_record, .idle = sink_idle, .ctx = run });
	if (ret) {
		snprintf(why, len, "cannot start the trace consumer: %s", strerror(-ret));
		return ret;
	}
	run->ring_running = true;
	if (o->timeout_s && (run->timerfd = arm_timer(o->timeout_s * 1000u, false)) < 0) {
		snprintf(why, len, "cannot arm the --timeout timer: %s", strerror(-run->timerfd));
		return run->timerfd;
	}
	if (o->progress || (isatty(STDERR_FILENO) && !(o->sinks & SINK_TEXT))) {
		run->progress_fd = arm_timer(PROGRESS_INTERVAL_MS, true);
		if (run->progress_fd < 0) {
			snprintf(why, len, "cannot arm the progress timer: %s",
				 strerror(-run->progress_fd));
			return run->progress_fd;
		}
	}
	return 0;
}

/* --until matched: a native guest is stopped at once; the monitor is asked
 * to end the run at its next record (ring_header.stop), so that the ring is
 * drained and its counters stand, and given UNTIL_GRACE_S for it on the
 * --timeout timer.  0 or -errno. */
static int stop_until(struct run *run)
{
	struct itimerspec grace = { .it_value = { .tv_sec = atoi(UNTIL_GRACE_S) } };

	run->until_asked = true;
	if (!run->bundle.ring) {
		qemu_kill(&run->qemu, SIGKILL);
		return 0;
	}
	((struct ring_header *)run->bundle.ring)->stop = 1;
	if (run->timerfd < 0 &&
	    (run->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)) < 0)
		return -errno;
	return timerfd_settime(run->timerfd, 0, &grace, NULL) ? -errno : 0;
}

/* Until QEMU has exited: pass its console through, show progress, and stop
 * it on a stop signal (forwarded), a failed consumer or the deadline
 * (SIGKILL). */
static int supervise(struct run *run)
{
	enum { W_SIGNAL, W_RING, W_TIMER, W_PROGRESS, W_COUNT };
	int watch[W_COUNT] = { run->sigfd, run->ring.done_fd, run->timerfd, run->progress_fd };
	uint64_t ticks;

	for (;;) {
		int ret = qemu_poll(&run->qemu, watch, W_COUNT);
		struct signalfd_siginfo si;

		if (ret <= 0 && ret != -EAGAIN)
			return ret;
		if (run->until_hit && !run->until_asked && !run->qemu.exited) {
			int err = stop_until(run);
			if (err)
				return err;
			watch[W_TIMER] = run->timerfd;
		}
		if (ret == -EAGAIN)
			continue;
		if (ret - 1 == W_PROGRESS) {
			if (read(run->progress_fd, &ticks, sizeof(ticks)) == sizeof(ticks))
				progress_show(&run->progress, run->qemu.console_bol);
			continue;
		}
		if (run->qemu.exited) {   /* only output left: nothing to stop */
			watch[ret - 1] = -1;
			continue;
		}
		switch (ret - 1) {
		case W_SIGNAL:
			if (read(run->sigfd, &si, sizeof(si)) != sizeof(si))
				break;
			/* a second signal does not wait for QEMU's good will */
			qemu_kill(&run->qemu, run->stop_signal ? SIGKILL : (int)si.ssi_signo);
			run->stop_signal = (int)si.ssi_signo;
			break;
		case W_RING:   /* the consumer ended before QEMU: it failed */
			watch[W_RING] = -1;
			qemu_kill(&run->qemu, SIGKILL);
			break;
		case W_TIMER:   /* the deadline, or the end of --until's grace */
			watch[W_TIMER] = -1;
			run->timed_out = !run->until_asked;
			qemu_kill(&run->qemu, SIGKILL);
			break;
		}
	}
}

/* The monitor's reason string, from guest RAM: bounded and printable. */
static void copy_reason(char *out, const char *in)
{
	size_t i;
	for (i = 0; i < RING_REASON_LEN - 1 && in[i]; i++)
		out[i] = in[i] >= 0x20 && in[i] < 0x7f ? in[i] : '?';
	out[i] = 0;
}

/* Lossless: what the host consumed must be exactly what the monitor counted,
 * in all and per kind.  0 if it is; else -EPROTO and why into msg[len]. */
static int check_lossless(const struct ring_consumer *rc, const struct run_end *e,
			  char *msg, size_t len)
{
	unsigned k = 0;   /* the first count that differs; 0 for all records */

	if (e->dropped) {
		snprintf(msg, len, "lossless check failed: the monitor dropped %llu records",
			 (unsigned long long)e->dropped);
		return -EPROTO;
	}
	if (e->records == rc->records)
		for (k = 1; k < KIND_MAX && e->counts[k] == rc->counts[k]; k++)
			;
	if (k == KIND_MAX)
		return 0;
	snprintf(msg, len, "lossless check failed: %llu %s%srecords traced, the monitor counted %llu",
		 (unsigned long long)(k ? rc->counts[k] : rc->records), k ? ring_kind_name(k) : "",
		 k ? " " : "", (unsigned long long)(k ? e->counts[k] : e->records));
	return -EPROTO;
}

/* What QEMU ending by itself, with the guest neither exited nor killed, says. */
static void qemu_ended(const struct run *run, struct verdict *v)
{
	/* QEMU's own word when a signal (SIGTERM, SIGINT, SIGHUP) from outside
	 * stopped it: it then exits with status 0, as after a reset */
	const char *sig = strstr(run->qemu.err, "terminating on signal ");
	int ws = run->qemu.wstatus, signo;

	if (sig && sscanf(sig, "terminating on signal %d", &signo) == 1 && signo > 0 &&
	    signo < NSIG)
		snprintf(v->kill_reason, sizeof(v->kill_reason),
			 "QEMU was stopped by SIG%s from outside ringmon (%.*s)",
			 sigabbrev_np(signo) ? sigabbrev_np(signo) : "?",
			 (int)strcspn(sig, "\n"), sig);
	else if (WIFSIGNALED(ws))
		snprintf(v->kill_reason, sizeof(v->kill_reason),
			 "QEMU was killed by signal %d while the guest ran", WTERMSIG(ws));
	else if (WEXITSTATUS(ws))
		snprintf(v->kill_reason, sizeof(v->kill_reason),
			 "QEMU exited with status %d while the guest ran", WEXITSTATUS(ws));
	else
		snprintf(v->kill_reason, sizeof(v->kill_reason), "guest reset or triple-faulted");
	v->show_qemu_stderr = true;
}

/* What an --until run records as its reason: the pattern and the line
 * (each cut at 200 bytes), and why, when given. */
static void until_reason(const struct run *run, char *out, size_t len, const char *why)
{
	snprintf(out, len, "console matched --until '%.200s': %.200s%s", run->o->until,
		 run->until_line, why);
}

/* --until matched but the monitor did not stop within UNTIL_GRACE_S (the
 * guest never trapped again): QEMU was killed, so what the ring held and the
 * monitor's counters are unknown, and the run says so. */
static void until_without_counters(const struct run *run, struct verdict *v)
{
	v->end.state = "until";
	v->code = 0;
	until_reason(run, v->kill_reason, sizeof(v->kill_reason),
		     " (the monitor did not stop within " UNTIL_GRACE_S
		     " s: QEMU killed, counters unknown)");
	snprintf(v->msg, sizeof(v->msg), "%s", v->kill_reason);
}

/* How the run ended: first what ringmon did to QEMU, then what failed on the
 * host, then what the monitor wrote into the ring header. */
static void judge(const struct run *run, int ring_err, struct verdict *v)
{
	const struct ring_header *h = run->bundle.ring;

	v->end = (struct run_end){ .state = "crashed", .exit_status = -1 };
	v->code = EXIT_FAILED;
	if (run->timed_out) {
		v->end.state = "timeout";
		v->code = EXIT_TIMEOUT;
		snprintf(v->msg, sizeof(v->msg), "timeout after %u s, guest stopped",
			 run->o->timeout_s);
		return;
	}
	if (run->stop_signal) {
		v->code = 128 + run->stop_signal;
		snprintf(v->kill_reason, sizeof(v->kill_reason), "interrupted by SIG%s",
			 sigabbrev_np(run->stop_signal));
		snprintf(v->msg, sizeof(v->msg), "%s, guest stopped", v->kill_reason);
		return;
	}
	if (ring_err) {
		snprintf(v->kill_reason, sizeof(v->kill_reason), "%s",
			 run->ring.why[0] ? run->ring.why : run->sinks.err);
		v->show_qemu_stderr = true;
		return;
	}
	if (h->state < RING_STATE_EXITED || h->state > RING_STATE_STOPPED) {
		if (run->until_asked)
			until_without_counters(run, v);
		else
			qemu_ended(run, v);
		return;
	}
	v->end.counters = true;
	v->end.records = h->records;
	v->end.stalls = h->stalls;
	v->end.dropped = h->dropped;
	memcpy(v->end.counts, h->counts, sizeof(v->end.counts));
	if (h->state == RING_STATE_EXITED) {
		v->end.state = "exited";
		v->end.exit_status = (int)(h->exit_status & 0xff);
		v->code = v->end.exit_status;
	} else if (h->state == RING_STATE_STOPPED) {
		v->end.state = "until";
		v->code = 0;
		until_reason(run, v->kill_reason, sizeof(v->kill_reason), "");
	} else if (h->state == RING_STATE_HALTED) {
		v->end.state = "halted";
		copy_reason(v->kill_reason, h->reason);
		snprintf(v->msg, sizeof(v->msg), "%s: run ended", v->kill_reason);
	} else {
		v->end.state = "killed";
		copy_reason(v->kill_reason, h->reason);
		snprintf(v->msg, sizeof(v->msg), "guest killed: %s", v->kill_reason);
	}
	if (check_lossless(&run->ring, &v->end, v->lossless, sizeof(v->lossless)))
		v->code = EXIT_FAILED;
}

static void print_summary(const struct run *run)
{
	char kinds[KIND_MAX * 40] = "";   /* ", " name (<= 10) " " count (<= 20) */
	size_t n = 0;

	for (unsigned k = 1; k < KIND_MAX; k++)
		if (run->ring.counts[k])
			n += (size_t)snprintf(kinds + n, sizeof(kinds) - n, "%s%s %llu",
					      n ? ", " : "", ring_kind_name(k),
					      (unsigned long long)run->ring.counts[k]);
	if ((run->o->sinks & SINK_SQLITE) && run->sinks.db.full)
		pr_err("run %lld: disk full after %llu records -> %s",
		       (long long)run->sinks.db.run_id,
		       (unsigned long long)run->sinks.db.stored, run->o->db);
	else if (run->o->sinks & SINK_SQLITE)
		pr_err("run %lld: %llu records (%s) -> %s", (long long)run->sinks.db.run_id,
		       (unsigned long long)run->ring.records, n ? kinds : "no traps",
		       run->o->db);
	else
		pr_err("%llu records (%s) -> %s", (unsigned long long)run->ring.records,
		       n ? kinds : "no traps", run->o->sink);
}

static int run_guest(const struct run_opts *o, struct run *run)
{
	struct verdict v = { .end = { .state = "crashed", .exit_status = -1 },
			     .code = EXIT_FAILED };
	int ret, ring_err = 0;

	ret = sinks_open(&run->sinks, o->sinks, o->db, STDERR_FILENO);
	if (ret) {
		pr_err("%s", run->sinks.err);
		return db_refused(ret) ? EXIT_USAGE : EXIT_FAILED;
	}
	ret = record_start(run);
	if (ret) {
		pr_err("%s", run->sinks.err);
		goto out_sinks;
	}
	progress_init(&run->progress, STDERR_FILENO, isatty(STDERR_FILENO), o->deterministic);
	ret = start(run, v.kill_reason, sizeof(v.kill_reason));
	if (!ret)
		ret = supervise(run);
	if (ret && !v.kill_reason[0])
		snprintf(v.kill_reason, sizeof(v.kill_reason), "waiting for QEMU: %s",
			 strerror(-ret));
	qemu_release(&run->qemu);
	if (run->ring_running)
		ring_err = ring_stop(&run->ring);
	progress_hide(&run->progress);
	if (!ret)
		judge(run, ring_err, &v);
	if (v.msg[0] || v.kill_reason[0])
		pr_err("%s", v.msg[0] ? v.msg : v.kill_reason);
	if (v.lossless[0])
		pr_err("%s", v.lossless);
	if (v.show_qemu_stderr && run->qemu.err_len)
		fprintf(stderr, "ringmon: %s said:\n%s", QEMU_BINARY, run->qemu.err);
	v.end.kill_reason = v.kill_reason[0] ? v.kill_reason : NULL;
	ret = sinks_run_end(&run->sinks, &v.end);
	if (ret) {
		pr_err("%s", run->sinks.err);
		v.code = EXIT_FAILED;
	}
	/* a dropped text sink leaves the others whole; alone, it lost them */
	if (run->sinks.failed[0]) {
		pr_err("%s", run->sinks.failed);
		if (!(o->sinks & ~(unsigned)SINK_TEXT))
			v.code = EXIT_FAILED;
	}
	print_summary(run);
out_sinks:
	if (sinks_close(&run->sinks)) {
		pr_err("%s", run->sinks.err);
		v.code = EXIT_FAILED;
	}
	return v.code;
}

/* --native: GUEST itself is QEMU's kernel (a Multiboot ELF with its modules,
 * or a bzImage with its initrd and the command line the monitor would give
 * it), at ring 0.
 * Its status is the byte it wrote to 0xf4: QEMU exits with byte * 2 + 1. */
static int run_native(const struct run_opts *o, struct run *run)
{
	int guest = open(o->guest_path, O_RDONLY | O_CLOEXEC), fds[BUNDLE_MAX_MODULES], n = 0;
	int ret, ws, failed;
	char *cmdline = NULL;
	struct qemu_config c = {
		.binary = o->qemu, .accel = o->acc.accel, .cpu = o->acc.cpu,
		.icount = o->deterministic, .ram_mb = GUEST_RAM_MB, .ram_fd = -1,
		.kernel_fd = guest, .n_modules = o->n_files, .console_fd = STDOUT_FILENO,
		.console_line = console_line, .ctx = run };

	if (asprintf(&cmdline, "%s%s", o->linux_guest && !o->cmdline[0] ?
		     LINUX_DEFAULT_CMDLINE : o->cmdline,
		     o->linux_guest ? LINUX_MONITOR_CMDLINE : "") < 0) {
		cmdline = NULL;
		pr_err("%s", strerror(ENOMEM));
		ret = EXIT_FAILED;
		goto out;
	}
	if (guest < 0) {
		pr_err("%s: %s", o->guest, strerror(errno));
		ret = EXIT_FAILED;
		goto out;
	}
	ret = bundle_open(o->files, o->n_files, fds, &failed);
	if (ret) {
		pr_err("%s: %s", o->files[failed], strerror(-ret));
		ret = EXIT_FAILED;
		goto out;
	}
	n = o->n_files;
	for (int i = 0; i < n; i++)
		c.modules[i] = (struct qemu_module){ fds[i], o->file_args[i] };
	c.append = cmdline;
	run->ring.done_fd = -1;   /* no monitor, no ring */
	ret = qemu_start(&run->qemu, &c);
	if (ret || (o->timeout_s && (run->timerfd = arm_timer(o->timeout_s * 1000u, false)) < 0)) {
		pr_err("cannot start %s: %s", QEMU_BINARY, strerror(ret ? -ret : -run->timerfd));
		ret = EXIT_FAILED;
		goto out;
	}
	ret = supervise(run);
	qemu_release(&run->qemu);
	ws = run->qemu.wstatus;
	if (ret) {
		pr_err("waiting for QEMU: %s", strerror(-ret));
		ret = EXIT_FAILED;
	} else if (run->until_hit) {
		char why[RING_REASON_LEN + 512];
		until_reason(run, why, sizeof(why), "");
		pr_err("%s: guest stopped", why);
		ret = 0;
	} else if (run->timed_out) {
		pr_err("timeout after %u s, guest stopped", o->timeout_s);
		ret = EXIT_TIMEOUT;
	} else if (run->stop_signal) {
		pr_err("interrupted by SIG%s, guest stopped", sigabbrev_np(run->stop_signal));
		ret = 128 + run->stop_signal;
	} else if (WIFEXITED(ws) && WEXITSTATUS(ws) & 1) {
		ret = WEXITSTATUS(ws) >> 1;
	} else {
		struct verdict v = { 0 };
		qemu_ended(run, &v);
		pr_err("%s", v.kill_reason);
		if (run->qemu.err_len)
			fprintf(stderr, "ringmon: %s said:\n%s", QEMU_BINARY, run->qemu.err);
		ret = EXIT_FAILED;
	}
out:
	free(cmdline);
	if (guest >= 0)
		close(guest);
	while (n--)
		close(fds[n]);
	return ret;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct run run = { .o = &o, .sigfd = -1, .timerfd = -1, .progress_fd = -1,
			   .bundle = { .monitor_fd = -1, .guest_fd = -1, .ram_fd = -1 } };
	sigset_t stop;
	int code;

	parse(argc, argv, &o);
	validate(&o, &run.syms);

	/* From here on every exit path cleans up: stop signals are read from a
	 * signalfd by supervise(), never delivered.  Blocked before the consumer
	 * thread exists, so it inherits the mask. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	/* past the file-size limit a write fails with EFBIG, which the
	 * database handles like a full disk, instead of killing ringmon */
	signal(SIGXFSZ, SIG_IGN);
	if (pthread_sigmask(SIG_BLOCK, &stop, NULL) ||
	    (run.sigfd = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		pr_err("cannot take over SIGINT/SIGTERM: %s", strerror(errno));
		code = EXIT_FAILED;
	} else {
		code = o.native ? run_native(&o, &run) : run_guest(&o, &run);
	}
	bundle_destroy(&run.bundle);
	symtab_free(&run.syms);
	slide_free(&run.slide);
	if (run.timerfd >= 0)
		close(run.timerfd);
	if (run.progress_fd >= 0)
		close(run.progress_fd);
	if (run.sigfd >= 0)
		close(run.sigfd);
	return code;
}
