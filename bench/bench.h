/* Benchmarks: each prints its figure beside the limit it is measured against and the ratio. */
#ifndef MBRL_BENCH_H
#define MBRL_BENCH_H

/* one benchmark group; threads is the thread count for float work */
void bench_nn(int threads);
void bench_env(int threads);
void bench_plan(int threads);
void bench_sac(int threads);
void bench_video(int threads);

/* Set by --quick: one repetition of everything and a small matmul, to check that the benchmarks
 * run; the figures then mean nothing. */
extern int bench_quick;

/* GFLOP/s of a large square fp32 matmul through the backend: the limit compute figures use */
double bench_matmul_peak(void);

/* GFLOP/s of a large square bfloat16 matmul (fp32 accumulation): the limit bf16 figures use */
double bench_matmul_peak_bf16(void);

/* Best wall time in seconds of reps calls of fn(ctx), after one warm-up call. */
double bench_best_time(int reps, void (*fn)(void *), void *ctx);

/* Records one result row: what, measured figure, limit (same unit), unit; the ratio is
 * measured / limit. Every row is a rate, so 1 is the limit reached. */
void bench_row(const char *what, double measured, double limit, const char *unit);

/* Prints a note (sizes, times, skipped groups) beside the rows. */
void bench_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
