/* Soft actor-critic: twin critics as one ensemble, squashed-Gaussian actor, learned temperature,
 * their losses and gradients, updates, and safetensors save and load. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mbrl/checkpoint.h"
#include "mbrl/core.h"
#include "mbrl/sac.h"

#define HALF_LOG_2PI 0.91893853320467274178f
#define LOG2 0.69314718055994530942f

#define T mbrl_sac_config
static const mbrl_field sac_fields[] = {
    MBRL_CFG_INT(T, obs_dim, "obs_dim", NULL, 1, 1 << 24, 0, "observation width"),
    MBRL_CFG_INT(T, act_dim, "act_dim", NULL, 1, 1 << 24, 0, "action width"),
    MBRL_CFG_FLOAT(T, act_low, "act_low", NULL, 0, 0, -1, "lowest action"),
    MBRL_CFG_FLOAT(T, act_high, "act_high", NULL, 0, 0, 1, "highest action"),
    MBRL_CFG_FLOAT(T, gamma, "gamma", NULL, 0, 1, 0.99, "discount"),
    MBRL_CFG_INT(T, n_layers, "n_layers", NULL, 0, MBRL_MAX_LAYERS - 1, 2, "hidden layers of actor and critics"),
    MBRL_CFG_INT(T, size, "size", NULL, 0, 1 << 20, 256, "hidden width"),
    MBRL_CFG_FLOAT(T, lr, "lr", NULL, 1e-12, 10, 3e-4, "Adam learning rate of actor, critics and temperature"),
    MBRL_CFG_FLOAT(T, init_temperature, "init_temperature", NULL, 1e-12, 1e6, 0.1, "initial alpha"),
    MBRL_CFG_FLOAT(T, tau, "tau", NULL, 0, 1, 0.005, "target soft-update rate"),
    MBRL_CFG_FLOAT(T, log_std_min, "log_std_min", NULL, 0, 0, -20, "log-std clamp, low end"),
    MBRL_CFG_FLOAT(T, log_std_max, "log_std_max", NULL, 0, 0, 2, "log-std clamp, high end"),
    MBRL_CFG_FLOAT(T, target_entropy, "target_entropy", NULL, 0, 0, 0, "target entropy (-act_dim)"),
    MBRL_CFG_INT(T, batch_size, "batch_size", NULL, 1, 1 << 24, 256, "most rows one update takes"),
    MBRL_CFG_INT(T, act_batch, "act_batch", NULL, 1, 1 << 24, 256, "rows acted on at once"),
    MBRL_CFG_INT(T, critic_updates, "critic_updates", NULL, 1, 1 << 24, 1, "critic steps per update"),
    MBRL_CFG_INT(T, actor_updates, "actor_updates", NULL, 1, 1 << 24, 1, "actor and temperature steps"),
    MBRL_CFG_INT(T, actor_update_freq, "actor_update_freq", NULL, 1, 1 << 24, 1, "actor steps every k-th update"),
    MBRL_CFG_INT(T, target_update_freq, "target_update_freq", NULL, 1, 1 << 24, 1,
                 "target update every k-th update"),
};
#undef T
const mbrl_config_table mbrl_sac_table = {"sac", sac_fields, (int)(sizeof sac_fields / sizeof *sac_fields)};

mbrl_sac_config mbrl_sac_defaults(int obs_dim, int act_dim) {
  mbrl_sac_config c;
  memset(&c, 0, sizeof c);
  mbrl_config_defaults(&mbrl_sac_table, &c);
  c.obs_dim = obs_dim, c.act_dim = act_dim, c.target_entropy = (float)-act_dim;
  return c;
}

static int check_config(const mbrl_sac_config *c, char *err, size_t err_sz) {
  if (c->obs_dim < 1 || c->act_dim < 1 || c->batch_size < 1 || c->act_batch < 1 || c->n_layers < 0 ||
      c->n_layers >= MBRL_MAX_LAYERS || (c->n_layers > 0 && c->size < 1))
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "bad SAC shape: obs_dim %d, act_dim %d, batch_size %d, act_batch %d, n_layers %d, "
                     "size %d",
                     c->obs_dim, c->act_dim, c->batch_size, c->act_batch, c->n_layers, c->size);
  if (c->critic_updates < 1 || c->actor_updates < 1 || c->actor_update_freq < 1 || c->target_update_freq < 1)
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "bad SAC schedule: critic_updates %d, actor_updates %d, actor_update_freq %d, "
                     "target_update_freq %d (each at least 1)",
                     c->critic_updates, c->actor_updates, c->actor_update_freq, c->target_update_freq);
  if (!(c->act_low < c->act_high) || !isfinite(c->act_low) || !isfinite(c->act_high))
    return mbrl_errf(err, err_sz, MBRL_EINVAL, "bad action range [%g, %g]", (double)c->act_low,
                     (double)c->act_high);
  if (!(c->lr > 0.0f) || !(c->init_temperature > 0.0f) || !(c->gamma >= 0.0f && c->gamma <= 1.0f) ||
      !(c->tau >= 0.0f && c->tau <= 1.0f) || !(c->log_std_min < c->log_std_max) ||
      !isfinite(c->target_entropy))
    return mbrl_errf(err, err_sz, MBRL_EINVAL,
                     "bad SAC setting: lr %g, init_temperature %g, gamma %g, tau %g, log-std [%g, %g], "
                     "target entropy %g",
                     (double)c->lr, (double)c->init_temperature, (double)c->gamma, (double)c->tau,
                     (double)c->log_std_min, (double)c->log_std_max, (double)c->target_entropy);
  return MBRL_OK;
}

int mbrl_sac_init(mbrl_sac *sac, const mbrl_sac_config *cfg, mbrl_rng *rng, char *err, size_t err_sz) {
  memset(sac, 0, sizeof *sac);
  int rc = check_config(cfg, err, err_sz);
  if (rc) return rc;
  const int O = cfg->obs_dim, A = cfg->act_dim;
  mbrl_mlp_config ac = {.E = 1, .in = O, .out = A, .n_hidden = cfg->n_layers, .hidden = cfg->size,
                        .act = MBRL_ACT_TANH, .out_act = MBRL_ACT_IDENTITY};
  mbrl_mlp_config cc = {.E = 2, .in = O + A, .out = 1, .n_hidden = cfg->n_layers, .hidden = cfg->size,
                        .act = MBRL_ACT_RELU, .out_act = MBRL_ACT_IDENTITY};
  if ((rc = mbrl_ensemble_init(&sac->actor, &ac, rng, err, err_sz)) ||
      (rc = mbrl_ensemble_init(&sac->critic, &cc, rng, err, err_sz)) ||
      (rc = mbrl_ensemble_init(&sac->target, &cc, rng, err, err_sz))) {
    mbrl_sac_free(sac);
    return rc;
  }
  sac->cfg = *cfg;
  memcpy(sac->target.params, sac->critic.params, sac->critic.n_params * sizeof(float));
  sac->log_std = mbrl_alloc((size_t)A * sizeof(float));
  sac->log_std_grad = mbrl_alloc((size_t)A * sizeof(float));
  sac->log_alpha = logf(cfg->init_temperature);
  mbrl_adam_init(&sac->actor_opt, sac->actor.n_params, cfg->lr);
  mbrl_adam_init(&sac->log_std_opt, (size_t)A, cfg->lr);
  mbrl_adam_init(&sac->critic_opt, sac->critic.n_params, cfg->lr);
  mbrl_adam_init(&sac->alpha_opt, 1, cfg->lr);
  mbrl_rng_split(&sac->act_rng, rng, 0x616374);      /* "act" */
  mbrl_rng_split(&sac->update_rng, rng, 0x757064);   /* "upd" */
  mbrl_rng_split(&sac->sample_rng, rng, 0x736d70);   /* "smp" */

  const size_t B = (size_t)cfg->batch_size, Ba = B > (size_t)cfg->act_batch ? B : (size_t)cfg->act_batch;
  const size_t C = (size_t)(O + A);
  mbrl_ensemble_work_init(&sac->actor_work, &sac->actor, (int)Ba);
  mbrl_ensemble_work_init(&sac->critic_work, &sac->critic, (int)B);
  mbrl_ensemble_work_init(&sac->target_work, &sac->target, (int)B);
  sac->mu = mbrl_alloc(Ba * A * sizeof(float));
  sac->eps = mbrl_alloc(Ba * A * sizeof(float));
  sac->eps_next = mbrl_alloc(B * A * sizeof(float));
  sac->x = mbrl_alloc(B * A * sizeof(float));
  sac->th = mbrl_alloc(B * A * sizeof(float));
  sac->logp = mbrl_alloc(B * sizeof(float));
  sac->y = mbrl_alloc(B * sizeof(float));
  sac->q_target = mbrl_alloc(2 * B * sizeof(float));
  sac->q_grad = mbrl_alloc(2 * B * sizeof(float));
  sac->cin = mbrl_alloc(2 * B * C * sizeof(float));
  sac->cin_grad = mbrl_alloc(2 * B * C * sizeof(float));
  sac->mu_grad = mbrl_alloc(B * A * sizeof(float));
  sac->idx = mbrl_alloc(B * sizeof(int));
  sac->b_obs = mbrl_alloc(B * O * sizeof(float));
  sac->b_act = mbrl_alloc(B * A * sizeof(float));
  sac->b_rew = mbrl_alloc(B * sizeof(float));
  sac->b_next = mbrl_alloc(B * O * sizeof(float));
  sac->b_term = mbrl_alloc(B * sizeof(float));
  return MBRL_OK;
}

