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

mbrl_mbpo_config mbrl_mbpo_defaults(void) {
  return (mbrl_mbpo_config){.mb = mbrl_mb_defaults(),
                            .sac_num_agent_train_steps_per_iter = 1,
                            .sac_num_critic_updates_per_agent_update = 1,
                            .sac_num_actor_updates_per_agent_update = 1,
                            .sac_actor_update_frequency = 1,
                            .sac_critic_target_update_frequency = 1,
                            .sac_train_batch_size = 256,
                            .sac_batch_size = 1000,
                            .sac_discount = 0.99,
                            .sac_init_temperature = 1.0,
                            .sac_learning_rate = 3e-4,
                            .sac_n_layers = 2,
                            .sac_size = 64,
                            .sac_n_iter = 200,
                            .mbpo_rollout_length = 1,
                            .mbpo_rollout_batch = 10};
}

static int check_config(const mbrl_mbpo_config *c, char *err, size_t err_sz) {
  int rc = mbrl_loop_check(&c->mb, err, err_sz);
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
  const mbrl_model *model;
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
      rc = mbrl_rollout_run(ph->ro, ph->model, ph->L->env, mbrl_sac_policy_sample_batch, ph->sac, &ph->L->buf,
                            n, err, err_sz);
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

int mbrl_mbpo_run(const mbrl_mbpo_config *c, mbrl_mbpo_progress_fn progress, void *ctx, char *run_dir,
                  size_t run_dir_sz, char *err, size_t err_sz) {
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
  if ((rc = mbrl_loop_init(&L, &c->mb, chunk, &rep.p.mb, progress ? report : NULL, &rep, err, err_sz))) goto out;
  mbrl_sac_config sc = sac_config(c, L.spec, chunk);
  if ((rc = mbrl_sac_init(&sac, &sc, &L.r_agent, err, err_sz))) goto out;
  mbrl_buffer_init(&sac_buf, L.spec->obs_dim, L.spec->act_dim, MBRL_SAC_BUFFER_CAPACITY);
  mbrl_model model = mbrl_dynamics_model(&L.dwork);
  mbrl_rng r_rollout;
  mbrl_rng_split(&r_rollout, &L.root, 6);
  if (c->mbpo_rollout_length > 0) {
    mbrl_rollout_config rcfg = {.max_B = chunk, .length = c->mbpo_rollout_length,
                                .random_member = c->mbpo_random_member, .reward_next = c->mbpo_reward_next};
    if ((rc = mbrl_rollout_init(&ro, &rcfg, &model, &r_rollout, err, err_sz))) goto out;
  }
  const mbrl_metrics_param extra[] = {
      MBRL_PARAM_INT("sac_num_agent_train_steps_per_iter", c->sac_num_agent_train_steps_per_iter),
      MBRL_PARAM_INT("sac_num_critic_updates_per_agent_update", c->sac_num_critic_updates_per_agent_update),
      MBRL_PARAM_INT("sac_num_actor_updates_per_agent_update", c->sac_num_actor_updates_per_agent_update),
      MBRL_PARAM_INT("sac_actor_update_frequency", c->sac_actor_update_frequency),
      MBRL_PARAM_INT("sac_critic_target_update_frequency", c->sac_critic_target_update_frequency),
      MBRL_PARAM_INT("sac_train_batch_size", c->sac_train_batch_size),
      MBRL_PARAM_INT("sac_batch_size", c->sac_batch_size),
      MBRL_PARAM_DOUBLE("sac_discount", c->sac_discount),
      MBRL_PARAM_DOUBLE("sac_init_temperature", c->sac_init_temperature),
      MBRL_PARAM_DOUBLE("sac_learning_rate", c->sac_learning_rate),
      MBRL_PARAM_INT("sac_n_layers", c->sac_n_layers),
      MBRL_PARAM_INT("sac_size", c->sac_size),
      MBRL_PARAM_INT("sac_n_iter", c->sac_n_iter),
      MBRL_PARAM_INT("sac_buffer_capacity", MBRL_SAC_BUFFER_CAPACITY),
      MBRL_PARAM_INT("mbpo_rollout_length", c->mbpo_rollout_length),
      MBRL_PARAM_INT("mbpo_rollout_batch", chunk),
      MBRL_PARAM_BOOL("mbpo_random_member", c->mbpo_random_member),
      MBRL_PARAM_BOOL("mbpo_reward_next", c->mbpo_reward_next),
  };
  if ((rc = mbrl_loop_open(&L, extra, (int)(sizeof extra / sizeof *extra), sac_tags,
                           (int)(sizeof sac_tags / sizeof *sac_tags), run_dir, run_dir_sz, err, err_sz)))
    goto out;

  sac_phase ph = {&L, c, &sac, &sac_buf, &ro, &model, chunk, &rep};
  for (int itr = 0; itr < c->mb.n_iter; itr++) {
    /* the actor samples real data into both buffers (noise only in the model's) */
    if ((rc = mbrl_loop_collect(&L, itr, mbrl_sac_policy_sample, &sac, err, err_sz))) break;
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
    if ((rc = mbrl_loop_log(&L, itr, mbrl_sac_policy_mean, &sac, err, err_sz))) break;
  }

out:
  mbrl_rollout_free(&ro);
  mbrl_buffer_free(&sac_buf);
  mbrl_sac_free(&sac);
  mbrl_loop_free(&L);
  return rc;
}
