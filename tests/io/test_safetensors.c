/* Tests of safetensors checkpoints: bit-exact round trips, metadata, and malformed files that must
 * fail cleanly with a message. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_test.h"
#include "mbrl/core.h"
#include "mbrl/rng.h"
#include "mbrl/safetensors.h"

/* a file image: 8-byte length (hlen, or strlen(json) when hlen is ~0), json, then data_len bytes */
static unsigned char *image(const char *json, uint64_t hlen, size_t data_len, size_t *n) {
  size_t jl = strlen(json);
  if (hlen == ~(uint64_t)0) hlen = jl;
  *n = 8 + jl + data_len;
  unsigned char *p = malloc(*n);
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(hlen >> (8 * i));
  memcpy(p + 8, json, jl);
  for (size_t i = 0; i < data_len; i++) p[8 + jl + i] = (unsigned char)(i * 37 + 1);
  return p;
}

/* loads json plus data_len bytes of data from memory; the image is freed before returning */
static mbrl_safetensors *load_json(const char *json, size_t data_len, char *err, size_t err_sz) {
  size_t n;
  unsigned char *p = image(json, ~(uint64_t)0, data_len, &n);
  mbrl_safetensors *st;
  mbrl_safetensors_load_mem(&st, p, n, err, err_sz);
  free(p);
  return st;
}

/* asserts that json with data_len data bytes is refused with a message containing want */
static void expect_bad(const char *json, size_t data_len, const char *want) {
  char err[256] = "";
  mbrl_safetensors *st = load_json(json, data_len, err, sizeof err);
  cr_assert_null(st, "accepted: %s", json);
  cr_assert(strstr(err, want) != NULL, "message \"%s\" lacks \"%s\"", err, want);
}

static float bits_f32(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}

Test(safetensors, round_trip_is_bit_exact) {
  char dir[64], path[128], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/ckpt.safetensors", dir);

  /* NaN payloads, signed zero, infinities and a denormal must come back bit for bit */
  float w[6] = {bits_f32(0x7fc00001u), bits_f32(0xffa00123u), -0.0f, INFINITY, -INFINITY,
                bits_f32(0x00000001u)};
  double b[3] = {1.0, -2.5, NAN};
  int64_t idx[2] = {-1, (int64_t)1 << 40};
  uint8_t flag = 7;
  uint16_t half[4] = {0x3f80, 0x8000, 0x7fc1, 0x0001};
  int64_t sw[2] = {2, 3}, sb[1] = {3}, si[1] = {2}, sh[2] = {2, 2}, sz[2] = {0, 5};
  mbrl_safetensors_tensor t[] = {
      {"layer.0.weight", MBRL_DTYPE_F32, 2, sw, w},
      {"layer.0.bias", MBRL_DTYPE_F64, 1, sb, b},
      {"index", MBRL_DTYPE_I64, 1, si, idx},
      {"flag", MBRL_DTYPE_U8, 0, NULL, &flag},
      {"half", MBRL_DTYPE_BF16, 2, sh, half},
      {"empty", MBRL_DTYPE_F32, 2, sz, NULL},
  };
  int n = (int)(sizeof t / sizeof t[0]);
  cr_assert_eq(mbrl_safetensors_write(path, t, n, NULL, 0, err, sizeof err), MBRL_OK, "%s", err);

  /* header padded with spaces to a multiple of 8 */
  size_t fsz;
  unsigned char *raw = io_test_slurp(path, &fsz);
  cr_assert_not_null(raw);
  uint64_t hlen = 0;
  for (int i = 7; i >= 0; i--) hlen = (hlen << 8) | raw[i];
  cr_assert_eq(hlen % 8, 0);
  cr_assert_eq(raw[8], '{');
  cr_assert_eq(fsz, 8 + hlen + sizeof w + sizeof b + sizeof idx + 1 + sizeof half);
  free(raw);

  mbrl_safetensors *st;
  mbrl_safetensors_load(&st, path, err, sizeof err);
  cr_assert_not_null(st, "%s", err);
  cr_assert_eq(mbrl_safetensors_count(st), n);
  for (int i = 0; i < n; i++) {
    const mbrl_safetensors_tensor *g = mbrl_safetensors_find(st, t[i].name);
    cr_assert_not_null(g, "%s missing", t[i].name);
    cr_assert_str_eq(g->name, t[i].name);
    cr_assert_eq(g->dtype, t[i].dtype);
    cr_assert_eq(g->ndim, t[i].ndim);
    size_t numel = 1;
    for (int d = 0; d < t[i].ndim; d++) {
      cr_assert_eq(g->shape[d], t[i].shape[d]);
      numel *= (size_t)t[i].shape[d];
    }
    size_t bytes = numel * mbrl_dtype_size(t[i].dtype);
    if (bytes) cr_assert_eq(memcmp(g->data, t[i].data, bytes), 0, "%s differs", t[i].name);
  }
  /* listing is in name order */
  for (int i = 1; i < n; i++)
    cr_assert_lt(strcmp(mbrl_safetensors_at(st, i - 1)->name, mbrl_safetensors_at(st, i)->name), 0);

  float out[6];
  cr_assert_eq(mbrl_safetensors_get_f32(st, "layer.0.weight", out, 2, sw, err, sizeof err), MBRL_OK);
  cr_assert_eq(memcmp(out, w, sizeof w), 0);
  cr_assert_eq(mbrl_safetensors_get_f32(st, "empty", NULL, 2, sz, err, sizeof err), MBRL_OK);
  mbrl_safetensors_free(st);
  io_test_rmtree(dir);
}

