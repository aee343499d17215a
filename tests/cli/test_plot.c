/* mbrl plot: usage errors exit 2 with a message, a missing run fails with one, a good call writes
 * the PNG and prints its path. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../io/io_test.h"
#include "run_cli.h"

static const char csv[] =
    "step,Eval_AverageReturn,Train_EnvstepsSoFar\n"
    "0,,1000\n"
    "1,-20.5,2000\n"
    "2,-12,3000\n";

/* two run directories dir/run1 and dir/run2, the first with an exp_name */
static void make_runs(char *dir) {
  char run[128];
  io_test_mkdtemp(dir);
  snprintf(run, sizeof run, "%s/run1", dir);
  io_test_write(run, "metrics.csv", csv);
  io_test_write(run, "config.json", "{\"exp_name\": \"q4_reacher_ensemble1\"}\n");
  snprintf(run, sizeof run, "%s/run2", dir);
  io_test_write(run, "metrics.csv", csv);
}

Test(cli_plot, bad_usage_exits_2_with_a_message) {
  char dir[64], args[512], out[4096];
  make_runs(dir);
  cr_assert_eq(run_mbrl("plot --no_such_flag x", out, sizeof out), 2);
  cr_assert(strstr(out, "unknown flag '--no_such_flag'"), "%s", out);
  cr_assert_eq(run_mbrl("plot --tag Eval_AverageReturn", out, sizeof out), 2);
  cr_assert(strstr(out, "no run directories"), "%s", out);
  snprintf(args, sizeof args, "plot --label one --out %s/p.png %s/run1 %s/run2", dir, dir, dir);
  cr_assert_eq(run_mbrl(args, out, sizeof out), 2);
  cr_assert(strstr(out, "1 --label values for 2 run directories"), "%s", out);
  snprintf(args, sizeof args, "plot --tag Eval_Nothing --out %s/p.png %s/run1", dir, dir);
  cr_assert_eq(run_mbrl(args, out, sizeof out), 2);
  cr_assert(strstr(out, "no column 'Eval_Nothing'"), "%s", out);
  io_test_rmtree(dir);
}

Test(cli_plot, missing_run_directory_fails_with_a_message) {
  char dir[64], args[512], out[4096];
  make_runs(dir);
  snprintf(args, sizeof args, "plot --out %s/p.png %s/run1 %s/no_such_run", dir, dir, dir);
  int rc = run_mbrl(args, out, sizeof out);
  cr_assert(rc != 0 && rc != -1, "exit status %d: %s", rc, out);
  cr_assert(strstr(out, "mbrl plot: ") && strstr(out, "no_such_run"), "%s", out);
  io_test_rmtree(dir);
}

Test(cli_plot, writes_the_png_and_prints_its_path) {
  char dir[64], args[512], out[4096], png[128];
  make_runs(dir);
  snprintf(png, sizeof png, "%s/compare.png", dir);
  snprintf(args, sizeof args, "plot --tag Eval_AverageReturn --tag step --x=step --title 'Q4' --out %s %s/run1 %s/run2",
           png, dir, dir);
  cr_assert_eq(run_mbrl(args, out, sizeof out), 0, "%s", out);
  cr_assert(strstr(out, png), "prints the path: %s", out);
  size_t n;
  unsigned char *bytes = io_test_slurp(png, &n);
  cr_assert(bytes && n > 8 && !memcmp(bytes, "\x89PNG\r\n\x1a\n", 8), "not a PNG");
  free(bytes);
  io_test_rmtree(dir);
}

Test(cli_plot, help_prints_usage) {
  char out[8192];
  cr_assert_eq(run_mbrl("plot --help", out, sizeof out), 0);
  cr_assert(strstr(out, "usage: mbrl plot [flags] RUN_DIR...") && strstr(out, "[Eval_AverageReturn]"),
            "%s", out);
  cr_assert_eq(run_mbrl("--help", out, sizeof out), 0);
  cr_assert(strstr(out, "plot"), "%s", out);
}
