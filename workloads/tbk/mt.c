/* mt.c — multitasking: user tasks in their own address spaces (2-level
 * paging, or PAE as mt-pae), PIT-preempted, with system calls, a per-task
 * TLS descriptor and counters on the GDT and IDT pages (mt.h).  Nothing
 * printed depends on when the timer fires. */
#include "tbk.h"
#include "mt.h"

#ifdef TBK_PAE
#define MT_NAME "mt-pae"
#define MT_PAGING "pae"
#else
#define MT_NAME "mt"
#define MT_PAGING "2-level"
#endif

enum { SYS_WRITE = 1, SYS_GETID, SYS_YIELD, SYS_EXIT };

/* Each task's TLS page is mapped at TLS_VA; its descriptor's base is the
 * task's own slot in it, so a task that saw another task's descriptor would
 * read an empty slot. */
#define GDT_TLS    GDT_FREE
#define SEL_TLS    SEL(GDT_TLS, 3)
#define TLS_VA     0x40800000u
#define TLS_MAGIC  0x544c5300u
#define KSTACK_SIZE 4096
#define OUT_MAX    64

struct tls_slot {
	uint32_t id, magic;
	uint32_t preempted;    /* set by the timer when it interrupts the task */
	uint32_t unused;
};

enum task_state { TASK_FREE, TASK_RUNNABLE, TASK_EXITED };

struct task {
	uint8_t kstack[KSTACK_SIZE];   /* its ring-0 stack (tss.esp0) */
	struct trapframe *tf;          /* where it resumes */
	pte_t *root;
	struct tls_slot *tls;          /* the kernel's view of the task's slot */
	enum task_state state;
	uint32_t exit_code, syscalls, out_len;
	char out[OUT_MAX];             /* what it wrote, printed after all exit */
};

void tbk_main(uint32_t magic, const void *mbi);

/* Right after the GDT and the IDT on their pages (tbk.ld). */
GDT_HOT uint32_t hot_sys_lock;
GDT_HOT uint32_t hot_sys_calls;
GDT_HOT uint32_t hot_getids;
IDT_HOT uint32_t hot_io_lock;
IDT_HOT uint32_t hot_io_bytes;
IDT_HOT uint32_t hot_io_writes;

static struct task tasks[MT_TASKS];
static int current = -1;              /* -1: the idle loop in tbk_main */
static struct trapframe *idle_tf;
static unsigned live;
static pte_t *kernel_root;
static uint32_t ticks;                /* timer-touched: off the hot pages */

/* --- the user program: one copy per task --------------------------------- */

INLINE uint32_t sys(uint32_t nr, uint32_t a, uint32_t b)
{
	uint32_t r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b) : "memory");
	return r;
}

INLINE uint32_t tls_read(uint32_t off)
{
	uint32_t v;
	__asm__ volatile("movl %%gs:(%1), %0" : "=r"(v) : "r"(off));
	return v;
}

static const char msg_hello[] USER_RODATA = "hello from task ";
static const char msg_tls_ok[] USER_RODATA = ", tls ok\n";
static const char msg_tls_bad[] USER_RODATA = ", tls BAD\n";

USER_TEXT static void user_main(void)
{
	uint32_t id = sys(SYS_GETID, 0, 0);
	uint32_t ok = tls_read(0) == id && tls_read(4) == (TLS_MAGIC | id);
	uint32_t x = id + 1;
	/* Not through %gs: a TLS bug must show as "tls BAD", not as a hang. */
	const volatile struct tls_slot *slot = (struct tls_slot *)TLS_VA + id;

	/* Make sure the timer has taken the CPU away at least once. */
	while (!slot->preempted)
		;
	for (uint32_t r = 0; r < MT_ROUNDS; r++) {
		for (uint32_t i = 0; i < MT_ITERS; i++) {
			x = x * 1664525u + 1013904223u;
			x ^= x >> 13;
		}
		sys(SYS_YIELD, 0, 0);
		uint32_t gid = sys(SYS_GETID, 0, 0);
		ok &= (gid == id) & (tls_read(0) == id);
	}
	char digit = (char)('0' + id);
	sys(SYS_WRITE, (uint32_t)msg_hello, sizeof(msg_hello) - 1);
	sys(SYS_WRITE, (uint32_t)&digit, 1);
	if (ok)
		sys(SYS_WRITE, (uint32_t)msg_tls_ok, sizeof(msg_tls_ok) - 1);
	else
		sys(SYS_WRITE, (uint32_t)msg_tls_bad, sizeof(msg_tls_bad) - 1);
	sys(SYS_EXIT, x, 0);
}

/* --- scheduling ------------------------------------------------------------ */

static struct trapframe *switch_to(int id)
{
	struct task *t = &tasks[id];

	current = id;
	tss.esp0 = (uint32_t)(t->kstack + KSTACK_SIZE);
	/* Like Linux's load_TLS: the entry changes, the selector does not; the
	 * pop of %gs on the way out of trap.S loads the new base. */
	gdt_table[GDT_TLS] = desc_seg(TLS_VA + id * sizeof(struct tls_slot),
				      sizeof(struct tls_slot) - 1,
				      ACC_P | ACC_DPL(3) | ACC_DATA, DF_BYTES_32);
	write_cr3((uint32_t)t->root);
	return t->tf;
}

/* Round robin from the task after the current one; the idle loop when no
 * task is left. */
static struct trapframe *schedule(struct trapframe *tf)
{
	if (current < 0)
		idle_tf = tf;
	else
		tasks[current].tf = tf;
	for (int i = 1; i <= MT_TASKS; i++) {
		int n = (current + i + MT_TASKS) % MT_TASKS;
		if (tasks[n].state == TASK_RUNNABLE)
			return switch_to(n);
	}
	current = -1;
	write_cr3((uint32_t)kernel_root);
	return idle_tf;
}

