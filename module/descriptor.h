/* descriptor.h — reading and building 8-byte segment descriptors (SDM vol. 3
 * §3.4.5), shared by the monitor's own tables and the guest-GDT shadow. */
#ifndef DESCRIPTOR_H
#define DESCRIPTOR_H

#include <stdint.h>

/* Access byte (bits 40..47): P DPL(2) S TYPE(4). */
#define DESC_P          0x80u
#define DESC_S          0x10u   /* code/data, not system */
#define DESC_CODE       0x08u   /* with S: executable */
#define DESC_CONFORMING 0x04u   /* code: conforming; data: expand-down */
#define DESC_RW         0x02u   /* code: readable; data: writable */
#define DESC_ACCESSED   0x01u
#define DESC_TSS32      0x09u   /* system type: available 32-bit TSS */
#define DESC_TSS_BUSY   0x02u   /* system type bit: TSS busy */
#define DESC_LDT        0x02u   /* system type: LDT */
/* Flags nibble (bits 52..55): G D/B L AVL. */
#define DESC_G          0x8u
#define DESC_DB         0x4u

static inline uint8_t desc_access(uint64_t d) { return (uint8_t)(d >> 40); }
static inline unsigned desc_dpl(uint64_t d) { return (desc_access(d) >> 5) & 3; }
static inline int desc_present(uint64_t d) { return (desc_access(d) & DESC_P) != 0; }
static inline int desc_is_segment(uint64_t d) { return (desc_access(d) & DESC_S) != 0; }
static inline unsigned desc_type(uint64_t d) { return desc_access(d) & 0xf; }

static inline uint32_t desc_base(uint64_t d)
{
	return (uint32_t)(((d >> 16) & 0xffffff) | ((d >> 32) & 0xff000000));
}

static inline uint32_t desc_limit(uint64_t d)
{
	uint32_t limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));
	if ((d >> 52) & DESC_G)
		limit = (limit << 12) | 0xfff;
	return limit;
}

static inline uint64_t desc_make(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return (uint64_t)(limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) |
	       ((uint64_t)access << 40) | ((uint64_t)((limit >> 16) & 0xf) << 48) |
	       ((uint64_t)(flags & 0xf) << 52) | ((uint64_t)(base >> 24) << 56);
}

static inline uint64_t desc_with_dpl(uint64_t d, unsigned dpl)
{
	return (d & ~(3ull << 45)) | ((uint64_t)(dpl & 3) << 45);
}

/* Gates (interrupt/trap): offset split around the selector. */
static inline uint32_t gate_offset(uint64_t g)
{
	return (uint32_t)((g & 0xffff) | ((g >> 32) & 0xffff0000));
}
static inline uint16_t gate_selector(uint64_t g) { return (uint16_t)(g >> 16); }

static inline uint64_t gate_make(uint32_t offset, uint16_t sel, uint8_t access)
{
	return (uint64_t)(offset & 0xffff) | ((uint64_t)sel << 16) |
	       ((uint64_t)access << 40) | ((uint64_t)(offset >> 16) << 48);
}

#define GATE_INT32  0x0eu
#define GATE_TRAP32 0x0fu

#endif
