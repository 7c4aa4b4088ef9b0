/* test_symbols.c — the symbolizer (vmm/symbols.c, sym_elf.c, sym_map.c)
 * against a fixture ELF whose layout is known (tests/fixtures/symbols.*):
 * inside a symbol, in the padding after it, at an unsized label, ties at one
 * address, the DWARF line of a function, and the same file as a System.map;
 * per-CPU copies (sym_percpu.c) with a fake guest RAM.
 * `test_symbols --dump FILE` prints what the symbolizer reads from FILE, one
 * `nm` line per symbol, for the integration tests that compare it with an
 * oracle (tests/integration/kallsyms_debian.sh). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../fixtures/symbols.h"
#include "check.h"
#include "symbols.h"

#define FIXTURE "build/fixtures/symbols.elf"


/* An access at addr, guest-physical gpa, must resolve to name+off (name
 * NULL: to nothing, padding or not). */
static void expect_at(const struct symtab *st, uint32_t addr, uint64_t gpa, const char *name,
		      uint32_t off, bool pad)
{
	struct sym_ref r = symtab_lookup(st, addr, gpa);

	CHECK(name ? r.name && !strcmp(r.name, name) : !r.name, "%#x/%#llx: got %s, want %s",
	      addr, (unsigned long long)gpa, r.name ? r.name : "(none)", name ? name : "(none)");
	CHECK(!name || r.off == off, "%#x: offset %#x, want %#x", addr, r.off, off);
	CHECK(!name || !strcmp(st->syms[r.id].name, name), "%#x: id %u is %s", addr, r.id,
	      st->syms[r.id].name);
	CHECK(r.pad == pad, "%#x: pad %d, want %d", addr, r.pad, pad);
}

/* ... by its linear address alone. */
static void expect(const struct symtab *st, uint32_t addr, const char *name, uint32_t off,
		   bool pad)
{
	expect_at(st, addr, 0, name, off, pad);
}

/* The fixture is loaded where it is linked; ALIAS maps its frames again. */
#define ALIAS 0xe0000000u

/* Accesses through the alias are named from their guest-physical address;
 * one outside the image names nothing, whatever lies below its linear one. */
static void expect_aliases(const struct symtab *st)
{
	expect_at(st, ALIAS + FIXTURE_OBJ_B + 4, FIXTURE_OBJ_B + 4, "obj_b", 4, false);
	expect_at(st, FIXTURE_OBJ_A + 4, FIXTURE_OBJ_A + 4, "obj_a", 4, false);
	expect_at(st, FIXTURE_OBJ_A + 4, 0x300000, NULL, 0, true);
	expect(st, ALIAS + FIXTURE_OBJ_B, NULL, 0, true);   /* no gpa: linear, past the image */
}

static const struct sym *find(const struct symtab *st, const char *name)
{
	for (size_t i = 0; i < st->n; i++)
		if (!strcmp(st->syms[i].name, name))
			return &st->syms[i];
	return NULL;
}

static void test_elf(void)
{
	struct symtab st;
	const struct sym *a;
	const char *file = NULL;
	uint32_t line = 0;
	int ret = symtab_load(&st, FIXTURE);

	CHECK(!ret, "load %s: %s", FIXTURE, strerror(-ret));
	if (ret)
		return;
	CHECK(!strcmp(st.format, "elf+dwarf"), "format %s", st.format);
	a = find(&st, "obj_a");
	CHECK(a && a->size == FIXTURE_OBJ_A_LEN && a->type == STT_OBJECT &&
	      a->section && !strcmp(a->section, ".data"), "obj_a's size, type and section");

	expect(&st, FIXTURE_TEXT - 1, NULL, 0, false);             /* below everything */
	expect(&st, FIXTURE_TEXT + 3, "fixture_func", 3, false);
	expect(&st, FIXTURE_OBJ_A, "obj_a", 0, false);
	expect(&st, FIXTURE_OBJ_A + FIXTURE_OBJ_A_LEN - 1, "obj_a", FIXTURE_OBJ_A_LEN - 1, false);
	expect(&st, FIXTURE_OBJ_A + FIXTURE_OBJ_A_LEN, NULL, 0, true);   /* padding */
	expect(&st, FIXTURE_OBJ_B - 1, NULL, 0, true);
	/* obj_b, not the unsized linker symbol __b_marker at the same address */
	expect(&st, FIXTURE_OBJ_B + 4, "obj_b", 4, false);
	/* an unsized label owns everything up to the end of its segment */
	expect(&st, FIXTURE_LABEL + 4, "label_x", 4, false);
	expect(&st, FIXTURE_LABEL + 0x1000, NULL, 0, true);
	expect_aliases(&st);

	ret = symtab_line(&st, FIXTURE_TEXT + 3, &file, &line);
	CHECK(!ret && line == FIXTURE_FUNC_LINE, "line %u, want %d", line, FIXTURE_FUNC_LINE);
	CHECK(!ret && strstr(file, "fixtures/symbols.c"), "file %s", file ? file : "(none)");
	CHECK(symtab_line(&st, FIXTURE_OBJ_A, &file, &line) == -ENOENT, "no line for data");
	symtab_free(&st);
}

