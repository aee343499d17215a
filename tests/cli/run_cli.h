/* Test helper: runs the mbrl binary named by $MBRL_BIN (make test sets it) and captures its output. */
#ifndef MBRL_TESTS_RUN_CLI_H
#define MBRL_TESTS_RUN_CLI_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

/* runs "mbrl args" with stderr joined to stdout into out (out_sz bytes); returns the exit status */
static inline int run_mbrl(const char *args, char *out, size_t out_sz) {
  const char *bin = getenv("MBRL_BIN");
  cr_assert_not_null(bin, "MBRL_BIN must name the mbrl binary (make test sets it)");
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%s %s 2>&1", bin, args);
  FILE *p = popen(cmd, "r");
  cr_assert_not_null(p);
  size_t n = fread(out, 1, out_sz - 1, p);
  out[n] = 0;
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif
