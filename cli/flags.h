/* Table-driven command-line flags: --name value, --name=value, short aliases, typed and
 * range-checked values, and a generated --help. */
#ifndef MBRL_CLI_FLAGS_H
#define MBRL_CLI_FLAGS_H

#include <stdio.h>

typedef enum { FLAG_INT, FLAG_DOUBLE, FLAG_STRING, FLAG_BOOL } flag_type;

typedef struct {
  const char *name;  /* "--name" */
  const char *alias; /* "-n" or NULL */
  flag_type type;
  void *value;       /* int *, double *, const char **, or int * (bool: set to 1, no argument) */
  double lo, hi;     /* allowed range for numbers (ignored when lo == hi) */
  const char *help;
} flag;

/* Parses argv[1..argc) into the flags' values; returns 0, 1 after printing --help to stdout, or
 * 2 after printing a usage error to stderr. */
int flags_parse(const char *cmd, const char *summary, const flag *flags, int n, int argc, char **argv);

/* Prints the usage text with each flag's default (its current value). */
void flags_usage(FILE *f, const char *cmd, const char *summary, const flag *flags, int n);

#endif
