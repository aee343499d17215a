/* NumPy .npy writer: version 1.0 header padded so the data starts at a multiple of 64 bytes. */
#include "mbrl/npy.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "io/file.h"
#include "mbrl/core.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "floats are written as '<f4' bytes");

int mbrl_npy_write_f32(const char *path, const float *data, int ndim, const int64_t *shape, char *err,
                       size_t err_sz) {
  MBRL_ASSERT(path && (shape || ndim == 0));
  if (ndim < 0 || ndim > MBRL_NPY_MAX_NDIM)
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "%s: %d dimensions (at most %d)", path, ndim,
                     MBRL_NPY_MAX_NDIM);

  /* the header dict as numpy writes it: "(5,)" for one dimension, "(2, 3)" for more */
  char dims[MBRL_NPY_MAX_NDIM * 24 + 8];
  size_t k = 0;
  uint64_t numel = 1;
  int overflow = 0;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0)
      return mbrl_errf(err, err_sz, MBRL_EINVAL, "%s: shape entry %d is %" PRId64, path, i, shape[i]);
    overflow |= __builtin_mul_overflow(numel, (uint64_t)shape[i], &numel);
    k += (size_t)snprintf(dims + k, sizeof dims - k, "%s%" PRId64, i ? ", " : "", shape[i]);
  }
  if (ndim == 1) dims[k++] = ',';
  dims[k] = '\0';
  if (overflow || numel > SIZE_MAX / sizeof(float))
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "%s: array too large", path);
  MBRL_ASSERT(data || numel == 0);

  char header[sizeof dims + 192];
  int len = snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", dims);
  /* magic (6) + version (2) + header length (2) + dict + spaces + '\n' is a multiple of 64 */
  size_t total = ((size_t)10 + (size_t)len + 1 + 63) & ~(size_t)63;
  size_t hlen = total - 10;
  memset(header + len, ' ', hlen - 1 - (size_t)len);
  header[hlen - 1] = '\n';
  uint8_t pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (uint8_t)(hlen & 0xff), (uint8_t)(hlen >> 8)};

  mbrl_io_atomic a;
  int rc = mbrl_io_atomic_open(&a, path, err, err_sz);
  if (rc != MBRL_OK) return rc;
  rc = mbrl_io_atomic_write(&a, pre, sizeof pre, err, err_sz);
  if (rc == MBRL_OK) rc = mbrl_io_atomic_write(&a, header, hlen, err, err_sz);
  if (rc == MBRL_OK) rc = mbrl_io_atomic_write(&a, data, (size_t)numel * sizeof(float), err, err_sz);
  if (rc == MBRL_OK) return mbrl_io_atomic_commit(&a, err, err_sz);
  mbrl_io_atomic_abort(&a);
  return rc;
}
