/* sym_kallsyms.c — the guest's symbols from the kallsyms table inside a
 * Linux bzImage, when no vmlinux or System.map is at hand.  The payload
 * (gzip) is inflated with zlib; the tables scripts/kallsyms.c writes into
 * .rodata (offsets, relative base, count, compressed names, markers, token
 * table, token index) are found by their shape, since the image names none
 * of them.  Linux 6.1 layout, CONFIG_KALLSYMS_BASE_RELATIVE. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "image.h"
#include "symbols.h"

#define MAX_KERNEL (64u << 20)

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* The bzImage's compressed payload, inflated. */
static int inflate_payload(int fd, uint8_t **out, size_t *outlen)
{
	struct stat sb;
	uint8_t *img = NULL;
	int ret = -ENOEXEC;
	if (fstat(fd, &sb) || !(img = malloc((size_t)sb.st_size)))
		return -errno ? -errno : -ENOMEM;
	if (pread(fd, img, (size_t)sb.st_size, 0) != sb.st_size || sb.st_size < 0x250)
		goto out;
	size_t pm = ((size_t)(img[0x1f1] ? img[0x1f1] : 4) + 1) * 512;
	size_t off = pm + le32(img + 0x248), len = le32(img + 0x24c);
	if (off + len > (size_t)sb.st_size || len < 2 || img[off] != 0x1f || img[off + 1] != 0x8b)
		goto out;
	z_stream z = { .next_in = img + off, .avail_in = (uInt)len };
	*out = malloc(MAX_KERNEL);
	if (!*out || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		ret = -ENOMEM;
		goto out;
	}
	z.next_out = *out;
	z.avail_out = MAX_KERNEL;
	int zr = inflate(&z, Z_FINISH);
	*outlen = z.total_out;
	inflateEnd(&z);
	ret = zr == Z_STREAM_END ? 0 : -ENOEXEC;
out:
	free(img);
	return ret;
}

struct tables {
	const uint8_t *offsets, *names, *markers, *token_table, *token_index;
	uint32_t num, relative_base;
};

/* The token index: 256 ascending offsets into the token table that ends
 * right before it (up to 3 bytes of alignment), each token NUL-terminated. */
static int find_tokens(const uint8_t *k, size_t n, struct tables *t)
{
	for (size_t p = 1024; p + 512 <= n; p += 4) {
		const uint8_t *idx = k + p;
		if (le16(idx) != 0 || le16(idx + 2) == 0)
			continue;
		int ok = 1;
		for (int i = 1; i < 256 && ok; i++)
			ok = le16(idx + 2 * i) > le16(idx + 2 * (i - 1)) &&
			     le16(idx + 2 * i) - le16(idx + 2 * (i - 1)) < 64;
		if (!ok)
			continue;
		for (size_t pad = 0; pad < 4; pad++) {
			size_t last = le16(idx + 510);
			const uint8_t *end = idx - pad;   /* one past the last NUL */
			for (size_t tl = last + 2; tl < last + 64 && tl <= p; tl++) {
				const uint8_t *tab = end - tl;
				if (end[-1] != 0 || tab[tl - 1] != 0)
					continue;
				int good = 1;
				for (int i = 0; i < 256 && good; i++) {
					size_t a = le16(idx + 2 * i), b = i < 255 ? le16(idx + 2 * i + 2) : tl;
					good = b > a + 1 && tab[b - 1] == 0 && strlen((const char *)tab + a) == b - a - 1;
				}
				if (good) {
					t->token_table = tab;
					t->token_index = idx;
					return 0;
				}
			}
		}
	}
	return -ENOEXEC;
}

/* Where num length-prefixed names starting at s end, or NULL past lim. */
static const uint8_t *names_end(const uint8_t *s, uint32_t num, const uint8_t *lim)
{
	for (uint32_t i = 0; i < num && s < lim; i++) {
		uint32_t len = s[0];
		if (len & 0x80) {
			len = (len & 0x7f) | (uint32_t)s[1] << 7;
			s++;
		}
		s += 1 + len;
	}
	return s <= lim ? s : NULL;
}

