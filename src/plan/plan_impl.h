/* The built-in planner classes, one per file, for the registry in planner.c. */
#ifndef MBRL_PLAN_IMPL_H
#define MBRL_PLAN_IMPL_H

#include "mbrl/planner.h"

extern const mbrl_planner_class mbrl_planner_random; /* random_shooting.c */
extern const mbrl_planner_class mbrl_planner_cem;    /* cem.c */
extern const mbrl_planner_class mbrl_planner_mppi;   /* mppi.c */
extern const mbrl_planner_class mbrl_planner_icem;   /* icem.c */

#endif