/* The fixture's symbols as `nm -n` prints them, plus what a map may hold and
 * the symbolizer must skip: an absolute and an undefined symbol. */
static const char map_text[] =
	"00000010 A an_absolute\n"
	"         U an_undefined\n"
	"00100000 T fixture_func\n"
	"00200000 D obj_a\n"
	"00200040 D __b_marker\n"
	"00200040 D obj_b\n"
	"00200048 D label_x\n";

/* symtab_load() of a temporary file that holds text. */
static int load_text(struct symtab *st, const char *text)
{
	char path[] = "/tmp/ringmon-test-map-XXXXXX";
	int fd = mkstemp(path), ret;

	CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text),
	      "write %s", path);
	close(fd);
	ret = symtab_load(st, path);
	unlink(path);
	return ret;
}

static void test_map(void)
{
	struct symtab st;
	int ret = load_text(&st, map_text);

	CHECK(!ret, "load the map: %s", strerror(-ret));
	if (ret)
		return;
	CHECK(!strcmp(st.format, "system.map") && st.n == 5, "format %s, %zu symbols",
	      st.format, st.n);
	CHECK(!find(&st, "an_absolute") && !find(&st, "an_undefined"), "skipped A and U");
	expect(&st, FIXTURE_TEXT + 3, "fixture_func", 3, false);
	expect(&st, FIXTURE_OBJ_A + 4, "obj_a", 4, false);
	/* no sizes in a map: padding belongs to the symbol below */
	expect(&st, FIXTURE_OBJ_A + FIXTURE_OBJ_A_LEN, "obj_a", FIXTURE_OBJ_A_LEN, false);
	/* the same choice as with the ELF, without sizes: fewer underscores */
	expect(&st, FIXTURE_OBJ_B, "obj_b", 0, false);
	/* no layout: the last symbol names its own address, nothing beyond */
	expect(&st, FIXTURE_LABEL, "label_x", 0, false);
	expect(&st, FIXTURE_LABEL + 4, NULL, 0, true);
	expect(&st, FIXTURE_OBJ_B + 4, "obj_b", 4, false);
	symtab_free(&st);
	/* with the guest's, as with its ELF */
	ret = load_text(&st, map_text);
	CHECK(!ret && !symtab_layout_guest(&st, FIXTURE) && st.nseg == 2, "the fixture's layout");
	expect(&st, FIXTURE_LABEL + 4, "label_x", 4, false);
	expect(&st, FIXTURE_LABEL + 0x1000, NULL, 0, true);
	expect_aliases(&st);
	CHECK(symtab_line(&st, FIXTURE_TEXT, &(const char *){ NULL }, &(uint32_t){ 0 }) == -ENOENT,
	      "no lines from a map");
	symtab_free(&st);
}

/* Give st the layout of one segment, as a System.map of a Linux guest
 * gets it from the guest's setup header. */
static bool one_segment(struct symtab *st, uint32_t vaddr, uint32_t paddr, uint32_t size)
{
	st->segs = malloc(sizeof(*st->segs));
	CHECK(st->segs, "malloc");
	if (!st->segs)
		return false;
	st->segs[0] = (struct sym_seg){ .vaddr = vaddr, .paddr = paddr, .size = size };
	st->nseg = 1;
	return true;
}

/* A kernel linked high and loaded low, as Linux is: its own accesses, an
 * alias's, its boot code's before paging (identity: named by the linear
 * address, so nothing here), and memory outside it. */
