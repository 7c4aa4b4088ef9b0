/* firmware.c — the PC the guest is shown: QEMU's machine as if its RAM
 * ended at GUEST_MEM_END.
 *
 * SeaBIOS keeps its "high zone" (the ACPI tables among other things) at the
 * very top of RAM, which here is the monitor's.  A native boot with
 * -m GUEST_RAM_MB has the same zone at the top of that smaller RAM, so the
 * monitor moves it there: it copies the zone to just below GUEST_MEM_END,
 * adds the distance to every pointer the firmware's tables hold into it
 * (the ACPI RSDP, RSDT, XSDT and FADT; SMBIOS and MP entry points) and sums
 * their checksums again.  The memory map it passes on is the one the
 * firmware would have given that smaller machine.  What is left of QEMU's
 * larger RAM (the DSDT's PCI window still starts at the real end of RAM)
 * is in docs/monitor.md. */
#include "firmware.h"
#include "gmem.h"
#include "layout.h"
#include "lib.h"
#include "x86.h"

/* i440FX: PAM0's high nibble makes 0xf0000-0xfffff read-only ROM shadow
 * after POST; the monitor opens it for writing while it patches. */
#define PCI_ADDR     0xcf8u
#define PCI_DATA     0xcfcu
#define I440FX_ID    0x12378086u   /* device 0x1237, vendor Intel */
#define PAM0         0x59u
#define PAM_HI_WE    0x20u

#define FSEG         0xf0000u      /* where SeaBIOS puts its entry points (PAM0) */
#define FSEG_END     0x100000u
#define BDA_EBDA_SEG 0x40eu

static struct { uint32_t from, len; } zone;   /* where the firmware put it */
static int stuck;   /* a pointer the monitor could not write (ROM, not RAM) */
static struct acpi_ports acpi;   /* from the FADT */

uint32_t firmware_ram_end(void)
{
	return GUEST_MEM_END - zone.len;   /* where the zone goes */
}

/* --- the memory map ------------------------------------------------------ */

/* The entries of QEMU's map, one after the other: each is size + 4 long. */
static const struct mb_mmap_entry *map_next(const struct mb_info *host,
					    const struct mb_mmap_entry *e)
{
	uint32_t p = e ? (uint32_t)e + e->size + 4 : host->mmap_addr;
	return p < host->mmap_addr + host->mmap_length ? (const struct mb_mmap_entry *)p : 0;
}

/* Is [addr, addr+len) in the monitor's part of RAM? */
static int in_monitor(uint64_t addr, uint64_t len)
{
	return addr >= GUEST_MEM_END && addr + len <= RAM_END;
}

static const char *find_zone(const struct mb_info *host)
{
	if (!(host->flags & MB_INFO_MMAP))
		return "QEMU gave no memory map";
	for (const struct mb_mmap_entry *e = map_next(host, 0); e; e = map_next(host, e)) {
		if (e->type == MB_MMAP_RAM || !in_monitor(e->addr, e->len))
			continue;
		if (zone.len)
			return "the firmware keeps more than one area above guest RAM";
		if (e->len > (GUEST_MEM_END - GUEST_LOAD_MIN) / 2)
			return "the firmware's area at the top of RAM is larger than guest RAM can hold";
		zone.from = (uint32_t)e->addr;
		zone.len = (uint32_t)e->len;
	}
	return 0;
}

unsigned firmware_map(const struct mb_info *host, struct mb_mmap_entry *mm, unsigned max)
{
	unsigned n = 0;

	for (const struct mb_mmap_entry *h = map_next(host, 0); h; h = map_next(host, h)) {
		struct mb_mmap_entry e = *h;
		if (n + 1 > max)
			return 0;
		if (e.type == MB_MMAP_RAM && e.addr + e.len > firmware_ram_end()) {
			if (e.addr >= firmware_ram_end())
				continue;
			e.len = firmware_ram_end() - e.addr;
		} else if (in_monitor(e.addr, e.len)) {
			e.addr = firmware_ram_end();   /* the zone, moved (find_zone: the only one) */
		}
		mm[n++] = (struct mb_mmap_entry){ 20, e.addr, e.len, e.type };
	}
	return n;
}

