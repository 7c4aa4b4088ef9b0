/* firmware.h — QEMU's firmware tables and memory map as a PC whose RAM
 * ends at GUEST_MEM_END has them (firmware.c). */
#ifndef FIRMWARE_H
#define FIRMWARE_H

#include <stdint.h>
#include "multiboot.h"

/* Move the firmware's area from the top of the monitor's RAM to the top of
 * guest RAM, its tables' pointers with it.  Before anything else is loaded
 * into guest RAM: 0, or why the guest cannot be shown a consistent PC. */
const char *firmware_init(const struct mb_info *host);

/* The guest's memory map, from QEMU's (host): up to max entries into mm;
 * their number, 0 if they do not fit. */
unsigned firmware_map(const struct mb_info *host, struct mb_mmap_entry *mm, unsigned max);

/* The ports of ACPI's fixed hardware, as the FADT names them (0: none):
 * the SMI command port with the values that switch ACPI mode on and off,
 * and the register blocks. */
enum { ACPI_PM1A_EVT, ACPI_PM1A_CNT, ACPI_PM_TMR, ACPI_GPE0, ACPI_BLOCKS };
struct acpi_ports {
	uint16_t smi_cmd;
	uint8_t enable, disable;
	struct { uint16_t port, len; } block[ACPI_BLOCKS];
};
const struct acpi_ports *firmware_acpi(void);
/* The end of the RAM the guest may use: the firmware's area lies above. */
uint32_t firmware_ram_end(void);

#endif
