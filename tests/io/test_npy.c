/* Tests of the .npy writer: exact header bytes, data bytes, and numpy reading the files back. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_test.h"
#include "mbrl/core.h"
#include "mbrl/npy.h"

/* checks the file at path: magic, version, padded header holding shape_text, then data (n floats) */
static void check_file(const char *path, const char *shape_text, const float *data, size_t n) {
  size_t sz;
  unsigned char *p = io_test_slurp(path, &sz);
  cr_assert_not_null(p);
  cr_assert_eq(memcmp(p, "\x93NUMPY\x01\x00", 8), 0);
  size_t hlen = p[8] | (size_t)p[9] << 8;
  cr_assert_eq((10 + hlen) % 64, 0, "data starts at %zu", 10 + hlen);
  char dict[256];
  int dl = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }", shape_text);
  cr_assert_lt((size_t)dl, hlen);
  cr_assert_eq(memcmp(p + 10, dict, (size_t)dl), 0, "header: %.*s", (int)hlen, p + 10);
  for (size_t i = 10 + (size_t)dl; i < 10 + hlen - 1; i++) cr_assert_eq(p[i], ' ');
  cr_assert_eq(p[10 + hlen - 1], '\n');
  cr_assert_eq(sz, 10 + hlen + n * 4);
  if (n) cr_assert_eq(memcmp(p + 10 + hlen, data, n * 4), 0);
  free(p);
}

Test(npy, headers_and_data) {
  char dir[64], path[128], err[256] = "";
  io_test_mkdtemp(dir);
  float v[6] = {0.5f, -1, 2, 3, 4, 5};
  int64_t s1[1] = {5}, s2[2] = {2, 3}, s0[1] = {0}, s3[3] = {1, 2, 3};

  snprintf(path, sizeof path, "%s/curve.npy", dir);
  cr_assert_eq(mbrl_npy_write_f32(path, v, 1, s1, err, sizeof err), MBRL_OK, "%s", err);
  check_file(path, "(5,)", v, 5);
  /* numpy's own header for this array is 64 bytes in all */
  size_t sz;
  unsigned char *p = io_test_slurp(path, &sz);
  cr_assert_not_null(p);
  cr_assert_eq(p[8], 118);
  cr_assert_eq(p[9], 0);
  free(p);

  cr_assert_eq(mbrl_npy_write_f32(path, v, 2, s2, err, sizeof err), MBRL_OK, "%s", err);
  check_file(path, "(2, 3)", v, 6);
  cr_assert_eq(mbrl_npy_write_f32(path, v, 0, NULL, err, sizeof err), MBRL_OK, "%s", err);
  check_file(path, "()", v, 1);
  cr_assert_eq(mbrl_npy_write_f32(path, NULL, 1, s0, err, sizeof err), MBRL_OK, "%s", err);
  check_file(path, "(0,)", NULL, 0);
  cr_assert_eq(mbrl_npy_write_f32(path, v, 3, s3, err, sizeof err), MBRL_OK, "%s", err);
  check_file(path, "(1, 2, 3)", v, 6);
  io_test_rmtree(dir);
}

Test(npy, bad_arguments_and_paths_fail) {
  char dir[64], path[128], err[256] = "";
  io_test_mkdtemp(dir);
  float v = 1;
  int64_t neg[1] = {-2}, many[33];
  for (int i = 0; i < 33; i++) many[i] = 1;
  snprintf(path, sizeof path, "%s/x.npy", dir);
  cr_assert_eq(mbrl_npy_write_f32(path, &v, 1, neg, err, sizeof err), MBRL_EINVAL);
  cr_assert(strstr(err, "shape entry 0 is -2") != NULL, "%s", err);
  cr_assert_eq(mbrl_npy_write_f32(path, &v, 33, many, err, sizeof err), MBRL_EINVAL);
  cr_assert_eq(mbrl_npy_write_f32(path, &v, 32, many, err, sizeof err), MBRL_OK, "%s", err);
  snprintf(path, sizeof path, "%s/missing/x.npy", dir);
  cr_assert_eq(mbrl_npy_write_f32(path, &v, 0, NULL, err, sizeof err), MBRL_EIO);
  io_test_rmtree(dir);
}

Test(npy, numpy_loads_what_we_write) {
  const char *py = io_test_python("numpy");
  if (!py) cr_skip_test("python3 with numpy not available");
  char dir[64], cmd[1024], err[256] = "";
  io_test_mkdtemp(dir);
  float v[6] = {0.5f, -1, 2, 3, 4, -0.0f};
  int64_t s2[2] = {2, 3}, s1[1] = {6};
  char p1[128], p2[128], p0[128];
  snprintf(p1, sizeof p1, "%s/a.npy", dir);
  snprintf(p2, sizeof p2, "%s/b.npy", dir);
  snprintf(p0, sizeof p0, "%s/c.npy", dir);
  cr_assert_eq(mbrl_npy_write_f32(p1, v, 1, s1, err, sizeof err), MBRL_OK, "%s", err);
  cr_assert_eq(mbrl_npy_write_f32(p2, v, 2, s2, err, sizeof err), MBRL_OK, "%s", err);
  cr_assert_eq(mbrl_npy_write_f32(p0, v, 0, NULL, err, sizeof err), MBRL_OK, "%s", err);
  snprintf(cmd, sizeof cmd,
           "%s -c \"import sys, numpy as np; a, b, c = (np.load(p) for p in sys.argv[1:]); "
           "assert a.dtype == np.float32 and a.shape == (6,); "
           "assert a.tolist() == [0.5, -1, 2, 3, 4, 0] and np.signbit(a[5]); "
           "assert b.shape == (2, 3) and b[1, 0] == 3 and not np.isfortran(b); "
           "assert c.shape == () and c == 0.5\" %s %s %s",
           py, p1, p2, p0);
  cr_assert_eq(system(cmd), 0, "numpy could not load the files");
  io_test_rmtree(dir);
}
