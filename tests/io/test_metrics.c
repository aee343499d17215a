/* Tests of the run metrics logger (CSV and TensorBoard with the same tags) and config.json. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_test.h"
#include "mbrl/core.h"
#include "mbrl/metrics.h"
#include "mbrl/tfevents.h"

static char *slurp_str(const char *path) {
  size_t n;
  unsigned char *p = io_test_slurp(path, &n);
  cr_assert_not_null(p, "cannot read %s", path);
  char *s = malloc(n + 1);
  memcpy(s, p, n);
  s[n] = '\0';
  free(p);
  return s;
}

/* one logged value */
typedef struct entry {
  int64_t step;
  const char *tag;
  float value;
} entry;

Test(metrics, csv_and_tensorboard_hold_the_same_rows) {
  char dir[64], run[128], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(run, sizeof run, "%s/runs/seed-1", dir);
  const char *declared[] = {"Training Loss", "return"};
  mbrl_metrics *m;
  mbrl_metrics_open(&m, run, declared, 2, err, sizeof err);
  cr_assert_not_null(m, "%s", err);

  static const entry log[] = {
      {0, "Training Loss", 0.5f}, {0, "return", 10.0f},
      {1, "return", 11.0f},
      {2, "Training Loss", 0.25f}, {2, "eval, \"quoted\"", -1.5f},
      {3, "eval, \"quoted\"", 0.1f}, {3, "Training Loss", NAN}, {3, "return", INFINITY},
  };
  int n = (int)(sizeof log / sizeof log[0]);
  for (int i = 0; i < n; i++) {
    mbrl_metrics_set(m, log[i].tag, log[i].value);
    if (i == n - 1 || log[i + 1].step != log[i].step)
      cr_assert_eq(mbrl_metrics_write(m, log[i].step, err, sizeof err), MBRL_OK, "%s", err);
  }
  char *events = malloc(512);
  snprintf(events, 512, "%s", mbrl_metrics_events_path(m));
  char *csv = slurp_str(mbrl_metrics_csv_path(m));
  cr_assert_str_eq(csv,
                   "step,Training Loss,return,\"eval, \"\"quoted\"\"\"\n"
                   "0,0.5,10,\n"
                   "1,,11,\n"
                   "2,0.25,,-1.5\n"
                   "3,nan,inf,0.1\n");
  free(csv);
  mbrl_metrics_close(m);
  mbrl_metrics_close(NULL);

  /* TensorBoard: one scalar per set value, same tags and steps, in column order within a row */
  static const entry want[] = {
      {0, "Training Loss", 0.5f}, {0, "return", 10.0f}, {1, "return", 11.0f},
      {2, "Training Loss", 0.25f}, {2, "eval, \"quoted\"", -1.5f},
      {3, "Training Loss", NAN}, {3, "return", INFINITY}, {3, "eval, \"quoted\"", 0.1f},
  };
  mbrl_tfevents_reader *r;
  mbrl_tfevents_reader_open(&r, events, err, sizeof err);
  cr_assert_not_null(r, "%s", err);
  mbrl_tfevents_event ev;
  cr_assert_eq(mbrl_tfevents_reader_next(r, &ev, err, sizeof err), 1);
  cr_assert_not_null(ev.file_version);
  for (int i = 0; i < n; i++) {
    cr_assert_eq(mbrl_tfevents_reader_next(r, &ev, err, sizeof err), 1, "%s", err);
    cr_assert_eq(ev.n_values, 1);
    cr_assert_eq(ev.step, want[i].step);
    cr_assert_str_eq(ev.values[0].tag, want[i].tag);
    if (isnan(want[i].value)) cr_assert(isnan(ev.values[0].value));
    else cr_assert_eq(ev.values[0].value, want[i].value);
  }
  cr_assert_eq(mbrl_tfevents_reader_next(r, &ev, err, sizeof err), 0);
  mbrl_tfevents_reader_free(r);

  /* no temporary left behind by the column rewrite */
  char tmp[192];
  snprintf(tmp, sizeof tmp, "%s/metrics.csv.tmp", run);
  FILE *f = fopen(tmp, "rb");
  cr_assert_null(f);

  /* python's csv module reads the quoted header back */
  const char *py = io_test_python("csv");
  if (py) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "%s -c \"import csv,sys; r=list(csv.reader(open(sys.argv[1]))); "
             "assert r[0]==['step','Training Loss','return','eval, \\\"quoted\\\"'], r[0]; "
             "assert r[2]==['1','','11',''], r[2]\" %s/metrics.csv",
             py, run);
    cr_assert_eq(system(cmd), 0, "python's csv module disagrees");
  }
  free(events);
  io_test_rmtree(dir);
}

Test(metrics, columns_appear_in_first_seen_order_without_declaration) {
  char dir[64], err[256] = "";
  io_test_mkdtemp(dir);
  mbrl_metrics *m;
  mbrl_metrics_open(&m, dir, NULL, 0, err, sizeof err);
  cr_assert_not_null(m, "%s", err);
  mbrl_metrics_set(m, "b", 1.0f);
  mbrl_metrics_set(m, "a", 2.0f);
  mbrl_metrics_set(m, "b", 3.0f);
  cr_assert_eq(mbrl_metrics_write(m, 10, err, sizeof err), MBRL_OK, "%s", err);
  cr_assert_eq(mbrl_metrics_write(m, 11, err, sizeof err), MBRL_OK, "%s", err);
  mbrl_metrics_set(m, "c", -0.0f);
  cr_assert_eq(mbrl_metrics_write(m, 12, err, sizeof err), MBRL_OK, "%s", err);
  char *csv = slurp_str(mbrl_metrics_csv_path(m));
  cr_assert_str_eq(csv, "step,b,a,c\n10,3,2,\n11,,,\n12,,,-0\n");
  free(csv);
  mbrl_metrics_close(m);
  io_test_rmtree(dir);
}

