/* image.c — check that a file is something QEMU's Multiboot loader and the
 * monitor can boot (a Multiboot i386 ELF, or a Linux bzImage the monitor
 * loads itself), and hash it, before a run starts. */
#include <asm/bootparam.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "multiboot.h"
#include "symbols.h"


int image_open(const char *path, int *fd, Elf **elf)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOSYS;
	/* O_NONBLOCK: a FIFO given as an image must fail, not hang. */
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (*fd < 0)
		return -errno;
	struct stat st;
	int ret = fstat(*fd, &st) ? -errno : S_ISREG(st.st_mode) ? 0 : -EINVAL;
	if (ret)
		goto err_close;
	*elf = elf_begin(*fd, ELF_C_READ_MMAP, NULL);
	if (*elf)
		return 0;
	ret = -ENOEXEC;
err_close:
	close(*fd);
	return ret;
}

void image_close(int fd, Elf *elf)
{
	elf_end(elf);
	close(fd);
}

/* The Multiboot header, by the monitor's loader's own definition
 * (module/multiboot.h): present, asking for nothing ringmon lacks, and with
 * the a.out kludge (*kludge) its address fields describing a load that lies
 * inside the file and, at its physical addresses, within [lo, hi).  NULL,
 * or what is wrong. */
static const char no_multiboot[] = "no Multiboot header in the first 8 KiB";

static const char *multiboot_problem(int fd, uint32_t lo, uint32_t hi, bool *kludge,
				     uint32_t *load_end)
{
	static char msg[160];
	uint32_t buf[MB_HEADER_SEARCH / 4];
	ssize_t n = pread(fd, buf, sizeof(buf), 0);
	const struct mb_header *h;
	const char *why;
	struct stat st;
	uint32_t end, bss;
	size_t off;

	*kludge = false;
	if (n < 0 || fstat(fd, &st))
		return "cannot read the file";
	h = mb_header_find((const uint8_t *)buf, (size_t)n);
	if (!h)
		return no_multiboot;
	if ((why = mb_header_problem(h)))
		return why;
	*kludge = h->flags & MB_HDR_AOUT_KLUDGE;
	if (!*kludge)
		return NULL;
	why = mb_kludge_span(h, (size_t)((const uint8_t *)h - (const uint8_t *)buf),
			     (size_t)st.st_size, &off, &end, &bss);
	if (why)
		return why;
	if (h->load_addr < lo || bss > hi) {
		snprintf(msg, sizeof(msg), "its Multiboot a.out kludge loads it to physical"
			 " %08x..%08x, outside %08x..%08x", h->load_addr, bss, lo, hi);
		return msg;
	}
	*load_end = bss;
	return NULL;
}

/* Documentation/x86/boot.rst: "HdrS" at 0x202, protocol 2.06 or later
 * (what the monitor's loader needs), loaded high (a bzImage). */
#define BZ_MAGIC        0x53726448u
#define BZ_MIN_PROTOCOL 0x0206
#define BZ_LOADED_HIGH  0x01

int image_is_bzimage(int fd)
{
	uint8_t h[0x212];
	ssize_t n = pread(fd, h, sizeof(h), 0);
	if (n < 0)
		return -errno;
	if ((size_t)n < sizeof(h))
		return 0;
	uint32_t magic = (uint32_t)h[0x202] | (uint32_t)h[0x203] << 8 |
			 (uint32_t)h[0x204] << 16 | (uint32_t)h[0x205] << 24;
	unsigned version = h[0x206] | h[0x207] << 8;
	return magic == BZ_MAGIC && version >= BZ_MIN_PROTOCOL && (h[0x211] & BZ_LOADED_HIGH);
}