Test(safetensors, metadata_round_trip) {
  char dir[64], path[128], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/m.safetensors", dir);
  float x = 1.5f;
  mbrl_safetensors_tensor t = {"x", MBRL_DTYPE_F32, 0, NULL, &x};
  mbrl_safetensors_meta meta[] = {
      {"format", "pt"},
      {"config", "{\"lr\": 0.001, \"quote\": \"a\\\\b\"}"},
      {"unicode \xc3\xa9\xe2\x82\xac", "line\nbreak\ttab \xf0\x9f\x98\x80"},
      {"empty", ""},
  };
  cr_assert_eq(mbrl_safetensors_write(path, &t, 1, meta, 4, err, sizeof err), MBRL_OK, "%s", err);
  mbrl_safetensors *st;
  mbrl_safetensors_load(&st, path, err, sizeof err);
  cr_assert_not_null(st, "%s", err);
  cr_assert_eq(mbrl_safetensors_meta_count(st), 4);
  for (int i = 0; i < 4; i++) {
    cr_assert_str_eq(mbrl_safetensors_meta_get(st, meta[i].key), meta[i].value);
    cr_assert_str_eq(mbrl_safetensors_meta_at(st, i).key, meta[i].key);
  }
  cr_assert_null(mbrl_safetensors_meta_get(st, "absent"));
  cr_assert_null(mbrl_safetensors_find(st, "__metadata__"));
  mbrl_safetensors_free(st);
  io_test_rmtree(dir);
}

Test(safetensors, get_f32_checks_name_dtype_and_shape) {
  char err[256] = "";
  mbrl_safetensors *st = load_json(
      "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
      "\"d\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[24,48]}}",
      48, err, sizeof err);
  cr_assert_not_null(st, "%s", err);
  float out[6];
  int64_t s23[2] = {2, 3}, s32[2] = {3, 2}, s3[1] = {3};

  cr_assert_eq(mbrl_safetensors_get_f32(st, "w", out, 2, s23, err, sizeof err), MBRL_OK, "%s", err);
  cr_assert_eq(mbrl_safetensors_get_f32(st, "w", out, 2, s32, err, sizeof err), MBRL_EFORMAT);
  cr_assert_str_eq(err, "tensor 'w': expected F32 [3, 2], found F32 [2, 3]");
  cr_assert_eq(mbrl_safetensors_get_f32(st, "w", out, 1, s3, err, sizeof err), MBRL_EFORMAT);
  cr_assert_str_eq(err, "tensor 'w': expected F32 [3], found F32 [2, 3]");
  cr_assert_eq(mbrl_safetensors_get_f32(st, "d", out, 1, s3, err, sizeof err), MBRL_EFORMAT);
  cr_assert_str_eq(err, "tensor 'd': expected F32 [3], found F64 [3]");
  cr_assert_eq(mbrl_safetensors_get_f32(st, "nope", out, 1, s3, err, sizeof err), MBRL_ENOTFOUND);
  cr_assert_str_eq(err, "tensor 'nope' not found");
  cr_assert_null(mbrl_safetensors_find(st, "nope"));
  mbrl_safetensors_free(st);
}