void mbrl_sac_free(mbrl_sac *sac) {
  if (!sac) return;
  mbrl_ensemble_work_free(&sac->actor_work);
  mbrl_ensemble_work_free(&sac->critic_work);
  mbrl_ensemble_work_free(&sac->target_work);
  mbrl_ensemble_free(&sac->actor);
  mbrl_ensemble_free(&sac->critic);
  mbrl_ensemble_free(&sac->target);
  mbrl_adam_free(&sac->actor_opt), mbrl_adam_free(&sac->log_std_opt);
  mbrl_adam_free(&sac->critic_opt), mbrl_adam_free(&sac->alpha_opt);
  float *bufs[] = {sac->log_std, sac->log_std_grad, sac->mu,     sac->eps,      sac->eps_next,
                   sac->x,       sac->th,           sac->logp,   sac->y,        sac->q_target,
                   sac->q_grad,  sac->cin,          sac->cin_grad, sac->mu_grad, sac->b_obs,
                   sac->b_act,   sac->b_rew,        sac->b_next, sac->b_term};
  for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) mbrl_free(bufs[i]);
  mbrl_free(sac->idx);
  memset(sac, 0, sizeof *sac);
}

void mbrl_sac_set_backend(mbrl_sac *sac, mbrl_backend be) {
  sac->actor.backend = sac->critic.backend = sac->target.backend = be;
}

