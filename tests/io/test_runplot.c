/* Tests of the run comparison plots: metrics.csv read back (empty and non-finite cells skipped,
 * quoted names, what the metrics logger writes), labels, the PNG of two runs, and failures on
 * unknown columns and malformed or missing files. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io_test.h"
#include "mbrl/core.h"
#include "mbrl/metrics.h"
#include "mbrl/runplot.h"

/* a metrics.csv whose return is logged on some rows only, with a quoted column name */
static const char run_a_csv[] =
    "step,Eval_AverageReturn,Train_EnvstepsSoFar,\"Training Loss, \"\"total\"\"\"\n"
    "0,,5000,0.5\n"
    "1,10.5,6000,0.25\n"
    "2,nan,7000,0.125\r\n"
    "3,-inf,,1\n"
    "4,20,9000,\n"
    "\n";

static const char run_b_csv[] =
    "step,Eval_AverageReturn,Train_EnvstepsSoFar,\"Training Loss, \"\"total\"\"\"\n"
    "0,5,5000,0.75\n"
    "1,7,6000,0.5\n"
    "2,12,7000,0.25\n";

Test(runplot, parses_points_skipping_empty_and_nonfinite_cells) {
  char dir[64], err[256] = "";
  io_test_mkdtemp(dir);
  io_test_write(dir, "metrics.csv", run_a_csv);
  mbrl_runplot_table t;
  cr_assert_eq(mbrl_runplot_read(&t, dir, err, sizeof err), MBRL_OK, "%s", err);
  cr_assert_eq(t.n_cols, 4);
  cr_assert_eq(t.n_rows, 5);
  cr_assert_str_eq(t.names[3], "Training Loss, \"total\"");
  int xc = mbrl_runplot_column(&t, "Train_EnvstepsSoFar"), yc = mbrl_runplot_column(&t, "Eval_AverageReturn");
  cr_assert_eq(xc, 2);
  cr_assert_eq(yc, 1);
  cr_assert_eq(mbrl_runplot_column(&t, "Training Loss"), -1);
  double x[5], y[5];
  cr_assert_eq(mbrl_runplot_points(&t, xc, yc, x, y), 2);
  cr_assert(x[0] == 6000 && y[0] == 10.5 && x[1] == 9000 && y[1] == 20);
  int n = mbrl_runplot_points(&t, mbrl_runplot_column(&t, "step"), 3, x, y);
  cr_assert_eq(n, 4);
  cr_assert(x[2] == 2 && y[2] == 0.125 && x[3] == 3 && y[3] == 1);
  cr_assert(isnan(t.cells[0 * 4 + 1]), "an empty cell reads as NaN");
  mbrl_runplot_table_free(&t);
  mbrl_runplot_table_free(NULL);
  io_test_rmtree(dir);
}

Test(runplot, reads_back_what_the_metrics_logger_writes) {
  char dir[64], err[256] = "";
  io_test_mkdtemp(dir);
  mbrl_metrics *m;
  mbrl_metrics_open(&m, dir, NULL, 0, err, sizeof err);
  cr_assert_not_null(m, "%s", err);
  for (int i = 0; i < 4; i++) {
    mbrl_metrics_set(m, "Train_EnvstepsSoFar", 1000.0f * (float)(i + 1));
    if (i % 2) mbrl_metrics_set(m, "Eval_AverageReturn", 0.1f * (float)i);
    cr_assert_eq(mbrl_metrics_write(m, i, err, sizeof err), MBRL_OK, "%s", err);
  }
  mbrl_metrics_close(m);
  mbrl_runplot_table t;
  cr_assert_eq(mbrl_runplot_read(&t, dir, err, sizeof err), MBRL_OK, "%s", err);
  double x[4], y[4];
  int n = mbrl_runplot_points(&t, mbrl_runplot_column(&t, "Train_EnvstepsSoFar"),
                              mbrl_runplot_column(&t, "Eval_AverageReturn"), x, y);
  cr_assert_eq(n, 2);
  cr_assert(x[0] == 2000 && (float)y[0] == 0.1f && x[1] == 4000 && (float)y[1] == 0.3f);
  mbrl_runplot_table_free(&t);
  io_test_rmtree(dir);
}

Test(runplot, labels_come_from_config_or_the_directory_name) {
  char dir[64], run[128], label[64];
  io_test_mkdtemp(dir);
  snprintf(run, sizeof run, "%s/hw4_q4_run", dir);
  io_test_write(run, "metrics.csv", run_b_csv);
  mbrl_runplot_label(run, label, sizeof label);
  cr_assert_str_eq(label, "hw4_q4_run");
  snprintf(run, sizeof run, "%s/hw4_q4_run//", dir);
  mbrl_runplot_label(run, label, sizeof label);
  cr_assert_str_eq(label, "hw4_q4_run");
  io_test_write(run, "config.json", "{\"seed\": 1, \"exp_name\": \"q4_ensemble3\"}\n");
  mbrl_runplot_label(run, label, sizeof label);
  cr_assert_str_eq(label, "q4_ensemble3");
  io_test_write(run, "config.json", "{broken");
  mbrl_runplot_label(run, label, sizeof label);
  cr_assert_str_eq(label, "hw4_q4_run");
  io_test_rmtree(dir);
}

