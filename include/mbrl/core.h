/* mbrl core: error codes, assertions, aligned allocation, threads, timing. */
#ifndef MBRL_CORE_H
#define MBRL_CORE_H

#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(default)

/* error codes: functions that can fail return 0 or one of these (negative) */
enum {
  MBRL_OK = 0,
  MBRL_EINVAL = -1,      /* bad argument or value */
  MBRL_EIO = -2,         /* file could not be opened, read or written */
  MBRL_EFORMAT = -3,     /* file content is malformed */
  MBRL_ENOMEM = -4,      /* allocation failed */
  MBRL_ENUMERIC = -5,    /* NaN or Inf met */
  MBRL_EUNSUPPORTED = -6,/* feature not available on this machine or build */
  MBRL_ENOTFOUND = -7,   /* named thing does not exist */
  MBRL_EBACKEND = -8     /* the math library refused an operation */
};

/* Short name of an error code ("invalid argument", ...). */
const char *mbrl_strerror(int code);

/* Writes a printf-style message into err (may be NULL, err_sz bytes) and returns code. */
int mbrl_errf(char *err, size_t err_sz, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Prints the failed condition to stderr and aborts; used for programmer errors. */
_Noreturn void mbrl_assert_fail(const char *cond, const char *file, int line);

/* Checks a programmer-error condition, in release builds too. */
#define MBRL_ASSERT(c) ((c) ? (void)0 : mbrl_assert_fail(#c, __FILE__, __LINE__))

/* Returns n zeroed bytes aligned to 64; aborts when memory is exhausted. */
void *mbrl_alloc(size_t n);

/* Frees memory from mbrl_alloc; NULL is a no-op. */
void mbrl_free(void *p);

/* Whether the n values of x are all finite (no NaN or Inf). */
int mbrl_all_finite(const float *x, size_t n);

/* Sets the number of threads for float work (n <= 0: all cores) and flushes denormals on each. */
void mbrl_threads_set(int n);

/* Number of threads float work runs on. */
int mbrl_threads_get(void);

/* Flushes denormals to zero (FTZ and DAZ) on the calling thread. */
void mbrl_ftz_enable(void);

/* Monotonic wall-clock time in seconds. */
double mbrl_time_now(void);

#pragma GCC visibility pop

#endif
