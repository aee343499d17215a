/* Replaying a run of mbrl mb: its MPC policy (config.json's planner settings, a saved model)
 * plays one episode, filmed by the episode recorder. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mbrl/core.h"
#include "mbrl/dynamics.h"
#include "mbrl/mb.h"
#include "mbrl/planner.h"
#include "mbrl/record.h"
#include "mbrl/render.h"
#include "mbrl/video.h"

/* the settings of a run, from its config.json */
static int read_settings(const char *run_dir, mbrl_mb_config *c, char *err, size_t err_sz) {
  char path[1200];
  snprintf(path, sizeof path, "%s/config.json", run_dir);
  *c = mbrl_mb_defaults();
  int rc = mbrl_config_read_file(&mbrl_mb_table, c, path, err, err_sz);
  if (rc) return rc;
  if (!c->env_name[0])
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s is not the config of an mbrl mb run (no env_name)", path);
  return MBRL_OK;
}

int mbrl_mb_replay(const char *run_dir, int iter, const char *out, uint64_t seed, int width,
                   int height, mbrl_mb_replay_result *res, char *err, size_t err_sz) {
  MBRL_ASSERT(run_dir && res);
  memset(res, 0, sizeof *res);
  mbrl_mb_config s;
  int rc = read_settings(run_dir, &s, err, err_sz);
  if (rc) return rc;
  char model_path[1200];
  if (iter >= 0)
    snprintf(model_path, sizeof model_path, "%s/itr_%d_model.safetensors", run_dir, iter);
  else
    snprintf(model_path, sizeof model_path, "%s/model.safetensors", run_dir);
  if (out)
    snprintf(res->path, sizeof res->path, "%s", out);
  else if (iter >= 0)
    snprintf(res->path, sizeof res->path, "%s/render_itr_%d.mp4", run_dir, iter);
  else
    snprintf(res->path, sizeof res->path, "%s/render.mp4", run_dir);

  mbrl_rng rng;
  mbrl_rng_init(&rng, seed, 0);
  mbrl_env *env;
  if ((rc = mbrl_env_make(&env, s.env_name, err, err_sz))) return rc;
  if (s.ep_len > 0) mbrl_env_set_ep_len(env, s.ep_len);
  const mbrl_env_spec *spec = mbrl_env_get_spec(env);
  mbrl_dynamics dyn = {0};
  mbrl_dynamics_work work = {0};
  mbrl_planner *planner = NULL;
  mbrl_recorder *rec = NULL;
  mbrl_paths paths = {0};
  if (access(model_path, R_OK) != 0) {
    rc = mbrl_errf(err, err_sz, MBRL_ENOTFOUND, "%s cannot be read%s", model_path,
                   iter >= 0 ? " (a run keeps every iteration's model only with --save_params)" : "");
    goto out;
  }
  if ((rc = mbrl_dynamics_load(&dyn, model_path, &rng, err, err_sz))) goto out;
  if (dyn.cfg.obs_dim != spec->obs_dim || dyn.cfg.act_dim != spec->act_dim) {
    rc = mbrl_errf(err, err_sz, MBRL_EFORMAT, "%s does not fit %s (obs %d, act %d)", model_path,
                   s.env_name, spec->obs_dim, spec->act_dim);
    goto out;
  }
  mbrl_dynamics_work_init(&work, &dyn, s.planner.N * s.planner.prop.particles);
  mbrl_model model = mbrl_dynamics_model(&work);
  mbrl_task task = mbrl_env_task(env);
  if ((rc = mbrl_planner_make(&planner, &s.planner, &task, &model, &rng, err, err_sz))) goto out;

  /* one whole episode: a collection of one step runs to the episode's end */
  rec = mbrl_recorder_make(env, width, height);
  mbrl_paths_init(&paths, spec->obs_dim, spec->act_dim, spec->ep_len);
  if ((rc = mbrl_recorder_start(rec, res->path, mbrl_planner_policy, mbrl_planner_policy_reset, planner, err, err_sz)) ||
      (rc = mbrl_collect(&paths, env, mbrl_recorder_policy, mbrl_recorder_reset, rec, 1, spec->ep_len, &rng, err, err_sz)) ||
      (rc = mbrl_recorder_finish(rec, &res->frames, err, err_sz)))
    goto out;
  res->ret = paths.ep_return[0];
  res->steps = paths.ep_len[0];

out:
  mbrl_paths_free(&paths);
  mbrl_recorder_free(rec);
  mbrl_planner_free(planner);
  mbrl_dynamics_work_free(&work);
  mbrl_dynamics_free(&dyn);
  mbrl_env_free(env);
  return rc;
}