int image_bzimage_version(const char *path, char *buf, size_t len)
{
	struct setup_header h;
	char v[64];
	ssize_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), ret;

	if (fd < 0)
		return -errno;
	ret = image_is_bzimage(fd);
	if (ret == 1) {
		got = pread(fd, &h, sizeof(h), offsetof(struct boot_params, hdr));
		ret = got < 0 ? -errno : got != (ssize_t)sizeof(h) || !h.kernel_version ? -ENOEXEC : 0;
	} else if (!ret)
		ret = -ENOEXEC;
	/* the offset is from the end of the boot sector (boot.rst) */
	if (!ret && (got = pread(fd, v, sizeof(v) - 1, 0x200 + (off_t)h.kernel_version)) < 0)
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (ret)
		return ret;
	v[got] = 0;
	v[strcspn(v, " ")] = 0;
	if (!v[0])
		return -ENOEXEC;
	snprintf(buf, len, "%s", v);
	return 0;
}

/* The setup header (Documentation/x86/boot.rst) against the file: the
 * real-mode setup sectors and the protected-mode part (syssize paragraphs)
 * in it, and the payload there and whole (decompressed by the kallsyms
 * reader, sym_kallsyms.c).  QEMU and the monitor would only find out in a
 * triple fault.  0, -ENOEXEC with *why, or -errno. */
static int bzimage_check(int fd, uint32_t *cmdline_size, const char **why)
{
	static char msg[160];
	struct setup_header h;
	struct stat st;
	uint8_t *k;
	size_t n;

	if (fstat(fd, &st))
		return -errno;
	ssize_t got = pread(fd, &h, sizeof(h), offsetof(struct boot_params, hdr));
	if (got < 0)
		return -errno;
	if (got != (ssize_t)sizeof(h)) {
		*why = "a truncated bzImage (no whole setup header)";
		return -ENOEXEC;
	}
	/* setup_sects 0 means 4 (boot.rst); the setup code stays below 32 KiB */
	uint64_t setup = ((uint64_t)(h.setup_sects ? h.setup_sects : 4) + 1) * 512;
	uint64_t want = setup + (uint64_t)h.syssize * 16;
	*why = setup > 0x8000 ? "a corrupt bzImage (its setup_sects put the kernel past 32 KiB)" :
	       !h.syssize ? "a corrupt bzImage (its header's syssize is 0: no kernel)" : NULL;
	if (!*why && want > (uint64_t)st.st_size) {
		snprintf(msg, sizeof(msg), "a truncated bzImage (its setup header says %llu bytes,"
			 " the file has %llu)", (unsigned long long)want,
			 (unsigned long long)st.st_size);
		*why = msg;
	}
	if (*why)
		return -ENOEXEC;
	int ret = bzimage_kernel(fd, &k, &n, why);
	free(k);
	*cmdline_size = h.cmdline_size;
	return ret;
}

static const char *elf_problem(Elf *elf)
{
	GElf_Ehdr eh;
	if (elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh))
		return "not an ELF file";
	if (eh.e_ident[EI_CLASS] == ELFCLASS64)
		return eh.e_machine == EM_X86_64 ?
			"x86-64 ELF, need a 32-bit i386 image" :
			"64-bit ELF, need a 32-bit i386 image";
	if (eh.e_machine != EM_386)
		return "ELF for another machine than i386 (EM_386)";
	if (eh.e_type != ET_EXEC)
		return "i386 ELF but not an executable (ET_EXEC), e.g. an object file";
	return NULL;
}

/* The program headers as a loader will take them: all inside the file, and
 * every loadable segment inside the file and within [lo, hi) at its physical
 * address.  The host says so before anything starts, rather than the
 * monitor after QEMU has. */