Test(safetensors, write_replaces_atomically_and_leaves_no_temporary) {
  char dir[64], path[128], tmp[160], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/a.safetensors", dir);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  float v1 = 1.0f, v2 = 2.0f;
  mbrl_safetensors_tensor t = {"v", MBRL_DTYPE_F32, 0, NULL, &v1};
  cr_assert_eq(mbrl_safetensors_write(path, &t, 1, NULL, 0, err, sizeof err), MBRL_OK);
  t.data = &v2;
  cr_assert_eq(mbrl_safetensors_write(path, &t, 1, NULL, 0, err, sizeof err), MBRL_OK);
  FILE *f = fopen(tmp, "rb");
  cr_assert_null(f);
  mbrl_safetensors *st;
  mbrl_safetensors_load(&st, path, err, sizeof err);
  cr_assert_not_null(st, "%s", err);
  float got;
  cr_assert_eq(mbrl_safetensors_get_f32(st, "v", &got, 0, NULL, err, sizeof err), MBRL_OK);
  cr_assert_eq(got, 2.0f);
  mbrl_safetensors_free(st);

  /* a directory that does not exist: an error, nothing written */
  snprintf(path, sizeof path, "%s/no/such/dir.safetensors", dir);
  cr_assert_eq(mbrl_safetensors_write(path, &t, 1, NULL, 0, err, sizeof err), MBRL_EIO);
  cr_assert(strstr(err, "cannot create") != NULL, "%s", err);
  io_test_rmtree(dir);
}

Test(safetensors, writer_refuses_bad_input) {
  char dir[64], path[128], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/bad.safetensors", dir);
  float x = 0;
  int64_t neg = -1;
  mbrl_safetensors_tensor dup[2] = {{"a", MBRL_DTYPE_F32, 0, NULL, &x}, {"a", MBRL_DTYPE_F32, 0, NULL, &x}};
  cr_assert_eq(mbrl_safetensors_write(path, dup, 2, NULL, 0, err, sizeof err), MBRL_EINVAL);
  cr_assert_str_eq(err, "tensor 'a' given twice");
  mbrl_safetensors_tensor reserved = {"__metadata__", MBRL_DTYPE_F32, 0, NULL, &x};
  cr_assert_eq(mbrl_safetensors_write(path, &reserved, 1, NULL, 0, err, sizeof err), MBRL_EINVAL);
  mbrl_safetensors_tensor negative = {"n", MBRL_DTYPE_F32, 1, &neg, &x};
  cr_assert_eq(mbrl_safetensors_write(path, &negative, 1, NULL, 0, err, sizeof err), MBRL_EINVAL);
  mbrl_safetensors_tensor bad_utf8 = {"\xff", MBRL_DTYPE_F32, 0, NULL, &x};
  cr_assert_eq(mbrl_safetensors_write(path, &bad_utf8, 1, NULL, 0, err, sizeof err), MBRL_EINVAL);
  mbrl_safetensors_meta meta[2] = {{"k", "1"}, {"k", "2"}};
  cr_assert_eq(mbrl_safetensors_write(path, NULL, 0, meta, 2, err, sizeof err), MBRL_EINVAL);
  cr_assert_str_eq(err, "metadata key 'k' given twice");
  FILE *f = fopen(path, "rb");
  cr_assert_null(f);
  io_test_rmtree(dir);
}

