/* sym_kallsyms.c — the guest's symbols from the kallsyms table inside a
 * Linux bzImage, when no vmlinux or System.map is at hand.  The payload is
 * decompressed with the library of its format (every format a bzImage can
 * carry: gzip, bzip2, lzma, xz, lzo, lz4, zstd); the tables scripts/kallsyms.c
 * writes into .rodata (offsets, relative base, count, compressed names,
 * markers, token table, token index) are found by their shape, since the
 * image names none of them.  Linux 6.1 layout, CONFIG_KALLSYMS_BASE_RELATIVE. */
#include <asm/bootparam.h>
#include <bzlib.h>
#include <errno.h>
#include <lz4.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "symbols.h"

/* A decompressed kernel (vmlinux.bin plus its relocations) larger than this
 * is a corrupt size field, not a kernel. */
#define MAX_KERNEL (512u << 20)

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Every decoder gets the stream (gzip's with its own trailer, the others'
 * without Kbuild's size) and must fill out[0..cap) exactly: 0, -ENOMEM, or
 * -EBADMSG for a broken stream. */
static int unzip_gzip(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream z = { .next_in = (Bytef *)in, .avail_in = (uInt)n,
		       .next_out = out, .avail_out = (uInt)cap };
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	int zr = inflate(&z, Z_FINISH);
	size_t got = z.total_out;
	inflateEnd(&z);
	return zr == Z_STREAM_END && got == cap ? 0 : -EBADMSG;
}

static int unzip_bzip2(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	unsigned int got = (unsigned int)cap;
	int r = BZ2_bzBuffToBuffDecompress((char *)out, &got, (char *)in, (unsigned int)n, 0, 0);
	return r == BZ_MEM_ERROR ? -ENOMEM : r == BZ_OK && got == cap ? 0 : -EBADMSG;
}

/* lzma_stream s has its decoder set up (.lzma or .xz): run it to the end. */
static int unzip_liblzma(lzma_stream *s, const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	s->next_in = in;
	s->avail_in = n;
	s->next_out = out;
	s->avail_out = cap;
	lzma_ret r = lzma_code(s, LZMA_FINISH);
	size_t got = cap - s->avail_out;
	lzma_end(s);
	return r == LZMA_MEM_ERROR ? -ENOMEM : r == LZMA_STREAM_END && got == cap ? 0 : -EBADMSG;
}

static int unzip_lzma(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	lzma_stream s = LZMA_STREAM_INIT;
	if (lzma_alone_decoder(&s, UINT64_MAX) != LZMA_OK)
		return -ENOMEM;
	return unzip_liblzma(&s, in, n, out, cap);
}

static int unzip_xz(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	lzma_stream s = LZMA_STREAM_INIT;
	if (lzma_stream_decoder(&s, UINT64_MAX, 0) != LZMA_OK)
		return -ENOMEM;
	return unzip_liblzma(&s, in, n, out, cap);
}

/* lzop's container (lzop's own header and block framing; liblzo2 has only
 * the block decoder): the header's variable fields, then blocks of
 * (uncompressed length, compressed length, checksums, data) up to a 0. */
#define LZOP_ADLER32_D   0x001
#define LZOP_ADLER32_C   0x002
#define LZOP_EXTRA_FIELD 0x040
#define LZOP_CRC32_D     0x100
#define LZOP_CRC32_C     0x200
#define LZOP_FILTER      0x800
#define LZOP_NEW_FORMAT  0x0940   /* version that added the extract version, level, mtime_high */

/* The offset of the first block, or 0 if the header runs past n. */
static size_t lzop_header(const uint8_t *in, size_t n, uint32_t *flags)
{
	size_t p = 9;   /* the magic */
	if (p + 4 > n)
		return 0;
	unsigned version = be16(in + p);
	p += 4 + (version >= LZOP_NEW_FORMAT ? 2 : 0) + 1 + (version >= LZOP_NEW_FORMAT ? 1 : 0);
	if (p + 4 > n)
		return 0;
	*flags = be32(in + p);
	p += 4 + (*flags & LZOP_FILTER ? 4 : 0) + 8 + (version >= LZOP_NEW_FORMAT ? 4 : 0);
	if (p + 1 > n)
		return 0;
	p += 1 + in[p] + 4;   /* file name, header checksum */
	if ((*flags & LZOP_EXTRA_FIELD) && p + 4 <= n)
		p += 4 + be32(in + p) + 4;
	return p <= n ? p : 0;
}

static int unzip_lzo(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	uint32_t flags = 0;
	size_t p = lzop_header(in, n, &flags), o = 0;
	if (!p || lzo_init() != LZO_E_OK)
		return -EBADMSG;
	while (p + 4 <= n && be32(in + p)) {
		size_t dlen = be32(in + p), clen = p + 8 <= n ? be32(in + p + 4) : 0;
		p += 8;
		size_t sums = !!(flags & LZOP_ADLER32_D) + !!(flags & LZOP_CRC32_D) +
			      (clen < dlen) * (!!(flags & LZOP_ADLER32_C) + !!(flags & LZOP_CRC32_C));
		uint32_t adler = p + 4 <= n ? be32(in + p) : 0;
		p += 4 * sums;
		if (!clen || p > n || clen > n - p || dlen > cap - o)
			return -EBADMSG;
		lzo_uint got = dlen;
		if (clen == dlen)
			memcpy(out + o, in + p, dlen);   /* stored: it did not compress */
		else if (lzo1x_decompress_safe(in + p, clen, out + o, &got, NULL) != LZO_E_OK || got != dlen)
			return -EBADMSG;
		if ((flags & LZOP_ADLER32_D) && lzo_adler32(1, out + o, dlen) != adler)
			return -EBADMSG;
		p += clen;
		o += dlen;
	}
	return p + 4 <= n && o == cap ? 0 : -EBADMSG;
}

/* lz4's legacy frame (`lz4 -l`, what Kbuild writes): a magic, then blocks of
 * a 32-bit compressed length and the data, each up to 8 MiB uncompressed. */
#define LZ4_LEGACY_MAGIC 0x184c2102u

static int unzip_lz4(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t p = 4, o = 0;
	while (p + 4 <= n) {
		uint32_t clen = le32(in + p);
		p += 4;
		if (clen == LZ4_LEGACY_MAGIC)   /* a second frame concatenated */
			continue;
		if (clen > n - p || clen > INT32_MAX)
			return -EBADMSG;
		int got = LZ4_decompress_safe((const char *)in + p, (char *)out + o, (int)clen,
					      (int)(cap - o));
		if (got < 0)
			return -EBADMSG;
		p += clen;
		o += (size_t)got;
	}
	return p == n && o == cap ? 0 : -EBADMSG;
}

static int unzip_zstd(const uint8_t *in, size_t n, uint8_t *out, size_t cap)
{
	size_t got = ZSTD_decompress(out, cap, in, n);
	return ZSTD_getErrorCode(got) == ZSTD_error_memory_allocation ? -ENOMEM :
	       !ZSTD_isError(got) && got == cap ? 0 : -EBADMSG;
}

/* The formats of arch/x86/boot/compressed/Makefile, told apart by their
 * magic as the kernel's own lib/decompress.c does.  Kbuild appends the
 * uncompressed size (32 bits, little-endian) to every payload but gzip's,
 * whose trailer ends in that same size (ISIZE). */
static const struct codec {
	uint8_t magic[6];
	size_t magic_len;
	int (*unzip)(const uint8_t *in, size_t n, uint8_t *out, size_t cap);
	bool keep_trailer;
	const char *broken;
} codecs[] = {
	{ { 0x1f, 0x8b }, 2, unzip_gzip, true,
	  "a bzImage whose gzip payload is truncated or corrupt" },
	{ { 'B', 'Z', 'h' }, 3, unzip_bzip2, false,
	  "a bzImage whose bzip2 payload is truncated or corrupt" },
	{ { 0x5d, 0x00 }, 2, unzip_lzma, false,
	  "a bzImage whose lzma payload is truncated or corrupt" },
	{ { 0xfd, '7', 'z', 'X', 'Z', 0x00 }, 6, unzip_xz, false,
	  "a bzImage whose xz payload is truncated or corrupt" },
	{ { 0x89, 'L', 'Z', 'O', 0x00 }, 5, unzip_lzo, false,
	  "a bzImage whose lzo payload is truncated or corrupt" },
	{ { 0x02, 0x21, 0x4c, 0x18 }, 4, unzip_lz4, false,
	  "a bzImage whose lz4 payload is truncated or corrupt" },
	{ { 0x28, 0xb5, 0x2f, 0xfd }, 4, unzip_zstd, false,
	  "a bzImage whose zstd payload is truncated or corrupt" },
};

static const struct codec *codec_of(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		if (n >= codecs[i].magic_len && !memcmp(p, codecs[i].magic, codecs[i].magic_len))
			return &codecs[i];
	return NULL;
}

#define HDR(field) (offsetof(struct boot_params, hdr) + offsetof(struct setup_header, field))
#define PAYLOAD_MIN_PROTOCOL 0x0208   /* payload_offset and payload_length */

/* Where the compressed payload lies in img (the setup header's payload_*
 * fields count from the protected-mode part, after the setup sectors). */
static int payload_of(const uint8_t *img, size_t size, size_t *off, size_t *len,
		      const char **why)
{
	if (size < HDR(payload_length) + 4 || le16(img + HDR(version)) < PAYLOAD_MIN_PROTOCOL) {
		*why = "a bzImage older than boot protocol 2.08 (its header locates no payload)";
		return -ENOEXEC;
	}
	size_t setup = ((size_t)(img[HDR(setup_sects)] ? img[HDR(setup_sects)] : 4) + 1) * 512;
	*off = setup + le32(img + HDR(payload_offset));
	*len = le32(img + HDR(payload_length));
	if (*off > size || *len > size - *off || *len < 8) {
		*why = "a truncated bzImage (its payload runs past the end of the file)";
		return -ENOEXEC;
	}
	return 0;
}

/* The bzImage's compressed payload, decompressed into *out (*outlen bytes). */
static int decompress_payload(const uint8_t *img, size_t size, uint8_t **out, size_t *outlen,
			      const char **why)
{
	size_t off, len;
	int ret = payload_of(img, size, &off, &len, why);
	if (ret)
		return ret;
	const uint8_t *pl = img + off;
	const struct codec *c = codec_of(pl, len);
	if (!c) {
		*why = "a bzImage whose payload is in no compression Linux uses "
		       "(gzip, bzip2, lzma, xz, lzo, lz4, zstd)";
		return -ENOEXEC;
	}
	*outlen = le32(pl + len - 4);
	if (!*outlen || *outlen > MAX_KERNEL) {
		*why = c->broken;
		return -ENOEXEC;
	}
	if (!(*out = malloc(*outlen)))
		return -ENOMEM;
	ret = c->unzip(pl, c->keep_trailer ? len : len - 4, *out, *outlen);
	if (ret == -EBADMSG) {
		*why = c->broken;
		ret = -ENOEXEC;
	}
	return ret;
}

static int read_file(int fd, uint8_t **img, size_t *size)
{
	struct stat sb;
	if (fstat(fd, &sb))
		return -errno;
	*size = (size_t)sb.st_size;
	if (!(*img = malloc(*size ? *size : 1)))
		return -ENOMEM;
	ssize_t got = pread(fd, *img, *size, 0);
	if (got < 0)
		return -errno;
	return (size_t)got == *size ? 0 : -EIO;
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

/* nm's letter as kallsyms stores it: lower case is local. */
static void type_bind(char c, uint8_t *type, uint8_t *bind)
{
	char l = (char)(c | 0x20);
	*type = l == 't' || l == 'w' ? STT_FUNC : l == 'd' || l == 'b' || l == 'r' ? STT_OBJECT : STT_NOTYPE;
	*bind = c >= 'A' && c <= 'Z' ? STB_GLOBAL : STB_LOCAL;
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

int bzimage_kernel(int fd, uint8_t **k, size_t *n, const char **why)
{
	uint8_t *img = NULL;
	size_t size = 0;
	int ret = read_file(fd, &img, &size);

	*k = NULL;
	if (!ret)
		ret = decompress_payload(img, size, k, n, why);
	free(img);
	if (ret) {
		free(*k);
		*k = NULL;
	}
	return ret;
}

int kallsyms_names_at(const uint8_t *k, size_t n, size_t *off, size_t *len)
{
	struct tables t = { 0 };
	if (find_tokens(k, n, &t) || find_names(k, &t))
		return -ENOEXEC;
	*off = (size_t)(t.names - k);
	*len = (size_t)(t.markers - t.names);
	return 0;
}

/* The kernel image, its payload decompressed, its tables found. */
static int load_kernel(struct symtab *st, uint8_t **k, size_t *n, struct tables *t)
{
	int ret = bzimage_kernel(st->fd, k, n, &st->why);
	if (ret)
		return ret;
	/* The token table is in every kallsyms layout there has been: without
	 * it the kernel has none; with it but no names, a layout not Linux 6.1's. */
	if (find_tokens(*k, *n, t)) {
		st->why = "a bzImage without a kallsyms table (its kernel was built without CONFIG_KALLSYMS)";
		return -ENOEXEC;
	}
	if (find_names(*k, t)) {
		st->why = "a bzImage whose kallsyms table has a layout this reader does not know "
			  "(it reads Linux 6.1's)";
		return -ENOEXEC;
	}
	return 0;
}

int symtab_load_kallsyms(struct symtab *st)
{
	uint8_t *k = NULL;
	size_t n = 0;
	struct tables t = { 0 };
	int ret = load_kernel(st, &k, &n, &t);
	if (!ret)
		ret = add_symbols(st, &t);
	free(k);
	if (!ret && !st->n) {
		st->why = "a bzImage whose kallsyms table names no symbols";
		ret = -ENOEXEC;
	}
	if (!ret)
		ret = symtab_layout_bzimage(st, st->fd);
	if (!ret) {
		st->why = NULL;
		st->format = "kallsyms";
	}
	return ret;
}
