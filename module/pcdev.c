/* pcdev.c — the PC devices a guest kernel drives itself, besides those the
 * monitor virtualizes (privileged.c): the IDE and floppy controllers, the
 * keyboard controller, PCI configuration space (GNU Mach probes them all,
 * and reads the PCI bus through the BIOS32 PCI BIOS, whose port I/O traps
 * like the kernel's), the PIIX's edge/level registers (ELCR), the ACPI
 * register blocks the FADT names and QEMU's CPU and PCI hotplug registers
 * (which Linux's ACPI interpreter reads on every GPE).  They are passed
 * through, so the guest sees the machine's own devices.  The writes that
 * would let it reach past guest RAM or take the machine from the monitor
 * are not: a PCI register that places a device (a BAR moved over a port
 * the guest may use would open the IDE bus master's DMA, which can write
 * anywhere) other than to size a BAR, the keyboard controller's output port
 * (A20, reset), the reset lines and ACPI sleep (S1-S5).  They stop the run
 * with a reason, since the monitor cannot give the guest what it asks.
 * Writes to the other PCI registers (IDs, command, class, interrupt line;
 * read-only or harmless) and to absent functions go to the machine. */
#include "pcdev.h"
#include "firmware.h"
#include "kill.h"
#include "x86.h"

#define PCI_ADDR      0xcf8u   /* 32 bits: enable, bus, device, function, register */
#define PCI_DATA      0xcfcu   /* 0xcfc-0xcff: the selected dword */
#define PCI_ENABLE    0x80000000u
#define PCI_RESET     0xcf9u   /* PIIX reset control: bit 2 resets */
#define PCI_RESET_CPU 0x04u
#define KBC_CMD       0x64u
#define KBC_WRITE_OUT 0xd1u    /* next byte to 0x60 drives A20 and reset */
#define KBC_PULSE     0xf0u    /* 0xf0-0xff: pulse output lines; bit 0 clear resets */
#define ELCR          0x4d0u   /* 0x4d0-0x4d1: the PIIX's edge/level control */
#define PCI_HOTPLUG   0xae00u  /* QEMU's i440FX: 0xae00-0xae17 */
#define CPU_HOTPLUG   0xaf00u  /* 0xaf00-0xaf1f */
#define PM1_SLP_EN    (1u << 13)
#define PCI_ROM       0x30u
#define SIZINGS       4        /* BARs being sized at once (a 64-bit one: 2) */

static uint32_t pci_addr;   /* what the guest last wrote to PCI_ADDR */
/* BARs the guest is sizing: their configuration address and their value
 * before it wrote the sizing pattern. */
static struct { uint32_t addr, value; } sizing[SIZINGS];

static int acpi_port(uint16_t port)
{
	const struct acpi_ports *a = firmware_acpi();
	for (unsigned i = 0; i < ACPI_BLOCKS; i++)
		if ((uint16_t)(port - a->block[i].port) < a->block[i].len)
			return 1;
	return a->smi_cmd && port == a->smi_cmd;
}

int pcdev_port(uint16_t port)
{
	return (port >= 0x1f0 && port <= 0x1f7) || (port >= 0x170 && port <= 0x177) ||
	       port == 0x3f6 || port == 0x376 ||                       /* IDE */
	       (port >= 0x3f0 && port <= 0x3f5) || port == 0x3f7 ||   /* floppy */
	       port == 0x60 || port == KBC_CMD ||
	       (port >= PCI_ADDR && port <= PCI_DATA + 3) ||
	       port == ELCR || port == ELCR + 1 || acpi_port(port) ||
	       (port >= PCI_HOTPLUG && port < PCI_HOTPLUG + 0x18) ||
	       (port >= CPU_HOTPLUG && port < CPU_HOTPLUG + 0x20);
}

/* Device-specific registers of QEMU's PIIX3 that place nothing and that
 * Linux writes: the PCI interrupt routing (0x60-0x63, set by ACPI's link
 * devices) and the deterministic latency control (0x82) of the ISA bridge;
 * the IDE timings (0x40-0x47). */
#define PIIX3_ISA 0x70008086u   /* device:vendor */
#define PIIX3_IDE 0x70108086u
static int pci_harmless(uint32_t id, uint32_t reg, unsigned size)
{
	if (id == PIIX3_ISA)
		return (reg >= 0x60 && reg + size <= 0x64) || (reg == 0x82 && size == 1);
	return id == PIIX3_IDE && reg >= 0x40 && reg + size <= 0x48;
}

/* The registers that place a device: its BARs (0x10-0x27), its expansion
 * ROM (0x30-0x33), and the device-specific ones (0x40 up: the PIIX4's power
 * management base, the i440FX's memory attributes and SMRAM...) but for
 * pci_harmless's. */
