/* Checkpoints: assembling tensors and metadata for safetensors, and ensembles in that form. */
#include <stdio.h>
#include <string.h>

#include "mbrl/checkpoint.h"
#include "mbrl/config.h"
#include "mbrl/core.h"

_Static_assert(sizeof(mbrl_act) == sizeof(int), "activations are stored as int");

/* an ensemble's architecture in the metadata "<prefix>arch", keys in this order */
#define A(m, nm, lo, hi) MBRL_CFG_INT(mbrl_mlp_config, m, nm, NULL, lo, hi, 0, NULL)
static const mbrl_field arch_fields[] = {
    A(E, "ensemble_size", 1, 1 << 16),
    A(in, "in", 1, 1 << 20),
    A(out, "out", 1, 1 << 20),
    A(n_hidden, "n_layers", 0, MBRL_MAX_LAYERS - 1),
    A(hidden, "size", 0, 1 << 20),
    MBRL_CFG_CHOICE(mbrl_mlp_config, act, "activation", NULL, mbrl_act_names, 0, NULL),
    MBRL_CFG_CHOICE(mbrl_mlp_config, out_act, "output_activation", NULL, mbrl_act_names, 0, NULL),
};
#undef A
static const mbrl_config_table arch_table = {"ensemble architecture", arch_fields,
                                             (int)(sizeof arch_fields / sizeof *arch_fields)};

void mbrl_checkpoint_init(mbrl_checkpoint *ck) { memset(ck, 0, sizeof *ck); }

void mbrl_checkpoint_free(mbrl_checkpoint *ck) {
  if (!ck) return;
  for (int i = 0; i < ck->n_meta; i++) mbrl_free(ck->values[i]);
  memset(ck, 0, sizeof *ck);
}

void mbrl_checkpoint_add(mbrl_checkpoint *ck, const char *name, mbrl_dtype dtype, const void *data, int ndim,
                         const int64_t *shape) {
  MBRL_ASSERT(ck->n < MBRL_CHECKPOINT_MAX && ndim >= 0 && ndim <= 4);
  MBRL_ASSERT(strlen(name) < sizeof ck->names[0]);
  int i = ck->n++;
  strcpy(ck->names[i], name);
  if (ndim) memcpy(ck->shapes[i], shape, (size_t)ndim * sizeof *shape);
  ck->t[i] = (mbrl_safetensors_tensor){
      .name = ck->names[i], .dtype = dtype, .ndim = ndim, .shape = ck->shapes[i], .data = data};
}

void mbrl_checkpoint_add_f32(mbrl_checkpoint *ck, const char *name, const float *data, int ndim,
                             const int64_t *shape) {
  mbrl_checkpoint_add(ck, name, MBRL_DTYPE_F32, data, ndim, shape);
}

int mbrl_checkpoint_get(const mbrl_safetensors *st, const char *name, mbrl_dtype dtype, void *out, size_t count,
                        char *err, size_t err_sz) {
  const mbrl_safetensors_tensor *t = mbrl_safetensors_find(st, name);
  if (!t) return mbrl_errf(err, err_sz, MBRL_ENOTFOUND, "tensor '%s' is missing", name);
  size_t n = 1;
  for (int d = 0; d < t->ndim; d++) n *= (size_t)t->shape[d];
  if (t->dtype != dtype || n != count)
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "tensor '%s' is %s of %zu elements, expected %s of %zu", name,
                     mbrl_dtype_name(t->dtype), n, mbrl_dtype_name(dtype), count);
  if (count) memcpy(out, t->data, count * mbrl_dtype_size(dtype));
  return MBRL_OK;
}

void mbrl_checkpoint_add_parts(mbrl_checkpoint *ck, const char *prefix, const mbrl_checkpoint_part *parts, int n) {
  char name[96];
  for (int i = 0; i < n; i++) {
    int64_t len = (int64_t)parts[i].n;
    snprintf(name, sizeof name, "%s%s", prefix, parts[i].name);
    mbrl_checkpoint_add(ck, name, parts[i].dtype, parts[i].data, 1, &len);
  }
}

int mbrl_checkpoint_get_parts(const mbrl_safetensors *st, const char *prefix, const mbrl_checkpoint_part *parts,
                              int n, char *err, size_t err_sz) {
  char name[96];
  int rc = MBRL_OK;
  for (int i = 0; i < n && !rc; i++) {
    snprintf(name, sizeof name, "%s%s", prefix, parts[i].name);
    rc = mbrl_checkpoint_get(st, name, parts[i].dtype, parts[i].data, parts[i].n, err, err_sz);
  }
  return rc;
}

