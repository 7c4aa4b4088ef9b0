/* image.h — Multiboot i386 ELF images (the guest, the monitor) as the host
 * sees them: validation before a run, and the SHA-256 recorded with it. */
#ifndef RINGMON_IMAGE_H
#define RINGMON_IMAGE_H

#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN 64

struct image_info {
	bool bzimage;               /* a Linux bzImage, not a Multiboot ELF */
	uint32_t cmdline_size;      /* bzImage: its setup header's, without the NUL */
	uint32_t load_end;          /* Multiboot: the end of what is loaded, physical */
};

/* 0 if path is a 32-bit i386 ET_EXEC ELF with a Multiboot header whose
 * program headers and loadable segments lie inside the file and, at their
 * physical addresses, within [lo, hi) -- or a Linux bzImage (boot protocol
 * 2.06 or later) whose setup header fits the file and whose payload
 * decompresses; -errno otherwise.  For an image that is readable but
 * unusable (-ENOEXEC) *why says what is wrong with it. */
int image_check(const char *path, uint32_t lo, uint32_t hi, struct image_info *info,
		const char **why);

/* 1 if the open file is a Linux bzImage, 0 if not, -errno. */
int image_is_bzimage(int fd);

/* The release a bzImage names in its setup header (kernel_version: "6.1.192
 * (user@host) #1 ..." up to the first blank) into buf: 0, -ENOEXEC if the
 * file is not a bzImage or names none, -errno. */
int image_bzimage_version(const char *path, char *buf, size_t len);

/* The file's SHA-256 as lowercase hex into hex[SHA256_HEX_LEN + 1]. */
int image_sha256(const char *path, char *hex);

/* Open a regular file with libelf (-EINVAL for anything else); *fd and *elf
 * stay valid until image_close(). */
int image_open(const char *path, int *fd, Elf **elf);
void image_close(int fd, Elf *elf);

#endif
