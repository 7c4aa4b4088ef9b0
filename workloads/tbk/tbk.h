/* tbk.h — the library every test kernel here shares (console, descriptor
 * tables, traps, PIC/PIT, paging, user mode) and the memory map it assumes. */
#ifndef TBK_H
#define TBK_H

#include "x86.h"

/*
 * The standard GDT (cpu.c).  Kernels add their own entries from GDT_FREE on.
 * load_segments (entry.S) loads SEL_KCODE and SEL_KDATA, so hot.c's own
 * 4-entry table has the same two kernel selectors.
 */
#define GDT_KCODE   1
#define GDT_KDATA   2
#define GDT_UCODE   3
#define GDT_UDATA   4
#define GDT_TSS     5
#define GDT_LDT     6
#define GDT_FREE    7
#define GDT_ENTRIES 16
#define SEL(index, rpl) (((index) << 3) | (rpl))
#define SEL_KCODE   SEL(GDT_KCODE, 0)   /* 0x08 */
#define SEL_KDATA   SEL(GDT_KDATA, 0)   /* 0x10 */
#define SEL_UCODE   SEL(GDT_UCODE, 3)   /* 0x1b */
#define SEL_UDATA   SEL(GDT_UDATA, 3)   /* 0x23 */
#define SEL_TSS     SEL(GDT_TSS, 0)     /* 0x28 */
#define SEL_LDT     SEL(GDT_LDT, 0)     /* 0x30 */
/* The standard LDT: entry 0 flat user data, entry 1 flat kernel data. */
#define SEL_LDT_UDATA 0x07
#define SEL_LDT_KDATA 0x0c

#define T_BREAKPOINT 3
#define T_OVERFLOW  4
#define T_GP        13
#define T_PAGE_FAULT 14
#define T_IRQ0      0x20   /* the master PIC is remapped here, the slave to 0x28 */
#define T_SYSCALL   0x80

/*
 * Linear memory of the kernels that turn paging on (paging.c):
 *
 *   KERNEL_BASE .. KERNEL_TOP   the kernel image, identity-mapped, supervisor
 *   USER_BASE                   the .user section: tbk.ld links it here and
 *                               loads it after the kernel; user pages
 *   USER_STACK_TOP              one user stack page below it
 *
 * mt adds per-task TLS pages and an alias of its GDT page; conform,
 * smc and adversarial map scratch pages of their own (see each file).
 */
#define KERNEL_BASE    0x00100000u
#define KERNEL_TOP     0x00400000u
#define USER_BASE      0x40000000u
#define USER_STACK_TOP 0x40400000u
#define PAGE_SIZE      4096u

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/* Where the linker script puts things: the GDT and the data that shares its
 * page, the IDT at the start of .bss and the data that follows it, and the
 * code and data that run at ring 3. */
#define GDT_PAGE    __attribute__((section(".gdtpage.table"), aligned(8)))
#define GDT_HOT     __attribute__((section(".gdtpage.hot")))
#define IDT_PAGE    __attribute__((section(".bss.idt"), aligned(8)))
#define IDT_HOT     __attribute__((section(".bss.idt_hot")))
/* User functions stay out of line (they may not be inlined into kernel
 * code, nor kernel code into them); whatever they call must be
 * always_inline so that it lands in .user.text too. */
#define USER_TEXT   __attribute__((section(".user.text"), noinline, used))
#define USER_RODATA __attribute__((section(".user.rodata")))
#define INLINE      static inline __attribute__((always_inline))

/* An exception-table entry for inline asm: a fault at label FAULT resumes
 * at label FIXUP, and the trap is noted in trap_seen (trap.c). */
#define EXTABLE(fault, fixup) \
	".pushsection .extable, \"a\"\n\t.long " fault ", " fixup "\n\t.popsection\n\t"

/* console.c */
void con_putc(char c);
void con_puts(const char *s);
/* %s %c %u %x, with an optional zero-padded width (%08x). */
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tbk_up(const char *name);
__attribute__((noreturn)) void tbk_done(void);
__attribute__((noreturn)) void tbk_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* The Multiboot information block (spec 3.3), as far as kernels here read it. */
#define MB_INFO_MEM  0x01
#define MB_INFO_MMAP 0x40
#define MB_RAM       1
struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
};
struct __attribute__((packed)) mb_mmap {
	uint32_t size;     /* of the rest of the entry */
	uint64_t addr, len;
	uint32_t type;
};

/* cpu.c: the standard GDT (GDT_ENTRIES long; hot.c has its own, shorter),
 * TSS and LDT. */
extern uint64_t gdt_table[];
extern struct tss tss;
void cpu_init(void);
void gdt_reload(void);

/* entry.S */
void load_segments(void);

/* trap.c, trap.S */
struct trapframe {
	uint32_t gs, fs, es, ds;    /* segment registers: only the low 16 bits */
	uint32_t edi, esi, ebp, esp_pushal, ebx, edx, ecx, eax;
	uint32_t vector, err;       /* err is 0 for vectors without one */
	/* pushed by the CPU */
	uint32_t eip, cs, eflags;
	uint32_t esp, ss;           /* only on entry from ring 3 */
};
/* A handler returns the frame to resume: its own, or another task's. */
typedef struct trapframe *trap_fn(struct trapframe *tf);
/* The last trap noted by trap_note or an exception-table fixup. */
struct trap_seen {
	uint32_t count, vector, err, cr2, cpl, eip;
};
extern struct trap_seen trap_seen;
extern uint64_t idt_table[256];
void trap_init(void);          /* after trap_set and trap_set_absent */
void trap_set(unsigned vector, trap_fn *fn, unsigned dpl);
void trap_set_absent(unsigned vector, unsigned dpl);
trap_fn trap_note;
void trap_seen_clear(void);
/* Prints the noted trap as " trap VV err EEEE [cr2 X] [cpl N]", or nothing. */
void trap_seen_print(int with_cpl);

/* pic.c */
void pic_init(void);
void pic_unmask(unsigned irq);
void pic_mask(unsigned irq);
void pic_eoi(unsigned irq);
void pit_start(uint32_t hz);

/* paging.c: 2-level 32-bit paging, or PAE when built with -DTBK_PAE. */
#ifdef TBK_PAE
typedef uint64_t pte_t;
#else
typedef uint32_t pte_t;
#endif
#define PTE_P 0x001u
#define PTE_W 0x002u
#define PTE_U 0x004u
void *page_alloc(void);
pte_t *vm_new(const pte_t *share);
void vm_map(pte_t *root, uint32_t va, uint32_t pa, uint32_t flags);
pte_t *vm_kernel(void);
void vm_enable(pte_t *root);
void vm_map_user(pte_t *root, int private_copy);

/* user.S, user.c: call fn(arg) at ring 3; it returns (edx:eax) through
 * int $0x80, which user_init routes back here. */
typedef uint64_t user_fn(uint32_t arg);
void user_init(pte_t *root);
uint64_t run_user(user_fn *fn, uint32_t arg);
__attribute__((noreturn)) void user_return(uint64_t v);
#endif /* __ASSEMBLER__ */
#endif
