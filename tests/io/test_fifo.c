/* Loaders refuse what is not a regular file at once: a FIFO where a model, a safetensors file, a
 * TensorBoard file, a run's config.json or metrics.csv, a maze or an MJCF file is expected gives an
 * error rather than waiting for a writer. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "io_test.h"
#include "mbrl/core.h"
#include "mbrl/dynamics.h"
#include "mbrl/env.h"
#include "mbrl/maze.h"
#include "mbrl/mb.h"
#include "mbrl/runplot.h"
#include "mbrl/safetensors.h"
#include "mbrl/tfevents.h"

Test(io_fifo, loaders_refuse_a_fifo_without_waiting, .timeout = 20) {
  char dir[64], path[128], err[512];
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/fifo", dir);
  cr_assert_eq(mkfifo(path, 0600), 0);
  mbrl_safetensors *st;
  cr_expect_eq(mbrl_safetensors_load(&st, path, err, sizeof err), MBRL_EIO);
  cr_expect(strstr(err, "not a regular file"), "%s", err);
  mbrl_dynamics dyn;
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  cr_expect_neq(mbrl_dynamics_load(&dyn, path, &r, err, sizeof err), 0);
  mbrl_tfevents_reader *tr;
  cr_expect_eq(mbrl_tfevents_reader_open(&tr, path, err, sizeof err), MBRL_EIO);
  mbrl_maze maze;
  cr_expect_neq(mbrl_maze_load(&maze, path, err, sizeof err), 0);
  cr_expect(strstr(err, "not a regular file"), "%s", err);
  mbrl_mb_config c = mbrl_mb_defaults();
  cr_expect_neq(mbrl_config_read_file(&mbrl_mb_table, &c, path, err, sizeof err), 0);
  char name[160];
  snprintf(name, sizeof name, "mujoco:%s", path);
  mbrl_env *env = NULL;
  cr_expect_neq(mbrl_env_make(&env, name, err, sizeof err), 0);
  cr_expect(strstr(err, "not a regular file"), "%s", err);
  /* a run directory whose metrics.csv is a FIFO */
  char run[128], csv[160];
  snprintf(run, sizeof run, "%s/run", dir);
  snprintf(csv, sizeof csv, "%s/metrics.csv", run);
  cr_assert_eq(mkdir(run, 0700), 0);
  cr_assert_eq(mkfifo(csv, 0600), 0);
  mbrl_runplot_table t;
  cr_expect_neq(mbrl_runplot_read(&t, run, err, sizeof err), 0);
  io_test_rmtree(dir);
}
