/* The mbrl command: dispatches to subcommands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mbrl/core.h"

typedef struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *help;
} command;

static const command commands[] = {
    {"envs", mbrl_cmd_envs, "list the environments with their sizes and episode lengths"},
    {"planners", mbrl_cmd_planners, "list the planners with their own settings and defaults"},
    {"mb", mbrl_cmd_mb, "model-based RL with MPC through a learned ensemble (CS285 HW4 problems 1-5)"},
    {"mbpo", mbrl_cmd_mbpo, "SAC on real data and model rollouts: SAC, Dyna, MBPO (CS285 HW4 problem 6)"},
    {"pets", mbrl_cmd_pets, "PETS: MPC through a probabilistic ensemble by trajectory sampling, trial after trial"},
    {"demo", mbrl_cmd_demo, "learn an environment's dynamics from random data with the ensemble and save it"},
    {"dyna", mbrl_cmd_dyna, "tabular Dyna-Q and Dyna-Q+ on grid mazes (Sutton & Barto chapter 8)"},
    {"plot", mbrl_cmd_plot, "compare runs: columns of their metrics.csv, one line per run, in a PNG"},
    {"render", mbrl_cmd_render, "film an episode of a run's MPC policy (its saved model) as an MP4"},
    {"bench", mbrl_cmd_bench, "benchmarks: planning, training, environments, SAC, video against their limits"},
};

int cli_status(int rc) { return rc == MBRL_EINVAL || rc == MBRL_ENOTFOUND ? 2 : 1; }

static void usage(FILE *f) {
  fprintf(f, "usage: mbrl <command> [flags]   (mbrl <command> --help for its flags)\n\ncommands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv) {
  /* OpenMP threads spin 300000 times at each barrier by default; when two processes share the
   * cores (parallel runs, tests) their threads then wait on descheduled peers and a run slows
   * down up to 50x. 10000 spins cost nothing measurable alone. libgomp reads the setting when it
   * loads, so the command restarts itself once with it. */
  if (!getenv("GOMP_SPINCOUNT") && !getenv("OMP_WAIT_POLICY")) {
    setenv("GOMP_SPINCOUNT", "10000", 1);
    execv("/proc/self/exe", argv);
  }
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "mbrl: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
