/* Checkpoints: collect named tensors and metadata, write them as safetensors, and save or load
 * MLP ensembles in that form (weights stacked per layer, architecture as JSON metadata), so
 * Python opens them with the safetensors or numpy packages. */
#ifndef MBRL_CHECKPOINT_H
#define MBRL_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "mbrl/nn.h"
#include "mbrl/safetensors.h"

#pragma GCC visibility push(default)

#define MBRL_CHECKPOINT_MAX 64

/* A checkpoint being assembled; tensors point at caller memory that must outlive the write. */
typedef struct mbrl_checkpoint {
  int n, n_meta;
  mbrl_safetensors_tensor t[MBRL_CHECKPOINT_MAX];
  mbrl_safetensors_meta meta[MBRL_CHECKPOINT_MAX];
  char names[MBRL_CHECKPOINT_MAX][96];
  int64_t shapes[MBRL_CHECKPOINT_MAX][4];
  char *values[MBRL_CHECKPOINT_MAX]; /* owned copies of metadata values */
} mbrl_checkpoint;

/* Starts an empty checkpoint. */
void mbrl_checkpoint_init(mbrl_checkpoint *ck);

/* Frees the metadata copies; NULL is a no-op. */
void mbrl_checkpoint_free(mbrl_checkpoint *ck);

/* Adds a float32 tensor of shape (ndim <= 4) whose data stays owned by the caller. */
void mbrl_checkpoint_add_f32(mbrl_checkpoint *ck, const char *name, const float *data, int ndim,
                             const int64_t *shape);

/* Adds a tensor of any dtype likewise. */
void mbrl_checkpoint_add(mbrl_checkpoint *ck, const char *name, mbrl_dtype dtype, const void *data, int ndim,
                         const int64_t *shape);

/* Copies the tensor name of a loaded file into out after checking that it exists (else
 * MBRL_ENOTFOUND) and has dtype and exactly count elements (else MBRL_EFORMAT). */
int mbrl_checkpoint_get(const mbrl_safetensors *st, const char *name, mbrl_dtype dtype, void *out, size_t count,
                        char *err, size_t err_sz);

/* A named block of memory to save as a one-dimensional tensor of n elements, or to load into. */
typedef struct mbrl_checkpoint_part {
  const char *name;
  mbrl_dtype dtype;
  void *data;
  size_t n;
} mbrl_checkpoint_part;

/* Adds parts (n) as tensors named <prefix><name>; and copies them back from a loaded file with
 * mbrl_checkpoint_get's checks, stopping at the first failure. */
void mbrl_checkpoint_add_parts(mbrl_checkpoint *ck, const char *prefix, const mbrl_checkpoint_part *parts, int n);
int mbrl_checkpoint_get_parts(const mbrl_safetensors *st, const char *prefix, const mbrl_checkpoint_part *parts,
                              int n, char *err, size_t err_sz);

/* Adds a metadata entry; the value is copied. */
void mbrl_checkpoint_add_meta(mbrl_checkpoint *ck, const char *key, const char *value);

/* Adds an ensemble's tensors as <prefix>layer<l>.weight (E x out x in) and <prefix>layer<l>.bias
 * (E x out), and its architecture as JSON under the metadata key <prefix>arch. */
void mbrl_checkpoint_add_ensemble(mbrl_checkpoint *ck, const char *prefix, const mbrl_ensemble *ens);

/* Writes the checkpoint atomically to path. */
int mbrl_checkpoint_write(const mbrl_checkpoint *ck, const char *path, char *err, size_t err_sz);

/* Builds ens (which must be uninitialised or freed) from the tensors under prefix in a loaded file,
 * checking the architecture, every dtype and every shape. */
int mbrl_ensemble_load(mbrl_ensemble *ens, const mbrl_safetensors *st, const char *prefix, char *err,
                       size_t err_sz);

/* Saves one ensemble alone to path (prefix "" and no other tensors). */
int mbrl_ensemble_save_file(const mbrl_ensemble *ens, const char *path, char *err, size_t err_sz);

/* Loads an ensemble saved by mbrl_ensemble_save_file. */
int mbrl_ensemble_load_file(mbrl_ensemble *ens, const char *path, char *err, size_t err_sz);

#pragma GCC visibility pop

#endif