static struct trapframe *timer(struct trapframe *tf)
{
	ticks++;
	pic_eoi(0);
	if (current >= 0)
		tasks[current].tls->preempted = 1;
	return schedule(tf);
}

/* --- system calls: interrupt gate, so IF is clear and no lock holder is
 * ever preempted: every xchg finds its lock free, once. ---------------------- */

static void spin_lock(uint32_t *lock)
{
	while (HOT_XCHG(*lock, 1))
		__asm__ volatile("pause");
}

static void spin_unlock(uint32_t *lock)
{
	HOT_STORE(*lock, 0);
}

static uint32_t sys_write(struct task *t, uint32_t p, uint32_t len)
{
	if (p < USER_BASE || p + len < p || p + len > USER_STACK_TOP ||
	    len > OUT_MAX - t->out_len)
		return (uint32_t)-1;
	memcpy(t->out + t->out_len, (const void *)p, len);
	t->out_len += len;
	spin_lock(&hot_io_lock);
	HOT_ADD(hot_io_bytes, len);
	HOT_INC(hot_io_writes);
	spin_unlock(&hot_io_lock);
	return len;
}

static struct trapframe *syscall(struct trapframe *tf)
{
	struct task *t = &tasks[current];

	spin_lock(&hot_sys_lock);
	HOT_INC(hot_sys_calls);
	spin_unlock(&hot_sys_lock);
	t->syscalls++;
	switch (tf->eax) {
	case SYS_WRITE:
		tf->eax = sys_write(t, tf->ebx, tf->ecx);
		return tf;
	case SYS_GETID:
		HOT_INC(*(uint32_t *)((uint32_t)&hot_getids + MT_ALIAS_OFFSET));
		tf->eax = (uint32_t)current;
		return tf;
	case SYS_YIELD:
		return schedule(tf);
	case SYS_EXIT:
		t->exit_code = tf->ebx;
		t->state = TASK_EXITED;
		live--;
		return schedule(tf);
	}
	tf->eax = (uint32_t)-1;
	return tf;
}

/* --- set-up and report ----------------------------------------------------- */

static void task_create(int id)
{
	struct task *t = &tasks[id];
	struct tls_slot *tls_page = page_alloc();

	t->root = vm_new(kernel_root);
	vm_map_user(t->root, 1);
	vm_map(t->root, TLS_VA, (uint32_t)tls_page, PTE_W | PTE_U);
	t->tls = &tls_page[id];
	t->tls->id = id;
	t->tls->magic = TLS_MAGIC | id;
	t->tf = (struct trapframe *)(t->kstack + KSTACK_SIZE) - 1;
	*t->tf = (struct trapframe){
		.gs = SEL_TLS, .fs = SEL_UDATA, .es = SEL_UDATA, .ds = SEL_UDATA,
		.eip = (uint32_t)user_main, .cs = SEL_UCODE, .eflags = FL_IF | FL_FIXED,
		.esp = USER_STACK_TOP, .ss = SEL_UDATA,
	};
	t->state = TASK_RUNNABLE;
	live++;
}

/* The kernel and, at MT_ALIAS_OFFSET above it, a second mapping of the page
 * that holds hot_getids — the GDT page in tbk.ld's layout; a link-order
 * variant (docs/experiments.md) may put it elsewhere — made before the
 * tasks' roots, which share both. */
static void memory_init(void)
{
	uint32_t alias_page = (uint32_t)&hot_getids & ~(PAGE_SIZE - 1);

	kernel_root = vm_kernel();
	vm_map(kernel_root, alias_page + MT_ALIAS_OFFSET, alias_page, PTE_W);
	for (int id = 0; id < MT_TASKS; id++)
		task_create(id);
	vm_enable(kernel_root);
}

static void report(void)
{
	for (int id = 0; id < MT_TASKS; id++) {
		struct task *t = &tasks[id];
		t->out[t->out_len < OUT_MAX ? t->out_len : OUT_MAX - 1] = 0;
		con_printf("task %u: exit %08x, %u system calls, wrote: %s", id,
			   t->exit_code, t->syscalls, t->out);
	}
	uint32_t calls = HOT_LOAD(hot_sys_calls), getids = HOT_LOAD(hot_getids);
	uint32_t bytes = HOT_LOAD(hot_io_bytes), writes = HOT_LOAD(hot_io_writes);
	con_printf("system calls: %u\n", calls);
	con_printf("get-task-id calls counted through the gdt alias: %u\n", getids);
	con_printf("bytes written: %u in %u calls\n", bytes, writes);
	con_printf("ticks > 0: %u\n", ticks > 0);
	if (calls != MT_SYSCALLS || getids != MT_TASKS * MT_GETIDS ||
	    writes != MT_TASKS * MT_WRITES)
		tbk_fail("counters disagree with mt.h");
}

void tbk_main(uint32_t magic, const void *mbi)
{
	(void)mbi;
	tbk_up(MT_NAME);
	if (magic != 0x2BADB002)
		tbk_fail("not booted through Multiboot");
	cpu_init();
	pic_init();
	trap_set(T_IRQ0, timer, 0);
	trap_set(T_SYSCALL, syscall, 3);
	trap_init();
	memory_init();
	con_printf("paging %s, %u tasks at %08x\n", MT_PAGING, MT_TASKS, USER_BASE);

	pit_start(MT_HZ);
	pic_unmask(0);
	cli();
	while (live) {
		sti_hlt();   /* the tick switches to a task; back here when none is left */
		cli();
	}
	pic_mask(0);
	report();
	tbk_done();
}
