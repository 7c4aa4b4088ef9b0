/* layout.c — `ringmon layout KERNEL [--symbols F] [--table NAME]...`: without
 * running anything, find the kernel's GDT and IDT among its symbols and list
 * what shares their pages, in the seed thread's format, flagging the
 * neighbours whose names look hot.  What a run would measure, predicted. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "listing.h"

static const char layout_usage[] =
	"usage: ringmon layout KERNEL [--symbols F] [--table NAME]...\n"
	"\n"
	"List what shares the pages of KERNEL's descriptor tables, found by name\n"
	"among its symbols (gdt_table, gdt_page, cpu_gdt_table, gdt; idt_table, idt),\n"
	"one line per symbol as `nm -n` prints it, and warn about neighbours whose\n"
	"names look hot (lock, tick, jiffies, count, sched, timer, irq, ...).\n"
	"Nothing is run.\n"
	"\n"
	"  --symbols F    symbols from F, an ELF or a System.map (KERNEL's own)\n"
	"  --table NAME   a table's symbol, instead of looking for the GDT and IDT by\n"
	"                 name; may be given several times\n"
	"  -h, --help     this text\n";

#define MAX_TABLES 8

struct table {
	const struct lsym *s;
	const char *what;   /* "GDT", "IDT" or "table" */
	uint32_t end;
};

static bool is_table(const struct table *t, size_t nt, const struct lsym *s)
{
	for (size_t i = 0; i < nt; i++)
		if (t[i].s == s)
			return true;
	return false;
}

/* One page: a heading naming its tables, then every symbol on it.  Returns
 * the number of neighbours (symbols with bytes on the page that are not a
 * table); *hot gets the hot-looking ones appended. */
static size_t print_page(const struct listing *l, const struct table *t, size_t nt,
			 uint32_t page, char *hot, size_t hot_len)
{
	size_t first, last, neighbours = 0, hot_n = 0;
	char line[300];

	listing_page(l, page, &first, &last);
	for (size_t i = first; i < last; i++) {
		uint32_t end = listing_end(l, i);
		if (!is_table(t, nt, &l->s[i]) && end > l->s[i].addr && end > page) {
			neighbours++;
			hot_n += listing_hot_word(l->s[i].name) != NULL;
		}
	}
	printf("\npage %08x (", page);
	for (size_t k = 0, named = 0; k < nt; k++)
		if (t[k].s->addr < page + LISTING_PAGE && t[k].end > page)
			printf("%s%s %s", named++ ? ", " : "", t[k].what, t[k].s->name);
	if (neighbours)
		printf("): shared with %zu symbol%s, %zu hot-looking\n", neighbours,
		       neighbours == 1 ? "" : "s", hot_n);
	else
		printf("): alone\n");
	for (size_t i = first; i < last; i++) {
		const struct lsym *s = &l->s[i];
		uint32_t end = listing_end(l, i);
		const char *word = listing_hot_word(s->name);

		listing_line(line, sizeof(line), s);
		printf("%-40s %6u", line, end - s->addr);
		if (is_table(t, nt, s))
			printf("  <- %s\n", t[0].s == s ? t[0].what : nt > 1 && t[1].s == s ? t[1].what : "table");
		else if (word && end > s->addr) {
			printf("  ! hot-looking: %s\n", word);
			if (!strstr(hot, s->name) && strlen(hot) + strlen(s->name) + 3 < hot_len)
				snprintf(hot + strlen(hot), hot_len - strlen(hot), "%s%s",
					 hot[0] ? ", " : "", s->name);
		} else
			putchar('\n');
	}
	return neighbours;
}

