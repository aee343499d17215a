/* SAC: the squashed Gaussian's log-probability and samples against its density, critic, actor and
 * temperature gradients against finite differences in double, the target soft update, the update
 * schedule, skipped non-finite updates, checkpoints, and learning a contextual bandit and pendulum
 * swing-up. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "../io/io_test.h"
#include "../nn/nn_util.h"
#include "mbrl/checkpoint.h"
#include "mbrl/core.h"
#include "mbrl/env.h"
#include "mbrl/sac.h"

static const double H = 1e-6;

static double normal_cdf(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }

Test(sac, log_prob_matches_the_density_of_tanh_of_a_gaussian) {
  /* the density of y = tanh(x), x ~ N(mu, sigma), as the derivative of its CDF in double */
  const double mus[] = {0.0, 0.7, -1.5}, sigmas[] = {0.3, 1.0, 2.0};
  for (int m = 0; m < 3; m++)
    for (int s = 0; s < 3; s++) {
      float mu = (float)mus[m], ls = (float)log(sigmas[s]);
      for (double y = -0.98; y < 0.99; y += 0.07) {
        double h = 1e-6, F1 = normal_cdf((atanh(y + h) - mus[m]) / sigmas[s]);
        double F0 = normal_cdf((atanh(y - h) - mus[m]) / sigmas[s]);
        double density = (F1 - F0) / (2 * h);
        float x = (float)atanh(y);
        double p = exp((double)mbrl_squashed_normal_log_prob(&x, &mu, &ls, 1));
        cr_assert(fabs(p - density) <= 1e-4 * density + 1e-9, "mu %g sigma %g y %g: %g vs %g", mus[m],
                  sigmas[s], y, p, density);
      }
    }
  /* dimensions add, and a large |x| stays finite */
  float x[3] = {0.3f, -12.0f, 25.0f}, mu[3] = {0.1f, -10.0f, 20.0f}, ls[3] = {-0.2f, 0.5f, 1.5f};
  float sum = 0.0f;
  for (int j = 0; j < 3; j++) sum += mbrl_squashed_normal_log_prob(x + j, mu + j, ls + j, 1);
  float joint = mbrl_squashed_normal_log_prob(x, mu, ls, 3);
  cr_assert(isfinite(joint));
  cr_assert_float_eq(joint, sum, 1e-4f * fabsf(sum));
}

/* a 1-D policy whose mean is bias mu everywhere and whose log-std is ls */
static void constant_policy(mbrl_sac *sac, float mu, float ls) {
  mbrl_ensemble *a = &sac->actor;
  memset(a->params, 0, a->n_params * sizeof(float));
  a->b[a->n_layers - 1][0] = mu;
  sac->log_std[0] = ls;
}

Test(sac, sampled_actions_follow_the_log_prob_density) {
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  mbrl_sac_config c = mbrl_sac_defaults(2, 1);
  c.n_layers = 1, c.size = 4, c.act_low = -2.0f, c.act_high = 2.0f, c.act_batch = 1000;
  mbrl_sac sac;
  cr_assert_eq(mbrl_sac_init(&sac, &c, &r, NULL, 0), 0);
  const float mu = 0.4f, ls = logf(0.8f);
  constant_policy(&sac, mu, ls);
  enum { N = 100000, BINS = 20 };
  float *obs = mbrl_alloc(N * 2 * sizeof(float)), *act = mbrl_alloc(N * sizeof(float));
  mbrl_rng_fill_uniform(&r, obs, N * 2, -1.0f, 1.0f);
  cr_assert_eq(mbrl_sac_act(&sac, act, obs, N, 1), 0);
  int count[BINS] = {0};
  for (int i = 0; i < N; i++) {
    cr_assert(act[i] > -2.0f && act[i] < 2.0f);
    count[(int)((act[i] + 2.0f) / 4.0f * BINS)]++;
  }
  /* each bin's mass from the log-probability (of tanh, so in y = a / 2) by Simpson's rule */
  for (int b = 0; b < BINS; b++) {
    double y0 = -1.0 + 2.0 * b / BINS, w = 2.0 / BINS, mass = 0.0;
    for (int k = 0; k <= 100; k++) {
      double y = y0 + w * k / 100;
      if (fabs(y) >= 1.0) continue; /* the density vanishes at the ends */
      float x = (float)atanh(y);
      double wk = k == 0 || k == 100 ? 1 : k % 2 ? 4 : 2;
      mass += wk * exp((double)mbrl_squashed_normal_log_prob(&x, &mu, &ls, 1));
    }
    mass *= w / 100 / 3;
    double freq = (double)count[b] / N, sd = sqrt(mass * (1 - mass) / N);
    cr_expect(fabs(freq - mass) < 5 * sd + 1e-4, "bin %d: %g vs %g", b, freq, mass);
  }
  /* the mean action is mid + half tanh(mu) */
  cr_assert_eq(mbrl_sac_act(&sac, act, obs, 3, 0), 0);
  for (int i = 0; i < 3; i++) cr_assert_float_eq(act[i], 2.0f * tanhf(mu), 1e-6f);
  mbrl_free(obs), mbrl_free(act);
  mbrl_sac_free(&sac);
}

