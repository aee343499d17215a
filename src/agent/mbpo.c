/* MBPO (CS285 HW4 problem 6): a SAC agent trained on real data and on batched rollouts of its
 * actor through the learned ensemble, on the loop that loop.c shares with mbrl mb. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "agent/loop.h"
#include "mbrl/core.h"
#include "mbrl/mbpo.h"
#include "mbrl/rollout.h"

/* logged besides CS285's tags */
static const char *const sac_tags[] = {"Critic_Loss", "Actor_Loss",       "Alpha_Loss",
                                       "Temperature", "SAC_UpdatesSoFar", "Model_TransitionsSoFar"};

#define T mbrl_mbpo_config
static const mbrl_field mbpo_fields[] = {
    MBRL_CFG_SECTION(T, mb, &mbrl_mb_table),
    MBRL_CFG_INT(T, sac_num_agent_train_steps_per_iter, "sac_num_agent_train_steps_per_iter", NULL, 0, 1e6, 1,
                 "SAC updates after each model rollout"),
    MBRL_CFG_INT(T, sac_num_critic_updates_per_agent_update, "sac_num_critic_updates_per_agent_update", NULL, 1,
                 1e6, 1, "critic steps per SAC update"),
    MBRL_CFG_INT(T, sac_num_actor_updates_per_agent_update, "sac_num_actor_updates_per_agent_update", NULL, 1, 1e6,
                 1, "actor and temperature steps per SAC update that takes them"),
    MBRL_CFG_INT(T, sac_actor_update_frequency, "sac_actor_update_frequency", NULL, 1, 1e6, 1,
                 "actor steps on every k-th SAC update"),
    MBRL_CFG_INT(T, sac_critic_target_update_frequency, "sac_critic_target_update_frequency", NULL, 1, 1e6, 1,
                 "target soft update on every k-th SAC update"),
    MBRL_CFG_INT(T, sac_train_batch_size, "sac_train_batch_size", NULL, 1, 1e6, 256, "rows per SAC update"),
    MBRL_CFG_INT(T, sac_batch_size, "sac_batch_size", NULL, 1, 1e9, 1000, "accepted and unused, as in run_hw4_mbpo.py"),
    MBRL_CFG_DOUBLE(T, sac_discount, "sac_discount", NULL, 0, 1, 0.99, "discount gamma"),
    MBRL_CFG_DOUBLE(T, sac_init_temperature, "sac_init_temperature", NULL, 1e-12, 1e6, 1.0, "initial temperature alpha"),
    MBRL_CFG_DOUBLE(T, sac_learning_rate, "sac_learning_rate", NULL, 1e-12, 10, 3e-4,
                    "Adam learning rate of actor, critics and temperature"),
    MBRL_CFG_INT(T, sac_n_layers, "sac_n_layers", NULL, 0, MBRL_MAX_LAYERS - 1, 2, "actor and critic hidden layers"),
    MBRL_CFG_INT(T, sac_size, "sac_size", NULL, 1, 65536, 64, "actor and critic hidden width"),
    MBRL_CFG_INT(T, sac_n_iter, "sac_n_iter", NULL, 0, 1e8, 200, "model rollouts, each with its updates, per iteration"),
    MBRL_CFG_INT(T, mbpo_rollout_length, "mbpo_rollout_length", NULL, 0, 1e6, 1,
                 "model rollout length L (0: plain SAC, 1: Dyna, 10: MBPO)"),
    MBRL_CFG_INT(T, mbpo_rollout_batch, "mbpo_rollout_batch", NULL, 0, 1e8, 10,
                 "rollouts made at once, then their updates (1: the reference's order; 0: all at once)"),
    MBRL_CFG_BOOL(T, mbpo_random_member, "mbpo_random_member", NULL, 0,
                  "rollouts step with a random member instead of the members' mean"),
    MBRL_CFG_BOOL(T, mbpo_reward_next, "mbpo_reward_next", NULL, 0,
                  "rollouts score the next state (the env's convention) instead of the current one"),
};
#undef T
const mbrl_config_table mbrl_mbpo_table = {"mbpo", mbpo_fields, (int)(sizeof mbpo_fields / sizeof *mbpo_fields)};

