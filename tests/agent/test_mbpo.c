/* MBPO: a short run on pendulum swing-up writes every output and adds sac_n_iter x L model
 * transitions per iteration whatever the rollout chunks; L = 0 is plain SAC; mbrl mbpo takes
 * run_hw4_mbpo.py's flags and aliases and refuses others. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../cli/run_cli.h"
#include "../io/io_test.h"
#include "mbrl/core.h"
#include "mbrl/mbpo.h"
#include "mbrl/runplot.h"
#include "mbrl/tfevents.h"

/* tiny sizes: 3 iterations of 200 steps, 50 rollouts of 4 steps and 50 updates each */
static mbrl_mbpo_config tiny(const char *logdir) {
  mbrl_mbpo_config c = mbrl_mbpo_defaults();
  snprintf(c.mb.env_name, sizeof c.mb.env_name, "pendulum-swingup-v0");
  snprintf(c.mb.exp_name, sizeof c.mb.exp_name, "test");
  snprintf(c.mb.logdir, sizeof c.mb.logdir, "%s", logdir);
  c.mb.n_iter = 3, c.mb.batch_size_initial = 200, c.mb.batch_size = 200, c.mb.eval_batch_size = 200;
  c.mb.num_agent_train_steps_per_iter = 10, c.mb.model.size = 32, c.mb.add_sl_noise = 1;
  c.sac_size = 32, c.sac_n_iter = 50, c.sac_train_batch_size = 64, c.mbpo_rollout_length = 4;
  c.mbpo_rollout_batch = 7; /* 50 = 7 chunks of 7 and one of 1 */
  mbrl_threads_set(1);      /* tiny networks: one thread is quickest, and alone on a busy machine */
  return c;
}

/* what the progress reports said */
typedef struct {
  mbrl_mbpo_progress last;
  int sac_reports, sac_done;
} seen;

static void record(void *ctx, const mbrl_mbpo_progress *p) {
  seen *s = ctx;
  s->last = *p;
  if (!strcmp(p->mb.phase, "sac")) {
    s->sac_reports++;
    s->sac_done += p->mb.steps == p->mb.steps_total;
  }
}

static int has_file(const char *dir, const char *name) {
  char path[1400];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return stat(path, &st) == 0 && st.st_size > 0;
}

/* the last row's value of a metrics.csv column */
static double last_value(const mbrl_runplot_table *t, const char *col) {
  int k = mbrl_runplot_column(t, col);
  cr_assert(k >= 0, "column %s", col);
  return t->cells[(size_t)(t->n_rows - 1) * t->n_cols + k];
}

/* whether the run's event file holds tag */
static int events_have(const char *run, const char *tag) {
  DIR *d = opendir(run);
  char path[1400] = "";
  for (struct dirent *e; (e = readdir(d));)
    if (!strncmp(e->d_name, "events.out.tfevents.", 20)) snprintf(path, sizeof path, "%s/%s", run, e->d_name);
  closedir(d);
  mbrl_tfevents_reader *r;
  mbrl_tfevents_reader_open(&r, path, NULL, 0);
  cr_assert_not_null(r, "%s", path);
  mbrl_tfevents_event ev;
  int found = 0;
  while (!found && mbrl_tfevents_reader_next(r, &ev, NULL, 0) == 1)
    for (int i = 0; i < ev.n_values; i++) found |= !strcmp(ev.values[i].tag, tag);
  mbrl_tfevents_reader_free(r);
  return found;
}