Test(safetensors, empty_and_short_files_fail) {
  char dir[64], path[128], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/empty.safetensors", dir);
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f);
  fclose(f);
  cr_assert_eq(mbrl_safetensors_load(&(mbrl_safetensors *){NULL}, path, err, sizeof err), MBRL_EFORMAT);
  cr_assert(strstr(err, "empty.safetensors: file is 0 bytes") != NULL, "%s", err);
  f = fopen(path, "wb");
  cr_assert_not_null(f);
  fwrite("\x10\0\0", 1, 3, f);
  fclose(f);
  cr_assert_neq(mbrl_safetensors_load(&(mbrl_safetensors *){NULL}, path, err, sizeof err), 0);
  cr_assert(strstr(err, "file is 3 bytes, too short") != NULL, "%s", err);
  snprintf(path, sizeof path, "%s/missing.safetensors", dir);
  cr_assert_eq(mbrl_safetensors_load(&(mbrl_safetensors *){NULL}, path, err, sizeof err), MBRL_ENOTFOUND,
               "a missing file is not a format error");
  cr_assert(strstr(err, "cannot open") != NULL, "%s", err);
  cr_assert_neq(mbrl_safetensors_load(&(mbrl_safetensors *){NULL}, dir, err, sizeof err), 0);
  io_test_rmtree(dir);
}

Test(safetensors, bad_header_length_fails) {
  char err[256] = "";
  size_t n;
  unsigned char *p = image("{}", 1000, 0, &n);
  cr_assert_neq(mbrl_safetensors_load_mem(&(mbrl_safetensors *){NULL}, p, n, err, sizeof err), 0);
  cr_assert_str_eq(err, "header length 1000 is larger than the 2 bytes that follow it");
  free(p);
  p = image("{}", (uint64_t)1 << 63, 0, &n);
  cr_assert_neq(mbrl_safetensors_load_mem(&(mbrl_safetensors *){NULL}, p, n, err, sizeof err), 0);
  cr_assert(strstr(err, "header length 9223372036854775808 is larger") != NULL, "%s", err);
  free(p);
  p = image("{}", ~(uint64_t)0 - 1, 0, &n);
  cr_assert_neq(mbrl_safetensors_load_mem(&(mbrl_safetensors *){NULL}, p, n, err, sizeof err), 0);
  free(p);
  /* a zero byte inside the header */
  p = image("{}  ....", ~(uint64_t)0, 0, &n);
  p[8 + 3] = 0;
  cr_assert_neq(mbrl_safetensors_load_mem(&(mbrl_safetensors *){NULL}, p, n, err, sizeof err), 0);
  cr_assert_str_eq(err, "unexpected byte after the header's JSON (byte 3)");
  free(p);
  p = image("", 0, 16, &n);
  cr_assert_neq(mbrl_safetensors_load_mem(&(mbrl_safetensors *){NULL}, p, n, err, sizeof err), 0);
  cr_assert_str_eq(err, "header length is 0");
  free(p);
}

Test(safetensors, empty_header_object_is_a_valid_file) {
  char err[256] = "";
  mbrl_safetensors *st = load_json("{}      ", 0, err, sizeof err);
  cr_assert_not_null(st, "%s", err);
  cr_assert_eq(mbrl_safetensors_count(st), 0);
  mbrl_safetensors_free(st);
  mbrl_safetensors_free(NULL);
}

Test(safetensors, malformed_json_fails) {
  expect_bad("not json", 0, "does not start with '{'");
  expect_bad("[1, 2]", 0, "does not start with '{'");
  expect_bad("{\"a\": ", 0, "not valid JSON");
  expect_bad("{\"a\": {}} x", 0, "unexpected byte after the header's JSON");
  expect_bad("{\"\xc3\x28\": 1}", 0, "not valid UTF-8 (byte 2)");
  expect_bad("{\"a\": 1}", 0, "tensor 'a': entry is not a JSON object");
}

Test(safetensors, missing_or_bad_fields_fail) {
  expect_bad("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "tensor 'a': missing \"dtype\"");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, "tensor 'a': missing \"shape\"");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "tensor 'a': missing \"data_offsets\"");
  expect_bad("{\"a\":{\"dtype\":\"F17\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
             "tensor 'a': unknown dtype 'F17'");
  expect_bad("{\"a\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "\"dtype\" is not a string");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4,
             "shape entry 0 is not a non-negative integer");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4,
             "shape entry 0 is not a non-negative integer");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[\"1\"],\"data_offsets\":[0,4]}}", 4,
             "shape entry 0 is not a non-negative integer");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}}", 4, "\"shape\" is not an array");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4,
             "\"data_offsets\" is not a pair");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4,
             "\"data_offsets\" is not a pair");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"extra\":1}}", 4,
             "tensor 'a': unexpected key 'extra'");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
             "key 'dtype' appears twice");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"shape\":[1,1,1],\"data_offsets\":[0,4]}}", 4,
             "key 'shape' appears twice");
}