float mbrl_sac_alpha(const mbrl_sac *sac) { return expf(sac->log_alpha); }

/* ---- the squashed Gaussian ---- */

static float softplus(float u) { return (u > 0.0f ? u : 0.0f) + log1pf(expf(-fabsf(u))); }

/* log N(x; mu, std) - log|d tanh(x)/dx| for one dimension, z = (x - mu) / std */
static float squash_logp1(float z, float log_std, float x) {
  return -0.5f * z * z - log_std - HALF_LOG_2PI - 2.0f * (LOG2 - x - softplus(-2.0f * x));
}

float mbrl_squashed_normal_log_prob(const float *x, const float *mu, const float *log_std, int n) {
  float s = 0.0f;
  for (int j = 0; j < n; j++) s += squash_logp1((x[j] - mu[j]) * expf(-log_std[j]), log_std[j], x[j]);
  return s;
}

static float clamped_log_std(const mbrl_sac *sac, int j) {
  return fminf(fmaxf(sac->log_std[j], sac->cfg.log_std_min), sac->cfg.log_std_max);
}

/* samples the policy for B rows of obs with fresh noise into eps (B x A): pre-tanh x, tanh th,
 * scaled actions act (B x A), and log pi per row (B); the mean network runs inference only, or
 * keeps its activations for a backward when train is set */
