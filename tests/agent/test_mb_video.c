/* Video of mbrl mb runs: --video_log_freq films the first evaluation episode of every k-th
 * iteration into the run directory; without EGL the run warns and writes everything else; mbrl
 * render replays a run's model into an MP4. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cli/run_cli.h"
#include "../io/io_test.h"
#include "../io/video_probe.h"
#include "mbrl/core.h"
#include "mbrl/mb.h"

/* files of dir ending in suffix */
static int count_suffix(const char *dir, const char *suffix) {
  DIR *d = opendir(dir);
  cr_assert_not_null(d, "%s", dir);
  int n = 0;
  size_t ls = strlen(suffix);
  for (struct dirent *e; (e = readdir(d));) {
    size_t l = strlen(e->d_name);
    n += l >= ls && !strcmp(e->d_name + l - ls, suffix);
  }
  closedir(d);
  return n;
}

/* a small, quick run of env_name (episodes of ep_len steps, 0: its own) in a fresh logdir (64
 * bytes) that films every freq iterations; run (1024 bytes) gets its directory, err (512 bytes)
 * its closing message */
static void run_tiny(const char *env_name, int ep_len, int n_iter, int freq, mbrl_mb_progress_fn progress,
                     void *ctx, char *logdir, char *run, char *err) {
  io_test_mkdtemp(logdir);
  mbrl_mb_config c = mbrl_mb_defaults();
  snprintf(c.env_name, sizeof c.env_name, "%s", env_name);
  snprintf(c.exp_name, sizeof c.exp_name, "video");
  snprintf(c.logdir, sizeof c.logdir, "%s", logdir);
  c.ep_len = ep_len, c.n_iter = n_iter, c.video_log_freq = freq;
  c.batch_size_initial = 100, c.batch_size = 50, c.eval_batch_size = 10;
  c.num_agent_train_steps_per_iter = 5, c.planner.N = 20, c.planner.H = 3;
  c.model.size = 16, c.model.E = 2;
  cr_assert_eq(mbrl_mb_run(&c, progress, ctx, run, 1024, err, 512), 0, "%s", err);
}

typedef struct {
  int warnings;
  char last[512];
} warnings_seen;

static void count_warnings(void *ctx, const mbrl_mb_progress *p) {
  warnings_seen *w = ctx;
  if (strcmp(p->phase, "warning")) return;
  cr_assert_not_null(p->warning);
  w->warnings++;
  snprintf(w->last, sizeof w->last, "%s", p->warning);
}

Test(video_mb, every_kth_iteration_films_its_first_evaluation_episode, .timeout = 60) {
  char logdir[64], run[1024], err[512] = "x", path[1400];
  run_tiny("obstacles-cs285-v0", 0, 3, 2, NULL, NULL, logdir, run, err);
  cr_assert_str_eq(err, "", "no video failed");
  cr_assert(io_test_nonempty(run, "itr_0_eval.mp4") && io_test_nonempty(run, "itr_2_eval.mp4"));
  cr_assert_eq(count_suffix(run, ".mp4"), 2);
  snprintf(path, sizeof path, "%s/itr_2_eval.mp4", run);
  video_probe p = probe_video(path);
  cr_assert(p.frames >= 2 && p.frames <= 101, "%d frames", p.frames);
  cr_assert(p.width == 480 && p.height == 480 && p.h264);
  snprintf(path, sizeof path, "%s/config.json", run);
  FILE *f = fopen(path, "r");
  char text[4096] = "";
  cr_assert_gt(fread(text, 1, sizeof text - 1, f), 0);
  fclose(f);
  const char *key = strstr(text, "\"video_log_freq\":");
  cr_assert(key && strtol(key + 17, NULL, 10) == 2, "%s", text);
  io_test_rmtree(logdir);
}

Test(video_mb, a_cheetah_run_films_through_mujoco, .timeout = 60) {
  char logdir[64], run[1024], err[512] = "", path[1400];
  run_tiny("cheetah-cs285-v0", 20, 1, 1, NULL, NULL, logdir, run, err);
  snprintf(path, sizeof path, "%s/itr_0_eval.mp4", run);
  video_probe p = probe_video(path);
  cr_assert_eq(p.frames, 21, "20 steps, one episode: a frame before each action and one of the end");
  cr_assert(p.width == 640 && p.height == 360);
  io_test_rmtree(logdir);
}

Test(video_mb, without_egl_the_run_warns_once_and_writes_everything_else, .timeout = 60) {
  setenv("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent/egl.json", 1);
  char logdir[64], run[1024], err[512] = "";
  warnings_seen w = {0};
  run_tiny("cheetah-cs285-v0", 20, 2, 1, count_warnings, &w, logdir, run, err);
  cr_assert_eq(w.warnings, 1, "reported once, then video stays off");
  cr_assert(strstr(w.last, "EGL") && strstr(w.last, "libegl-mesa0"), "%s", w.last);
  cr_assert_str_eq(err, w.last, "the run ends with the warning in err");
  const char *files[] = {"config.json", "metrics.csv", "itr_0_predictions.png", "returns.png",
                         "model.safetensors"};
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) cr_assert(io_test_nonempty(run, files[i]), "%s", files[i]);
  cr_assert_eq(count_suffix(run, ".mp4"), 0);
  cr_assert_eq(count_suffix(run, ".tmp"), 0);
  io_test_rmtree(logdir);
}

