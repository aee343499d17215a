/* mbrl envs: lists the registered environments with their sizes and episode lengths, or shows
 * one environment in detail (action bounds, state size) by making it. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "mbrl/core.h"
#include "mbrl/env.h"

static void envs_usage(FILE *f) {
  fprintf(f,
          "usage: mbrl envs [NAME ...]\n"
          "  without names: every registered environment with obs_dim, act_dim, ep_len, dt\n"
          "  with names: make each one (e.g. cheetah-cs285-v0, mujoco:model.xml) and show its\n"
          "  action bounds and state size\n");
}

static void list_all(void) {
  printf("%-22s %5s %5s %7s %7s  %s\n", "name", "obs", "act", "ep_len", "dt", "about");
  int n = mbrl_env_registry_count();
  for (int i = 0; i < n; i++) {
    const mbrl_env_class *c = mbrl_env_registry_get(i);
    size_t len = strlen(c->name);
    if (len > 0 && c->name[len - 1] == ':') {
      char fam[64];
      snprintf(fam, sizeof fam, "%s<model.xml>", c->name);
      printf("%-22s %5s %5s %7s %7s  %s\n", fam, "-", "-", "-", "-", c->about ? c->about : "");
      continue;
    }
    char dt[32] = "-";
    if (c->dt > 0) snprintf(dt, sizeof dt, "%g", c->dt);
    printf("%-22s %5d %5d %7d %7s  %s\n", c->name, c->obs_dim, c->act_dim, c->ep_len, dt,
           c->about ? c->about : "");
  }
}

static int show(const char *name) {
  char err[1024];
  mbrl_env *env;
  int rc = mbrl_env_make(&env, name, err, sizeof err);
  if (rc) {
    fprintf(stderr, "mbrl envs: %s\n", err);
    return cli_status(rc);
  }
  const mbrl_env_spec *s = mbrl_env_get_spec(env);
  printf("%s\n  obs_dim   %d\n  act_dim   %d\n  ep_len    %d\n  dt        %g\n  state_dim %d\n"
         "  act_low  ",
         s->name, s->obs_dim, s->act_dim, s->ep_len, s->dt, s->state_dim);
  for (int i = 0; i < s->act_dim; i++) printf(" %g", s->act_low[i]);
  printf("\n  act_high ");
  for (int i = 0; i < s->act_dim; i++) printf(" %g", s->act_high[i]);
  printf("\n");
  mbrl_env_free(env);
  return 0;
}

int mbrl_cmd_envs(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      envs_usage(stdout);
      return 0;
    }
    if (argv[i][0] == '-') {
      fprintf(stderr, "mbrl envs: unknown flag '%s'\n", argv[i]);
      envs_usage(stderr);
      return 2;
    }
  }
  if (argc < 2) {
    list_all();
    return 0;
  }
  int rc = 0;
  for (int i = 1; i < argc; i++) rc |= show(argv[i]);
  return rc;
}
