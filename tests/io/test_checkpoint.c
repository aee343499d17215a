/* Ensemble checkpoints: bit-exact round trip, and clean failures on wrong, truncated or garbled
 * files. */
#include <criterion/criterion.h>
#include <string.h>

#include "io_test.h"
#include "mbrl/checkpoint.h"
#include "mbrl/core.h"

static void make_ensemble(mbrl_ensemble *ens, int E, mbrl_act act) {
  mbrl_rng r;
  mbrl_rng_init(&r, 11, (uint64_t)E);
  mbrl_mlp_config cfg = {.E = E, .in = 5, .out = 3, .n_hidden = 2, .hidden = 8, .act = act};
  cr_assert_eq(mbrl_ensemble_init(ens, &cfg, &r, NULL, 0), 0);
}

static void write_bytes(const char *path, const unsigned char *p, size_t n) {
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f);
  cr_assert_eq(fwrite(p, 1, n, f), n);
  fclose(f);
}

Test(checkpoint, ensemble_round_trip_is_bit_exact) {
  char dir[64], path[128], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/model.safetensors", dir);
  mbrl_ensemble a, b;
  make_ensemble(&a, 3, MBRL_ACT_SILU);
  a.params[0] = -0.0f;
  cr_assert_eq(mbrl_ensemble_save_file(&a, path, err, sizeof err), 0, "%s", err);
  cr_assert_eq(mbrl_ensemble_load_file(&b, path, err, sizeof err), 0, "%s", err);
  cr_assert_eq(memcmp(&a.cfg, &b.cfg, sizeof a.cfg), 0);
  cr_assert_eq(a.n_params, b.n_params);
  cr_assert_eq(memcmp(a.params, b.params, a.n_params * sizeof(float)), 0);
  /* and the loaded one computes the same function */
  float x[3 * 4 * 5], ya[3 * 4 * 3], yb[3 * 4 * 3];
  for (int i = 0; i < 60; i++) x[i] = 0.1f * (float)(i % 7) - 0.3f;
  mbrl_ensemble_work wa, wb;
  mbrl_ensemble_work_init(&wa, &a, 4);
  mbrl_ensemble_work_init(&wb, &b, 4);
  mbrl_ensemble_forward(&a, &wa, ya, x, 4);
  mbrl_ensemble_forward(&b, &wb, yb, x, 4);
  cr_assert_eq(memcmp(ya, yb, sizeof ya), 0);
  mbrl_ensemble_work_free(&wa), mbrl_ensemble_work_free(&wb);
  mbrl_ensemble_free(&a), mbrl_ensemble_free(&b);
  io_test_rmtree(dir);
}

Test(checkpoint, tensors_are_stacked_per_layer_as_pytorch_stores_them) {
  char dir[64], path[128], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/m.safetensors", dir);
  mbrl_ensemble a;
  make_ensemble(&a, 2, MBRL_ACT_TANH);
  cr_assert_eq(mbrl_ensemble_save_file(&a, path, err, sizeof err), 0, "%s", err);
  mbrl_safetensors *st;
  mbrl_safetensors_load(&st, path, err, sizeof err);
  cr_assert_not_null(st, "%s", err);
  const mbrl_safetensors_tensor *t = mbrl_safetensors_find(st, "layer1.weight");
  cr_assert_not_null(t);
  cr_assert_eq(t->ndim, 3);
  cr_assert(t->shape[0] == 2 && t->shape[1] == 8 && t->shape[2] == 8);
  t = mbrl_safetensors_find(st, "layer2.bias");
  cr_assert(t && t->ndim == 2 && t->shape[0] == 2 && t->shape[1] == 3);
  const char *arch = mbrl_safetensors_meta_get(st, "arch");
  cr_assert(arch && strstr(arch, "\"activation\":\"tanh\""), "%s", arch ? arch : "(none)");
  mbrl_safetensors_free(st);
  mbrl_ensemble_free(&a);
  io_test_rmtree(dir);
}

