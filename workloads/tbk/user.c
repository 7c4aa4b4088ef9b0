/* user.c — ring 3 for the kernels that run single user functions (conform,
 * adversarial): the .user section and a stack in the kernel's address
 * space, and int $0x80 as the way back to run_user's caller. */
#include "tbk.h"

static struct trapframe *user_exit(struct trapframe *tf)
{
	user_return((uint64_t)tf->edx << 32 | tf->eax);
}

void user_init(pte_t *root)
{
	vm_map_user(root, 0);
	trap_set(T_SYSCALL, user_exit, 3);
}
