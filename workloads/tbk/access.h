/* access.h — one-instruction accesses to data on protected pages, so that
 * each access in the source is exactly one trap under the monitor (the
 * counts in hot.h and mt.h depend on it).  No includes: the tests run the
 * count headers through cpp. */
#ifndef TBK_ACCESS_H
#define TBK_ACCESS_H

#define HOT_LOAD(var) ({ uint32_t v_; __asm__ volatile("movl %1, %0" : "=r"(v_) : "m"(var)); v_; })
#define HOT_STORE(var, v) __asm__ volatile("movl %1, %0" : "=m"(var) : "r"((uint32_t)(v)))
#define HOT_INC(var) __asm__ volatile("lock incl %0" : "+m"(var))
#define HOT_DEC(var) __asm__ volatile("lock decl %0" : "+m"(var))
#define HOT_ADD(var, n) __asm__ volatile("lock addl %1, %0" : "+m"(var) : "r"((uint32_t)(n)))
/* xchg with memory is locked without a prefix; one write access. */
#define HOT_XCHG(var, v) ({ uint32_t v_ = (v); __asm__ volatile("xchgl %0, %1" : "+r"(v_), "+m"(var)); v_; })

#endif
