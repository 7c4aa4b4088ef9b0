/* sym_map.c — symbols from a System.map: the "ADDRESS TYPE NAME" lines that
 * `nm -n` prints and a Linux build leaves beside vmlinux.  A map has no sizes
 * and no sections, so every map symbol is unsized: an address is attributed
 * to the nearest symbol below, up to the end of its segment (padding cannot
 * be told), and nor does it say where the kernel lies physically: the
 * guest's layout does (sym_layout.c). */
#include <ctype.h>
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols.h"

/* nm's type letters: lower case is local.  Absolute symbols are constants,
 * undefined ones have no address here, debugging symbols name nothing. */
static bool letter_wanted(char t)
{
	return !strchr("aANU", t);
}

static uint8_t letter_type(char t)
{
	if (t == 't' || t == 'T')
		return STT_FUNC;
	return strchr("bBdDgGrRsSuvV", t) ? STT_OBJECT : STT_NOTYPE;
}

static uint8_t letter_bind(char t)
{
	if (strchr("vVwW", t))
		return STB_WEAK;
	return islower((unsigned char)t) ? STB_LOCAL : STB_GLOBAL;
}

/* The whole file into st->text, NUL-terminated; its length into *len. */
static int read_text(struct symtab *st, size_t *len)
{
	struct stat sb;
	size_t got = 0;

	if (fstat(st->fd, &sb))
		return -errno;
	st->text = malloc((size_t)sb.st_size + 1);
	if (!st->text)
		return -ENOMEM;
	while (got < (size_t)sb.st_size) {
		ssize_t n = pread(st->fd, st->text + got, (size_t)sb.st_size - got, (off_t)got);
		if (n < 0)
			return -errno;
		if (!n)
			break;
		got += (size_t)n;
	}
	st->text[got] = 0;
	*len = got;
	return 0;
}

/* One line, cut out of the text in place.  "        U name" (an undefined
 * symbol in nm's output) has no address and is skipped. */
static int parse_line(struct symtab *st, char *line)
{
	char *p = line, *end, *name;
	unsigned long long addr;
	char t;

	if (!*line || (*line == ' ' && strspn(line, " ") >= 8))
		return 0;
	if (!isxdigit((unsigned char)*p))
		return -ENOEXEC;
	addr = strtoull(p, &end, 16);
	if (*end != ' ' || !end[1] || end[2] != ' ' || !end[3])
		return -ENOEXEC;
	t = end[1];
	name = end + 3;
	if (strpbrk(name, " \t\r"))
		return -ENOEXEC;
	if (!letter_wanted(t) || addr > UINT32_MAX || !sym_name_wanted(name))
		return 0;
	return symtab_add(st, &(struct sym){
		.name = name, .addr = (uint32_t)addr,
		.type = letter_type(t), .bind = letter_bind(t) });
}

int symtab_load_map(struct symtab *st)
{
	size_t len = 0;
	int ret = read_text(st, &len);

	if (ret)
		return ret;
	st->why = "neither an ELF file nor a System.map (lines 'ADDRESS TYPE NAME')";
	if (strlen(st->text) != len)   /* a NUL byte: binary, not a map */
		return -ENOEXEC;
	for (char *line = st->text, *next; *line; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = 0;
		ret = parse_line(st, line);
		if (ret)
			return ret;
	}
	if (!st->n)
		return -ENOEXEC;
	st->why = NULL;
	st->format = "system.map";
	return 0;
}