mbrl_mbpo_config mbrl_mbpo_defaults(void) {
  mbrl_mbpo_config c;
  memset(&c, 0, sizeof c);
  mbrl_config_defaults(&mbrl_mbpo_table, &c);
  return c;
}

static int check_config(const mbrl_mbpo_config *c, char *err, size_t err_sz) {
  int rc = mbrl_loop_check(&c->mb, 0, err, err_sz);
  if (rc) return rc;
  if (c->sac_n_iter < 0 || c->sac_num_agent_train_steps_per_iter < 0 || c->mbpo_rollout_length < 0 ||
      c->mbpo_rollout_batch < 0)
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "sac_n_iter, sac_num_agent_train_steps_per_iter, mbpo_rollout_length and "
                     "mbpo_rollout_batch must not be negative");
  return MBRL_OK;
}

/* the SAC agent for the environment's sizes and the run's settings */
static mbrl_sac_config sac_config(const mbrl_mbpo_config *c, const mbrl_env_spec *s, int act_batch) {
  mbrl_sac_config sc = mbrl_sac_defaults(s->obs_dim, s->act_dim);
  /* the reference's action range: [min(low), max(high)] */
  sc.act_low = s->act_low[0], sc.act_high = s->act_high[0];
  for (int j = 1; j < s->act_dim; j++)
    sc.act_low = fminf(sc.act_low, s->act_low[j]), sc.act_high = fmaxf(sc.act_high, s->act_high[j]);
  sc.gamma = (float)c->sac_discount, sc.n_layers = c->sac_n_layers, sc.size = c->sac_size;
  sc.lr = (float)c->sac_learning_rate, sc.init_temperature = (float)c->sac_init_temperature;
  sc.batch_size = c->sac_train_batch_size, sc.act_batch = act_batch;
  sc.critic_updates = c->sac_num_critic_updates_per_agent_update;
  sc.actor_updates = c->sac_num_actor_updates_per_agent_update;
  sc.actor_update_freq = c->sac_actor_update_frequency;
  sc.target_update_freq = c->sac_critic_target_update_frequency;
  return sc;
}

/* the loop reports the mb part; the caller gets the whole */
typedef struct {
  mbrl_mbpo_progress p;
  mbrl_mbpo_progress_fn fn;
  void *ctx;
} reporter;

static void report(void *r, const mbrl_mb_progress *mb) {
  reporter *rep = r;
  (void)mb; /* rep->p.mb itself */
  rep->fn(rep->ctx, &rep->p);
}

/* what the SAC phase works on */
typedef struct {
  mbrl_loop *L;
  const mbrl_mbpo_config *c;
  mbrl_sac *sac;
  mbrl_buffer *buf; /* the SAC buffer */
  mbrl_rollout *ro;
  int chunk;        /* rollouts made at once */
  reporter *rep;
} sac_phase;

/* sac_n_iter rollouts in chunks, each chunk followed by its updates */
static int run_sac_phase(sac_phase *ph, char *err, size_t err_sz) {
  const mbrl_mbpo_config *c = ph->c;
  mbrl_mbpo_progress *p = &ph->rep->p;
  mbrl_loop_report(ph->L, "sac", 0, c->sac_n_iter);
  for (int k = 0; k < c->sac_n_iter;) {
    int n = c->sac_n_iter - k < ph->chunk ? c->sac_n_iter - k : ph->chunk, rc;
    if (c->mbpo_rollout_length > 0) {
      rc = mbrl_rollout_run(ph->ro, mbrl_sac_policy_sample_batch, ph->sac, &ph->L->buf, n, err, err_sz);
      if (rc) return rc;
      mbrl_buffer_add(ph->buf, &ph->ro->paths, NULL);
      p->model_rollouts = ph->ro->rollouts, p->model_transitions = ph->ro->transitions;
      p->model_cut = ph->ro->cut;
    }
    for (int64_t i = 0; i < (int64_t)n * c->sac_num_agent_train_steps_per_iter; i++) {
      rc = mbrl_sac_train_step(ph->sac, ph->buf, &p->sac, err, err_sz);
      if (rc == MBRL_ENUMERIC) rc = MBRL_OK; /* skipped and counted in sac->skipped */
      if (rc) return rc;
    }
    p->sac_updates = ph->sac->updates;
    k += n;
    mbrl_loop_report(ph->L, "sac", k, c->sac_n_iter);
  }
  return MBRL_OK;
}