/* ---- double-precision oracles ---- */

static double *to_double(const float *x, size_t n) {
  double *d = mbrl_alloc(n * sizeof(double));
  for (size_t i = 0; i < n; i++) d[i] = x[i];
  return d;
}

enum { O = 3, A = 2, B = 6 };

/* a tiny agent on the reference backend, with a batch and a gamma below 1 */
typedef struct {
  mbrl_sac sac;
  float obs[B * O], act[B * A], rew[B], next[B * O], term[B];
} fixture;

static void fixture_init(fixture *f, float log_std1) {
  mbrl_rng r;
  mbrl_rng_init(&r, 7, 0);
  mbrl_sac_config c = mbrl_sac_defaults(O, A);
  c.n_layers = 2, c.size = 5, c.batch_size = B, c.gamma = 0.9f, c.act_low = -1.5f, c.act_high = 0.5f;
  c.init_temperature = 0.3f;
  cr_assert_eq(mbrl_sac_init(&f->sac, &c, &r, NULL, 0), 0);
  mbrl_sac_set_backend(&f->sac, MBRL_BACKEND_REF);
  f->sac.log_std[0] = -0.5f, f->sac.log_std[1] = log_std1;
  /* targets differ from the critics */
  for (size_t i = 0; i < f->sac.target.n_params; i++) f->sac.target.params[i] *= 1.1f;
  mbrl_rng_fill_normal(&r, f->obs, B * O, 0.0f, 1.0f);
  mbrl_rng_fill_uniform(&r, f->act, B * A, -1.5f, 0.5f);
  mbrl_rng_fill_normal(&r, f->rew, B, 0.0f, 1.0f);
  mbrl_rng_fill_normal(&r, f->next, B * O, 0.0f, 1.0f);
  for (int i = 0; i < B; i++) f->term[i] = i == 2 ? 1.0f : 0.0f;
}

/* the policy's sample for a row: scaled action a (A) and log pi, in double; the Gaussian term
 * written with (x - mu) / std as PyTorch's Normal.log_prob does */
static double policy_d(const mbrl_sac *sac, const double *pa, const double *ls, const float *s,
                       const float *eps, double *a) {
  double sd[O], mu[A], lp = 0.0;
  for (int k = 0; k < O; k++) sd[k] = s[k];
  member_forward_d(&sac->actor, pa, 0, sd, mu);
  double mid = 0.5 * (sac->cfg.act_high + sac->cfg.act_low), half = 0.5 * (sac->cfg.act_high - sac->cfg.act_low);
  for (int j = 0; j < A; j++) {
    double l = fmin(fmax(ls[j], sac->cfg.log_std_min), sac->cfg.log_std_max), std = exp(l);
    double x = mu[j] + std * eps[j], z = (x - mu[j]) / std;
    a[j] = mid + half * tanh(x);
    lp += -0.5 * z * z - l - 0.5 * log(2 * M_PI) - 2.0 * (log(2.0) - x - log1p(exp(-2.0 * x)));
  }
  return lp;
}

