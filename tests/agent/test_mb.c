/* The model-based loop: a short run on obstacles writes every output; mbrl mb rejects bad flags. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mbrl/core.h"
#include "mbrl/dynamics.h"
#include "mbrl/mb.h"
#include "../cli/run_cli.h"

static int exists(const char *dir, const char *name) {
  char path[1400];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return stat(path, &st) == 0 && st.st_size > 0;
}

static int count_lines(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  int n = 0, ch;
  while ((ch = fgetc(f)) != EOF) n += ch == '\n';
  fclose(f);
  return n;
}

Test(mb, two_iterations_on_obstacles_write_every_output, .timeout = 120) {
  char logdir[64] = "/tmp/mbrl-mb-XXXXXX", run[1024], err[512] = "";
  cr_assert_not_null(mkdtemp(logdir));
  mbrl_mb_config c = mbrl_mb_defaults();
  snprintf(c.env_name, sizeof c.env_name, "obstacles-cs285-v0");
  snprintf(c.exp_name, sizeof c.exp_name, "test");
  snprintf(c.logdir, sizeof c.logdir, "%s", logdir);
  c.n_iter = 2, c.batch_size_initial = 500, c.batch_size = 200, c.eval_batch_size = 100;
  c.num_agent_train_steps_per_iter = 10, c.planner.N = 100, c.model.size = 32;
  c.add_sl_noise = 1, c.save_params = 1;
  cr_assert_eq(mbrl_mb_run(&c, NULL, NULL, run, sizeof run, err, sizeof err), 0, "%s", err);
  cr_assert(strstr(run, "/hw4_test_obstacles-cs285-v0_") != NULL, "%s", run);
  const char *files[] = {"config.json", "metrics.csv", "itr_0_predictions.png", "itr_0_losses.png",
                         "itr_0_losses.npy", "returns.png", "model.safetensors",
                         "itr_0_model.safetensors", "itr_1_model.safetensors"};
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) cr_assert(exists(run, files[i]), "%s", files[i]);
  char path[1400];
  snprintf(path, sizeof path, "%s/metrics.csv", run);
  cr_assert_eq(count_lines(path), 3, "header and one row per iteration");
  DIR *d = opendir(run);
  int events = 0;
  for (struct dirent *e; (e = readdir(d));) events += strncmp(e->d_name, "events.out.tfevents.", 20) == 0;
  closedir(d);
  cr_assert_eq(events, 1);
  /* the saved model loads, with its statistics */
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  mbrl_dynamics dyn;
  snprintf(path, sizeof path, "%s/model.safetensors", run);
  cr_assert_eq(mbrl_dynamics_load(&dyn, path, &r, err, sizeof err), 0, "%s", err);
  cr_assert(dyn.has_stats);
  mbrl_dynamics_free(&dyn);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf %s", logdir);
  cr_assert_eq(system(cmd), 0);
}