static void test_linked_high(void)
{
	struct symtab st;
	uint32_t paddr = 0;
	int ret = load_text(&st, "c0200000 D obj_a\nc0200040 D obj_b\nc0200048 D label_x\n");

	CHECK(!ret, "load the map: %s", strerror(-ret));
	if (ret)
		return;
	if (!one_segment(&st, 0xc0200000, 0x200000, 0x50))
		return;
	expect_at(&st, 0xc0200044, 0x200044, "obj_b", 4, false);
	expect_at(&st, 0xffc00044, 0x200044, "obj_b", 4, false);
	expect_at(&st, 0x200044, 0x200044, NULL, 0, false);
	expect_at(&st, 0xc7000000, 0x7000000, NULL, 0, true);
	expect(&st, 0xc7000000, NULL, 0, true);
	CHECK(symtab_paddr(&st, 0xc0200040, &paddr) && paddr == 0x200040, "paddr %#x", paddr);
	CHECK(!symtab_paddr(&st, 0xc0200050, &paddr), "no paddr past the segment");
	symtab_free(&st);
}

/* An SMP kernel's map, linked at 0xc1000000 and loaded at 16 MiB: its
 * per-CPU template holds cpu_number, this_cpu_off and gdt_page, and
 * __per_cpu_offset is 64 entries before the next symbol. */
static const char smp_map[] =
	"c1000000 D __per_cpu_offset\n"
	"c1000100 D after_offsets\n"
	"c1100000 D __per_cpu_start\n"
	"c1100000 D cpu_number\n"
	"c1100008 D this_cpu_off\n"
	"c1101000 D gdt_page\n"
	"c1102000 D __per_cpu_end\n"
	"c1102000 D after_percpu\n";
#define OFFSETS_PA   0x1000000u
#define THIS_CPU_OFF 0xc1100008u
#define DIRECT_MAP   0xc0000000u
#define CPU0_OFF     0x0c000000u   /* CPU 0's copy of gdt_page at 0xcd101000 */
#define CPU1_OFF     0x0c100000u
#define RAM_SIZE     0x10000000

/* An access must be CPU cpu's copy of name, at off into it. */
static void expect_copy(const struct symtab *st, uint32_t addr, uint64_t gpa, const char *name,
			uint32_t off, uint32_t cpu)
{
	struct sym_ref r = symtab_lookup(st, addr, gpa);
	size_t n;
	const struct sym_copy *c = symtab_copies(st, &n);

	CHECK(r.name && !strcmp(r.name, name) && r.off == off && !r.pad,
	      "%#x/%#llx: got %s+%#x, want %s+%#x", addr, (unsigned long long)gpa,
	      r.name ? r.name : "(none)", r.off, name, off);
	CHECK(r.id >= st->n && r.id - st->n < n, "%#x: id %u is no copy", addr, r.id);
	if (r.id >= st->n && r.id - st->n < n)
		CHECK(c[r.id - st->n].cpu == cpu && !strcmp(st->syms[c[r.id - st->n].sym].name, name),
		      "%#x: CPU %u's %s, want CPU %u's %s", addr, c[r.id - st->n].cpu,
		      st->syms[c[r.id - st->n].sym].name, cpu, name);
}

/* The fake RAM's 4 bytes at guest-physical pa. */
static void poke(int ram, uint32_t pa, uint32_t v)
{
	CHECK(pwrite(ram, &v, 4, pa) == 4, "pwrite: %s", strerror(errno));
}

/* CPU cpu's offset, as setup_per_cpu_areas() sets it: in __per_cpu_offset
 * and in the CPU's this_cpu_off. */
static void set_offset(int ram, uint32_t cpu, uint32_t off)
{
	poke(ram, OFFSETS_PA + 4 * cpu, off);
	poke(ram, THIS_CPU_OFF + off - DIRECT_MAP, off);
}

/* The copies of the first CPUs, by linear address and through an alias,
 * once their offsets are set; other bytes in __per_cpu_offset (before the
 * kernel is decompressed there) and a repeated offset end the list. */
