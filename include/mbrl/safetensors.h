/* Safetensors checkpoints: a validated loader and an atomic writer.
 *
 * File layout: 8-byte little-endian header length N, N bytes of UTF-8 JSON (padded with spaces
 * to a multiple of 8) mapping each tensor name to {"dtype", "shape", "data_offsets": [begin, end]}
 * plus an optional "__metadata__" object of string values, then the raw little-endian data, with
 * offsets relative to the start of that data section.
 */
#ifndef MBRL_SAFETENSORS_H
#define MBRL_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(default)

/* element types of the format (sub-byte types are not supported) */
typedef enum mbrl_dtype {
  MBRL_DTYPE_BOOL,
  MBRL_DTYPE_U8,
  MBRL_DTYPE_I8,
  MBRL_DTYPE_F8_E5M2,
  MBRL_DTYPE_F8_E4M3,
  MBRL_DTYPE_U16,
  MBRL_DTYPE_I16,
  MBRL_DTYPE_F16,
  MBRL_DTYPE_BF16,
  MBRL_DTYPE_U32,
  MBRL_DTYPE_I32,
  MBRL_DTYPE_F32,
  MBRL_DTYPE_U64,
  MBRL_DTYPE_I64,
  MBRL_DTYPE_F64,
  MBRL_DTYPE_COUNT
} mbrl_dtype;

/* One tensor: to write, or as found in a loaded file. */
typedef struct mbrl_safetensors_tensor {
  const char *name;      /* UTF-8, unique, not "__metadata__" */
  mbrl_dtype dtype;
  int ndim;              /* 0 for a scalar */
  const int64_t *shape;  /* (ndim) sizes, each >= 0 */
  const void *data;      /* product(shape) elements, little-endian; may be unaligned when loaded */
} mbrl_safetensors_tensor;

/* One "__metadata__" entry: UTF-8 key and value. */
typedef struct mbrl_safetensors_meta {
  const char *key;
  const char *value;
} mbrl_safetensors_meta;

/* A loaded, fully validated file; read-only. */
typedef struct mbrl_safetensors mbrl_safetensors;

/* Format name of a dtype ("F32"), or NULL for a value out of range. */
const char *mbrl_dtype_name(mbrl_dtype dtype);

/* Size in bytes of one element of dtype. */
size_t mbrl_dtype_size(mbrl_dtype dtype);

/* Writes tensors (n) and metadata (n_meta; may be NULL when 0) to path.tmp, then renames it to
 * path, so path is either the old file or the complete new one. */
int mbrl_safetensors_write(const char *path, const mbrl_safetensors_tensor *tensors, int n,
                           const mbrl_safetensors_meta *meta, int n_meta, char *err, size_t err_sz);

/* Reads and validates the whole file into *st; returns 0, or a negative code with a message in err
 * (may be NULL) and *st NULL: MBRL_ENOTFOUND for a file that does not exist, MBRL_EIO for one that
 * cannot be read, MBRL_EFORMAT for one that is not valid safetensors. */
int mbrl_safetensors_load(mbrl_safetensors **st, const char *path, char *err, size_t err_sz);

/* Validates a file image of n bytes held in memory and copies it into *st; returns 0 or
 * MBRL_EFORMAT with a message. */
int mbrl_safetensors_load_mem(mbrl_safetensors **st, const void *buf, size_t n, char *err, size_t err_sz);

/* Frees a loaded file; NULL is a no-op. */
void mbrl_safetensors_free(mbrl_safetensors *st);

/* Number of tensors in the file. */
int mbrl_safetensors_count(const mbrl_safetensors *st);

/* The i-th tensor in name order, 0 <= i < count; valid until the file is freed. */
const mbrl_safetensors_tensor *mbrl_safetensors_at(const mbrl_safetensors *st, int i);

/* The tensor called name, or NULL when there is none. */
const mbrl_safetensors_tensor *mbrl_safetensors_find(const mbrl_safetensors *st, const char *name);

/* Copies tensor name into out (product(expect_shape) floats) after checking that it exists
 * (else MBRL_ENOTFOUND), is F32 and has exactly the shape expect_shape (ndim) (else MBRL_EFORMAT);
 * expect_shape may be NULL when ndim is 0. */
int mbrl_safetensors_get_f32(const mbrl_safetensors *st, const char *name, float *out, int ndim,
                             const int64_t *expect_shape, char *err, size_t err_sz);

/* Metadata value for key, or NULL when absent. */
const char *mbrl_safetensors_meta_get(const mbrl_safetensors *st, const char *key);

/* Number of metadata entries; entry i (0 <= i < count) through mbrl_safetensors_meta_at. */
int mbrl_safetensors_meta_count(const mbrl_safetensors *st);

/* The i-th metadata entry in file order. */
mbrl_safetensors_meta mbrl_safetensors_meta_at(const mbrl_safetensors *st, int i);

#pragma GCC visibility pop

#endif