static void sample_policy(mbrl_sac *sac, float *act, float *eps, const float *obs, int B, int train) {
  const int A = sac->cfg.act_dim;
  const float mid = 0.5f * (sac->cfg.act_high + sac->cfg.act_low);
  const float half = 0.5f * (sac->cfg.act_high - sac->cfg.act_low);
  const float *mu = sac->mu;
  if (train)
    mu = mbrl_ensemble_forward_train(&sac->actor, &sac->actor_work, obs, B);
  else
    mbrl_ensemble_forward(&sac->actor, &sac->actor_work, sac->mu, obs, B);
  mbrl_rng_fill_normal(&sac->update_rng, eps, (size_t)B * A, 0.0f, 1.0f);
  for (int i = 0; i < B; i++) {
    float lp = 0.0f;
    for (int j = 0; j < A; j++) {
      size_t k = (size_t)i * A + j;
      float ls = clamped_log_std(sac, j);
      float x = mu[k] + expf(ls) * eps[k], t = tanhf(x);
      sac->x[k] = x, sac->th[k] = t;
      act[k] = mid + half * t;
      lp += squash_logp1(eps[k], ls, x);
    }
    sac->logp[i] = lp;
  }
}

/* ---- acting ---- */

int mbrl_sac_act(mbrl_sac *sac, float *act, const float *obs, int B, int sample) {
  MBRL_ASSERT(B >= 0);
  const int O = sac->cfg.obs_dim, A = sac->cfg.act_dim, chunk = sac->actor_work.max_B;
  const float mid = 0.5f * (sac->cfg.act_high + sac->cfg.act_low);
  const float half = 0.5f * (sac->cfg.act_high - sac->cfg.act_low);
  if (!mbrl_all_finite(obs, (size_t)B * O)) return MBRL_ENUMERIC;
  for (int i0 = 0; i0 < B; i0 += chunk) {
    int n = B - i0 < chunk ? B - i0 : chunk;
    float *a = act + (size_t)i0 * A;
    mbrl_ensemble_forward(&sac->actor, &sac->actor_work, sac->mu, obs + (size_t)i0 * O, n);
    if (sample) mbrl_rng_fill_normal(&sac->act_rng, sac->eps, (size_t)n * A, 0.0f, 1.0f);
    for (int i = 0; i < n; i++)
      for (int j = 0; j < A; j++) {
        size_t k = (size_t)i * A + j;
        float x = sac->mu[k];
        if (sample) x += expf(clamped_log_std(sac, j)) * sac->eps[k];
        a[k] = mid + half * tanhf(x);
      }
  }
  return mbrl_all_finite(act, (size_t)B * A) ? MBRL_OK : MBRL_ENUMERIC;
}

int mbrl_sac_policy_sample(void *ctx, const float *obs, float *act) {
  return mbrl_sac_act(ctx, act, obs, 1, 1);
}

int mbrl_sac_policy_mean(void *ctx, const float *obs, float *act) {
  return mbrl_sac_act(ctx, act, obs, 1, 0);
}

int mbrl_sac_policy_sample_batch(void *ctx, const float *obs, float *act, int B) {
  return mbrl_sac_act(ctx, act, obs, B, 1);
}

/* ---- losses and gradients ---- */

/* cin (2 x B x (O + A)) = the rows [s, a] twice, once per critic */
static void critic_inputs(mbrl_sac *sac, const float *obs, const float *act, int B) {
  const int O = sac->cfg.obs_dim, A = sac->cfg.act_dim, C = O + A;
  for (int i = 0; i < B; i++) {
    float *r = sac->cin + (size_t)i * C;
    memcpy(r, obs + (size_t)i * O, (size_t)O * sizeof(float));
    memcpy(r + O, act + (size_t)i * A, (size_t)A * sizeof(float));
  }
  memcpy(sac->cin + (size_t)B * C, sac->cin, (size_t)B * C * sizeof(float));
}

float mbrl_sac_critic_loss(mbrl_sac *sac, const float *obs, const float *act, const float *reward,
                           const float *next_obs, const float *terminal, int B) {
  MBRL_ASSERT(B >= 1 && B <= sac->cfg.batch_size);
  const float alpha = mbrl_sac_alpha(sac), gamma = sac->cfg.gamma;
  /* target: a' ~ pi(s'), y = r + gamma (1 - d) (min Q'(s', a') - alpha log pi(a'|s')) */
  float *a_next = sac->mu_grad; /* free until the actor step */
  sample_policy(sac, a_next, sac->eps_next, next_obs, B, 0);
  critic_inputs(sac, next_obs, a_next, B);
  mbrl_ensemble_forward(&sac->target, &sac->target_work, sac->q_target, sac->cin, B);
  for (int i = 0; i < B; i++) {
    float q = fminf(sac->q_target[i], sac->q_target[B + i]);
    sac->y[i] = reward[i] + gamma * (1.0f - terminal[i]) * (q - alpha * sac->logp[i]);
  }
  memcpy(sac->q_target, sac->y, (size_t)B * sizeof(float));
  memcpy(sac->q_target + B, sac->y, (size_t)B * sizeof(float));
  /* both critics on (s, a); the MSE gradient is that of the sum of the two losses */
  critic_inputs(sac, obs, act, B);
  mbrl_ensemble_zero_grad(&sac->critic);
  const float *q = mbrl_ensemble_forward_train(&sac->critic, &sac->critic_work, sac->cin, B);
  float loss = 2.0f * mbrl_mse_loss(sac->q_grad, q, sac->q_target, 2, B, 1, NULL);
  mbrl_ensemble_backward(&sac->critic, &sac->critic_work, NULL, sac->q_grad, sac->cin, B);
  return loss;
}