static void expect_copies(struct symtab *st, int ram)
{
	size_t n;
	const struct sym_copy *c;

	expect_at(st, 0xcd101010, 0xd101010, NULL, 0, true);   /* offsets not set yet */
	poke(ram, OFFSETS_PA, CPU0_OFF);
	expect_at(st, 0xcd101010, 0xd101010, NULL, 0, true);   /* not the CPU's this_cpu_off */
	set_offset(ram, 0, CPU0_OFF);
	expect_copy(st, 0xcd101010, 0xd101010, "gdt_page", 0x10, 0);
	expect_copy(st, 0xffd00010, 0xd101010, "gdt_page", 0x10, 0);   /* read-only alias */
	expect_copy(st, 0xcd100004, 0, "cpu_number", 4, 0);
	expect_at(st, 0xcd201020, 0xd201020, NULL, 0, true);
	set_offset(ram, 1, CPU1_OFF);
	expect_copy(st, 0xcd201020, 0xd201020, "gdt_page", 0x20, 1);
	set_offset(ram, 2, CPU0_OFF);
	set_offset(ram, 3, CPU1_OFF + 0x100000);
	expect_at(st, 0xcd301000, 0xd301000, NULL, 0, true);   /* after a repeated offset */
	c = symtab_copies(st, &n);
	CHECK(n == 3, "%zu copies, want 3", n);
	if (n == 3)
		CHECK(c[0].addr == 0xcd101000 && c[0].paddr == 0xd101000 &&
		      c[1].addr == 0xcd100000 && c[1].paddr == 0xd100000 && c[2].cpu == 1 &&
		      c[2].addr == 0xcd201000, "copies at %#x (%#x), %#x (%#x), %#x", c[0].addr,
		      c[0].paddr, c[1].addr, c[1].paddr, c[2].addr);
}

static void test_percpu(void)
{
	struct symtab st;
	int ram = memfd_create("test-ram", 0), ret;

	CHECK(ram >= 0 && !ftruncate(ram, RAM_SIZE), "fake RAM: %s", strerror(errno));
	ret = load_text(&st, smp_map);
	CHECK(!ret, "load the map: %s", strerror(-ret));
	if (ret || ram < 0 || !one_segment(&st, 0xc1000000, OFFSETS_PA, 0x200000))
		return;
	ret = symtab_percpu_attach(&st, ram);
	CHECK(!ret && st.percpu, "attach: %s", strerror(-ret));
	if (!ret && st.percpu)
		expect_copies(&st, ram);
	symtab_free(&st);
	/* a UP kernel has no per-CPU area: nothing to attach */
	ret = load_text(&st, map_text);
	CHECK(!ret && !symtab_percpu_attach(&st, ram) && !st.percpu, "UP: no per-CPU naming");
	symtab_free(&st);
	close(ram);
}

static void test_not_symbols(void)
{
	struct symtab st;
	int ret = load_text(&st, "hello world\n");

	CHECK(ret == -ENOEXEC && st.why, "a text file that is no map: %d", ret);
}

/* Whether the symbols name data at all: the fixture does; a map of functions
 * and a label at the end of the text (what kallsyms without KALLSYMS_ALL
 * gives) does not; the same with an object beyond the text does. */
static void test_names_data(void)
{
	struct symtab st;
	int ret = symtab_load(&st, FIXTURE);

	CHECK(!ret && symtab_names_data(&st), "the fixture ELF names data");
	symtab_free(&st);
	ret = load_text(&st, "00100000 T _stext\n00100000 T fixture_func\n00100040 t local_func\n"
			     "00100080 T _etext\n00100080 D __end_marker\n");
	CHECK(!ret && !symtab_names_data(&st), "a map of functions names no data");
	symtab_free(&st);
	ret = load_text(&st, "00100000 T _stext\n00100080 T _etext\n00100084 D obj\n");
	CHECK(!ret && symtab_names_data(&st), "an object past _etext is data");
	symtab_free(&st);
}

/* nm's letter: T/t for functions, D/d for objects, N/n for the rest; upper
 * case global or weak. */
static int dump(const char *path)
{
	struct symtab st;
	int ret = symtab_load(&st, path);

	if (ret) {
		fprintf(stderr, "%s: %s\n", path, ret == -ENOEXEC && st.why ? st.why : strerror(-ret));
		return 1;
	}
	for (size_t i = 0; i < st.n; i++) {
		const struct sym *s = &st.syms[i];
		char c = s->type == STT_FUNC ? 'T' : s->type == STT_OBJECT ? 'D' : 'N';
		printf("%08x %c %s\n", s->addr, s->bind == STB_LOCAL ? c | 0x20 : c, s->name);
	}
	fprintf(stderr, "%s: %zu symbols (%s), data %s\n", path, st.n, st.format,
		symtab_names_data(&st) ? "named" : "not named");
	symtab_free(&st);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--dump"))
		return dump(argv[2]);
	test_elf();
	test_map();
	test_linked_high();
	test_percpu();
	test_not_symbols();
	test_names_data();
	return check_done("test_symbols", 0);
}