static const char *segments_problem(int fd, Elf *elf, uint32_t lo, uint32_t hi,
				    uint32_t *load_end)
{
	static char msg[160];
	GElf_Ehdr eh;
	GElf_Phdr ph;
	struct stat st;
	size_t loads = 0;

	if (!gelf_getehdr(elf, &eh) || fstat(fd, &st))
		return "cannot read the ELF header";
	if (eh.e_phnum == 0)
		return "no program headers: nothing to load";
	if (eh.e_phnum == PN_XNUM)
		return "e_phnum 0xffff (PN_XNUM): more program headers than a Multiboot loader reads";
	if (eh.e_phentsize != sizeof(Elf32_Phdr))
		return "program header entries of the wrong size (e_phentsize)";
	if (eh.e_phoff > (uint64_t)st.st_size ||
	    (uint64_t)eh.e_phnum * eh.e_phentsize > (uint64_t)st.st_size - eh.e_phoff)
		return "the program headers lie past the end of the file (truncated?)";
	for (int i = 0; i < eh.e_phnum; i++) {
		if (!gelf_getphdr(elf, i, &ph))
			return "cannot read the program headers";
		if (ph.p_type != PT_LOAD)
			continue;
		loads++;
		if (ph.p_filesz > ph.p_memsz)
			return "a loadable segment has more file bytes than memory (p_filesz > p_memsz)";
		if (ph.p_offset > (uint64_t)st.st_size ||
		    ph.p_filesz > (uint64_t)st.st_size - ph.p_offset)
			return "a loadable segment lies past the end of the file (truncated?)";
		if (ph.p_paddr < lo || ph.p_paddr > hi || ph.p_memsz > hi - ph.p_paddr) {
			snprintf(msg, sizeof(msg), "a loadable segment at physical %08llx..%08llx lies"
				 " outside %08x..%08x", (unsigned long long)ph.p_paddr,
				 (unsigned long long)(ph.p_paddr + ph.p_memsz), lo, hi);
			return msg;
		}
		if (ph.p_paddr + ph.p_memsz > *load_end)
			*load_end = (uint32_t)(ph.p_paddr + ph.p_memsz);
	}
	return loads ? NULL : "no loadable segment (PT_LOAD)";
}

int image_check(const char *path, uint32_t lo, uint32_t hi, struct image_info *info,
		const char **why)
{
	int fd, ret;
	bool kludge;
	Elf *elf;

	*why = NULL;
	*info = (struct image_info){ 0 };
	ret = image_open(path, &fd, &elf);
	if (ret == -EINVAL) {
		*why = "not a regular file";
		ret = -ENOEXEC;
	} else if (ret == -ENOEXEC) {
		*why = "not an ELF file or a bzImage";
	}
	if (ret)
		return ret;
	if (elf_kind(elf) != ELF_K_ELF) {
		ret = image_is_bzimage(fd);
		if (ret == 0) {   /* an a.out-kludge kernel need not be ELF */
			*why = multiboot_problem(fd, lo, hi, &kludge, &info->load_end);
			if (!*why && !kludge)
				*why = "not an ELF file, and its Multiboot header has no a.out"
				       " kludge (flag 16) saying where it loads";
			else if (*why == no_multiboot)
				*why = "not an ELF file, a bzImage or a Multiboot a.out-kludge image";
			ret = *why ? -ENOEXEC : 0;
			goto out;
		}
		*why = NULL;
		ret = ret == 1 ? 0 : ret;
		if (!ret)
			ret = bzimage_check(fd, &info->cmdline_size, why);
		info->bzimage = !ret;
		goto out;
	}
	/* the kludge's fields, when there, say where it loads, not the segments */
	*why = elf_problem(elf);
	if (!*why)
		*why = multiboot_problem(fd, lo, hi, &kludge, &info->load_end);
	if (!*why && !kludge)
		*why = segments_problem(fd, elf, lo, hi, &info->load_end);
	ret = *why ? -ENOEXEC : 0;
out:
	image_close(fd, elf);
	return ret;
}

int image_sha256(const char *path, char *hex)
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	ssize_t n;
	int ret = -ENOMEM;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		goto err_close;
	ret = -EIO;
	if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		goto err_free;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n))
			goto err_free;
	if (n < 0) {
		ret = -errno;
		goto err_free;
	}
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen * 2 != SHA256_HEX_LEN)
		goto err_free;
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	ret = 0;
err_free:
	EVP_MD_CTX_free(ctx);
err_close:
	close(fd);
	return ret;
}
