/* zydis_lengths.c — decode_insn's lengths against Zydis over the code sections
 * of i386 ELF files: those named, or the monitor, tbk and 32-bit libraries. */
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <Zydis/Zydis.h>

#include "decode.h"

#define MIN_COMPARED	10000
#define MAX_REPORTED	20

static const char *const zl_defaults[] = {
	"build/module/monitor.elf",
	"build/tbk/hot.elf",
	"/usr/lib32/libc.so.6",
	"/usr/lib32/libm.so.6",
	"/usr/lib32/ld-linux.so.2",
	"/usr/lib32/libstdc++.so.6",
	"/usr/lib/gcc/x86_64-linux-gnu/12/32/crtbegin.o",
};

struct zl_stats {
	unsigned long compared, mismatched, skipped, zydis_invalid, ours_only;
};

/* Encodings this decoder deliberately does not take apart. */
static bool zl_foreign(ZydisInstructionEncoding e)
{
	return e == ZYDIS_INSTRUCTION_ENCODING_VEX ||
	       e == ZYDIS_INSTRUCTION_ENCODING_EVEX ||
	       e == ZYDIS_INSTRUCTION_ENCODING_3DNOW;
}

static void zl_report(const char *file, uint64_t addr, const uint8_t *p,
		      size_t left, int ours, const ZydisDecodedInstruction *zi)
{
	printf("MISMATCH %s+%#llx: ", file, (unsigned long long)addr);
	for (size_t i = 0; i < left && i < INSN_MAX_LEN; i++)
		printf("%02x ", p[i]);
	printf(": zydis %u (%s), ours %d\n", zi->length,
	       ZydisMnemonicGetString(zi->mnemonic), ours);
}

/* Walk one code section linearly, stepping by Zydis' length. */
static void zl_section(const ZydisDecoder *d, const char *file, uint64_t base,
		       const uint8_t *p, size_t size, struct zl_stats *st)
{
	ZydisDecodedInstruction zi;
	struct insn in;

	for (size_t off = 0; off < size;) {
		size_t left = size - off;
		unsigned avail = left > 64 ? 64 : (unsigned)left;
		int ours = decode_insn(p + off, avail, &in);

		if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(d, NULL, p + off,
								left, &zi))) {
			st->zydis_invalid++;
			st->ours_only += ours > 0;
			off++;
			continue;
		}
		if (zl_foreign(zi.encoding)) {
			st->skipped++;
		} else {
			st->compared++;
			if (ours != zi.length && st->mismatched++ < MAX_REPORTED)
				zl_report(file, base + off, p + off, left, ours,
					  &zi);
		}
		off += zi.length;
	}
}

/* Returns -1 if the file is not a readable i386 ELF file. */
static int zl_file(const ZydisDecoder *d, const char *file,
		   struct zl_stats *st)
{
	int fd = open(file, O_RDONLY);
	Elf *e;
	GElf_Ehdr eh;
	Elf_Scn *scn = NULL;
	int rc = -1;

	if (fd < 0)
		return -1;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || !gelf_getehdr(e, &eh) || eh.e_machine != EM_386)
		goto out;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_EXECINSTR))
			continue;
		data = elf_getdata(scn, NULL);
		if (data && data->d_buf)
			zl_section(d, file, sh.sh_addr, data->d_buf,
				   data->d_size, st);
	}
	rc = 0;
out:
	if (e)
		elf_end(e);
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	const char *const *files = zl_defaults;
	size_t n = sizeof(zl_defaults) / sizeof(zl_defaults[0]);
	struct zl_stats st = { 0 };
	ZydisDecoder d;
	int bad = 0;

	if (argc > 1) {
		files = (const char *const *)(argv + 1);
		n = (size_t)argc - 1;
	}
	elf_version(EV_CURRENT);
	ZydisDecoderInit(&d, ZYDIS_MACHINE_MODE_LEGACY_32,
			 ZYDIS_STACK_WIDTH_32);
	for (size_t i = 0; i < n; i++) {
		unsigned long before = st.compared;

		if (zl_file(&d, files[i], &st) < 0) {
			/* a missing default is fine; a named file must exist */
			printf("%s: not a readable i386 ELF file%s\n", files[i],
			       argc > 1 ? "" : ", skipped");
			bad |= argc > 1;
			continue;
		}
		printf("%s: %lu instructions\n", files[i], st.compared - before);
	}
	printf("compared %lu, mismatched %lu, skipped (VEX/EVEX/3DNow!) %lu, "
	       "zydis-invalid offsets %lu (of which we decoded %lu)\n",
	       st.compared, st.mismatched, st.skipped, st.zydis_invalid,
	       st.ours_only);
	if (st.compared < MIN_COMPARED) {
		printf("FAIL: fewer than %d instructions compared\n",
		       MIN_COMPARED);
		bad = 1;
	}
	return bad || st.mismatched;
}
