/* check.h — the one harness of the unit tests: CHECK(cond, fmt, ...) counts
 * a failure and prints it with its file, line and condition; check_done()
 * prints the count after the test's name and gives main's exit status. */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			check_failures++;				\
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__,	\
			       #cond);					\
			printf(__VA_ARGS__);				\
			printf("\n");					\
		}							\
	} while (0)

/* "NAME: [WHAT, ]N failures"; 0 when none. */
static inline int check_done(const char *name, const char *what)
{
	printf("%s: %s%s%d failures\n", name, what ? what : "", what ? ", " : "", check_failures);
	return check_failures != 0;
}

#endif
