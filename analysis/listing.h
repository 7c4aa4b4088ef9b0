/* listing.h — a guest's symbols by address, as the seed thread listed what
 * shares the IDT's page (`c0232000 D idt_table`): which symbols lie on a
 * page, where the descriptor tables are, and which neighbours look hot.
 * Filled from a symbol file (ringmon layout) or from a run's `symbols`
 * rows (ringmon report), so both print the same listing. */
#ifndef RINGMON_LISTING_H
#define RINGMON_LISTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rundb.h"
#include "symbols.h"

#define LISTING_PAGE 4096u

struct lsym {
	const char *name;
	uint32_t addr, size;   /* size 0: a label, or unknown (System.map) */
	char letter;           /* nm's type letter: T, D, B, R, ...; lower case if local */
};

struct listing {
	struct lsym *s;        /* by address, at one address as symtab orders them */
	size_t n;
	bool sized;            /* the source has sizes (an ELF); else every
				  symbol extends to the next one */
	char *names;           /* from the database: the names, owned */
};

int listing_from_symtab(struct listing *l, const struct symtab *st);
int listing_from_db(struct listing *l, struct rundb *r, int64_t run);
void listing_free(struct listing *l);

/* Where s[i] ends: addr + size; without sizes, where the next symbol at a
 * higher address begins (at most a page on); an ELF label ends where it
 * begins. */
uint32_t listing_end(const struct listing *l, size_t i);

/* The symbols that begin on [page, page + LISTING_PAGE) or reach into it:
 * s[*first .. *last). */
void listing_page(const struct listing *l, uint32_t page, size_t *first, size_t *last);

/* The first symbol with this name, or NULL. */
const struct lsym *listing_find(const struct listing *l, const char *name);

/* The descriptor table of one kind ("gdt", "idt", "ldt", "tss") under one
 * of the names kernels give it (gdt_table, gdt_page, idt_table, ...), or
 * NULL. */
const struct lsym *listing_table(const struct listing *l, const char *kind);

/* The word that makes a name look hot (lock, tick, jiffies, count, sched,
 * timer, irq, ...), or NULL. */
const char *listing_hot_word(const char *name);

/* "00104000 B idt_table" */
int listing_line(char *buf, size_t len, const struct lsym *s);

#endif
