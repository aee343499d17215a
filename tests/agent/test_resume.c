/* Resuming runs: a short mbrl mb, mbrl pets and mbrl mbpo run killed with SIGKILL after a random iteration and
 * resumed with --resume end with the same metrics.csv (but wall times) and model.safetensors as a
 * run never stopped; a run directory without a state, or a finished run, is refused with a
 * message. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../cli/run_cli.h"
#include "../io/io_test.h"
#include "mbrl/core.h"
#include "mbrl/safetensors.h"

/* the only run directory under logdir */
static void run_dir(const char *logdir, char *out, size_t n) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "ls -d %s/hw4_* 2>/dev/null | head -1", logdir);
  FILE *p = popen(cmd, "r");
  cr_assert_not_null(p);
  cr_assert_not_null(fgets(out, (int)n, p), "no run directory under %s", logdir);
  pclose(p);
  out[strcspn(out, "\n")] = 0;
}

/* the last iteration a run directory's resume state has finished, or -1 */
static int saved_itr(const char *dir) {
  char path[1200];
  snprintf(path, sizeof path, "%s/resume.safetensors", dir);
  mbrl_safetensors *st;
  if (mbrl_safetensors_load(&st, path, NULL, 0)) return -1;
  const char *loop = mbrl_safetensors_meta_get(st, "loop");
  int itr = loop ? atoi(loop) : -1;
  mbrl_safetensors_free(st);
  return itr;
}

/* a checksum of a run's metrics.csv without its TimeSinceStart column, and of its model */
static void digest(const char *dir, char *out, size_t n) {
  char cmd[2600];
  snprintf(cmd, sizeof cmd,
           "awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) if ($i == \"TimeSinceStart\") s = i} "
           "{o = \"\"; for (i = 1; i <= NF; i++) if (i != s) o = o \",\" $i; print o}' %s/metrics.csv | "
           "sha256sum | cut -c1-16; sha256sum %s/model.safetensors | cut -c1-16",
           dir, dir);
  FILE *p = popen(cmd, "r");
  cr_assert_not_null(p);
  size_t k = fread(out, 1, n - 1, p);
  out[k] = 0;
  pclose(p);
  cr_assert(k > 30, "no digest of %s", dir);
}

/* runs "mbrl cmd args" to the end in logdir a, and in logdir b kills it with SIGKILL once it has
 * saved iteration kill_at (or later), resumes it and checks both end byte-identical */
static void killed_and_resumed(const char *cmd, const char *args, int kill_at) {
  char root[64], a[128], b[128], line[4096], out[8192], dir_a[1024], dir_b[1024];
  io_test_mkdtemp(root);
  snprintf(a, sizeof a, "%s/a", root);
  snprintf(b, sizeof b, "%s/b", root);
  snprintf(line, sizeof line, "%s %s --threads 1 --quiet --logdir %s", cmd, args, a);
  cr_assert_eq(run_mbrl(line, out, sizeof out), 0, "%s", out);
  run_dir(a, dir_a, sizeof dir_a);

  pid_t pid = fork();
  cr_assert(pid >= 0);
  if (pid == 0) {
    snprintf(line, sizeof line, "exec %s %s %s --threads 1 --quiet --logdir %s >/dev/null 2>&1", getenv("MBRL_BIN"),
             cmd, args, b);
    execl("/bin/sh", "sh", "-c", line, (char *)NULL);
    _exit(127);
  }
  int killed = 0, status;
  for (;;) {
    if (waitpid(pid, &status, WNOHANG) == pid) break; /* it finished first */
    char listing[256];
    snprintf(listing, sizeof listing, "ls -d %s/hw4_* >/dev/null 2>&1", b);
    if (system(listing) == 0) {
      run_dir(b, dir_b, sizeof dir_b);
      if (saved_itr(dir_b) >= kill_at) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        killed = 1;
        break;
      }
    }
    nanosleep(&(struct timespec){0, 5000000}, NULL);
  }
  cr_assert(killed, "the run ended before iteration %d was saved", kill_at);
  int at = saved_itr(dir_b);
  snprintf(line, sizeof line, "%s --resume %s --threads 1 --quiet", cmd, dir_b);
  cr_assert_eq(run_mbrl(line, out, sizeof out), 0, "%s", out);
  char da[256], db[256];
  digest(dir_a, da, sizeof da);
  digest(dir_b, db, sizeof db);
  cr_expect_str_eq(da, db, "%s killed after iteration %d and resumed: metrics and model differ", cmd, at);
  /* a finished run has nothing left */
  cr_expect_eq(run_mbrl(line, out, sizeof out), 2, "%s", out);
  cr_expect(strstr(out, "nothing to resume"), "%s", out);
  io_test_rmtree(root);
}

static int pick(int n) {
  srand((unsigned)time(NULL) ^ (unsigned)getpid());
  return rand() % n;
}

Test(resume, a_killed_mb_run_resumes_to_identical_results, .timeout = 300) {
  const int kill_at = pick(3); /* after iteration 0, 1 or 2 of 4 */
  killed_and_resumed("mb",
                     "--exp_name resume --env_name obstacles-cs285-v0 --add_sl_noise --n_iter 4 "
                     "--num_agent_train_steps_per_iter 20 --batch_size_initial 500 --batch_size 200 "
                     "--eval_batch_size 100 --mpc_horizon 5 --mpc_num_action_sequences 100 --seed 4 "
                     "--mpc_action_sampling_strategy cem --cem_iterations 2",
                     kill_at);
}

Test(resume, a_killed_pets_run_resumes_to_identical_results, .timeout = 300) {
  const int kill_at = pick(3);
  killed_and_resumed("pets",
                     "--exp_name resume --env_name cartpole-continuous-v0 --n_iter 4 --epochs 2 --ep_len 40 "
                     "--n_layers 1 --size 32 --mpc_horizon 5 --mpc_num_action_sequences 50 --particles 4 --seed 5",
                     kill_at);
}

Test(resume, a_killed_mbpo_run_resumes_to_identical_results, .timeout = 300) {
  const int kill_at = pick(3);
  killed_and_resumed("mbpo",
                     "--exp_name resume --env_name obstacles-cs285-v0 --add_sl_noise --n_iter 4 "
                     "--num_agent_train_steps_per_iter 20 --batch_size_initial 500 --batch_size 200 "
                     "--eval_batch_size 100 --sac_n_iter 40 --sac_size 32 --sac_batch_size 64 "
                     "--mbpo_rollout_length 3 --seed 6",
                     kill_at);
}

Test(resume, a_directory_without_state_is_refused) {
  char root[64], out[4096], line[256];
  io_test_mkdtemp(root);
  snprintf(line, sizeof line, "mb --resume %s", root);
  cr_expect_neq(run_mbrl(line, out, sizeof out), 0);
  cr_expect(strstr(out, "config.json") || strstr(out, "resume"), "%s", out);
  io_test_rmtree(root);
}