void mbrl_checkpoint_add_meta(mbrl_checkpoint *ck, const char *key, const char *value) {
  MBRL_ASSERT(ck->n_meta < MBRL_CHECKPOINT_MAX);
  int i = ck->n_meta++;
  size_t kl = strlen(key) + 1, vl = strlen(value) + 1;
  /* key and value share one owned block */
  ck->values[i] = mbrl_alloc(kl + vl);
  memcpy(ck->values[i], key, kl);
  memcpy(ck->values[i] + kl, value, vl);
  ck->meta[i] = (mbrl_safetensors_meta){.key = ck->values[i], .value = ck->values[i] + kl};
}

void mbrl_checkpoint_add_ensemble(mbrl_checkpoint *ck, const char *prefix, const mbrl_ensemble *ens) {
  const mbrl_mlp_config *c = &ens->cfg;
  char name[96];
  for (int l = 0; l < ens->n_layers; l++) {
    int64_t ws[3] = {c->E, ens->dim[l + 1], ens->dim[l]}, bs[2] = {c->E, ens->dim[l + 1]};
    snprintf(name, sizeof name, "%slayer%d.weight", prefix, l);
    mbrl_checkpoint_add_f32(ck, name, ens->w[l], 3, ws);
    snprintf(name, sizeof name, "%slayer%d.bias", prefix, l);
    mbrl_checkpoint_add_f32(ck, name, ens->b[l], 2, bs);
  }
  char *json = mbrl_config_print(&arch_table, c);
  snprintf(name, sizeof name, "%sarch", prefix);
  mbrl_checkpoint_add_meta(ck, name, json);
  mbrl_free(json);
}

int mbrl_checkpoint_write(const mbrl_checkpoint *ck, const char *path, char *err, size_t err_sz) {
  return mbrl_safetensors_write(path, ck->t, ck->n, ck->meta, ck->n_meta, err, err_sz);
}

int mbrl_ensemble_load(mbrl_ensemble *ens, const mbrl_safetensors *st, const char *prefix, char *err,
                       size_t err_sz) {
  memset(ens, 0, sizeof *ens);
  char key[96];
  snprintf(key, sizeof key, "%sarch", prefix);
  const char *json = mbrl_safetensors_meta_get(st, key);
  char what[128];
  snprintf(what, sizeof what, "ensemble architecture '%s'", key);
  mbrl_mlp_config c = {0};
  int rc = mbrl_config_parse(&arch_table, &c, json, what, err, err_sz);
  if (rc) return rc;
  mbrl_rng r;
  mbrl_rng_init(&r, 0, 0);
  if ((rc = mbrl_ensemble_init(ens, &c, &r, err, err_sz))) return rc;
  for (int l = 0; l < ens->n_layers && !rc; l++) {
    int64_t ws[3] = {c.E, ens->dim[l + 1], ens->dim[l]}, bs[2] = {c.E, ens->dim[l + 1]};
    snprintf(key, sizeof key, "%slayer%d.weight", prefix, l);
    rc = mbrl_safetensors_get_f32(st, key, ens->w[l], 3, ws, err, err_sz);
    snprintf(key, sizeof key, "%slayer%d.bias", prefix, l);
    if (!rc) rc = mbrl_safetensors_get_f32(st, key, ens->b[l], 2, bs, err, err_sz);
  }
  if (rc) mbrl_ensemble_free(ens);
  return rc;
}

int mbrl_ensemble_save_file(const mbrl_ensemble *ens, const char *path, char *err, size_t err_sz) {
  mbrl_checkpoint ck;
  mbrl_checkpoint_init(&ck);
  mbrl_checkpoint_add_ensemble(&ck, "", ens);
  mbrl_checkpoint_add_meta(&ck, "format", "mbrl.ensemble.v1");
  int rc = mbrl_checkpoint_write(&ck, path, err, err_sz);
  mbrl_checkpoint_free(&ck);
  return rc;
}

int mbrl_ensemble_load_file(mbrl_ensemble *ens, const char *path, char *err, size_t err_sz) {
  memset(ens, 0, sizeof *ens);
  mbrl_safetensors *st;
  int rc = mbrl_safetensors_load(&st, path, err, err_sz);
  if (rc) return rc;
  rc = mbrl_ensemble_load(ens, st, "", err, err_sz);
  mbrl_safetensors_free(st);
  return rc;
}