Test(safetensors, offsets_must_match_shape_and_tile_the_data) {
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", 8,
             "tensor 'a': data_offsets [0, 16] are outside the 8-byte data section");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,4]}}", 8, "are outside");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8,
             "tensor 'a': F32 [3] takes 12 bytes but data_offsets [0, 8] span 8");
  expect_bad("{\"a\":{\"dtype\":\"F64\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8,
             "takes more than 2^64 bytes");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
             "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
             12, "tensor 'b' at [4, 12] overlaps");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
             "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}",
             12, "hole in the data section: bytes [4, 8)");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "hole");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8,
             "tensors cover 4 bytes but the data section has 8");
  /* truncated data section: the offsets point past the end of the file */
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 10, "are outside");
  expect_bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
             "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
             8, "tensor 'a' appears twice");
  /* zero-sized tensors may share an offset */
  char err[256] = "";
  mbrl_safetensors *st = load_json("{\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
                                   "\"y\":{\"dtype\":\"I32\",\"shape\":[2,0],\"data_offsets\":[4,4]},"
                                   "\"a\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}",
                                   4, err, sizeof err);
  cr_assert_not_null(st, "%s", err);
  mbrl_safetensors_free(st);
}

Test(safetensors, bad_metadata_fails) {
  expect_bad("{\"__metadata__\":[1]}", 0, "\"__metadata__\" is not a JSON object");
  expect_bad("{\"__metadata__\":{\"k\":1}}", 0, "metadata 'k': value is not a string");
  expect_bad("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0, "metadata key 'k' appears twice");
  expect_bad("{\"__metadata__\":{},\"__metadata__\":{}}", 0, "\"__metadata__\" appears twice");
}

/* a small valid file image for the fuzz tests */
static unsigned char *small_file(size_t *n) {
  char dir[64], path[128], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/s.safetensors", dir);
  float w[6] = {1, 2, 3, 4, 5, 6};
  double b[2] = {-1, 0.5};
  int64_t sw[2] = {2, 3}, sb[1] = {2};
  mbrl_safetensors_tensor t[2] = {{"w", MBRL_DTYPE_F32, 2, sw, w}, {"b", MBRL_DTYPE_F64, 1, sb, b}};
  mbrl_safetensors_meta m = {"step", "12"};
  cr_assert_eq(mbrl_safetensors_write(path, t, 2, &m, 1, err, sizeof err), MBRL_OK, "%s", err);
  unsigned char *p = io_test_slurp(path, n);
  cr_assert_not_null(p);
  io_test_rmtree(dir);
  return p;
}

/* touches everything a successful load exposes, so sanitizers see any bad pointer */
static void use(const mbrl_safetensors *st) {
  float out[64];
  for (int i = 0; i < mbrl_safetensors_count(st); i++) {
    const mbrl_safetensors_tensor *t = mbrl_safetensors_at(st, i);
    size_t bytes = mbrl_dtype_size(t->dtype);
    for (int d = 0; d < t->ndim; d++) bytes *= (size_t)t->shape[d];
    volatile unsigned char sum = 0;
    for (size_t k = 0; k < bytes; k++) sum ^= ((const unsigned char *)t->data)[k];
    (void)sum;
    if (t->dtype == MBRL_DTYPE_F32 && bytes <= sizeof out)
      cr_assert_eq(mbrl_safetensors_get_f32(st, t->name, out, t->ndim, t->shape, NULL, 0), MBRL_OK);
  }
  for (int i = 0; i < mbrl_safetensors_meta_count(st); i++)
    cr_assert_not_null(mbrl_safetensors_meta_at(st, i).value);
}

Test(safetensors, every_truncation_fails_cleanly) {
  size_t n;
  unsigned char *full = small_file(&n);
  char err[256];
  for (size_t len = 0; len < n; len++) {
    /* an exactly sized copy, so a read past the end is caught by the sanitizer */
    unsigned char *p = malloc(len ? len : 1);
    memcpy(p, full, len);
    err[0] = '\0';
    mbrl_safetensors *st;
    mbrl_safetensors_load_mem(&st, p, len, err, sizeof err);
    cr_assert_null(st, "truncated to %zu bytes, accepted", len);
    cr_assert_neq(err[0], '\0');
    free(p);
  }
  mbrl_safetensors *st;
  mbrl_safetensors_load_mem(&st, full, n, err, sizeof err);
  cr_assert_not_null(st, "%s", err);
  use(st);
  mbrl_safetensors_free(st);
  free(full);
}

Test(safetensors, random_corruption_never_crashes) {
  size_t n;
  unsigned char *full = small_file(&n);
  unsigned char *p = malloc(n);
  mbrl_rng rng;
  mbrl_rng_init(&rng, 1234, 0);
  int accepted = 0, refused = 0;
  char err[256];
  for (int it = 0; it < 4000; it++) {
    memcpy(p, full, n);
    int flips = 1 + (int)mbrl_rng_below(&rng, 3);
    for (int k = 0; k < flips; k++) {
      size_t at = (size_t)mbrl_rng_below(&rng, n);
      /* mostly bytes of the header, where the interesting damage is */
      if (k == 0 && it % 2 == 0) at = (size_t)mbrl_rng_below(&rng, n < 96 ? n : 96);
      p[at] = (unsigned char)mbrl_rng_u64(&rng);
    }
    err[0] = '\0';
    mbrl_safetensors *st;
    mbrl_safetensors_load_mem(&st, p, n, err, sizeof err);
    if (st) {
      accepted++;
      use(st);
      mbrl_safetensors_free(st);
    } else {
      refused++;
      cr_assert_neq(err[0], '\0');
    }
  }
  /* data-byte flips are still valid files; header damage mostly is not */
  cr_assert_gt(accepted, 0);
  cr_assert_gt(refused, 0);
  free(p);
  free(full);
}

Test(safetensors, numpy_reads_what_we_write) {
  const char *py = io_test_python("numpy");
  if (!py) cr_skip_test("python3 with numpy not available");
  char dir[64], path[128], err[256] = "", cmd[2048];
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/np.safetensors", dir);
  float w[6] = {0, 0.5f, 1, 1.5f, 2, -0.0f};
  double b[3] = {1, -2, 3.5};
  int64_t i[2] = {-1, (int64_t)1 << 40};
  int64_t sw[2] = {2, 3}, sb[1] = {3}, si[1] = {2};
  mbrl_safetensors_tensor t[3] = {{"w", MBRL_DTYPE_F32, 2, sw, w},
                                  {"b", MBRL_DTYPE_F64, 1, sb, b},
                                  {"i", MBRL_DTYPE_I64, 1, si, i}};
  mbrl_safetensors_meta m = {"note", "hello"};
  cr_assert_eq(mbrl_safetensors_write(path, t, 3, &m, 1, err, sizeof err), MBRL_OK, "%s", err);
  /* an independent reader written in python from the format description */
  snprintf(cmd, sizeof cmd,
           "%s - '%s' <<'EOF'\n"
           "import json, struct, sys\n"
           "import numpy as np\n"
           "raw = open(sys.argv[1], 'rb').read()\n"
           "n, = struct.unpack('<Q', raw[:8])\n"
           "assert n %% 8 == 0\n"
           "h = json.loads(raw[8:8 + n].decode('utf-8'))\n"
           "data = raw[8 + n:]\n"
           "assert h.pop('__metadata__') == {'note': 'hello'}\n"
           "types = {'F32': '<f4', 'F64': '<f8', 'I64': '<i8'}\n"
           "a = {k: np.frombuffer(data[v['data_offsets'][0]:v['data_offsets'][1]],\n"
           "     dtype=types[v['dtype']]).reshape(v['shape']) for k, v in h.items()}\n"
           "assert np.array_equal(a['w'], np.array([[0, 0.5, 1], [1.5, 2, 0]], np.float32))\n"
           "assert np.signbit(a['w'][1, 2])\n"
           "assert np.array_equal(a['b'], [1, -2, 3.5])\n"
           "assert a['i'].tolist() == [-1, 2 ** 40]\n"
           "assert sum(v['data_offsets'][1] - v['data_offsets'][0] for v in h.values()) == len(data)\n"
           "EOF",
           py, path);
  cr_assert_eq(system(cmd), 0, "python rejected %s", path);
  io_test_rmtree(dir);
}
