/* Tests of the generic MuJoCo environment: sizes and bounds from the model, custom frame skip and
 * episode length, a user reward, and clean failures on missing or malformed files. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "env/env_impl.h"
#include "mbrl/core.h"
#include "mbrl/env.h"

static char dir[64], path[128];

/* a slider with one limited and one unlimited motor, frame skip 3, 50 steps */
static const char *slider_xml =
    "<mujoco>\n"
    "  <option timestep='0.02'/>\n"
    "  <custom><numeric name='mbrl_frame_skip' data='3'/><numeric name='mbrl_ep_len' data='50'/>"
    "</custom>\n"
    "  <worldbody><body><joint name='x' type='slide' axis='1 0 0'/>"
    "<geom type='sphere' size='0.1' mass='1'/>\n"
    "    <body pos='0 0 -0.5'><joint name='h' type='hinge' axis='0 1 0'/>"
    "<geom type='capsule' fromto='0 0 0 0 0 -0.5' size='0.02' mass='0.2'/></body></body>\n"
    "  </worldbody>\n"
    "  <actuator><motor joint='x' ctrllimited='true' ctrlrange='-2 3'/><motor joint='h'/>"
    "</actuator>\n"
    "</mujoco>\n";

static void write_file(const char *p, const char *text) {
  FILE *f = fopen(p, "w");
  cr_assert_not_null(f);
  fputs(text, f);
  fclose(f);
}

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/mbrl-env-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/slider.xml", dir);
  write_file(path, slider_xml);
}

static void teardown(void) {
  char p[160];
  const char *files[] = {"slider.xml", "bad.xml", "noact.xml"};
  for (int i = 0; i < 3; i++) {
    snprintf(p, sizeof p, "%s/%s", dir, files[i]);
    unlink(p);
  }
  rmdir(dir);
}

TestSuite(env_mujoco, .init = setup, .fini = teardown);

Test(env_mujoco, sizes_and_bounds_come_from_the_model) {
  char name[160], err[512] = "";
  snprintf(name, sizeof name, "mujoco:%s", path);
  mbrl_env *env;
  mbrl_env_make(&env, name, err, sizeof err);
  cr_assert_not_null(env, "%s", err);
  const mbrl_env_spec *s = mbrl_env_get_spec(env);
  cr_expect_str_eq(s->name, name);
  cr_expect_eq(s->obs_dim, 4);
  cr_expect_eq(s->act_dim, 2);
  cr_expect_eq(s->ep_len, 50);
  cr_expect_float_eq(s->dt, 0.06, 1e-12);
  cr_expect_eq(s->act_low[0], -2.0f);
  cr_expect_eq(s->act_high[0], 3.0f);
  cr_expect_eq(s->act_low[1], -1.0f);
  cr_expect_eq(s->act_high[1], 1.0f);
  /* default reward 0; a push moves the slider; the name form pays nothing */
  float obs[4], act[2] = {3.0f, 0.0f}, r = 1.0f;
  int term = 1, trunc = 1, t = 0;
  cr_assert_eq(mbrl_env_reset(env, 1, obs), 0);
  float x0 = obs[0];
  do {
    cr_assert_eq(mbrl_env_step(env, act, obs, &r, &term, &trunc), 0);
    cr_expect_eq(r, 0.0f);
    cr_expect_eq(term, 0);
    t++;
  } while (!trunc);
  cr_expect_eq(t, 50);
  cr_expect_gt(obs[0], x0 + 1.0f);
  mbrl_env_free(env);
}

/* reward: slider velocity minus the squared action, done past x = 1 */
static void slider_reward(void *user, const float *obs, const float *act, const float *next_obs,
                          int B, int obs_dim, int act_dim, float *reward, int *done) {
  (void)obs;
  int *calls = user;
  (*calls)++;
  for (int b = 0; b < B; b++) {
    const float *o = next_obs + b * obs_dim, *a = act + b * act_dim;
    reward[b] = o[2] - (a[0] * a[0] + a[1] * a[1]);
    if (done) done[b] = o[0] > 1.0f;
  }
}

