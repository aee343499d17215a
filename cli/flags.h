/* Table-driven command-line flags: --name value, --name=value, short aliases, typed and
 * range-checked values, repeatable flags, positional arguments, and a generated --help. */
#ifndef MBRL_CLI_FLAGS_H
#define MBRL_CLI_FLAGS_H

#include <stdio.h>

typedef enum { FLAG_INT, FLAG_DOUBLE, FLAG_STRING, FLAG_BOOL, FLAG_LIST } flag_type;

/* The values of a repeatable flag (FLAG_LIST) or a command's positional arguments: v holds up to
 * cap strings (argc is always enough). v[0..n) are a list flag's defaults until it first appears;
 * each occurrence then appends one value. */
typedef struct {
  const char **v;
  int n, cap;
} flag_list;

typedef struct {
  const char *name;  /* "--name" */
  const char *alias; /* "-n" or NULL */
  flag_type type;
  void *value;       /* int *, double *, const char **, int * (bool: set to 1, no argument), or
                        flag_list * */
  double lo, hi;     /* allowed range for numbers (ignored when lo == hi) */
  const char *help;
} flag;

/* Parses argv[1..argc) into the flags' values; returns 0, 1 after printing --help to stdout, or
 * 2 after printing a usage error to stderr. */
int flags_parse(const char *cmd, const char *summary, const flag *flags, int n, int argc, char **argv);

/* flags_parse for a command that also takes positional arguments: they go to pos, and "--" ends
 * the flags; args names them in the usage line (e.g. "RUN_DIR..."). */
int flags_parse_args(const char *cmd, const char *args, const char *summary, const flag *flags,
                     int n, int argc, char **argv, flag_list *pos);

/* Prints the usage text with each flag's default (its current value); args may be NULL. */
void flags_usage(FILE *f, const char *cmd, const char *args, const char *summary, const flag *flags,
                 int n);

#endif