float mbrl_sac_actor_loss(mbrl_sac *sac, float *alpha_loss, const float *obs, int B) {
  MBRL_ASSERT(B >= 1 && B <= sac->cfg.batch_size);
  const int O = sac->cfg.obs_dim, A = sac->cfg.act_dim, C = O + A;
  const float alpha = mbrl_sac_alpha(sac), half = 0.5f * (sac->cfg.act_high - sac->cfg.act_low);
  float *a = sac->mu_grad; /* the actions, then the gradient at the means */
  sample_policy(sac, a, sac->eps, obs, B, 1);
  critic_inputs(sac, obs, a, B);
  const float *q = mbrl_ensemble_forward_train(&sac->critic, &sac->critic_work, sac->cin, B);
  /* loss = mean(alpha log pi - min(Q1, Q2)); the smaller critic gets -1/B */
  double loss = 0.0, lp_sum = 0.0;
  for (int i = 0; i < B; i++) {
    int second = q[B + i] < q[i];
    loss += (double)alpha * sac->logp[i] - q[second ? B + i : i];
    lp_sum += sac->logp[i];
    sac->q_grad[i] = second ? 0.0f : -1.0f / (float)B;
    sac->q_grad[B + i] = second ? -1.0f / (float)B : 0.0f;
  }
  mbrl_ensemble_backward(&sac->critic, &sac->critic_work, sac->cin_grad, sac->q_grad, sac->cin, B);
  /* through a = mid + half tanh(x), x = mu + std eps, and log pi (d log pi / dx = 2 tanh(x),
   * d log pi / d log_std = -1 besides through x) */
  const float g_lp = alpha / (float)B;
  memset(sac->log_std_grad, 0, (size_t)A * sizeof(float));
  for (int i = 0; i < B; i++)
    for (int j = 0; j < A; j++) {
      size_t k = (size_t)i * A + j;
      float t = sac->th[k];
      float da = sac->cin_grad[(size_t)i * C + O + j] + sac->cin_grad[((size_t)B + i) * C + O + j];
      float dx = g_lp * 2.0f * t + da * half * (1.0f - t * t);
      sac->mu_grad[k] = dx;
      sac->log_std_grad[j] += dx * expf(clamped_log_std(sac, j)) * sac->eps[k] - g_lp;
    }
  for (int j = 0; j < A; j++)
    if (sac->log_std[j] < sac->cfg.log_std_min || sac->log_std[j] > sac->cfg.log_std_max)
      sac->log_std_grad[j] = 0.0f;
  mbrl_ensemble_zero_grad(&sac->actor);
  mbrl_ensemble_backward(&sac->actor, &sac->actor_work, NULL, sac->mu_grad, obs, B);
  /* temperature: mean(-alpha (log pi + target_entropy)); its log_alpha gradient is the same value */
  float al = -alpha * (float)(lp_sum / B + sac->cfg.target_entropy);
  sac->log_alpha_grad = al;
  if (alpha_loss) *alpha_loss = al;
  return (float)(loss / B);
}

void mbrl_sac_soft_update(mbrl_sac *sac) {
  MBRL_ASSERT(sac->target.n_params == sac->critic.n_params);
  const float tau = sac->cfg.tau;
  float *t = sac->target.params;
  const float *c = sac->critic.params;
  for (size_t i = 0; i < sac->critic.n_params; i++) t[i] = tau * c[i] + (1.0f - tau) * t[i];
}