Test(mb, bf16_planning_runs_and_is_recorded, .timeout = 120) {
  char logdir[64] = "/tmp/mbrl-mb-XXXXXX", args[512], out[8192], path[1400];
  cr_assert_not_null(mkdtemp(logdir));
  snprintf(args, sizeof args,
           "mb --env_name obstacles-cs285-v0 --exp_name bf16 --n_iter 2 --batch_size_initial 500 "
           "--batch_size 200 --eval_batch_size 100 --num_agent_train_steps_per_iter 10 "
           "--mpc_num_action_sequences 100 --size 32 --precision bf16 --quiet --logdir %s",
           logdir);
  cr_assert_eq(run_mbrl(args, out, sizeof out), 0, "%s", out);
  snprintf(args, sizeof args, "ls -d %s/hw4_bf16_* > %s/run.txt", logdir, logdir);
  cr_assert_eq(system(args), 0);
  snprintf(path, sizeof path, "%s/run.txt", logdir);
  FILE *f = fopen(path, "r");
  char run[1024] = "";
  cr_assert(f && fgets(run, sizeof run, f));
  fclose(f);
  run[strcspn(run, "\n")] = 0;
  snprintf(path, sizeof path, "%s/config.json", run);
  f = fopen(path, "r");
  cr_assert_not_null(f, "%s", path);
  char cfg[8192];
  cfg[fread(cfg, 1, sizeof cfg - 1, f)] = 0;
  fclose(f);
  /* the precision in effect: bf16 where the CPU has it, else fp32 and a notice */
  cJSON *j = cJSON_Parse(cfg);
  const cJSON *prec = cJSON_GetObjectItemCaseSensitive(j, "precision");
  cr_assert(cJSON_IsString(prec), "%s", cfg);
  cr_expect_str_eq(prec->valuestring, mbrl_bf16_native() ? "bf16" : "fp32");
  if (!mbrl_bf16_native()) cr_expect(strstr(out, "no bfloat16 units"), "%s", out);
  cJSON_Delete(j);
  snprintf(path, sizeof path, "%s/metrics.csv", run);
  cr_expect_eq(count_lines(path), 3);
  snprintf(args, sizeof args, "rm -rf %s", logdir);
  cr_assert_eq(system(args), 0);
}

Test(mb, bad_settings_are_refused) {
  char err[256] = "";
  mbrl_mb_config c = mbrl_mb_defaults();
  cr_assert_eq(mbrl_mb_run(&c, NULL, NULL, NULL, 0, err, sizeof err), MBRL_EINVAL);
  snprintf(c.env_name, sizeof c.env_name, "no-such-env-v0");
  cr_assert_eq(mbrl_mb_run(&c, NULL, NULL, NULL, 0, err, sizeof err), MBRL_ENOTFOUND);
  cr_assert(strstr(err, "obstacles-cs285-v0") != NULL, "%s", err);
  /* settings of model fits are refused by a loop that trains by steps */
  snprintf(c.env_name, sizeof c.env_name, "obstacles-cs285-v0");
  c.model.num_elites = 2;
  cr_assert_eq(mbrl_mb_run(&c, NULL, NULL, NULL, 0, err, sizeof err), MBRL_EINVAL);
  cr_assert(strstr(err, "num_elites") != NULL, "%s", err);
}

Test(mb, cli_bad_flags_exit_2) {
  char out[8192];
  cr_assert_eq(run_mbrl("mb --env_name obstacles-cs285-v0 --n_iterations 3", out, sizeof out), 2);
  cr_assert(strstr(out, "unknown flag '--n_iterations'"), "%s", out);
  cr_assert_eq(run_mbrl("mb --env_name obstacles-cs285-v0 --planner pddm", out, sizeof out), 2);
  cr_assert(strstr(out, "(random, cem, mppi, icem"), "%s", out);
  cr_assert_eq(run_mbrl("mb --env_name obstacles-cs285-v0 --logdir ''", out, sizeof out), 2);
  cr_assert(strstr(out, "logdir is empty"), "%s", out);
  cr_assert_eq(run_mbrl("mb --n_iter 2", out, sizeof out), 2);
  cr_assert(strstr(out, "--env_name is required"), "%s", out);
  cr_assert_eq(run_mbrl("mb --env_name obstacles-cs285-v0 -lr -1", out, sizeof out), 2);
  cr_assert_eq(run_mbrl("mb --env_name obstacles-cs285-v0 -b 1.5", out, sizeof out), 2);
  cr_assert(strstr(out, "--batch_size needs an integer"), "%s", out);
  cr_assert_eq(run_mbrl("mb --env_name obstacles-cs285-v0 --precision fp16", out, sizeof out), 2);
  cr_assert(strstr(out, "one of fp32, bf16"), "%s", out);
  cr_assert_eq(run_mbrl("mb --help", out, sizeof out), 0);
  cr_assert(strstr(out, "--mpc_num_action_sequences") && strstr(out, "-tb") && strstr(out, "[512]"), "%s", out);
}
