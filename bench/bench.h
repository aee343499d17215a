/* Benchmarks: each prints its figure beside the limit it is measured against and the ratio. */
#ifndef MBRL_BENCH_H
#define MBRL_BENCH_H

/* one benchmark group; threads is the thread count for float work */
void bench_nn(int threads);

/* Prints one result row: what, measured figure, limit, unit. */
void bench_row(const char *what, double measured, double limit, const char *unit);

#endif