/* both critics (or targets) of ens with parameters p on (s, a) */
static void twin_q_d(const mbrl_ensemble *ens, const double *p, const float *s, const double *a, double q[2]) {
  double in[O + A];
  for (int k = 0; k < O; k++) in[k] = s[k];
  for (int j = 0; j < A; j++) in[O + j] = a[j];
  for (int e = 0; e < 2; e++) member_forward_d(ens, p, e, in, &q[e]);
}

/* Critic_Loss in double as a function of the critic parameters pc, targets y given */
static double critic_loss_d(const fixture *f, const double *pc, const float *y) {
  double loss = 0.0;
  for (int i = 0; i < B; i++) {
    double a[A], q[2];
    for (int j = 0; j < A; j++) a[j] = f->act[i * A + j];
    twin_q_d(&f->sac.critic, pc, f->obs + i * O, a, q);
    loss += ((q[0] - y[i]) * (q[0] - y[i]) + (q[1] - y[i]) * (q[1] - y[i])) / B;
  }
  return loss;
}

Test(sac, critic_target_and_gradient_match_double_and_finite_differences) {
  fixture f;
  fixture_init(&f, 0.3f);
  mbrl_sac *s = &f.sac;
  float loss = mbrl_sac_critic_loss(s, f.obs, f.act, f.rew, f.next, f.term, B);
  /* y = r + gamma (1 - d) (min Q'(s', a') - alpha log pi(a'|s')) from the stored noise */
  double *pa = to_double(s->actor.params, s->actor.n_params), *pt = to_double(s->target.params, s->target.n_params);
  double ls[A] = {s->log_std[0], s->log_std[1]}, alpha = exp((double)s->log_alpha);
  for (int i = 0; i < B; i++) {
    double a[A], q[2];
    double lp = policy_d(s, pa, ls, f.next + i * O, s->eps_next + i * A, a);
    twin_q_d(&s->target, pt, f.next + i * O, a, q);
    double y = f.rew[i] + 0.9 * (1.0 - f.term[i]) * (fmin(q[0], q[1]) - alpha * lp);
    cr_assert(fabs(s->y[i] - y) < 1e-5 * (1 + fabs(y)), "row %d: %g vs %g", i, s->y[i], y);
  }
  /* the loss and its gradient over every critic parameter */
  double *pc = to_double(s->critic.params, s->critic.n_params), *fd = mbrl_alloc(s->critic.n_params * sizeof(double));
  cr_assert_float_eq(loss, critic_loss_d(&f, pc, s->y), 1e-5 * (1 + fabs(loss)));
  for (size_t i = 0; i < s->critic.n_params; i++) {
    double keep = pc[i];
    pc[i] = keep + H;
    double up = critic_loss_d(&f, pc, s->y);
    pc[i] = keep - H;
    fd[i] = (up - critic_loss_d(&f, pc, s->y)) / (2 * H);
    pc[i] = keep;
  }
  double e = rel_err_d(s->critic.grads, fd, s->critic.n_params);
  cr_assert(e < 1e-4, "critic gradient %g", e);
  mbrl_free(pa), mbrl_free(pt), mbrl_free(pc), mbrl_free(fd);
  mbrl_sac_free(s);
}

/* Actor_Loss in double as a function of the actor parameters pa and the log-std ls */
static double actor_loss_d(const fixture *f, const double *pa, const double *ls, const double *pc,
                           double alpha, double *mean_lp) {
  double loss = 0.0, lps = 0.0;
  for (int i = 0; i < B; i++) {
    double a[A], q[2];
    double lp = policy_d(&f->sac, pa, ls, f->obs + i * O, f->sac.eps + i * A, a);
    twin_q_d(&f->sac.critic, pc, f->obs + i * O, a, q);
    loss += (alpha * lp - fmin(q[0], q[1])) / B;
    lps += lp / B;
  }
  if (mean_lp) *mean_lp = lps;
  return loss;
}