/* sac.safetensors, and itr_<itr>_sac.safetensors with save_params */
static int save_sac(const mbrl_loop *L, const mbrl_sac *sac, int itr, char *err, size_t err_sz) {
  char path[1200];
  snprintf(path, sizeof path, "%s/sac.safetensors", L->dir);
  int rc = mbrl_sac_save(sac, path, err, err_sz);
  if (rc || !L->cfg->save_params) return rc;
  snprintf(path, sizeof path, "%s/itr_%d_sac.safetensors", L->dir, itr);
  return mbrl_sac_save(sac, path, err, err_sz);
}

/* what MBPO keeps besides the loop: the agent, its buffer, the rollouts' stream and counts, and the
 * last losses (an iteration without updates logs them again) */
typedef struct {
  mbrl_sac *sac;
  mbrl_buffer *sac_buf;
  mbrl_rollout *ro;
  mbrl_mbpo_progress *p;
} own_state;

static void save_own(mbrl_checkpoint *ck, void *ctx) {
  own_state *o = ctx;
  mbrl_rollout *ro = o->ro;
  mbrl_sac_state_add(ck, "sac.", o->sac);
  mbrl_loop_add_buffer(ck, "sac_buffer.", o->sac_buf);
  int64_t four = 4;
  mbrl_checkpoint_add(ck, "mbpo.losses", MBRL_DTYPE_F32, &o->p->sac, 1, &four);
  if (!ro->cfg.length) return; /* no rollouts */
  mbrl_checkpoint_add(ck, "rollout.rng", MBRL_DTYPE_U64, ro->rng.s, 1, &four);
  char text[96];
  snprintf(text, sizeof text, "%lld %lld %lld", (long long)ro->rollouts, (long long)ro->transitions,
           (long long)ro->cut);
  mbrl_checkpoint_add_meta(ck, "rollout.counters", text);
}

static int load_own(const mbrl_safetensors *st, void *ctx, char *err, size_t err_sz) {
  own_state *o = ctx;
  mbrl_sac *sac = o->sac;
  mbrl_rollout *ro = o->ro;
  mbrl_mbpo_progress *p = o->p;
  int rc = mbrl_sac_state_load(sac, st, "sac.", err, err_sz);
  if (!rc) rc = mbrl_loop_load_buffer(o->sac_buf, st, "sac_buffer.", err, err_sz);
  if (!rc) rc = mbrl_checkpoint_get(st, "mbpo.losses", MBRL_DTYPE_F32, &p->sac, 4, err, err_sz);
  p->sac_updates = sac->updates;
  if (rc || !ro->cfg.length) return rc;
  rc = mbrl_checkpoint_get(st, "rollout.rng", MBRL_DTYPE_U64, ro->rng.s, 4, err, err_sz);
  const char *text = mbrl_safetensors_meta_get(st, "rollout.counters");
  long long r, t, cut;
  if (!rc && (!text || sscanf(text, "%lld %lld %lld", &r, &t, &cut) != 3 || r < 0 || t < 0 || cut < 0))
    rc = mbrl_errf(err, err_sz, MBRL_EFORMAT, "metadata 'rollout.counters' is missing or negative");
  if (!rc) {
    ro->rollouts = p->model_rollouts = r, ro->transitions = p->model_transitions = t;
    ro->cut = p->model_cut = cut;
  }
  return rc;
}

