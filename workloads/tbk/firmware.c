/* firmware.c — the test kernel that reads the PC's firmware tables as a
 * kernel probing its machine does: the memory map, the ACPI tables from the
 * RSDP down (addresses, lengths, checksums, the FADT's FACS and DSDT), the
 * SMBIOS structure table and the MP configuration table.  It prints every
 * address it finds, and whether each table lies where the memory map says
 * the firmware keeps it: natively and under the monitor the transcript must
 * be the same (module/firmware.c moves the tables into guest RAM). */
#include "tbk.h"

void tbk_main(uint32_t magic, const void *mbi);

#define FSEG     0xf0000u
#define FSEG_END 0x100000u

static const struct mb_info *info;

static uint8_t sum(const void *p, uint32_t len)
{
	uint8_t s = 0;
	for (uint32_t i = 0; i < len; i++)
		s += ((const volatile uint8_t *)p)[i];
	return s;
}

static uint32_t get32(uint32_t addr)
{
	return *(const volatile uint32_t *)addr;
}

static void print_map(void)
{
	con_printf("mem_lower %u KiB, mem_upper %u KiB\n", info->mem_lower, info->mem_upper);
	if (!(info->flags & MB_INFO_MMAP))
		tbk_fail("no memory map");
	for (uint32_t p = info->mmap_addr; p < info->mmap_addr + info->mmap_length;
	     p += ((const struct mb_mmap *)p)->size + 4) {
		const struct mb_mmap *e = (const struct mb_mmap *)p;
		con_printf("map %08x-%08x type %u\n", (uint32_t)e->addr,
			   (uint32_t)(e->addr + e->len - 1), e->type);
	}
}

/* Does [addr, addr+len) lie in one entry of the map that is not RAM, or in
 * the BIOS area below 1 MiB? */
static const char *where(uint32_t addr, uint32_t len)
{
	if (addr >= FSEG && addr + len <= FSEG_END)
		return "the BIOS area";
	for (uint32_t p = info->mmap_addr; p < info->mmap_addr + info->mmap_length;
	     p += ((const struct mb_mmap *)p)->size + 4) {
		const struct mb_mmap *e = (const struct mb_mmap *)p;
		if (addr >= e->addr && addr + (uint64_t)len <= e->addr + e->len)
			return e->type == MB_RAM ? "RAM (wrong)" : "reserved memory";
	}
	return "no memory the map names (wrong)";
}

/* One ACPI table: signature, place, length, checksum. */
static uint32_t print_sdt(const char *what, uint32_t addr)
{
	uint32_t len = get32(addr + 4);
	char sig[5] = { 0 };
	memcpy(sig, (const void *)addr, 4);
	if (len < 36 || len > 0x100000)
		tbk_fail("%s at %08x: length %u", what, addr, len);
	con_printf("%s %s at %08x, %u bytes, checksum %s, in %s\n", what, sig, addr, len,
		   sum((const void *)addr, len) ? "bad" : "ok", where(addr, len));
	return len;
}

static void print_fadt(uint32_t fadt)
{
	uint32_t facs = get32(fadt + 36), dsdt = get32(fadt + 40);
	con_printf("  FACS at %08x (%c%c%c%c), in %s\n", facs, *(char *)facs,
		   *(char *)(facs + 1), *(char *)(facs + 2), *(char *)(facs + 3),
		   where(facs, get32(facs + 4)));
	print_sdt("  DSDT", dsdt);
}

static void print_acpi(uint32_t rsdp)
{
	con_printf("RSDP at %08x, revision %u, checksum %s\n", rsdp, *(uint8_t *)(rsdp + 15),
		   sum((const void *)rsdp, 20) ? "bad" : "ok");
	uint32_t rsdt = get32(rsdp + 16);
	uint32_t len = print_sdt("root", rsdt);
	for (uint32_t off = 36; off + 4 <= len; off += 4) {
		uint32_t t = get32(rsdt + off);
		print_sdt(" ", t);
		if (!memcmp((const void *)t, "FACP", 4))
			print_fadt(t);
	}
}

/* SMBIOS 2.x: the structures, each a formatted part and then strings up to
 * a double NUL. */
static void print_smbios(uint32_t ep)
{
	uint32_t table = get32(ep + 0x18), len = *(uint16_t *)(ep + 0x16);
	uint32_t count = *(uint16_t *)(ep + 0x1c), n = 0, p = table;
	con_printf("SMBIOS at %08x, checksum %s, table at %08x, %u bytes, in %s\n", ep,
		   sum((const void *)ep, *(uint8_t *)(ep + 5)) ? "bad" : "ok", table, len,
		   where(table, len));
	while (n < count && p + 4 <= table + len) {
		const uint8_t *s = (const uint8_t *)p;
		con_printf("  structure type %u, %u bytes formatted\n", s[0], s[1]);
		p += s[1];
		while (p + 1 < table + len && (*(uint8_t *)p || *(uint8_t *)(p + 1)))
			p++;
		p += 2;
		n++;
	}
}

static void print_mp(uint32_t fp)
{
	uint32_t cfg = get32(fp + 4);
	con_printf("MP floating pointer at %08x, checksum %s, table at %08x\n", fp,
		   sum((const void *)fp, 16) ? "bad" : "ok", cfg);
	if (cfg && !memcmp((const void *)cfg, "PCMP", 4)) {
		uint32_t len = *(uint16_t *)(cfg + 4);
		con_printf("  PCMP %u bytes, %u entries, checksum %s, in %s\n", len,
			   *(uint16_t *)(cfg + 34), sum((const void *)cfg, len) ? "bad" : "ok",
			   where(cfg, len));
	}
}

void tbk_main(uint32_t magic, const void *mbi)
{
	tbk_up("firmware");
	if (magic != 0x2BADB002)
		tbk_fail("not booted by Multiboot");
	info = mbi;
	print_map();
	for (uint32_t a = FSEG; a < FSEG_END; a += 16) {
		const void *p = (const void *)a;
		if (!memcmp(p, "RSD PTR ", 8) && !sum(p, 20))
			print_acpi(a);
		else if (!memcmp(p, "_SM_", 4) && !sum(p, *(uint8_t *)(a + 5)))
			print_smbios(a);
		else if (!memcmp(p, "_MP_", 4) && !sum(p, 16))
			print_mp(a);
	}
	tbk_done();
}