static void check_actor_gradient(float log_std1) {
  fixture f;
  fixture_init(&f, log_std1);
  mbrl_sac *s = &f.sac;
  float alpha_loss, loss = mbrl_sac_actor_loss(s, &alpha_loss, f.obs, B);
  double *pa = to_double(s->actor.params, s->actor.n_params), *pc = to_double(s->critic.params, s->critic.n_params);
  double ls[A] = {s->log_std[0], s->log_std[1]}, alpha = exp((double)s->log_alpha), mean_lp;
  double ref = actor_loss_d(&f, pa, ls, pc, alpha, &mean_lp);
  cr_assert_float_eq(loss, ref, 1e-5 * (1 + fabs(ref)));
  /* every parameter of the mean network, then the log-std */
  size_t n = s->actor.n_params;
  double *fd = mbrl_alloc(n * sizeof(double)), fd_ls[A];
  for (size_t i = 0; i < n + A; i++) {
    double *p = i < n ? &pa[i] : &ls[i - n], keep = *p;
    *p = keep + H;
    double up = actor_loss_d(&f, pa, ls, pc, alpha, NULL);
    *p = keep - H;
    double g = (up - actor_loss_d(&f, pa, ls, pc, alpha, NULL)) / (2 * H);
    *p = keep;
    if (i < n) fd[i] = g;
    else fd_ls[i - n] = g;
  }
  double e = rel_err_d(s->actor.grads, fd, n), e_ls = rel_err_d(s->log_std_grad, fd_ls, A);
  cr_assert(e < 1e-4, "log_std %g: mean network gradient %g", (double)log_std1, e);
  cr_assert(e_ls < 1e-4, "log_std %g: log-std gradient %g (%g %g vs %g %g)", (double)log_std1, e_ls,
            (double)s->log_std_grad[0], (double)s->log_std_grad[1], fd_ls[0], fd_ls[1]);
  /* temperature: mean(-exp(log_alpha) (log pi + target_entropy)), log pi fixed */
  double la = s->log_alpha, te = s->cfg.target_entropy;
  double al = -exp(la) * (mean_lp + te);
  cr_assert_float_eq(alpha_loss, al, 1e-5 * (1 + fabs(al)));
  double fd_la = (-exp(la + H) * (mean_lp + te) + exp(la - H) * (mean_lp + te)) / (2 * H);
  cr_assert_float_eq(s->log_alpha_grad, fd_la, 1e-5 * (1 + fabs(fd_la)));
  mbrl_free(pa), mbrl_free(pc), mbrl_free(fd);
  mbrl_sac_free(s);
}

Test(sac, actor_and_temperature_gradients_match_finite_differences) {
  check_actor_gradient(0.3f);
  /* a log-std beyond its upper clamp gets no gradient, as the finite differences say */
  check_actor_gradient(2.5f);
}

Test(sac, targets_start_as_copies_and_move_by_tau_toward_the_critics) {
  mbrl_rng r;
  mbrl_rng_init(&r, 3, 0);
  mbrl_sac_config c = mbrl_sac_defaults(4, 2);
  c.size = 16, c.batch_size = 8;
  mbrl_sac s;
  cr_assert_eq(mbrl_sac_init(&s, &c, &r, NULL, 0), 0);
  size_t n = s.critic.n_params;
  cr_assert_eq(memcmp(s.target.params, s.critic.params, n * sizeof(float)), 0);
  /* the bare soft update */
  mbrl_rng_fill_normal(&r, s.critic.params, n, 0.0f, 1.0f);
  float *old = mbrl_alloc(n * sizeof(float));
  memcpy(old, s.target.params, n * sizeof(float));
  mbrl_sac_soft_update(&s);
  for (size_t i = 0; i < n; i++) {
    float want = old[i] + 0.005f * (s.critic.params[i] - old[i]);
    cr_assert(fabsf(s.target.params[i] - want) <= 1e-6f * (1 + fabsf(want)), "%zu", i);
  }
  /* a whole update moves them toward the critics after their step */
  float obs[8 * 4], act[8 * 2], rew[8], term[8] = {0};
  mbrl_rng_fill_normal(&r, obs, 32, 0.0f, 1.0f);
  mbrl_rng_fill_uniform(&r, act, 16, -1.0f, 1.0f);
  mbrl_rng_fill_normal(&r, rew, 8, 0.0f, 1.0f);
  memcpy(old, s.target.params, n * sizeof(float));
  cr_assert_eq(mbrl_sac_update(&s, NULL, obs, act, rew, obs, term, 8, NULL, 0), 0);
  for (size_t i = 0; i < n; i++) {
    float want = old[i] + 0.005f * (s.critic.params[i] - old[i]);
    cr_assert(fabsf(s.target.params[i] - want) <= 1e-6f * (1 + fabsf(want)), "%zu", i);
  }
  mbrl_free(old);
  mbrl_sac_free(&s);
}

