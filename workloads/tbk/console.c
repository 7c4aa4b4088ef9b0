/* console.c — the test kernels' only output: polled COM1, a small printf,
 * the "<name>: up" / "<name>: done" protocol and the exit through QEMU's
 * isa-debug-exit port (a byte v ends QEMU with status v*2+1). */
#include <stdarg.h>
#include "tbk.h"

#define COM1       0x3f8
#define COM1_LSR   (COM1 + 5)
#define LSR_THRE   0x20
#define DEBUG_EXIT 0xf4

static const char *kernel_name = "tbk";

void con_putc(char c)
{
	while (!(inb(COM1_LSR) & LSR_THRE))
		;
	outb(COM1, (uint8_t)c);
}

void con_puts(const char *s)
{
	while (*s)
		con_putc(*s++);
}

static void put_num(uint32_t v, unsigned base, int width)
{
	char buf[10];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (width-- > n)
		con_putc('0');
	while (n)
		con_putc(buf[--n]);
}

static void con_vprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			con_putc(*fmt);
			continue;
		}
		int width = 0;
		while (*++fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt - '0');
		switch (*fmt) {
		case 's': con_puts(va_arg(ap, const char *)); break;
		case 'c': con_putc((char)va_arg(ap, int)); break;
		case 'u': put_num(va_arg(ap, uint32_t), 10, width); break;
		case 'x': put_num(va_arg(ap, uint32_t), 16, width); break;
		default: con_putc('%'); con_putc(*fmt); break;
		}
	}
}

void con_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	con_vprintf(fmt, ap);
	va_end(ap);
}

static __attribute__((noreturn)) void tbk_exit(uint8_t status)
{
	outb(DEBUG_EXIT, status);
	for (;;)   /* only without the exit device */
		__asm__ volatile("cli; hlt");
}

void tbk_up(const char *name)
{
	kernel_name = name;
	con_printf("%s: up\n", name);
}

void tbk_done(void)
{
	con_printf("%s: done\n", kernel_name);
	tbk_exit(0);
}

/* A broken expectation: the line names the kernel, the status is 1 (QEMU
 * exits with 3), and the test that booted it fails. */
void tbk_fail(const char *fmt, ...)
{
	va_list ap;

	con_printf("%s: FAIL: ", kernel_name);
	va_start(ap, fmt);
	con_vprintf(fmt, ap);
	va_end(ap);
	con_putc('\n');
	tbk_exit(1);
}

/* The kernels' copies; GCC may call it for struct copies too, even when
 * freestanding. */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *p = a, *q = b;

	for (size_t i = 0; i < n; i++)
		if (p[i] != q[i])
			return p[i] < q[i] ? -1 : 1;
	return 0;
}
