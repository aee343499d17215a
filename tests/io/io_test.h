/* Helpers shared by the io tests: a private temporary directory per test, optional python checks. */
#ifndef MBRL_TESTS_IO_TEST_H
#define MBRL_TESTS_IO_TEST_H

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mbrl/rng.h"

static inline int io_test_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

/* creates a fresh directory under /tmp; dir must hold 64 bytes */
static inline void io_test_mkdtemp(char *dir) {
  snprintf(dir, 64, "/tmp/mbrl-io-test-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
}

/* removes dir and everything under it */
static inline void io_test_rmtree(const char *dir) { nftw(dir, io_test_rm, 8, FTW_DEPTH | FTW_PHYS); }

/* a python interpreter that can import module (the first python3 on PATH may be a virtual
 * environment without Debian's packages), or NULL */
static inline const char *io_test_python(const char *module) {
  static const char *const candidates[] = {"python3", "/usr/bin/python3"};
  for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "%s -c 'import %s' >/dev/null 2>&1", candidates[i], module);
    if (system(cmd) == 0) return candidates[i];
  }
  return NULL;
}

/* writes text to dir/name, creating dir (one level) when it is missing */
static inline void io_test_write(const char *dir, const char *name, const char *text) {
  char path[512];
  mkdir(dir, 0777);
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f, "cannot write %s", path);
  fputs(text, f);
  cr_assert_eq(fclose(f), 0);
}

/* whether dir/name is a file of at least one byte */
static inline int io_test_nonempty(const char *dir, const char *name) {
  char path[1400];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return stat(path, &st) == 0 && st.st_size > 0;
}

/* bytes of a whole file, malloc'd to exactly its size; NULL when it cannot be read */
static inline unsigned char *io_test_slurp(const char *path, size_t *n) {
  *n = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *p = malloc(sz > 0 ? (size_t)sz : 1);
  *n = fread(p, 1, (size_t)sz, f);
  fclose(f);
  return p;
}

/* writes n bytes to path */
static inline void io_test_write_bytes(const char *path, const void *p, size_t n) {
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f, "cannot write %s", path);
  cr_assert_eq(fwrite(p, 1, n, f), n);
  cr_assert_eq(fclose(f), 0);
}

/* A loader under test: returns 0 (having freed what it loaded) or a negative code with a message. */
typedef int (*io_test_load_fn)(const char *path, char *err, size_t err_sz);

/* Writes damaged copies of the file at path to bad: every truncation (step bytes apart) must fail
 * with a message; rounds copies with three garbled bytes each must load or fail with a message,
 * never crash, and at least one must fail. */
static inline void io_test_bad_copies(const char *path, const char *bad, io_test_load_fn load, size_t step,
                                      int rounds, uint64_t seed) {
  size_t n;
  unsigned char *bytes = io_test_slurp(path, &n);
  cr_assert_not_null(bytes);
  char err[512];
  for (size_t len = 0; len < n; len += step) {
    io_test_write_bytes(bad, bytes, len);
    err[0] = 0;
    cr_assert_neq(load(bad, err, sizeof err), 0, "length %zu", len);
    cr_assert(err[0] != 0, "length %zu", len);
  }
  mbrl_rng r;
  mbrl_rng_init(&r, seed, 0);
  unsigned char *copy = malloc(n);
  int failed = 0;
  for (int k = 0; k < rounds; k++) {
    memcpy(copy, bytes, n);
    for (int j = 0; j < 3; j++) copy[mbrl_rng_below(&r, n)] ^= (unsigned char)(1 + mbrl_rng_below(&r, 255));
    io_test_write_bytes(bad, copy, n);
    err[0] = 0;
    if (load(bad, err, sizeof err) != 0) {
      failed++;
      cr_assert(err[0] != 0);
    }
  }
  cr_assert(failed > 0);
  free(copy);
  free(bytes);
}

#endif