Test(sac, updates_are_reproducible_and_skip_non_finite_batches) {
  fixture f, g;
  fixture_init(&f, 0.3f);
  fixture_init(&g, 0.3f);
  mbrl_sac_set_backend(&f.sac, MBRL_BACKEND_DNNL), mbrl_sac_set_backend(&g.sac, MBRL_BACKEND_DNNL);
  mbrl_sac_losses l;
  for (int k = 0; k < 5; k++) {
    cr_assert_eq(mbrl_sac_update(&f.sac, &l, f.obs, f.act, f.rew, f.next, f.term, B, NULL, 0), 0);
    cr_assert_eq(mbrl_sac_update(&g.sac, NULL, g.obs, g.act, g.rew, g.next, g.term, B, NULL, 0), 0);
  }
  cr_assert_eq(memcmp(f.sac.actor.params, g.sac.actor.params, f.sac.actor.n_params * sizeof(float)), 0);
  cr_assert_eq(memcmp(f.sac.critic.params, g.sac.critic.params, f.sac.critic.n_params * sizeof(float)), 0);
  cr_assert(isfinite(l.critic_loss) && isfinite(l.actor_loss) && isfinite(l.alpha_loss));
  cr_assert_float_eq(l.temperature, mbrl_sac_alpha(&f.sac), 1e-7f);
  cr_assert_neq(f.sac.log_alpha, logf(0.3f));
  cr_assert_eq(f.sac.updates, 5);
  /* a NaN reward skips the critic part only */
  float *critic = mbrl_alloc(f.sac.critic.n_params * sizeof(float));
  memcpy(critic, f.sac.critic.params, f.sac.critic.n_params * sizeof(float));
  float la = f.sac.log_alpha;
  f.rew[1] = NAN;
  char err[256] = "";
  cr_assert_eq(mbrl_sac_update(&f.sac, &l, f.obs, f.act, f.rew, f.next, f.term, B, err, sizeof err),
               MBRL_ENUMERIC);
  cr_assert(strstr(err, "critic") != NULL, "%s", err);
  cr_assert_eq(f.sac.skipped, 1);
  cr_assert_eq(memcmp(critic, f.sac.critic.params, f.sac.critic.n_params * sizeof(float)), 0);
  cr_assert_neq(f.sac.log_alpha, la);
  /* a NaN observation cannot be acted on */
  float obs[O] = {0.0f, NAN, 1.0f}, act[A];
  cr_assert_eq(mbrl_sac_act(&f.sac, act, obs, 1, 0), MBRL_ENUMERIC);
  mbrl_free(critic);
  mbrl_sac_free(&f.sac), mbrl_sac_free(&g.sac);
}

