/* pcdev.c — the PC devices a guest kernel drives itself, besides those the
 * monitor virtualizes (privileged.c): the IDE and floppy controllers, the
 * keyboard controller and PCI configuration space (GNU Mach probes them
 * all, and reads the PCI bus through the BIOS32 PCI BIOS, whose port I/O
 * traps like the kernel's).  They are passed through, so the guest sees
 * the machine's own devices.  The writes that would let it reach past guest
 * RAM or take the machine from the monitor are not: a PCI register other
 * than command/status (a BAR moved over a port the guest may use would open
 * the IDE bus master's DMA, which can write anywhere), the keyboard
 * controller's output port (A20, reset) and the reset lines.  They stop the
 * run with a reason, since the monitor cannot give the guest what it asks.
 * Writes to the other PCI registers (IDs, command, class, interrupt line;
 * read-only or harmless) and to absent functions go to the machine. */
#include "pcdev.h"
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

static uint32_t pci_addr;   /* what the guest last wrote to PCI_ADDR */

int pcdev_port(uint16_t port)
{
	return (port >= 0x1f0 && port <= 0x1f7) || (port >= 0x170 && port <= 0x177) ||
	       port == 0x3f6 || port == 0x376 ||                       /* IDE */
	       (port >= 0x3f0 && port <= 0x3f5) || port == 0x3f7 ||   /* floppy */
	       port == 0x60 || port == KBC_CMD ||
	       (port >= PCI_ADDR && port <= PCI_DATA + 3);
}

/* The registers that place a device: its BARs (0x10-0x27), its expansion
 * ROM (0x30-0x33), and the device-specific ones (0x40 up: the PIIX4's power
 * management base, the i440FX's memory attributes...). */
static int pci_places(uint32_t reg, unsigned size)
{
	return (reg + size > 0x10 && reg < 0x28) || (reg + size > 0x30 && reg < 0x34) ||
	       reg + size > 0x40;
}

/* Is the function pci_addr selects there (vendor ID not all-ones)? */
static int pci_present(void)
{
	uint32_t id;
	outl(PCI_ADDR, pci_addr & ~0xffu);
	id = inl(PCI_DATA);
	outl(PCI_ADDR, pci_addr);
	return (id & 0xffff) != 0xffff;
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
	if ((pci_addr & PCI_ENABLE) && pci_places(reg, size) && pci_present())
		vcpu_kill("guest places PCI device %02x:%02x.%x (register %02x): not virtualized",
			  (pci_addr >> 16) & 0xff, (pci_addr >> 11) & 0x1f, (pci_addr >> 8) & 7, reg);
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
}