int mbrl_sac_update(mbrl_sac *sac, mbrl_sac_losses *losses, const float *obs, const float *act,
                    const float *reward, const float *next_obs, const float *terminal, int B,
                    char *err, size_t err_sz) {
  const mbrl_sac_config *c = &sac->cfg;
  mbrl_sac_losses l = {.actor_loss = NAN, .alpha_loss = NAN};
  int rc = MBRL_OK;
  /* critic steps, each followed by the target's when the count says */
  for (int i = 0; i < c->critic_updates; i++) {
    l.critic_loss = mbrl_sac_critic_loss(sac, obs, act, reward, next_obs, terminal, B);
    if (isfinite(l.critic_loss) && mbrl_all_finite(sac->critic.grads, sac->critic.n_params)) {
      mbrl_adam_step(&sac->critic_opt, sac->critic.params, sac->critic.grads);
      if (sac->updates % c->target_update_freq == 0) mbrl_sac_soft_update(sac);
    } else {
      sac->skipped++;
      rc = mbrl_errf(err, err_sz, MBRL_ENUMERIC, "SAC critic loss %g or its gradient is not finite; skipped",
                     (double)l.critic_loss);
    }
  }
  /* actor and temperature steps when the count says */
  for (int i = 0; sac->updates % c->actor_update_freq == 0 && i < c->actor_updates; i++) {
    l.actor_loss = mbrl_sac_actor_loss(sac, &l.alpha_loss, obs, B);
    if (isfinite(l.actor_loss) && isfinite(l.alpha_loss) && mbrl_all_finite(sac->actor.grads, sac->actor.n_params) &&
        mbrl_all_finite(sac->log_std_grad, (size_t)c->act_dim)) {
      mbrl_adam_step(&sac->actor_opt, sac->actor.params, sac->actor.grads);
      mbrl_adam_step(&sac->log_std_opt, sac->log_std, sac->log_std_grad);
      mbrl_adam_step(&sac->alpha_opt, &sac->log_alpha, &sac->log_alpha_grad);
    } else {
      sac->skipped++;
      rc = mbrl_errf(err, err_sz, MBRL_ENUMERIC, "SAC actor loss %g or its gradient is not finite; skipped",
                     (double)l.actor_loss);
    }
  }
  l.temperature = mbrl_sac_alpha(sac);
  sac->updates++;
  if (losses) *losses = l;
  return rc;
}

int mbrl_sac_train_step(mbrl_sac *sac, mbrl_buffer *buf, mbrl_sac_losses *losses, char *err,
                        size_t err_sz) {
  MBRL_ASSERT(buf->obs_dim == sac->cfg.obs_dim && buf->act_dim == sac->cfg.act_dim);
  if (buf->size < 1) return mbrl_errf(err, err_sz, MBRL_EINVAL, "SAC update from an empty buffer");
  int B = buf->size < sac->cfg.batch_size ? buf->size : sac->cfg.batch_size;
  mbrl_buffer_sample(buf, &sac->sample_rng, sac->idx, B);
  mbrl_buffer_gather(buf, sac->idx, B, sac->b_obs, sac->b_act, sac->b_rew, sac->b_next, sac->b_term);
  return mbrl_sac_update(sac, losses, sac->b_obs, sac->b_act, sac->b_rew, sac->b_next, sac->b_term, B,
                         err, err_sz);
}

/* ---- save and load ---- */

#define SAC_FORMAT "mbrl.sac.v2"

/* the "sac" metadata: the configuration, then the updates taken */
typedef struct file_meta {
  mbrl_sac_config cfg;
  double updates;
} file_meta;
static const mbrl_field meta_fields[] = {
    MBRL_CFG_SECTION(file_meta, cfg, &mbrl_sac_table),
    MBRL_CFG_DOUBLE(file_meta, updates, "updates", NULL, 0, 9e15, 0, NULL),
};
static const mbrl_config_table meta_table = {"sac metadata", meta_fields, 2};