Test(env_mujoco, user_reward_function) {
  char err[512] = "";
  int calls = 0;
  mbrl_env *env;
  mbrl_env_make_mujoco(&env, path, slider_reward, &calls, err, sizeof err);
  cr_assert_not_null(env, "%s", err);
  float obs[4], prev[4], act[2] = {1.0f, 0.5f}, r, rb;
  int term = 0, done, t = 0;
  cr_assert_eq(mbrl_env_reset(env, 2, obs), 0);
  while (!term) {
    memcpy(prev, obs, sizeof obs);
    cr_assert_eq(mbrl_env_step(env, act, obs, &r, &term, NULL), 0);
    mbrl_env_reward(env, prev, act, obs, 1, &rb, &done);
    cr_expect_eq(r, rb);
    cr_expect_eq(r, obs[2] - 1.25f);
    cr_expect_eq(term, done);
    cr_assert_lt(++t, 50);
  }
  cr_expect_gt(obs[0], 1.0f);
  cr_expect_eq(calls, 2 * t);
  /* state round trip on a generic model */
  double st[1 + 1 + 2 + 2 + 0 + 2];
  cr_assert_eq(mbrl_env_get_spec(env)->state_dim, (int)(sizeof st / sizeof *st));
  mbrl_env_get_state(env, st);
  float o1[4], o2[4];
  cr_assert_eq(mbrl_env_step(env, act, o1, NULL, NULL, NULL), 0);
  cr_assert_eq(mbrl_env_set_state(env, st, NULL), 0);
  cr_assert_eq(mbrl_env_step(env, act, o2, NULL, NULL, NULL), 0);
  cr_expect(memcmp(o1, o2, sizeof o1) == 0);
  mbrl_env_free(env);
}

Test(env_mujoco, missing_file_gives_mujocos_message) {
  char name[200], err[1024] = "";
  snprintf(name, sizeof name, "mujoco:%s/nope.xml", dir);
  cr_expect_eq(mbrl_env_make(&(mbrl_env *){NULL}, name, err, sizeof err), MBRL_ENOTFOUND,
               "a missing model file is not found, not a format error");
  cr_expect(strstr(err, "nope.xml") != NULL, "%s", err);
  cr_expect(strstr(err, "MuJoCo") != NULL, "%s", err);
  cr_expect_neq(mbrl_env_make_mujoco(&(mbrl_env *){NULL}, "/nonexistent/model.xml", NULL, NULL, err, sizeof err), 0);
  cr_expect(strstr(err, "/nonexistent/model.xml") != NULL, "%s", err);
}

Test(env_mujoco, malformed_xml_gives_mujocos_message) {
  char bad[160], err[1024] = "";
  snprintf(bad, sizeof bad, "%s/bad.xml", dir);
  const char *texts[] = {
      "<mujoco><worldbody><body>\n",                                   /* truncated */
      "<mujoco><worldbody><geom type='sphere' size='-1'/></worldbody></mujoco>", /* bad value */
      "<mujoco><worldbody><body><joint type='twist'/></body></worldbody></mujoco>",
      "not xml at all",
      "",
  };
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
    write_file(bad, texts[i]);
    err[0] = 0;
    cr_expect_neq(mbrl_env_make_mujoco(&(mbrl_env *){NULL}, bad, NULL, NULL, err, sizeof err), 0, "text %zu", i);
    cr_expect(strlen(err) > strlen(bad) + 20, "text %zu: '%s'", i, err);
  }
}

Test(env_mujoco, load_errors_have_codes) {
  char bad[160], err[1024] = "";
  mbrl_mj mj;
  cr_expect_eq(mbrl_mj_load(&mj, "/nonexistent/model.xml", 0, 1, err, sizeof err), MBRL_ENOTFOUND);
  cr_expect(strstr(err, "FILE_NOT_FOUND") != NULL, "%s", err);
  snprintf(bad, sizeof bad, "%s/bad.xml", dir);
  write_file(bad, "<mujoco><worldbody><body>");
  cr_expect_eq(mbrl_mj_load(&mj, bad, 0, 1, err, sizeof err), MBRL_EFORMAT);
  cr_expect(err[strlen(err) - 1] != '\n', "message ends in a newline: '%s'", err);
  cr_expect_eq(mbrl_mj_load(&mj, "no_such_asset.xml", 1, 1, err, sizeof err), MBRL_ENOTFOUND);
}

Test(env_mujoco, model_without_actuators_is_refused) {
  char p[160], err[1024] = "";
  snprintf(p, sizeof p, "%s/noact.xml", dir);
  write_file(p, "<mujoco><worldbody><body><joint type='slide'/><geom size='0.1'/></body>"
                "</worldbody></mujoco>");
  cr_expect_neq(mbrl_env_make_mujoco(&(mbrl_env *){NULL}, p, NULL, NULL, err, sizeof err), 0);
  cr_expect(strstr(err, "actuator") != NULL, "%s", err);
}

Test(env_mujoco, asset_lookup) {
  char p[4096], err[512] = "";
  cr_expect_eq(mbrl_env_asset_path("half_cheetah.xml", p, sizeof p, err, sizeof err), 0, "%s",
               err);
  cr_expect(access(p, R_OK) == 0);
  cr_expect_eq(mbrl_env_asset_path("no_such_model.xml", p, sizeof p, err, sizeof err),
               MBRL_ENOTFOUND);
  cr_expect(strstr(err, "no_such_model.xml") != NULL, "%s", err);
}
