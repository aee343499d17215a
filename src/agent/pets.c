/* PETS: trials of MPC through a probabilistic ensemble with trajectory sampling, the model refitted
 * after each, on the loop that loop.c shares with mbrl mb. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "agent/loop.h"
#include "mbrl/core.h"
#include "mbrl/pets.h"

static const mbrl_field pets_fields[] = {
    MBRL_CFG_SECTION(mbrl_pets_config, mb, &mbrl_mb_table),
    MBRL_CFG_INT(mbrl_pets_config, epochs, "epochs", NULL, 0, 1e6, 5, "passes over the data per model refit"),
};
const mbrl_config_table mbrl_pets_table = {"pets", pets_fields, (int)(sizeof pets_fields / sizeof *pets_fields)};

/* an environment's PETS configuration */
typedef struct {
  const char *env;
  int trials;              /* n_iter: the random trial and the MPC ones */
  int layers, size;        /* hidden layers and width of each member */
  float lr, weight_decay;
  int batch, epochs;       /* rows per member per step, passes per refit */
  int H, population, elites;
  int use_done;            /* the task ends episodes (the planner's returns stop there) */
  const char *angles;      /* observation entries the networks see as sine and cosine */
} preset;

/* mbrl-lib's PETS example on cartpole_continuous (LeakyReLU there, SiLU here); the original PETS
 * configurations (kchua/handful-of-trials) for the swing-up, reacher and half cheetah, with
 * mbrl-lib's weight decays and PETS's sine and cosine inputs for the pole's and the torso's
 * angles; PETS's general settings for other environments */
static const preset presets[] = {
    {"cartpole-continuous-v0", 11, 3, 200, 1e-3f, 5e-5f, 32, 50, 15, 500, 50, 1, ""},
    {"cartpole-pets-v0", 11, 3, 500, 1e-3f, 3e-5f, 32, 5, 25, 400, 40, 0, "1"},
    {"reacher-cs285-v0", 75, 4, 200, 7.5e-4f, 1.7e-4f, 32, 5, 25, 400, 40, 0, ""},
    {"halfcheetah-v4", 300, 4, 200, 1e-3f, 1e-4f, 32, 5, 30, 500, 50, 0, "1"},
    {NULL, 50, 4, 200, 1e-3f, 5e-5f, 32, 5, 25, 400, 40, 0, ""},
};

mbrl_pets_config mbrl_pets_defaults(const char *env_name) {
  mbrl_pets_config c;
  memset(&c, 0, sizeof c);
  mbrl_config_defaults(&mbrl_pets_table, &c);
  const preset *p = presets;
  while (p->env && !(env_name && !strcmp(env_name, p->env))) p++;
  if (env_name) snprintf(c.mb.env_name, sizeof c.mb.env_name, "%s", env_name);
  snprintf(c.mb.exp_name, sizeof c.mb.exp_name, "pets");
  c.mb.n_iter = p->trials;
  c.mb.batch_size_initial = c.mb.batch_size = 0; /* one episode */
  c.mb.scalar_log_freq = -1;                     /* the trials are the returns */
  mbrl_dynamics_config *m = &c.mb.model;
  m->E = 5, m->n_layers = p->layers, m->size = p->size, m->act = MBRL_ACT_SILU;
  m->lr = p->lr, m->weight_decay = p->weight_decay, m->train_batch_size = p->batch;
  m->bootstrap = 1, m->probabilistic = 1;
  snprintf(m->angle_dims, sizeof m->angle_dims, "%s", p->angles);
  c.epochs = p->epochs;
  mbrl_planner_config *pl = &c.mb.planner;
  int rc = mbrl_planner_defaults(pl, "cem", NULL, 0);
  char v[32];
  snprintf(v, sizeof v, "%d", p->elites);
  rc |= mbrl_planner_set(pl, "cem_num_elites", v, NULL, 0);
  rc |= mbrl_planner_set(pl, "cem_iterations", "5", NULL, 0);
  rc |= mbrl_planner_set(pl, "cem_alpha", "0.9", NULL, 0); /* PETS's alpha 0.1 of the old mean */
  MBRL_ASSERT(rc == MBRL_OK);                                /* the built-in CEM's settings */
  pl->H = p->H, pl->N = p->population;
  pl->prop.mode = MBRL_PROP_TSINF, pl->prop.particles = 20, pl->prop.use_done = p->use_done;
  return c;
}

static const char *const pets_tags[] = {"Best_Return_So_Far"};

/* what PETS keeps besides the loop: the planner's stream, and the curve of returns.png (steps, ret
 * and best in one block of 3 n_iter) with the best so far */
typedef struct {
  mbrl_planner *planner;
  double *curve;
  int n_iter;
  double best;
} own_state;

static void save_own(mbrl_checkpoint *ck, void *ctx) {
  own_state *o = ctx;
  int64_t four = 4, n = 3 * (int64_t)o->n_iter;
  mbrl_checkpoint_add(ck, "planner.rng", MBRL_DTYPE_U64, mbrl_planner_rng(o->planner)->s, 1, &four);
  mbrl_checkpoint_add(ck, "pets.curve", MBRL_DTYPE_F64, o->curve, 1, &n);
  char text[32];
  snprintf(text, sizeof text, "%.17g", o->best);
  mbrl_checkpoint_add_meta(ck, "pets.best", text);
}