Test(mbpo, short_run_writes_every_output_and_counts_model_transitions, .timeout = 120) {
  char logdir[64], run[1024], err[512] = "";
  io_test_mkdtemp(logdir);
  mbrl_mbpo_config c = tiny(logdir);
  c.mb.save_params = 1;
  seen s = {0};
  cr_assert_eq(mbrl_mbpo_run(&c, record, &s, run, sizeof run, err, sizeof err), 0, "%s", err);
  cr_assert(strstr(run, "/hw4_test_pendulum-swingup-v0_") != NULL, "%s", run);
  const char *files[] = {"config.json", "metrics.csv", "itr_0_predictions.png", "itr_0_losses.png",
                         "itr_0_losses.npy", "returns.png", "model.safetensors", "sac.safetensors",
                         "itr_0_model.safetensors", "itr_2_model.safetensors", "itr_0_sac.safetensors",
                         "itr_2_sac.safetensors"};
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) cr_assert(has_file(run, files[i]), "%s", files[i]);

  /* sac_n_iter x L transitions from sac_n_iter rollouts per iteration, and sac_n_iter updates */
  const int64_t want = (int64_t)c.sac_n_iter * c.mbpo_rollout_length * c.mb.n_iter;
  cr_assert_eq(s.last.model_transitions, want);
  cr_assert_eq(s.last.model_rollouts, (int64_t)c.sac_n_iter * c.mb.n_iter);
  cr_assert_eq(s.last.model_cut, 0);
  cr_assert_eq(s.last.sac_updates, (int64_t)c.sac_n_iter * c.mb.n_iter);
  cr_assert_eq(s.sac_reports, c.mb.n_iter * (1 + 8), "a report at the start and after each chunk");
  cr_assert_eq(s.sac_done, c.mb.n_iter);
  cr_assert_str_eq(s.last.mb.phase, "done");
  cr_assert(isfinite(s.last.sac.critic_loss) && s.last.sac.temperature > 0.0f);

  /* the metrics: a row per iteration with CS285's tags and the SAC ones */
  mbrl_runplot_table t;
  cr_assert_eq(mbrl_runplot_read(&t, run, err, sizeof err), 0, "%s", err);
  cr_assert_eq(t.n_rows, 3);
  cr_assert_eq(last_value(&t, "Model_TransitionsSoFar"), (double)want);
  cr_assert_eq(last_value(&t, "SAC_UpdatesSoFar"), 150.0);
  cr_assert_eq(last_value(&t, "Train_EnvstepsSoFar"), 600.0);
  cr_assert_eq(last_value(&t, "Eval_AverageEpLen"), 200.0);
  const char *cols[] = {"Eval_AverageReturn", "Train_AverageReturn", "Training Loss", "Critic_Loss",
                        "Actor_Loss", "Alpha_Loss", "Temperature", "Initial_DataCollection_AverageReturn"};
  for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
    cr_assert(isfinite(last_value(&t, cols[i])), "%s", cols[i]);
    cr_assert(events_have(run, cols[i]), "%s in the events", cols[i]);
  }
  mbrl_runplot_table_free(&t);

  /* the agent checkpoint loads with its updates */
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  mbrl_sac sac;
  char path[1400];
  snprintf(path, sizeof path, "%s/sac.safetensors", run);
  cr_assert_eq(mbrl_sac_load(&sac, path, &r, err, sizeof err), 0, "%s", err);
  cr_assert_eq(sac.updates, 150);
  cr_assert_eq(sac.cfg.size, 32);
  cr_assert_float_eq(sac.cfg.init_temperature, 1.0f, 1e-7f);
  mbrl_sac_free(&sac);
  io_test_rmtree(logdir);
}

Test(mbpo, every_chunking_adds_the_same_counts_and_length_0_is_plain_sac, .timeout = 120) {
  char logdir[64], err[512] = "";
  io_test_mkdtemp(logdir);
  const int batches[] = {1, 0, 64};
  for (int i = 0; i < 3; i++) {
    mbrl_mbpo_config c = tiny(logdir);
    c.mb.n_iter = 2, c.sac_n_iter = 30, c.mbpo_rollout_batch = batches[i], c.sac_num_agent_train_steps_per_iter = 2;
    c.mbpo_random_member = i == 2, c.mbpo_reward_next = i == 2;
    seen s = {0};
    cr_assert_eq(mbrl_mbpo_run(&c, record, &s, NULL, 0, err, sizeof err), 0, "%s", err);
    cr_assert_eq(s.last.model_transitions, 2 * 30 * 4, "rollout batch %d", batches[i]);
    cr_assert_eq(s.last.sac_updates, 2 * 30 * 2);
  }
  /* plain SAC: no rollouts, the same updates */
  mbrl_mbpo_config c = tiny(logdir);
  c.mbpo_rollout_length = 0;
  seen s = {0};
  char run[1024];
  cr_assert_eq(mbrl_mbpo_run(&c, record, &s, run, sizeof run, err, sizeof err), 0, "%s", err);
  cr_assert_eq(s.last.model_transitions, 0);
  cr_assert_eq(s.last.model_rollouts, 0);
  cr_assert_eq(s.last.sac_updates, 150);
  mbrl_runplot_table t;
  cr_assert_eq(mbrl_runplot_read(&t, run, err, sizeof err), 0, "%s", err);
  cr_assert_eq(last_value(&t, "Model_TransitionsSoFar"), 0.0);
  mbrl_runplot_table_free(&t);
  io_test_rmtree(logdir);
}

