/* Error codes, messages, assertion failure, aligned allocation and the finite-values check. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbrl/core.h"

const char *mbrl_strerror(int code) {
  switch (code) {
    case MBRL_OK: return "ok";
    case MBRL_EINVAL: return "invalid argument";
    case MBRL_EIO: return "input/output error";
    case MBRL_EFORMAT: return "malformed file";
    case MBRL_ENOMEM: return "out of memory";
    case MBRL_ENUMERIC: return "NaN or Inf";
    case MBRL_EUNSUPPORTED: return "unsupported";
    case MBRL_ENOTFOUND: return "not found";
    case MBRL_EBACKEND: return "math library error";
    default: return "unknown error";
  }
}

int mbrl_errf(char *err, size_t err_sz, int code, const char *fmt, ...) {
  if (err && err_sz > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_sz, fmt, ap);
    va_end(ap);
  }
  return code;
}

void mbrl_assert_fail(const char *cond, const char *file, int line) {
  fprintf(stderr, "mbrl: assertion failed: %s (%s:%d)\n", cond, file, line);
  abort();
}

void *mbrl_alloc(size_t n) {
  /* round up to the alignment, as aligned_alloc requires */
  size_t sz = (n + 63) & ~(size_t)63;
  if (sz == 0) sz = 64;
  void *p = aligned_alloc(64, sz);
  if (!p) {
    fprintf(stderr, "mbrl: out of memory allocating %zu bytes\n", n);
    abort();
  }
  memset(p, 0, sz);
  return p;
}

void mbrl_free(void *p) { free(p); }

int mbrl_all_finite(const float *x, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(x[i])) return 0;
  return 1;
}
