/* sym_check.c — does a --symbols file belong to the guest?  Symbols of
 * another kernel name every trap wrongly without a word, so `run` compares
 * what can be compared exactly: the build ids of two ELF images, else their
 * loadable segments byte for byte (a bzImage's payload is itself an ELF,
 * vmlinux stripped, so a vmlinux is compared with it the same way); a
 * System.map against the guest's own symbols (kallsyms, or its symbol
 * table), each of which must be in the map at its address. */
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "symbols.h"

/* An ELF image as loaded: a file, or a bzImage's decompressed payload. */
struct elf_view {
	int fd;
	Elf *file;          /* libelf's view of the file */
	Elf *elf;           /* the image: file, or one in kernel; NULL if none */
	uint8_t *kernel;    /* a bzImage's payload, decompressed */
};

static void view_close(struct elf_view *v)
{
	if (v->kernel && v->elf)
		elf_end(v->elf);
	free(v->kernel);
	if (v->fd >= 0)
		image_close(v->fd, v->file);
}

/* A file that is neither an ELF nor a bzImage with an ELF inside has no
 * image (v->elf NULL): not an error, nothing to compare. */
static int view_open(struct elf_view *v, const char *path)
{
	const char *why = NULL;
	size_t n;
	int ret;

	*v = (struct elf_view){ .fd = -1 };
	ret = image_open(path, &v->fd, &v->file);
	if (ret)
		return ret;
	if (elf_kind(v->file) == ELF_K_ELF) {
		v->elf = v->file;
		return 0;
	}
	if (image_is_bzimage(v->fd) != 1)
		return 0;
	ret = bzimage_kernel(v->fd, &v->kernel, &n, &why);
	if (ret)
		return ret;
	v->elf = elf_memory((char *)v->kernel, n);
	if (v->elf && elf_kind(v->elf) != ELF_K_ELF) {
		elf_end(v->elf);
		v->elf = NULL;
	}
	return 0;
}

/* The NT_GNU_BUILD_ID note's bytes from the program headers' notes (a
 * stripped payload keeps them, section headers or not); 0 if none. */
static size_t build_id(Elf *elf, const uint8_t **id)
{
	size_t phnum;
	GElf_Phdr ph;

	if (elf_getphdrnum(elf, &phnum))
		return 0;
	for (size_t i = 0; i < phnum; i++) {
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		Elf_Data *d = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_NHDR);
		GElf_Nhdr nh;
		size_t off = 0, name, desc;
		while (d && (off = gelf_getnote(d, off, &nh, &name, &desc)))
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((const char *)d->d_buf + name, "GNU", 4)) {
				*id = (const uint8_t *)d->d_buf + desc;
				return nh.n_descsz;
			}
	}
	return 0;
}

/* The n-th loadable segment with file bytes, and those bytes; false if none. */
static bool load_segment(Elf *elf, size_t n, GElf_Phdr *ph, const uint8_t **bytes)
{
	size_t phnum, size, seen = 0;
	const uint8_t *raw = (const uint8_t *)elf_rawfile(elf, &size);

	if (!raw || elf_getphdrnum(elf, &phnum))
		return false;
	for (size_t i = 0; i < phnum; i++) {
		if (!gelf_getphdr(elf, (int)i, ph) || ph->p_type != PT_LOAD || !ph->p_filesz)
			continue;
		if (seen++ != n)
			continue;
		if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
			return false;
		*bytes = raw + ph->p_offset;
		return true;
	}
	return false;
}

/* Every loadable segment alike: addresses, sizes, bytes. */
static bool same_segments(Elf *a, Elf *b)
{
	GElf_Phdr pa, pb;
	const uint8_t *ba, *bb;
	size_t n = 0;

	for (;; n++) {
		bool ha = load_segment(a, n, &pa, &ba), hb = load_segment(b, n, &pb, &bb);
		if (!ha || !hb)
			return !ha && !hb && n;
		if (pa.p_vaddr != pb.p_vaddr || pa.p_paddr != pb.p_paddr ||
		    pa.p_filesz != pb.p_filesz || memcmp(ba, bb, pa.p_filesz))
			return false;
	}
}

static int compare_elves(Elf *sym, Elf *guest, struct sym_check *c)
{
	const uint8_t *ids, *idg;
	size_t ns = build_id(sym, &ids), ng = build_id(guest, &idg);

	if (ns && ng) {
		c->method = "build-id";
		if (ns == ng && !memcmp(ids, idg, ns))
			return 0;
		snprintf(c->why, sizeof(c->why), "their build ids differ");
		return 1;
	}
	c->method = "segments";
	if (same_segments(sym, guest))
		return 0;
	snprintf(c->why, sizeof(c->why), "its loadable segments are not the guest's");
	return 1;
}

/* Whether map has a symbol called name at addr (map's syms are by address). */
static bool map_has(const struct symtab *map, uint32_t addr, const char *name)
{
	size_t lo = 0, hi = map->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (map->syms[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < map->n && map->syms[lo].addr == addr; lo++)
		if (!strcmp(map->syms[lo].name, name))
			return true;
	return false;
}

/* A System.map names no bytes: the guest's own symbols must all be in it. */
static int compare_map(const struct symtab *map, const char *guest, struct sym_check *c)
{
	struct symtab own;
	size_t missing = 0, first = 0;
	int ret = symtab_load(&own, guest);

	if (ret == -ENOEXEC || (!ret && !own.n)) {
		c->method = "unchecked";
		snprintf(c->why, sizeof(c->why), "the guest has no symbols of its own to compare with");
		symtab_free(&own);
		return 0;
	}
	if (ret)
		return ret;
	c->method = strcmp(own.format, "kallsyms") ? "symbols" : "kallsyms";
	for (size_t i = 0; i < own.n; i++)
		if (!map_has(map, own.syms[i].addr, own.syms[i].name) && !missing++)
			first = i;
	if (missing)
		snprintf(c->why, sizeof(c->why), "%zu of the guest's %zu %s symbols are not in it"
			 " at their address (%s at %#x, for one)", missing, own.n,
			 own.format, own.syms[first].name, own.syms[first].addr);
	symtab_free(&own);
	return missing ? 1 : 0;
}

int symtab_check_guest(const struct symtab *st, const char *sym_path, const char *guest,
		       struct sym_check *c)
{
	struct elf_view vs, vg;
	int ret;

	*c = (struct sym_check){ .method = "unchecked" };
	if (!strcmp(st->format, "system.map"))
		return compare_map(st, guest, c);
	ret = view_open(&vs, sym_path);
	if (!ret) {
		ret = view_open(&vg, guest);
		if (ret)
			view_close(&vs);
	}
	if (ret)
		return ret;
	if (vs.elf && vg.elf)
		ret = compare_elves(vs.elf, vg.elf, c);
	else
		snprintf(c->why, sizeof(c->why), "no ELF image in %s to compare",
			 vs.elf ? "the guest" : "the symbol file");
	view_close(&vg);
	view_close(&vs);
	return ret;
}