static int load_own(const mbrl_safetensors *st, void *ctx, char *err, size_t err_sz) {
  own_state *o = ctx;
  int rc = mbrl_checkpoint_get(st, "planner.rng", MBRL_DTYPE_U64, mbrl_planner_rng(o->planner)->s, 4, err, err_sz);
  if (!rc) rc = mbrl_checkpoint_get(st, "pets.curve", MBRL_DTYPE_F64, o->curve, (size_t)3 * o->n_iter, err, err_sz);
  const char *text = mbrl_safetensors_meta_get(st, "pets.best");
  if (!rc && (!text || sscanf(text, "%lf", &o->best) != 1))
    rc = mbrl_errf(err, err_sz, MBRL_EFORMAT, "metadata 'pets.best' is missing");
  return rc;
}

/* the loop from the start, or with resume_dir from the state a run saved there */
static int run(const mbrl_pets_config *cfg, const char *resume_dir, mbrl_mb_progress_fn progress, void *ctx,
               char *run_dir, size_t run_dir_sz, char *err, size_t err_sz) {
  mbrl_pets_config c = *cfg;
  int rc = MBRL_OK;
  mbrl_mb_progress pr;
  mbrl_loop L;
  mbrl_planner *planner = NULL;
  double *curve = NULL;
  int done = -1; /* the last trial finished */
  if (c.epochs < 0) return mbrl_errf(err, err_sz, MBRL_EINVAL, "epochs must not be negative");
  /* a trial of 0 steps is one episode: its length is known once the environment is made */
  const int whole = c.mb.batch_size_initial <= 0 || c.mb.batch_size <= 0;
  if (whole) c.mb.batch_size_initial = c.mb.batch_size = 1;
  if ((rc = mbrl_loop_check(&c.mb, 1, err, err_sz))) return rc;
  const int rows = c.mb.planner.N * c.mb.planner.prop.particles;
  if ((rc = mbrl_loop_init(&L, &c.mb, rows, &pr, progress, ctx, err, err_sz))) goto out;
  if (cfg->mb.batch_size_initial <= 0) c.mb.batch_size_initial = L.spec->ep_len;
  if (cfg->mb.batch_size <= 0) c.mb.batch_size = L.spec->ep_len;
  mbrl_model model = mbrl_dynamics_model(&L.dwork);
  mbrl_task task = mbrl_env_task(L.env);
  if ((rc = mbrl_planner_make(&planner, &c.mb.planner, &task, &model, &L.r_agent, err, err_sz))) goto out;
  curve = mbrl_alloc((size_t)3 * c.mb.n_iter * sizeof(double));
  double *steps = curve, *ret = curve + c.mb.n_iter, *best = curve + 2 * c.mb.n_iter;
  own_state own = {planner, curve, c.mb.n_iter, NAN};
  double *const best_so_far = &own.best;
  rc = resume_dir ? mbrl_loop_resume(&L, resume_dir, load_own, &own, run_dir, run_dir_sz, &done, err, err_sz)
                  : mbrl_loop_open(&L, &mbrl_pets_table, &c, pets_tags, 1, run_dir, run_dir_sz, err, err_sz);
  if (rc) goto out;
  for (int itr = done + 1; itr < c.mb.n_iter; itr++) {
    /* a trial (random before the model has statistics), then a refit on all the data */
    if ((rc = mbrl_loop_collect(&L, itr, mbrl_planner_policy, mbrl_planner_policy_reset, planner, err, err_sz))) break;
    L.fit_epochs = c.epochs, L.train_steps = 0; /* no epochs: no training */
    if ((rc = mbrl_loop_train_model(&L, itr, err, err_sz))) break;
    if (itr > 0 && !(L.train.max <= *best_so_far)) *best_so_far = L.train.max;
    steps[itr] = (double)pr.envsteps, ret[itr] = L.train.average, best[itr] = itr > 0 ? *best_so_far : NAN;
    if (itr > 0) mbrl_metrics_set(L.metrics, pets_tags[0], (float)*best_so_far); /* empty after the random one */
    if ((rc = mbrl_loop_returns_plot(&L, "PETS: return of each trial", "environment steps", steps, ret,
                                     "trial return", best, "best so far", itr + 1, err, err_sz)) ||
        (rc = mbrl_loop_log(&L, itr, mbrl_planner_policy, mbrl_planner_policy_reset, planner, err, err_sz)) ||
        (rc = mbrl_loop_save(&L, itr, save_own, &own, err, err_sz)))
      break;
  }

out:
  mbrl_free(curve);
  mbrl_planner_free(planner);
  mbrl_loop_free(&L);
  return rc;
}

int mbrl_pets_run(const mbrl_pets_config *cfg, mbrl_mb_progress_fn progress, void *ctx, char *run_dir,
                  size_t run_dir_sz, char *err, size_t err_sz) {
  return run(cfg, NULL, progress, ctx, run_dir, run_dir_sz, err, err_sz);
}

int mbrl_pets_resume(const char *run_dir, mbrl_mb_progress_fn progress, void *ctx, char *err, size_t err_sz) {
  mbrl_pets_config c = mbrl_pets_defaults(NULL);
  char path[1200];
  snprintf(path, sizeof path, "%s/config.json", run_dir);
  int rc = mbrl_config_read_file(&mbrl_pets_table, &c, path, err, err_sz);
  return rc ? rc : run(&c, run_dir, progress, ctx, NULL, 0, err, err_sz);
}