/* Before the token table: the count, the names, the markers (one per 256
 * names, the first 0) and, since Linux 6.1.x, 3 bytes per name of
 * kallsyms_seqs_of_names.  A count is right when its names end exactly
 * where its markers begin (give or take alignment). */
static int find_names(const uint8_t *k, struct tables *t)
{
	for (const uint8_t *q = t->token_table - 8; q >= k + 8 && t->token_table - q < (16 << 20);
	     q -= 4) {
		uint32_t num = le32(q), nm = (num + 255) / 256;
		if (num < 256 || num > (1u << 20))
			continue;
		for (uint32_t seqs = 0; seqs <= 3; seqs += 3) {
			const uint8_t *m = t->token_table - (size_t)seqs * num - 4 * (size_t)nm;
			for (int pad = 0; pad < 4; pad++, m--) {
				if (((uintptr_t)m & 3) || m <= q || le32(m) != 0 || le32(m + 4) == 0)
					continue;
				const uint8_t *e = names_end(q + 4, num, m);
				if (!e || m - e >= 4)
					continue;
				t->num = num;
				t->names = q + 4;
				t->markers = m;
				t->relative_base = le32(q - 4);
				t->offsets = q - 4 - 4 * (size_t)num;
				return t->offsets >= k ? 0 : -ENOEXEC;
			}
		}
	}
	return -ENOEXEC;
}

static char type_bind(char c, uint8_t *type, uint8_t *bind)
{
	char l = (char)(c | 0x20);
	*type = l == 't' || l == 'w' ? STT_FUNC : l == 'd' || l == 'b' || l == 'r' ? STT_OBJECT : STT_NOTYPE;
	*bind = c >= 'A' && c <= 'Z' ? STB_GLOBAL : STB_LOCAL;
	return l;
}

static int add_symbols(struct symtab *st, const struct tables *t)
{
	const uint8_t *s = t->names;
	size_t used = 0, cap = (size_t)t->num * 64;
	if (!(st->text = malloc(cap)))
		return -ENOMEM;
	for (uint32_t i = 0; i < t->num; i++) {
		uint32_t len = *s++;
		if (len & 0x80)
			len = (len & 0x7f) | (uint32_t)*s++ << 7;
		char name[512];
		size_t nlen = 0;
		for (uint32_t j = 0; j < len; j++) {
			const char *tok = (const char *)t->token_table + le16(t->token_index + 2 * s[j]);
			for (; *tok && nlen < sizeof(name) - 1; tok++)
				name[nlen++] = *tok;
		}
		s += len;
		name[nlen] = 0;
		if (nlen < 2 || used + nlen > cap)
			continue;
		struct sym sym = { .addr = t->relative_base + le32(t->offsets + 4 * (size_t)i) };
		type_bind(name[0], &sym.type, &sym.bind);
		memcpy(st->text + used, name + 1, nlen);
		sym.name = st->text + used;
		used += nlen;
		if (sym_name_wanted(sym.name) && symtab_add(st, &sym))
			return -ENOMEM;
	}
	return 0;
}

int symtab_load_kallsyms(struct symtab *st)
{
	uint8_t *k = NULL;
	size_t n = 0;
	struct tables t = { 0 };
	st->why = "a bzImage without a kallsyms table (build with CONFIG_KALLSYMS)";
	int ret = inflate_payload(st->fd, &k, &n);
	if (!ret)
		ret = find_tokens(k, n, &t);
	if (!ret)
		ret = find_names(k, &t);
	if (!ret)
		ret = add_symbols(st, &t);
	free(k);
	if (!ret && !st->n)
		ret = -ENOEXEC;
	if (!ret) {
		st->why = NULL;
		st->format = "kallsyms";
	}
	return ret;
}
