/* Subcommands of the mbrl command; each returns the process exit status (2 for usage errors). */
#ifndef MBRL_CLI_H
#define MBRL_CLI_H

int mbrl_cmd_bench(int argc, char **argv);
int mbrl_cmd_demo(int argc, char **argv);
int mbrl_cmd_mb(int argc, char **argv);
int mbrl_cmd_mbpo(int argc, char **argv);
int mbrl_cmd_envs(int argc, char **argv);
int mbrl_cmd_dyna(int argc, char **argv);
int mbrl_cmd_plot(int argc, char **argv);
int mbrl_cmd_render(int argc, char **argv);

#endif