/* --- the tables ---------------------------------------------------------- */

static uint8_t sum(const void *p, uint32_t len)
{
	uint8_t s = 0;
	for (uint32_t i = 0; i < len; i++)
		s += ((const uint8_t *)p)[i];
	return s;
}

/* Make the bytes [p, p+len) sum to zero by their checksum byte *c. */
static void resum(void *p, uint32_t len, uint8_t *c)
{
	*c = 0;
	*c = (uint8_t)-sum(p, len);
}

/* A pointer into the zone, moved with it; 1 if it was one. */
static int move32(void *at)
{
	uint32_t v;
	memcpy(&v, at, 4);
	if (v - zone.from >= zone.len)
		return 0;
	v += firmware_ram_end() - zone.from;
	memcpy(at, &v, 4);
	stuck |= memcmp(at, &v, 4) != 0;
	return 1;
}

static int move64(void *at)
{
	uint32_t hi;
	memcpy(&hi, (uint8_t *)at + 4, 4);
	return !hi && move32(at);
}

/* The length of the ACPI table at addr, if it is one of the moved zone's
 * (a header of 36 bytes at least, all of it below GUEST_MEM_END); else 0. */
static uint32_t moved_table(uint32_t addr)
{
	uint32_t len;
	if (addr - firmware_ram_end() >= zone.len)
		return 0;
	memcpy(&len, (const uint8_t *)addr + 4, 4);
	return len >= 36 && len <= GUEST_MEM_END - addr ? len : 0;
}

/* ACPI 6.4 §5.2.9: SMI_CMD at 48, ACPI_ENABLE and ACPI_DISABLE at 52 and
 * 53; the PM1a event, PM1a control, PM timer and GPE0 blocks at 56, 64, 76
 * and 80, their lengths at 88, 89, 91 and 92. */
static void note_acpi_ports(const uint8_t *fadt, uint32_t len)
{
	static const uint8_t at[ACPI_BLOCKS] = { 56, 64, 76, 80 }, len_at[ACPI_BLOCKS] = { 88, 89, 91, 92 };
	uint32_t port;
	if (len <= 92)
		return;
	memcpy(&port, fadt + 48, 4);
	acpi.smi_cmd = port <= 0xffff ? (uint16_t)port : 0;
	acpi.enable = fadt[52];
	acpi.disable = fadt[53];
	for (unsigned i = 0; i < ACPI_BLOCKS; i++) {
		memcpy(&port, fadt + at[i], 4);
		acpi.block[i].port = port <= 0xffff ? (uint16_t)port : 0;
		acpi.block[i].len = acpi.block[i].port ? fadt[len_at[i]] : 0;
	}
}

const struct acpi_ports *firmware_acpi(void)
{
	return &acpi;
}

/* An ACPI table (its header: signature, length, revision, checksum at 9),
 * at its new place: the FADT's pointers to the FACS and the DSDT, then the
 * table's checksum. */
static void fix_sdt(uint32_t addr)
{
	uint8_t *t = (uint8_t *)addr;
	uint32_t len = moved_table(addr);
	if (!len)
		return;
	if (!memcmp(t, "FACP", 4)) {
		note_acpi_ports(t, len);
		move32(t + 36);                  /* FIRMWARE_CTRL */
		move32(t + 40);                  /* DSDT */
		if (len >= 148) {
			move64(t + 132);         /* X_FIRMWARE_CTRL */
			move64(t + 140);         /* X_DSDT */
		}
	}
	resum(t, len, t + 9);
}

