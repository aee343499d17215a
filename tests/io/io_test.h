/* Helpers shared by the io tests: a private temporary directory per test, optional python checks. */
#ifndef MBRL_TESTS_IO_TEST_H
#define MBRL_TESTS_IO_TEST_H

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

#endif
