/* kill.c — the end of a run the guest did not choose: the reason goes to
 * the ring header (ring.c), which `ringmon run` prints, then QEMU exits
 * through isa-debug-exit with a status no guest writes. */
#include <stdarg.h>
#include "kill.h"
#include "lib.h"
#include "ring.h"
#include "x86.h"

static void __attribute__((noreturn)) end_run(enum ring_state state, const char *reason)
{
	ring_finish(state, 0, reason);
	outb(0xf4, 0x7f);   /* isa-debug-exit: QEMU ends */
	for (;;)
		__asm__ volatile("cli; hlt");
}

void vcpu_kill(const char *fmt, ...)
{
	char reason[RING_REASON_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnformat(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	end_run(RING_STATE_KILLED, reason);
}

void vcpu_halted(void)
{
	end_run(RING_STATE_HALTED, "guest halted with interrupts off");
}

void vcpu_stopped(void)
{
	end_run(RING_STATE_STOPPED, "stopped by the host (--until matched)");
}