Test(runplot, plots_two_runs_and_two_tags_into_a_png) {
  char dir[64], a[128], b[128], png[160], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(a, sizeof a, "%s/run-a", dir);
  snprintf(b, sizeof b, "%s/run-b", dir);
  io_test_write(a, "metrics.csv", run_a_csv);
  io_test_write(a, "config.json", "{\"exp_name\": \"alpha\"}\n");
  io_test_write(b, "metrics.csv", run_b_csv);
  snprintf(png, sizeof png, "%s/compare.png", dir);
  const char *runs[] = {a, b}, *tags[] = {"Eval_AverageReturn", "Training Loss, \"total\""};
  mbrl_runplot_config c = {.tags = tags, .n_tags = 2, .x = "Train_EnvstepsSoFar", .title = "two runs"};
  cr_assert_eq(mbrl_runplot_save(png, runs, 2, &c, err, sizeof err), MBRL_OK, "%s", err);
  size_t n;
  unsigned char *bytes = io_test_slurp(png, &n);
  cr_assert_not_null(bytes);
  cr_assert(n > 8 && !memcmp(bytes, "\x89PNG\r\n\x1a\n", 8), "not a PNG");
  free(bytes);
  /* given labels, and a size */
  const char *labels[] = {"first", "second"};
  c.labels = labels;
  c.width = 400;
  c.height = 500;
  cr_assert_eq(mbrl_runplot_save(png, runs, 2, &c, err, sizeof err), MBRL_OK, "%s", err);
  io_test_rmtree(dir);
}

Test(runplot, unknown_tag_fails_with_a_message_and_writes_nothing) {
  char dir[64], a[128], png[160], err[512] = "";
  io_test_mkdtemp(dir);
  snprintf(a, sizeof a, "%s/run-a", dir);
  io_test_write(a, "metrics.csv", run_a_csv);
  snprintf(png, sizeof png, "%s/compare.png", dir);
  const char *runs[] = {a}, *tags[] = {"Eval_AverageReturn", "Eval_NoSuchTag"};
  mbrl_runplot_config c = {.tags = tags, .n_tags = 2, .x = "Train_EnvstepsSoFar"};
  cr_assert_eq(mbrl_runplot_save(png, runs, 1, &c, err, sizeof err), MBRL_ENOTFOUND);
  cr_assert(strstr(err, "no column 'Eval_NoSuchTag'") && strstr(err, a), "%s", err);
  cr_assert(strstr(err, "Train_EnvstepsSoFar"), "the message lists the columns: %s", err);
  c.n_tags = 1;
  c.x = "Envsteps";
  cr_assert_eq(mbrl_runplot_save(png, runs, 1, &c, err, sizeof err), MBRL_ENOTFOUND);
  cr_assert(strstr(err, "no column 'Envsteps'"), "%s", err);
  cr_assert_neq(access(png, F_OK), 0, "nothing is written");
  cr_assert_eq(mbrl_runplot_save(png, runs, 0, &c, err, sizeof err), MBRL_EINVAL);
  c.n_tags = 0;
  cr_assert_eq(mbrl_runplot_save(png, runs, 1, &c, err, sizeof err), MBRL_EINVAL);
  io_test_rmtree(dir);
}

Test(runplot, malformed_and_missing_files_fail_cleanly) {
  static const struct {
    const char *csv, *message;
  } bad[] = {
      {"", "no header"},
      {"\n1,2\n", "no header"},
      {"step,a\n0,1\n1,x\n", "line 3: column 'a' holds 'x'"},
      {"step,a\n0,1,2\n", "more cells"},
      {"step,a\n0\n", "fewer cells"},
      {"step,\"a\n0,1\n", "broken quotes"},
      {"step,a\n0,\"1\"x\n", "broken quotes"},
  };
  char dir[64], sub[128], err[256];
  io_test_mkdtemp(dir);
  mbrl_runplot_table t;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    snprintf(sub, sizeof sub, "%s/bad%zu", dir, i);
    io_test_write(sub, "metrics.csv", bad[i].csv);
    err[0] = '\0';
    cr_assert_eq(mbrl_runplot_read(&t, sub, err, sizeof err), MBRL_EFORMAT, "case %zu", i);
    cr_assert(strstr(err, bad[i].message), "case %zu: %s", i, err);
    cr_assert_null(t.cells);
  }
  /* a NUL byte inside */
  static const char binary[] = "step,a\n0,1\0\n";
  char path[160];
  snprintf(path, sizeof path, "%s/bad0/metrics.csv", dir);
  FILE *f = fopen(path, "wb");
  cr_assert_eq(fwrite(binary, 1, sizeof binary - 1, f), sizeof binary - 1);
  fclose(f);
  snprintf(sub, sizeof sub, "%s/bad0", dir);
  cr_assert_eq(mbrl_runplot_read(&t, sub, err, sizeof err), MBRL_EFORMAT);
  cr_assert(strstr(err, "not a text file"), "%s", err);
  /* no directory, a file where the directory should be, a directory without metrics.csv */
  snprintf(sub, sizeof sub, "%s/missing", dir);
  cr_assert_eq(mbrl_runplot_read(&t, sub, err, sizeof err), MBRL_ENOTFOUND);
  cr_assert(strstr(err, sub), "%s", err);
  snprintf(sub, sizeof sub, "%s/bad0/metrics.csv", dir);
  cr_assert_eq(mbrl_runplot_read(&t, sub, err, sizeof err), MBRL_EIO);
  cr_assert(strstr(err, "not a run directory"), "%s", err);
  snprintf(sub, sizeof sub, "%s/empty", dir);
  io_test_write(sub, "config.json", "{}");
  cr_assert_eq(mbrl_runplot_read(&t, sub, err, sizeof err), MBRL_ENOTFOUND);
  cr_assert(strstr(err, "metrics.csv"), "%s", err);
  io_test_rmtree(dir);
}