int mbrl_sac_save(const mbrl_sac *sac, const char *path, char *err, size_t err_sz) {
  const mbrl_sac_config *c = &sac->cfg;
  mbrl_checkpoint ck;
  mbrl_checkpoint_init(&ck);
  mbrl_checkpoint_add_ensemble(&ck, "actor.", &sac->actor);
  int64_t A = c->act_dim, scalar[1] = {0};
  mbrl_checkpoint_add_f32(&ck, "actor.log_std", sac->log_std, 1, &A);
  mbrl_checkpoint_add_ensemble(&ck, "critic.", &sac->critic);
  mbrl_checkpoint_add_ensemble(&ck, "target.", &sac->target);
  mbrl_checkpoint_add_f32(&ck, "log_alpha", &sac->log_alpha, 0, scalar);
  file_meta m = {*c, (double)sac->updates};
  char *json = mbrl_config_print(&meta_table, &m);
  mbrl_checkpoint_add_meta(&ck, "sac", json);
  mbrl_checkpoint_add_meta(&ck, "format", SAC_FORMAT);
  mbrl_free(json);
  int rc = mbrl_checkpoint_write(&ck, path, err, err_sz);
  mbrl_checkpoint_free(&ck);
  return rc;
}

/* the configuration stored in the file; the network sizes are checked when the weights load */
static int read_config(const mbrl_safetensors *st, mbrl_sac_config *cfg, int64_t *updates, char *err,
                       size_t err_sz) {
  const char *fmt = mbrl_safetensors_meta_get(st, "format");
  if (fmt && !strcmp(fmt, "mbrl.sac.v1"))
    return mbrl_errf(err, err_sz, MBRL_EFORMAT,
                     "a SAC file of an earlier mbrl (mbrl.sac.v1), whose metadata this one does not read; "
                     "its tensors read with any safetensors reader");
  if (!fmt || strcmp(fmt, SAC_FORMAT))
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "not a SAC file (format '%s')", fmt ? fmt : "");
  file_meta m;
  int rc = mbrl_config_parse(&meta_table, &m, mbrl_safetensors_meta_get(st, "sac"), "sac metadata", err, err_sz);
  if (rc) return rc;
  *cfg = m.cfg;
  *updates = (int64_t)m.updates;
  return MBRL_OK;
}

/* loads the ensemble under prefix into dst, whose shape must be the file's */
static int load_net(mbrl_ensemble *dst, const mbrl_safetensors *st, const char *prefix, char *err,
                    size_t err_sz) {
  mbrl_ensemble net;
  int rc = mbrl_ensemble_load(&net, st, prefix, err, err_sz);
  if (rc) return rc;
  const mbrl_mlp_config *a = &net.cfg, *b = &dst->cfg;
  if (a->E != b->E || a->in != b->in || a->out != b->out || a->n_hidden != b->n_hidden ||
      a->hidden != b->hidden || a->act != b->act || a->out_act != b->out_act)
    rc = mbrl_errf(err, err_sz, MBRL_EFORMAT,
                   "network '%s' is E %d, %d -> %d, %d x %d %s; the configuration wants E %d, %d -> %d, "
                   "%d x %d %s",
                   prefix, a->E, a->in, a->out, a->n_hidden, a->hidden, mbrl_act_name(a->act), b->E, b->in,
                   b->out, b->n_hidden, b->hidden, mbrl_act_name(b->act));
  else
    memcpy(dst->params, net.params, net.n_params * sizeof(float));
  mbrl_ensemble_free(&net);
  return rc;
}

int mbrl_sac_load(mbrl_sac *sac, const char *path, mbrl_rng *rng, char *err, size_t err_sz) {
  memset(sac, 0, sizeof *sac);
  mbrl_safetensors *st;
  int rc = mbrl_safetensors_load(&st, path, err, err_sz);
  if (rc) return rc;
  mbrl_sac_config cfg;
  int64_t updates = 0;
  rc = read_config(st, &cfg, &updates, err, err_sz);
  if (!rc) rc = mbrl_sac_init(sac, &cfg, rng, err, err_sz);
  if (!rc) {
    int64_t A = cfg.act_dim;
    rc = load_net(&sac->actor, st, "actor.", err, err_sz);
    if (!rc) rc = load_net(&sac->critic, st, "critic.", err, err_sz);
    if (!rc) rc = load_net(&sac->target, st, "target.", err, err_sz);
    if (!rc) rc = mbrl_safetensors_get_f32(st, "actor.log_std", sac->log_std, 1, &A, err, err_sz);
    if (!rc) rc = mbrl_safetensors_get_f32(st, "log_alpha", &sac->log_alpha, 0, NULL, err, err_sz);
    sac->updates = updates;
    if (rc) mbrl_sac_free(sac);
  }
  mbrl_safetensors_free(st);
  return rc;
}