Test(sac, the_schedule_counts_critic_target_and_actor_steps) {
  /* two critic steps per update, the target and the actor on every second update */
  fixture f;
  fixture_init(&f, 0.3f);
  mbrl_sac *s = &f.sac;
  s->cfg.critic_updates = 2, s->cfg.actor_update_freq = 2, s->cfg.target_update_freq = 2;
  size_t n = s->target.n_params;
  float *target = mbrl_alloc(n * sizeof(float)), *actor = mbrl_alloc(s->actor.n_params * sizeof(float));
  mbrl_sac_losses l;
  for (int k = 0; k < 4; k++) {
    memcpy(target, s->target.params, n * sizeof(float));
    memcpy(actor, s->actor.params, s->actor.n_params * sizeof(float));
    cr_assert_eq(mbrl_sac_update(s, &l, f.obs, f.act, f.rew, f.next, f.term, B, NULL, 0), 0);
    cr_assert_eq(s->critic_opt.t, 2 * (k + 1));
    cr_assert_eq(s->actor_opt.t, k / 2 + 1);
    cr_assert_eq(s->alpha_opt.t, k / 2 + 1);
    int moved = memcmp(target, s->target.params, n * sizeof(float)) != 0;
    int stepped = memcmp(actor, s->actor.params, s->actor.n_params * sizeof(float)) != 0;
    cr_assert_eq(moved, k % 2 == 0, "update %d", k);
    cr_assert_eq(stepped, k % 2 == 0, "update %d", k);
    cr_assert(isfinite(l.critic_loss) && isfinite(l.temperature));
    cr_assert_eq(isnan(l.actor_loss) && isnan(l.alpha_loss), k % 2 == 1, "update %d", k);
  }
  cr_assert_eq(s->updates, 4);
  /* a schedule count below 1 is refused */
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  mbrl_sac_config c = mbrl_sac_defaults(O, A);
  c.actor_updates = 0;
  char err[256] = "";
  mbrl_sac bad;
  cr_assert_eq(mbrl_sac_init(&bad, &c, &r, err, sizeof err), MBRL_EINVAL);
  cr_assert(strstr(err, "actor_updates 0") != NULL, "%s", err);
  mbrl_free(target), mbrl_free(actor);
  mbrl_sac_free(s);
}

Test(sac, act_takes_any_batch_in_chunks) {
  mbrl_rng r;
  mbrl_rng_init(&r, 4, 0);
  mbrl_sac_config c = mbrl_sac_defaults(3, 2);
  c.size = 8, c.batch_size = 4, c.act_batch = 5, c.act_low = 0.0f, c.act_high = 3.0f;
  mbrl_sac s;
  cr_assert_eq(mbrl_sac_init(&s, &c, &r, NULL, 0), 0);
  float obs[23 * 3], all[23 * 2], one[2];
  mbrl_rng_fill_normal(&r, obs, 69, 0.0f, 1.0f);
  cr_assert_eq(mbrl_sac_act(&s, all, obs, 23, 0), 0);
  for (int i = 0; i < 23; i++) {
    cr_assert_eq(mbrl_sac_policy_mean(&s, obs + 3 * i, one), 0);
    for (int j = 0; j < 2; j++) cr_assert_float_eq(all[2 * i + j], one[j], 1e-6f);
  }
  cr_assert_eq(mbrl_sac_act(&s, all, obs, 23, 1), 0);
  for (int i = 0; i < 46; i++) cr_assert(all[i] >= 0.0f && all[i] <= 3.0f);
  cr_assert_eq(mbrl_sac_act(&s, all, obs, 0, 1), 0);
  mbrl_sac_free(&s);
}

/* loads a SAC file and frees it */
static int load_and_free(const char *path, char *err, size_t err_sz) {
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  mbrl_sac s;
  int rc = mbrl_sac_load(&s, path, &r, err, err_sz);
  if (!rc) mbrl_sac_free(&s);
  return rc;
}

