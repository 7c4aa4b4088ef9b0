/* pcdev.h — PC devices the guest drives itself through port I/O. */
#ifndef PCDEV_H
#define PCDEV_H

#include <stdint.h>

/* Is port one of them (IDE, floppy, keyboard controller, PCI
 * configuration)?  Reads of it are the device's. */
int pcdev_port(uint16_t port);

/* A guest write of size bytes to such a port: carried out, unless it would
 * let the guest reach past guest RAM or take the machine from the monitor;
 * then the run stops with the reason. */
void pcdev_write(uint16_t port, unsigned size, uint32_t v);

#endif
