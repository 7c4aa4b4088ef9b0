/* kill.h — how the monitor stops the guest for good. */
#ifndef KILL_H
#define KILL_H

/* Record the first reason in the ring header, let the host drain the
 * ring, end QEMU.  For guest misbehaviour and monitor panics alike. */
void vcpu_kill(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