Test(sac, checkpoint_round_trip_and_bad_files_fail_cleanly) {
  char dir[64], path[128], bad[128], err[256] = "";
  io_test_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/sac.safetensors", dir);
  snprintf(bad, sizeof bad, "%s/bad.safetensors", dir);
  fixture f;
  fixture_init(&f, 0.3f);
  mbrl_sac_set_backend(&f.sac, MBRL_BACKEND_DNNL);
  cr_assert_eq(mbrl_sac_update(&f.sac, NULL, f.obs, f.act, f.rew, f.next, f.term, B, NULL, 0), 0);
  f.sac.cfg.critic_updates = 2, f.sac.cfg.actor_update_freq = 3; /* the schedule is saved too */
  cr_assert_eq(mbrl_sac_save(&f.sac, path, err, sizeof err), 0, "%s", err);
  mbrl_rng r;
  mbrl_rng_init(&r, 9, 0);
  mbrl_sac g;
  cr_assert_eq(mbrl_sac_load(&g, path, &r, err, sizeof err), 0, "%s", err);
  cr_assert_eq(memcmp(&f.sac.cfg, &g.cfg, sizeof g.cfg), 0);
  cr_assert_eq(memcmp(f.sac.actor.params, g.actor.params, g.actor.n_params * sizeof(float)), 0);
  cr_assert_eq(memcmp(f.sac.critic.params, g.critic.params, g.critic.n_params * sizeof(float)), 0);
  cr_assert_eq(memcmp(f.sac.target.params, g.target.params, g.target.n_params * sizeof(float)), 0);
  cr_assert_eq(memcmp(f.sac.log_std, g.log_std, A * sizeof(float)), 0);
  cr_assert_eq(f.sac.log_alpha, g.log_alpha);
  cr_assert_eq(g.updates, 1);
  mbrl_sac_free(&g);
  io_test_bad_copies(path, bad, load_and_free, 13, 100, 5);
  /* an ensemble file is not a SAC file */
  cr_assert_eq(mbrl_ensemble_save_file(&f.sac.actor, bad, err, sizeof err), 0);
  cr_assert_neq(mbrl_sac_load(&g, bad, &r, err, sizeof err), 0);
  cr_assert(strstr(err, "SAC") != NULL, "%s", err);
  /* metadata without a setting */
  mbrl_checkpoint ck;
  mbrl_checkpoint_init(&ck);
  mbrl_checkpoint_add_ensemble(&ck, "actor.", &f.sac.actor);
  mbrl_checkpoint_add_meta(&ck, "format", "mbrl.sac.v2");
  mbrl_checkpoint_add_meta(&ck, "sac", "{\"obs_dim\":3}");
  cr_assert_eq(mbrl_checkpoint_write(&ck, bad, err, sizeof err), 0, "%s", err);
  mbrl_checkpoint_free(&ck);
  cr_assert_eq(mbrl_sac_load(&g, bad, &r, err, sizeof err), MBRL_EFORMAT);
  cr_assert(strstr(err, "act_dim") != NULL && strstr(err, "missing") != NULL, "%s", err);
  mbrl_sac_free(&f.sac);
  io_test_rmtree(dir);
}

/* ---- learning ---- */

/* the contextual bandit's best action for a state */
static float bandit_target(const float *s) { return 0.6f * s[0] - 0.3f * s[1]; }

/* one-step episodes: s ~ U(-1, 1)^2, a from the policy, r = -(a - target(s))^2 */
static void bandit_collect(mbrl_sac *sac, mbrl_paths *p, int n, mbrl_rng *r) {
  p->n = p->n_eps = n;
  mbrl_rng_fill_uniform(r, p->obs, (size_t)n * 2, -1.0f, 1.0f);
  cr_assert_eq(mbrl_sac_act(sac, p->act, p->obs, n, 1), 0);
  for (int i = 0; i < n; i++) {
    float d = p->act[i] - bandit_target(p->obs + 2 * i);
    p->reward[i] = -d * d, p->terminal[i] = 1.0f;
    p->next_obs[2 * i] = p->obs[2 * i], p->next_obs[2 * i + 1] = p->obs[2 * i + 1];
  }
}

/* mean |mean action - target| over fixed test states */
static double bandit_error(mbrl_sac *sac, const float *obs, int n) {
  float act[256];
  cr_assert_eq(mbrl_sac_act(sac, act, obs, n, 0), 0);
  double e = 0.0;
  for (int i = 0; i < n; i++) e += fabs(act[i] - bandit_target(obs + 2 * i));
  return e / n;
}