Test(checkpoint, wrong_shapes_and_architecture_fail_cleanly) {
  char dir[64], path[128], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/m.safetensors", dir);
  mbrl_ensemble a, b;
  make_ensemble(&a, 2, MBRL_ACT_TANH);

  /* a weight of the wrong shape under a correct architecture */
  mbrl_checkpoint ck;
  mbrl_checkpoint_init(&ck);
  mbrl_checkpoint_add_ensemble(&ck, "", &a);
  ck.shapes[2][1] = 4, ck.shapes[2][2] = 16; /* layer1.weight: same size, wrong shape */
  cr_assert_eq(mbrl_checkpoint_write(&ck, path, err, sizeof err), 0, "%s", err);
  mbrl_checkpoint_free(&ck);
  cr_assert_eq(mbrl_ensemble_load_file(&b, path, err, sizeof err), MBRL_EFORMAT);
  cr_assert(strstr(err, "layer1.weight") != NULL, "%s", err);

  /* an architecture that does not parse, or names an unknown activation */
  const char *archs[] = {"not json", "{\"ensemble_size\":2}", "{\"ensemble_size\":2,\"in\":5,\"out\":3,"
                         "\"n_layers\":2,\"size\":8,\"activation\":\"sigmoidal\",\"output_activation\":\"identity\"}",
                         "{\"ensemble_size\":-1,\"in\":5,\"out\":3,\"n_layers\":2,\"size\":8,"
                         "\"activation\":\"tanh\",\"output_activation\":\"identity\"}"};
  for (size_t i = 0; i < sizeof archs / sizeof *archs; i++) {
    mbrl_checkpoint_init(&ck);
    for (int l = 0; l < a.n_layers; l++) {
      char name[32];
      int64_t ws[3] = {2, a.dim[l + 1], a.dim[l]}, bs[2] = {2, a.dim[l + 1]};
      snprintf(name, sizeof name, "layer%d.weight", l);
      mbrl_checkpoint_add_f32(&ck, name, a.w[l], 3, ws);
      snprintf(name, sizeof name, "layer%d.bias", l);
      mbrl_checkpoint_add_f32(&ck, name, a.b[l], 2, bs);
    }
    mbrl_checkpoint_add_meta(&ck, "arch", archs[i]);
    cr_assert_eq(mbrl_checkpoint_write(&ck, path, err, sizeof err), 0, "%s", err);
    mbrl_checkpoint_free(&ck);
    err[0] = 0;
    cr_assert_eq(mbrl_ensemble_load_file(&b, path, err, sizeof err), MBRL_EFORMAT, "arch %zu", i);
    cr_assert(strstr(err, "architecture") != NULL, "arch %zu: %s", i, err);
  }
  mbrl_ensemble_free(&a);
  io_test_rmtree(dir);
}

Test(checkpoint, truncated_and_garbled_files_fail_cleanly) {
  char dir[64], path[128], bad[128], err[256];
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/m.safetensors", dir);
  snprintf(bad, sizeof bad, "%s/bad.safetensors", dir);
  mbrl_ensemble a, b;
  make_ensemble(&a, 2, MBRL_ACT_RELU);
  cr_assert_eq(mbrl_ensemble_save_file(&a, path, err, sizeof err), 0);
  size_t n;
  unsigned char *bytes = io_test_slurp(path, &n);
  cr_assert_not_null(bytes);
  /* every truncation fails with a message */
  for (size_t len = 0; len < n; len += 7) {
    write_bytes(bad, bytes, len);
    err[0] = 0;
    cr_assert_neq(mbrl_ensemble_load_file(&b, bad, err, sizeof err), 0, "length %zu", len);
    cr_assert(err[0] != 0);
  }
  /* garbled bytes either load (data bytes hit) or fail with a message, never crash */
  mbrl_rng r;
  mbrl_rng_init(&r, 5, 0);
  int failed = 0;
  for (int k = 0; k < 200; k++) {
    unsigned char *copy = malloc(n);
    memcpy(copy, bytes, n);
    for (int j = 0; j < 3; j++) copy[mbrl_rng_below(&r, n)] ^= (unsigned char)(1 + mbrl_rng_below(&r, 255));
    write_bytes(bad, copy, n);
    free(copy);
    err[0] = 0;
    if (mbrl_ensemble_load_file(&b, bad, err, sizeof err) == 0)
      mbrl_ensemble_free(&b);
    else {
      failed++;
      cr_assert(err[0] != 0);
    }
  }
  cr_assert(failed > 0);
  free(bytes);
  mbrl_ensemble_free(&a);
  io_test_rmtree(dir);
}