static int pci_places(uint32_t id, uint32_t reg, unsigned size)
{
	return (reg + size > 0x10 && reg < 0x28) || (reg + size > 0x30 && reg < 0x34) ||
	       (reg + size > 0x40 && !pci_harmless(id, reg, size));
}

/* The function pci_addr selects: its device and vendor IDs (all ones: none). */
static uint32_t pci_id(void)
{
	uint32_t id;
	outl(PCI_ADDR, pci_addr & ~0xffu);
	id = inl(PCI_DATA);
	outl(PCI_ADDR, pci_addr);
	return id;
}

/* Sizing a BAR (PCI 3.0 §6.2.5.1; Linux's __pci_read_base): the guest
 * writes all ones (a ROM BAR: ones in the address bits), reads back which
 * stuck, then writes back the value it read first.  1 if the dword write of
 * v to reg is one of those two; the first is remembered with the value the
 * BAR holds. */
static int bar_sizing(uint32_t reg, unsigned size, uint32_t v)
{
	uint32_t addr = pci_addr & ~3u, ones = reg == PCI_ROM ? 0xfffff800u : 0xffffffffu;
	if (size != 4 || (reg >= 0x28 && reg != PCI_ROM))
		return 0;
	for (unsigned i = 0; i < SIZINGS; i++)
		if (sizing[i].addr == addr && (v & ones) != ones) {
			sizing[i].addr = 0;
			return v == sizing[i].value;
		}
	if ((v & ones) != ones)
		return 0;
	for (unsigned i = 0; i < SIZINGS; i++)
		if (!sizing[i].addr || sizing[i].addr == addr) {
			sizing[i].addr = addr;
			outl(PCI_ADDR, addr);
			sizing[i].value = inl(PCI_DATA);
			outl(PCI_ADDR, pci_addr);
			return 1;
		}
	return 0;
}

static void pci_write(uint16_t port, unsigned size, uint32_t v)
{
	uint32_t reg = (pci_addr & 0xfc) + (port - PCI_DATA);

	if (port < PCI_DATA) {
		/* only a dword at 0xcf8 selects (smaller writes there are the
		 * mechanism #2 probe, which the i440FX ignores); a byte at 0xcf9
		 * is the PIIX's reset control register */
		if (port == PCI_RESET && size == 1 && (v & PCI_RESET_CPU))
			vcpu_kill("guest resets the machine through port cf9");
		if (port == PCI_ADDR && size == 4)
			pci_addr = v;
		return;
	}
	uint32_t id = (pci_addr & PCI_ENABLE) ? pci_id() : 0xffffffffu;
	if ((id & 0xffff) != 0xffff && pci_places(id, reg, size) && !bar_sizing(reg, size, v))
		vcpu_kill("guest places PCI device %02x:%02x.%x (register %02x): not virtualized",
			  (pci_addr >> 16) & 0xff, (pci_addr >> 11) & 0x1f, (pci_addr >> 8) & 7, reg);
}

/* ACPI sleep (SLP_EN in PM1a control) would stop or reset the machine; an
 * SMI command other than the FADT's ACPI on and off would run SeaBIOS's
 * SMM handler on the guest's registers (its call32 command resumes at ring
 * 0 where the caller asks). */
static void acpi_write(uint16_t port, uint32_t v)
{
	const struct acpi_ports *a = firmware_acpi();
	uint16_t cnt = a->block[ACPI_PM1A_CNT].port;
	uint32_t pm1 = port == cnt ? v : port == cnt + 1 ? v << 8 : 0;
	if (cnt && (pm1 & PM1_SLP_EN))
		vcpu_kill("guest puts the machine to sleep (sleep type %u) through ACPI:"
			  " not virtualized", (pm1 >> 10) & 7);
	if (a->smi_cmd && port == a->smi_cmd && (v & 0xff) != a->enable && (v & 0xff) != a->disable)
		vcpu_kill("guest sends SMI command %02x to port %x: not virtualized", v & 0xff,
			  port);
}

void pcdev_write(uint16_t port, unsigned size, uint32_t v)
{
	if (port == KBC_CMD && v == KBC_WRITE_OUT)
		vcpu_kill("guest writes the keyboard controller's output port (A20, reset):"
			  " not virtualized");
	if (port == KBC_CMD && (v & KBC_PULSE) == KBC_PULSE && !(v & 1))
		vcpu_kill("guest resets the machine through the keyboard controller");
	if (port >= PCI_ADDR && port <= PCI_DATA + 3)
		pci_write(port, size, v);
	acpi_write(port, v);
}