Test(sac, learns_a_contextual_bandit, .timeout = 60) {
  /* tiny networks run fastest on one thread (results do not depend on the count) */
  mbrl_threads_set(1);
  mbrl_rng r;
  mbrl_rng_init(&r, 2, 0);
  mbrl_sac_config c = mbrl_sac_defaults(2, 1);
  c.n_layers = 2, c.size = 32, c.batch_size = 128, c.lr = 1e-3f;
  mbrl_sac s;
  cr_assert_eq(mbrl_sac_init(&s, &c, &r, NULL, 0), 0);
  mbrl_paths p;
  mbrl_paths_init(&p, 2, 1, 512);
  mbrl_buffer buf;
  mbrl_buffer_init(&buf, 2, 1, 20000);
  float test_obs[256 * 2];
  mbrl_rng_fill_uniform(&r, test_obs, 512, -1.0f, 1.0f);
  double before = bandit_error(&s, test_obs, 256);
  bandit_collect(&s, &p, 512, &r);
  mbrl_buffer_add(&buf, &p, NULL);
  mbrl_sac_losses l;
  for (int k = 0; k < 3000; k++) {
    if (k % 8 == 0) {
      bandit_collect(&s, &p, 8, &r);
      mbrl_buffer_add(&buf, &p, NULL);
    }
    cr_assert_eq(mbrl_sac_train_step(&s, &buf, &l, NULL, 0), 0);
  }
  double after = bandit_error(&s, test_obs, 256);
  cr_log_info("bandit: mean |a - a*| %.3f -> %.3f, alpha %.4f, critic loss %.2e", before, after,
              (double)l.temperature, (double)l.critic_loss);
  cr_assert(after < 0.05 && after < before / 4, "%g -> %g", before, after);
  mbrl_buffer_free(&buf);
  mbrl_paths_free(&p);
  mbrl_sac_free(&s);
}

static int uniform_policy(void *ctx, const float *obs, float *act) {
  (void)obs;
  act[0] = (float)(4.0 * mbrl_rng_uniform(ctx) - 2.0);
  return 0;
}

Test(sac, learns_pendulum_swing_up, .timeout = 120) {
  mbrl_threads_set(1);
  char err[256] = "";
  mbrl_env *env;
  mbrl_env_make(&env, "pendulum-swingup-v0", err, sizeof err);
  cr_assert_not_null(env, "%s", err);
  const mbrl_env_spec *sp = mbrl_env_get_spec(env);
  mbrl_rng r;
  mbrl_rng_init(&r, 1, 0);
  mbrl_sac_config c = mbrl_sac_defaults(sp->obs_dim, sp->act_dim);
  c.size = 64, c.batch_size = 128, c.lr = 1e-3f, c.act_low = sp->act_low[0], c.act_high = sp->act_high[0];
  mbrl_sac s;
  cr_assert_eq(mbrl_sac_init(&s, &c, &r, err, sizeof err), 0, "%s", err);
  mbrl_paths p;
  mbrl_paths_init(&p, sp->obs_dim, sp->act_dim, 3 * sp->ep_len);
  mbrl_buffer buf;
  mbrl_buffer_init(&buf, sp->obs_dim, sp->act_dim, MBRL_SAC_BUFFER_CAPACITY);
  cr_assert_eq(mbrl_collect(&p, env, uniform_policy, NULL, &r, 2 * sp->ep_len, 0, &r, err, sizeof err), 0, "%s", err);
  double random_return = mbrl_paths_return_stats(&p).average;
  /* an episode of the sampling policy, then one update per step of it; the pendulum never
   * terminates, so the step limit is stored as no terminal */
  for (int ep = 0; ep < 50; ep++) {
    cr_assert_eq(mbrl_collect(&p, env, mbrl_sac_policy_sample, NULL, &s, sp->ep_len, 0, &r, err, sizeof err), 0);
    for (int i = 0; i < p.n; i++) p.terminal[i] = 0.0f;
    mbrl_buffer_add(&buf, &p, NULL);
    for (int k = 0; k < p.n; k++) cr_assert_eq(mbrl_sac_train_step(&s, &buf, NULL, err, sizeof err), 0, "%s", err);
  }
  cr_assert_eq(mbrl_collect(&p, env, mbrl_sac_policy_mean, NULL, &s, 2 * sp->ep_len, 0, &r, err, sizeof err), 0);
  double learned = mbrl_paths_return_stats(&p).average;
  cr_log_info("pendulum: random %.0f, SAC after 50 episodes %.0f", random_return, learned);
  cr_assert(learned > -700.0 && learned > random_return + 800.0, "random %g, learned %g", random_return, learned);
  mbrl_buffer_free(&buf);
  mbrl_paths_free(&p);
  mbrl_sac_free(&s);
  mbrl_env_free(env);
}
