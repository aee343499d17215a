/* NumPy .npy files (format version 1.0) for arrays such as loss curves. */
#ifndef MBRL_NPY_H
#define MBRL_NPY_H

#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(default)

/* most dimensions a written array may have */
#define MBRL_NPY_MAX_NDIM 32

/* Writes data (product(shape) floats, row-major; NULL when that is 0) with shape (ndim entries,
 * 0 <= ndim <= MBRL_NPY_MAX_NDIM; NULL when ndim is 0) to path as little-endian float32, through a
 * temporary file and a rename. */
int mbrl_npy_write_f32(const char *path, const float *data, int ndim, const int64_t *shape, char *err,
                       size_t err_sz);

#pragma GCC visibility pop

#endif