Test(mbpo, bad_settings_are_refused) {
  char err[256] = "";
  mbrl_mbpo_config c = mbrl_mbpo_defaults();
  cr_assert_eq(mbrl_mbpo_run(&c, NULL, NULL, NULL, 0, err, sizeof err), MBRL_EINVAL);
  cr_assert(strstr(err, "env_name") != NULL, "%s", err);
  snprintf(c.mb.env_name, sizeof c.mb.env_name, "pendulum-swingup-v0");
  c.mbpo_rollout_length = -1;
  cr_assert_eq(mbrl_mbpo_run(&c, NULL, NULL, NULL, 0, err, sizeof err), MBRL_EINVAL);
  cr_assert(strstr(err, "mbpo_rollout_length") != NULL, "%s", err);
  c.mbpo_rollout_length = 1, c.sac_actor_update_frequency = 0;
  cr_assert_eq(mbrl_mbpo_run(&c, NULL, NULL, NULL, 0, err, sizeof err), MBRL_EINVAL);
  cr_assert(strstr(err, "actor_update_freq 0") != NULL, "%s", err);
}

Test(mbpo, cli_takes_the_reference_flags_and_refuses_others, .timeout = 120) {
  char out[16384], logdir[64], args[1024];
  /* run_hw4_mbpo.py has none of run_hw4_mb.py's aliases but -n, -tb, -eb, -ngpu, -gpu_id */
  cr_assert_eq(run_mbrl("mbpo --env_name pendulum-swingup-v0 -b 100", out, sizeof out), 2);
  cr_assert(strstr(out, "unknown flag '-b'"), "%s", out);
  cr_assert_eq(run_mbrl("mbpo --env_name pendulum-swingup-v0 -noise", out, sizeof out), 2);
  cr_assert_eq(run_mbrl("mbpo --env_name pendulum-swingup-v0 --mbpo_rollout_length -1", out, sizeof out), 2);
  cr_assert_eq(run_mbrl("mbpo --env_name pendulum-swingup-v0 --sac_discount 1.5", out, sizeof out), 2);
  cr_assert_eq(run_mbrl("mbpo --env_name pendulum-swingup-v0 --sac_n_iter ten", out, sizeof out), 2);
  cr_assert(strstr(out, "--sac_n_iter needs an integer"), "%s", out);
  cr_assert_eq(run_mbrl("mbpo --n_iter 2", out, sizeof out), 2);
  cr_assert(strstr(out, "--env_name is required"), "%s", out);
  cr_assert_eq(run_mbrl("mbpo --env_name no-such-env-v0 --quiet", out, sizeof out), 2);
  /* --help shows the reference's defaults */
  cr_assert_eq(run_mbrl("mbpo --help", out, sizeof out), 0);
  const char *defaults[] = {"--sac_size N", "[64]", "--sac_n_iter N", "[200]", "--sac_init_temperature X",
                            "--mbpo_rollout_length N", "--sac_batch_size N", "[1000]", "-tb", "-eb",
                            "-gpu_id", "[0.0003]", "[20000]", "[8000]"};
  for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++)
    cr_assert(strstr(out, defaults[i]), "%s in:\n%s", defaults[i], out);
  /* a tiny run through the command line */
  io_test_mkdtemp(logdir);
  snprintf(args, sizeof args,
           "mbpo --env_name pendulum-swingup-v0 --exp_name cli -n 1 --batch_size_initial 200 -eb 200 "
           "--num_agent_train_steps_per_iter 5 --size 16 --sac_size 16 --sac_n_iter 20 --sac_train_batch_size 32 "
           "--mbpo_rollout_length 2 --add_sl_noise --video_log_freq -1 --threads 1 --logdir %s",
           logdir);
  cr_assert_eq(run_mbrl(args, out, sizeof out), 0, "%s", out);
  cr_assert(strstr(out, "model transitions 40"), "%s", out);
  cr_assert(strstr(out, "checkpoints are in"), "%s", out);
  io_test_rmtree(logdir);
}
