/* What mbrl mb and mbrl mbpo share on the command line: the common and model flags of CS285's
 * run_hw4_mb.py and run_hw4_mbpo.py with the extras (--bootstrap, --activation, --precision, --logdir,
 * --threads, --quiet), their checks, progress lines and the end of a run. */
#ifndef MBRL_CLI_MB_FLAGS_H
#define MBRL_CLI_MB_FLAGS_H

#include <stddef.h>

#include "flags.h"
#include "mbrl/mb.h"

enum { MB_FLAGS_MAX = 128, MB_PLANNERS_MAX = 16 };

/* Values the shared flags write besides the configuration. */
typedef struct {
  mbrl_mb_config *c;
  int mb; /* 1: mbrl mb (MPC flags used, run_hw4_mb.py's aliases); 0: mbrl mbpo */
  int threads, quiet, no_gpu, which_gpu;
  const char *resume; /* --resume: a run directory to go on with, or NULL */
  /* the options of every registered planner, which the flags set before one is chosen */
  _Alignas(8) unsigned char opts[MB_PLANNERS_MAX][MBRL_PLANNER_OPTS];
} mb_flag_values;

/* Writes the flags of table (mbrl_mb_table, or a table embedding it) at base, whose mbrl mb part
 * is c, into out (MB_FLAGS_MAX): every setting, every registered planner's own, and the command
 * line's (--threads, --quiet, --no_gpu, --which_gpu); sets v's defaults and the CS285 episode
 * length 200. mb picks mbrl mb's aliases and help, else run_hw4_mbpo.py's (short aliases only -n,
 * -tb, -eb, -ngpu, -gpu_id; the planner's flags accepted and unused). Returns the count. */
int mb_flags(flag *out, mb_flag_values *v, const mbrl_config_table *table, void *base, mbrl_mb_config *c, int mb);

/* With --resume: sets the thread count and returns 1 (the run's own settings apply, other flags
 * are ignored); else 0. */
int mb_flags_resuming(const mb_flag_values *v);

/* Checks and completes the configuration after parsing: the environment is required, the planner
 * must exist (its options are taken from the flags), the CS285 environments keep their episode
 * lengths, the thread count is set. Returns 0, or 2 after a message naming the command cmd. */
int mb_flags_finish(const char *cmd, mb_flag_values *v);

/* Prints a progress line at the end of each iteration (extra appended) and, within long
 * iterations, at most every 30 s; last_line holds the elapsed time of the last line. A warning
 * (video failed) goes to stderr at once. */
void mb_progress_line(double *last_line, const mbrl_mb_progress *p, const char *extra);

/* Reports how a run of cmd ended (rc, its message err, the run directory dir, possibly empty;
 * what names the checkpoints; with quiet, a successful run's err is why video failed, the progress
 * lines having said nothing) and returns the exit status: 0, 2 for bad settings, 1 otherwise. */
int mb_run_status(const char *cmd, int rc, const char *dir, const char *err, int quiet, const char *what);

#endif