Test(metrics, csv_floats_read_back_exactly) {
  char dir[64], err[256] = "";
  io_test_mkdtemp(dir);
  mbrl_metrics *m;
  mbrl_metrics_open(&m, dir, NULL, 0, err, sizeof err);
  cr_assert_not_null(m, "%s", err);
  const float v[] = {0.1f, 1.0f / 3.0f, 123456.789f, 1e-8f, -3.4028235e38f, 1e-45f, 16777217.0f, 3e15f};
  const char *tags[] = {"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"};
  for (int i = 0; i < 8; i++) mbrl_metrics_set(m, tags[i], v[i]);
  cr_assert_eq(mbrl_metrics_write(m, 0, err, sizeof err), MBRL_OK, "%s", err);
  char *csv = slurp_str(mbrl_metrics_csv_path(m));
  char *row = strchr(csv, '\n') + 1;
  cr_assert_eq(strncmp(row, "0,0.1,0.33333334,", 17), 0, "%s", row);
  char *s = strchr(row, ',') + 1;
  cr_assert(strstr(row, ",16777216,3000000000000000\n") != NULL, "%s", row);
  cr_assert(strstr(row, ",-3.4028235e+38,") != NULL, "%s", row);
  for (int i = 0; i < 8; i++) {
    char *end;
    float got = strtof(s, &end);
    cr_assert_eq(got, v[i], "cell %d", i);
    s = end + 1;
  }
  free(csv);
  mbrl_metrics_close(m);
  io_test_rmtree(dir);
}

Test(metrics, open_fails_cleanly_on_a_bad_directory) {
  char dir[64], path[128], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/file", dir);
  FILE *f = fopen(path, "wb");
  cr_assert_not_null(f);
  fclose(f);
  snprintf(path, sizeof path, "%s/file/run", dir);
  cr_assert_neq(mbrl_metrics_open(&(mbrl_metrics *){NULL}, path, NULL, 0, err, sizeof err), 0);
  cr_assert(strstr(err, "not a directory") != NULL, "%s", err);
  mbrl_metrics_param p = MBRL_PARAM_INT("seed", 1);
  cr_assert_eq(mbrl_metrics_write_config(path, &p, 1, err, sizeof err), MBRL_EIO);
  io_test_rmtree(dir);
}

Test(metrics, config_json_parses_back) {
  char dir[64], path[128], err[256] = "";
  io_test_mkdtemp(dir);
  mbrl_metrics_param cfg[] = {
      MBRL_PARAM_STR("env", "maze \"small\"\n"),
      MBRL_PARAM_INT("seed", 42),
      MBRL_PARAM_INT("big", ((int64_t)1 << 53) + 1),
      MBRL_PARAM_INT("negative", -7),
      MBRL_PARAM_DOUBLE("lr", 1e-3),
      MBRL_PARAM_DOUBLE("gamma", 0.99),
      MBRL_PARAM_DOUBLE("bad", NAN),
      MBRL_PARAM_BOOL("deterministic", 1),
      MBRL_PARAM_BOOL("render", 0),
      MBRL_PARAM_STR("note", NULL),
  };
  int n = (int)(sizeof cfg / sizeof cfg[0]);
  cr_assert_eq(mbrl_metrics_write_config(dir, cfg, n, err, sizeof err), MBRL_OK, "%s", err);
  snprintf(path, sizeof path, "%s/config.json", dir);
  char *text = slurp_str(path);
  cr_assert(strstr(text, "9007199254740993") != NULL, "big integer not exact: %s", text);
  cJSON *j = cJSON_Parse(text);
  cr_assert_not_null(j);
  cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "env")->valuestring, "maze \"small\"\n");
  cr_assert_eq(cJSON_GetObjectItemCaseSensitive(j, "seed")->valuedouble, 42);
  cr_assert_eq(cJSON_GetObjectItemCaseSensitive(j, "negative")->valuedouble, -7);
  cr_assert_eq(cJSON_GetObjectItemCaseSensitive(j, "lr")->valuedouble, 1e-3);
  cr_assert_eq(cJSON_GetObjectItemCaseSensitive(j, "gamma")->valuedouble, 0.99);
  cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "bad")));
  cr_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "deterministic")));
  cr_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "render")));
  cr_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "note")));
  /* keys in the given order */
  int i = 0;
  for (const cJSON *c = j->child; c; c = c->next, i++) cr_assert_str_eq(c->string, cfg[i].key);
  cr_assert_eq(i, n);
  cJSON_Delete(j);
  free(text);

  mbrl_metrics_param dup[] = {MBRL_PARAM_INT("seed", 1), MBRL_PARAM_INT("seed", 2)};
  cr_assert_eq(mbrl_metrics_write_config(dir, dup, 2, err, sizeof err), MBRL_EINVAL);
  cr_assert_str_eq(err, "config key 'seed' given twice");
  /* the earlier file is untouched */
  text = slurp_str(path);
  cr_assert(strstr(text, "\"seed\":\t42") != NULL, "%s", text);
  free(text);
  io_test_rmtree(dir);
}