/* ---- training state, for resuming a run ---- */

enum { MAX_PARTS = 20 };

static int state_parts(mbrl_sac *sac, mbrl_checkpoint_part *p) {
  const size_t A = (size_t)sac->cfg.act_dim;
  int k = 0;
  p[k++] = (mbrl_checkpoint_part){"actor", MBRL_DTYPE_F32, sac->actor.params, sac->actor.n_params};
  p[k++] = (mbrl_checkpoint_part){"critic", MBRL_DTYPE_F32, sac->critic.params, sac->critic.n_params};
  p[k++] = (mbrl_checkpoint_part){"target", MBRL_DTYPE_F32, sac->target.params, sac->target.n_params};
  p[k++] = (mbrl_checkpoint_part){"log_std", MBRL_DTYPE_F32, sac->log_std, A};
  p[k++] = (mbrl_checkpoint_part){"log_alpha", MBRL_DTYPE_F32, &sac->log_alpha, 1};
  mbrl_adam *opt[4] = {&sac->actor_opt, &sac->log_std_opt, &sac->critic_opt, &sac->alpha_opt};
  static const char *const m_names[4] = {"actor_adam.m", "log_std_adam.m", "critic_adam.m", "alpha_adam.m"};
  static const char *const v_names[4] = {"actor_adam.v", "log_std_adam.v", "critic_adam.v", "alpha_adam.v"};
  for (int i = 0; i < 4; i++) {
    p[k++] = (mbrl_checkpoint_part){m_names[i], MBRL_DTYPE_F32, opt[i]->m, opt[i]->n};
    p[k++] = (mbrl_checkpoint_part){v_names[i], MBRL_DTYPE_F32, opt[i]->v, opt[i]->n};
  }
  p[k++] = (mbrl_checkpoint_part){"act_rng", MBRL_DTYPE_U64, sac->act_rng.s, 4};
  p[k++] = (mbrl_checkpoint_part){"update_rng", MBRL_DTYPE_U64, sac->update_rng.s, 4};
  p[k++] = (mbrl_checkpoint_part){"sample_rng", MBRL_DTYPE_U64, sac->sample_rng.s, 4};
  return k;
}

void mbrl_sac_state_add(struct mbrl_checkpoint *ck, const char *prefix, mbrl_sac *sac) {
  mbrl_checkpoint_part p[MAX_PARTS];
  mbrl_checkpoint_add_parts(ck, prefix, p, state_parts(sac, p));
  char name[96], counters[256];
  /* the optimisers' step counts, then updates and skipped */
  snprintf(counters, sizeof counters, "%lld %lld %lld %lld %lld %lld", (long long)sac->actor_opt.t,
           (long long)sac->log_std_opt.t, (long long)sac->critic_opt.t, (long long)sac->alpha_opt.t,
           (long long)sac->updates, (long long)sac->skipped);
  snprintf(name, sizeof name, "%scounters", prefix);
  mbrl_checkpoint_add_meta(ck, name, counters);
}

int mbrl_sac_state_load(mbrl_sac *sac, const struct mbrl_safetensors *st, const char *prefix, char *err,
                        size_t err_sz) {
  mbrl_checkpoint_part p[MAX_PARTS];
  int rc = mbrl_checkpoint_get_parts(st, prefix, p, state_parts(sac, p), err, err_sz);
  if (rc) return rc;
  char name[96];
  snprintf(name, sizeof name, "%scounters", prefix);
  const char *text = mbrl_safetensors_meta_get(st, name);
  long long c[6];
  if (!text || sscanf(text, "%lld %lld %lld %lld %lld %lld", &c[0], &c[1], &c[2], &c[3], &c[4], &c[5]) != 6)
    return mbrl_errf(err, err_sz, MBRL_EFORMAT, "metadata '%s' is missing or not six counters", name);
  for (int i = 0; i < 6; i++)
    if (c[i] < 0) return mbrl_errf(err, err_sz, MBRL_EFORMAT, "metadata '%s' has a negative count", name);
  sac->actor_opt.t = c[0], sac->log_std_opt.t = c[1], sac->critic_opt.t = c[2], sac->alpha_opt.t = c[3];
  sac->updates = c[4], sac->skipped = c[5];
  return MBRL_OK;
}