/* the loop from the start, or with resume_dir from the state a run saved there */
static int run(const mbrl_mbpo_config *c, const char *resume_dir, mbrl_mbpo_progress_fn progress, void *ctx,
               char *run_dir, size_t run_dir_sz, char *err, size_t err_sz) {
  int rc = check_config(c, err, err_sz);
  if (rc) return rc;
  const int chunk = c->mbpo_rollout_batch > 0 && c->mbpo_rollout_batch < c->sac_n_iter ? c->mbpo_rollout_batch
                    : c->sac_n_iter > 0                                                  ? c->sac_n_iter
                                                                                         : 1;
  reporter rep = {.p = {.sac = {NAN, NAN, NAN, NAN}}, .fn = progress, .ctx = ctx};
  mbrl_loop L;
  mbrl_sac sac = {0};
  mbrl_buffer sac_buf = {0};
  mbrl_rollout ro = {0};
  int done = -1; /* the last iteration finished */
  if ((rc = mbrl_loop_init(&L, &c->mb, chunk, &rep.p.mb, progress ? report : NULL, &rep, err, err_sz))) goto out;
  mbrl_sac_config sc = sac_config(c, L.spec, chunk);
  if ((rc = mbrl_sac_init(&sac, &sc, &L.r_agent, err, err_sz))) goto out;
  mbrl_buffer_init(&sac_buf, L.spec->obs_dim, L.spec->act_dim, MBRL_SAC_BUFFER_CAPACITY);
  mbrl_model model = mbrl_dynamics_model(&L.dwork);
  mbrl_task task = mbrl_env_task(L.env);
  mbrl_rng r_rollout;
  mbrl_rng_split(&r_rollout, &L.root, 6);
  if (c->mbpo_rollout_length > 0) {
    mbrl_rollout_config rcfg = {.max_B = chunk, .length = c->mbpo_rollout_length,
                                .random_member = c->mbpo_random_member, .reward_next = c->mbpo_reward_next};
    if ((rc = mbrl_rollout_init(&ro, &rcfg, &model, &task, &r_rollout, err, err_sz))) goto out;
  }
  /* config.json shows the rollout chunk in effect */
  mbrl_mbpo_config shown = *c;
  shown.mbpo_rollout_batch = chunk;
  own_state own = {&sac, &sac_buf, &ro, &rep.p};
  rc = resume_dir ? mbrl_loop_resume(&L, resume_dir, load_own, &own, run_dir, run_dir_sz, &done, err, err_sz)
                  : mbrl_loop_open(&L, &mbrl_mbpo_table, &shown, sac_tags, (int)(sizeof sac_tags / sizeof *sac_tags),
                                   run_dir, run_dir_sz, err, err_sz);
  if (rc) goto out;

  sac_phase ph = {&L, c, &sac, &sac_buf, &ro, chunk, &rep};
  for (int itr = done + 1; itr < c->mb.n_iter; itr++) {
    /* the actor samples real data into both buffers (noise only in the model's) */
    if ((rc = mbrl_loop_collect(&L, itr, mbrl_sac_policy_sample, NULL, &sac, err, err_sz))) break;
    mbrl_buffer_add(&sac_buf, &L.paths, NULL);
    if ((rc = mbrl_loop_train_model(&L, itr, err, err_sz)) || (rc = run_sac_phase(&ph, err, err_sz)) ||
        (rc = save_sac(&L, &sac, itr, err, err_sz)))
      break;
    const mbrl_sac_losses *l = &rep.p.sac;
    const float row[] = {l->critic_loss, l->actor_loss, l->alpha_loss, l->temperature, (float)sac.updates,
                         (float)rep.p.model_transitions};
    for (size_t k = 0; k < sizeof row / sizeof *row; k++)
      if (!isnan(row[k])) mbrl_metrics_set(L.metrics, sac_tags[k], row[k]); /* no update: empty cells */
    /* the actor's mean action is evaluated */
    if ((rc = mbrl_loop_log(&L, itr, mbrl_sac_policy_mean, NULL, &sac, err, err_sz)) ||
        (rc = mbrl_loop_save(&L, itr, save_own, &own, err, err_sz)))
      break;
  }

out:
  mbrl_rollout_free(&ro);
  mbrl_buffer_free(&sac_buf);
  mbrl_sac_free(&sac);
  mbrl_loop_free(&L);
  return rc;
}

int mbrl_mbpo_run(const mbrl_mbpo_config *c, mbrl_mbpo_progress_fn progress, void *ctx, char *run_dir,
                  size_t run_dir_sz, char *err, size_t err_sz) {
  return run(c, NULL, progress, ctx, run_dir, run_dir_sz, err, err_sz);
}

int mbrl_mbpo_resume(const char *run_dir, mbrl_mbpo_progress_fn progress, void *ctx, char *err, size_t err_sz) {
  mbrl_mbpo_config c = mbrl_mbpo_defaults();
  char path[1200];
  snprintf(path, sizeof path, "%s/config.json", run_dir);
  int rc = mbrl_config_read_file(&mbrl_mbpo_table, &c, path, err, err_sz);
  return rc ? rc : run(&c, run_dir, progress, ctx, NULL, 0, err, err_sz);
}