/* The RSDT (4-byte entries) or XSDT (8): every entry and the table it names. */
static void fix_root(uint32_t addr, unsigned width)
{
	uint8_t *t = (uint8_t *)addr;
	uint32_t len = moved_table(addr);
	if (!len)
		return;
	for (uint32_t off = 36; off + width <= len; off += width) {
		uint32_t entry;
		width == 4 ? move32(t + off) : move64(t + off);
		memcpy(&entry, t + off, 4);
		fix_sdt(entry);
	}
	resum(t, len, t + 9);
}

/* The entry points the guest searches for (16-byte aligned anchors). */
static void fix_rsdp(uint8_t *p)
{
	uint32_t rsdt, xsdt, len;
	if (sum(p, 20))
		return;
	if (move32(p + 16)) {
		memcpy(&rsdt, p + 16, 4);
		fix_root(rsdt, 4);
	}
	memcpy(&len, p + 20, 4);
	if (p[15] >= 2 && len >= 33 && !sum(p, len)) {
		if (move64(p + 24)) {
			memcpy(&xsdt, p + 24, 4);
			fix_root(xsdt, 8);
		}
		resum(p, len, p + 32);
	}
	resum(p, 20, p + 8);
}

static void fix_smbios(uint8_t *p)
{
	if (p[5] >= 0x1f && !sum(p, p[5]) && move32(p + 0x18)) {   /* 2.x */
		resum(p + 0x10, 0x0f, p + 0x15);
		resum(p, p[5], p + 4);
	}
}

static void fix_smbios3(uint8_t *p)
{
	if (p[6] >= 0x18 && !sum(p, p[6]) && move64(p + 0x10))
		resum(p, p[6], p + 5);
}

static void fix_mp(uint8_t *p)
{
	if (!sum(p, 16) && move32(p + 4))
		resum(p, 16, p + 10);
}

static void fix_anchors(uint32_t from, uint32_t to)
{
	for (uint32_t a = from; a + 16 <= to; a += 16) {
		uint8_t *p = (uint8_t *)a;
		if (!memcmp(p, "RSD PTR ", 8))
			fix_rsdp(p);
		else if (!memcmp(p, "_SM_", 4))
			fix_smbios(p);
		else if (!memcmp(p, "_SM3_", 5))
			fix_smbios3(p);
		else if (!memcmp(p, "_MP_", 4))
			fix_mp(p);
	}
}

static uint32_t pci_config(uint32_t reg)
{
	outl(PCI_ADDR, 0x80000000u | (reg & 0xfc));
	return inl(PCI_DATA);
}

/* PAM0's byte, written through its own lane of the data port. */
static void pam0_set(uint8_t v)
{
	outl(PCI_ADDR, 0x80000000u | (PAM0 & 0xfc));
	outb(PCI_DATA + (PAM0 & 3), v);
}

const char *firmware_init(const struct mb_info *host)
{
	const char *why = find_zone(host);
	if (why || !zone.len)
		return why;
	if (pci_config(0) != I440FX_ID) {
		outl(PCI_ADDR, 0);
		return "the firmware's tables lie above guest RAM and the chipset is not an i440FX (-machine pc)";
	}
	uint8_t pam = (uint8_t)(pci_config(PAM0) >> 8 * (PAM0 & 3));

	memcpy((void *)firmware_ram_end(), (const void *)zone.from, zone.len);
	pam0_set(pam | PAM_HI_WE);
	uint16_t ebda_seg;
	gmem_read(BDA_EBDA_SEG, &ebda_seg, sizeof(ebda_seg));
	uint32_t ebda = (uint32_t)ebda_seg << 4;
	if (ebda >= 0x80000 && ebda < FSEG)
		fix_anchors(ebda, ebda + 1024);
	fix_anchors(FSEG, FSEG_END);
	pam0_set(pam);
	outl(PCI_ADDR, 0);   /* as the firmware left it */
	return stuck ? "a firmware table that points above guest RAM is in ROM the monitor cannot write" : 0;
}