/* the one run directory under logdir */
static void only_run(const char *logdir, char *run, size_t run_sz) {
  DIR *d = opendir(logdir);
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (e->d_name[0] != '.') snprintf(run, run_sz, "%s/%s", logdir, e->d_name), n++;
  closedir(d);
  cr_assert_eq(n, 1);
}

Test(video_mb, cli_films_runs_and_renders_saved_models, .timeout = 90) {
  char logdir[64], run[1024], args[4096], out[8192], path[1400];
  io_test_mkdtemp(logdir);
  snprintf(args, sizeof args,
           "mb --env_name obstacles-cs285-v0 --exp_name cli -n 2 --batch_size_initial 100 -b 50 -eb 10 "
           "--num_agent_train_steps_per_iter 5 --mpc_num_action_sequences 20 --mpc_horizon 3 --size 16 "
           "--video_log_freq 1 --save_params --threads 1 --quiet --logdir %s",
           logdir);
  cr_assert_eq(run_mbrl(args, out, sizeof out), 0, "%s", out);
  only_run(logdir, run, sizeof run);
  cr_assert(io_test_nonempty(run, "itr_0_eval.mp4") && io_test_nonempty(run, "itr_1_eval.mp4"));
  /* the latest model, then iteration 0's into a file named on the command line */
  snprintf(args, sizeof args, "render --run %s --threads 1", run);
  cr_assert_eq(run_mbrl(args, out, sizeof out), 0, "%s", out);
  snprintf(path, sizeof path, "%s/render.mp4", run);
  cr_assert(strstr(out, path), "%s", out);
  int frames = 0, steps = 0;
  cr_assert_eq(sscanf(strstr(out, ": ") + 2, "%d frames, an episode of %d steps", &frames, &steps), 2, "%s", out);
  cr_assert_eq(frames, steps + 1);
  video_probe p = probe_video(path);
  cr_assert(p.frames == frames && p.width == 480 && p.height == 480);
  snprintf(path, sizeof path, "%s/zero.mp4", logdir);
  snprintf(args, sizeof args, "render --run %s --iter 0 --out %s --width 96 --height 64 --seed 3", run, path);
  cr_assert_eq(run_mbrl(args, out, sizeof out), 0, "%s", out);
  p = probe_video(path);
  cr_assert(p.width == 96 && p.height == 64 && p.frames >= 2);
  /* refusals */
  snprintf(args, sizeof args, "render --run %s --iter 7", run);
  cr_assert_eq(run_mbrl(args, out, sizeof out), 2, "a model that is not there is what the command named");
  cr_assert(strstr(out, "itr_7_model.safetensors") && strstr(out, "--save_params"), "%s", out);
  cr_assert_eq(run_mbrl("render --run /nonexistent/run", out, sizeof out), 2);
  cr_assert(strstr(out, "/nonexistent/run/config.json"), "%s", out);
  cr_assert_eq(run_mbrl("render", out, sizeof out), 2);
  cr_assert(strstr(out, "--run is required"), "%s", out);
  snprintf(args, sizeof args, "render --run %s --width 95 --height 64", run);
  cr_assert_eq(run_mbrl(args, out, sizeof out), 2);
  io_test_rmtree(logdir);
}

Test(video_mb, cli_without_egl_warns_and_finishes_the_run, .timeout = 60) {
  setenv("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent/egl.json", 1);
  char logdir[64], run[1024], args[4096], out[8192];
  io_test_mkdtemp(logdir);
  const char *quiet[] = {"", "--quiet"};
  for (int q = 0; q < 2; q++) {
    snprintf(args, sizeof args,
             "mb --env_name halfcheetah-v4 --ep_len 20 --exp_name q%d -n 1 --batch_size_initial 40 "
             "-eb 20 --num_agent_train_steps_per_iter 5 --mpc_num_action_sequences 20 --mpc_horizon 3 "
             "--size 16 --video_log_freq 1 --threads 1 %s --logdir %s",
             q, quiet[q], logdir);
    cr_assert_eq(run_mbrl(args, out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "EGL") && strstr(out, "without video"), "%s", out);
    cr_assert_eq(strstr(strstr(out, "without video") + 1, "without video"), NULL, "said once:\n%s", out);
  }
  DIR *d = opendir(logdir);
  for (struct dirent *e; (e = readdir(d));) {
    if (e->d_name[0] == '.') continue;
    snprintf(run, sizeof run, "%s/%s", logdir, e->d_name);
    cr_assert(io_test_nonempty(run, "metrics.csv") && io_test_nonempty(run, "model.safetensors"), "%s", run);
    cr_assert_eq(count_suffix(run, ".mp4"), 0);
  }
  closedir(d);
  io_test_rmtree(logdir);
}
