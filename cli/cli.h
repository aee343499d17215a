/* Subcommands of the mbrl command; each returns the process exit status (2 for usage errors). */
#ifndef MBRL_CLI_H
#define MBRL_CLI_H

int mbrl_cmd_bench(int argc, char **argv);
int mbrl_cmd_demo(int argc, char **argv);
int mbrl_cmd_mb(int argc, char **argv);
int mbrl_cmd_mbpo(int argc, char **argv);
int mbrl_cmd_pets(int argc, char **argv);
int mbrl_cmd_envs(int argc, char **argv);
int mbrl_cmd_dyna(int argc, char **argv);
int mbrl_cmd_planners(int argc, char **argv);
int mbrl_cmd_plot(int argc, char **argv);
int mbrl_cmd_render(int argc, char **argv);

/* The exit status for a library error code rc < 0: 2 when what the command line names is wrong or
 * does not exist (MBRL_EINVAL, MBRL_ENOTFOUND), 1 for a failure while working. */
int cli_status(int rc);

#endif