int cmd_layout(int argc, char **argv)
{
	static const struct option options[] = {
		{ "symbols", required_argument, NULL, 's' },
		{ "table", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *symbols = NULL, *names[MAX_TABLES];
	struct table t[MAX_TABLES];
	size_t nnames = 0, nt = 0, shared = 0;
	struct symtab st;
	struct listing l;
	char hot[1024] = "";
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		if (c == 's')
			symbols = optarg;
		else if (c == 't') {
			if (nnames == MAX_TABLES)
				usage_err("layout: at most %d --table names", MAX_TABLES);
			names[nnames++] = optarg;
		} else if (c == 'h') {
			fputs(layout_usage, stdout);
			return 0;
		} else
			bad_option("layout", c, argv);
	}
	if (optind == argc)
		usage_err("layout: no KERNEL given (see ringmon layout --help)");
	if (optind + 1 < argc)
		usage_err("layout: unexpected argument '%s' after KERNEL", argv[optind + 1]);
	if (!symbols)
		symbols = argv[optind];

	ret = symtab_load(&st, symbols);
	if (ret)
		usage_err("layout: %s: %s", symbols, ret == -ENOEXEC && st.why ? st.why : strerror(-ret));
	if (!st.n)
		usage_err("layout: %s: no symbol table (stripped? give --symbols)", symbols);
	/* without data symbols the tables cannot be found, let alone their
	 * neighbours: say so rather than list no page */
	if (!nnames && !symtab_names_data(&st))
		usage_err("layout: %s: " SYMTAB_NO_DATA_HINT, symbols);
	ret = listing_from_symtab(&l, &st);
	if (ret) {
		pr_err("layout: %s", strerror(-ret));
		symtab_free(&st);
		return EXIT_FAILED;
	}
	if (nnames) {
		for (size_t i = 0; i < nnames; i++) {
			const struct lsym *s = listing_find(&l, names[i]);
			if (!s)
				usage_err("layout: %s has no symbol '%s'", symbols, names[i]);
			t[nt++] = (struct table){ .s = s, .what = "table" };
		}
	} else {
		static const char *const kinds[][2] = { { "gdt", "GDT" }, { "idt", "IDT" } };
		const char *missing = NULL;
		for (size_t k = 0; k < 2; k++) {
			const struct lsym *s = listing_table(&l, kinds[k][0]);
			if (s)
				t[nt++] = (struct table){ .s = s, .what = kinds[k][1] };
			else
				missing = kinds[k][1];
		}
		if (!nt)
			usage_err("layout: %s: no GDT or IDT among its %zu symbols: not a kernel?"
				  " (name a table with --table)", symbols, st.n);
		if (missing)
			printf("no %s found among the symbols (name it with --table)\n", missing);
	}
	printf("%s: symbols from %s (%s)\n", argv[optind], symbols, st.format);
	for (size_t i = 0; i < nt; i++) {
		t[i].end = listing_end(&l, (size_t)(t[i].s - l.s));
		if (t[i].end <= t[i].s->addr)
			t[i].end = t[i].s->addr + 1;   /* a label: at least its first byte */
		printf("%s %s: %08x-%08x (%u bytes)\n", t[i].what, t[i].s->name, t[i].s->addr,
		       t[i].end, t[i].end - t[i].s->addr);
	}
	/* every page a table touches, once, in address order */
	for (uint32_t page = 0, done = 0; nt;) {
		uint32_t next = UINT32_MAX;
		for (size_t i = 0; i < nt; i++) {
			uint32_t p = t[i].s->addr & ~(LISTING_PAGE - 1);
			for (; p < t[i].end; p += LISTING_PAGE)
				if ((!done || p > page) && p < next)
					next = p;
		}
		if (next == UINT32_MAX)
			break;
		page = next;
		done = 1;
		shared += print_page(&l, t, nt, page, hot, sizeof(hot)) > 0;
	}
	if (hot[0])
		printf("\nwarning: hot-looking data shares the descriptor tables' pages: %s\n", hot);
	printf("\n%zu of the tables' pages shared with other symbols\n", shared);
	listing_free(&l);
	symtab_free(&st);
	return 0;
}
