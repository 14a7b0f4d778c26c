/* tap.h - a tiny Test Anything Protocol helper for the C unit tests (header only). */
#ifndef MP_TAP_H
#define MP_TAP_H

/*
 * Usage:
 *     TAP_OK(n == 3, "three items");          ok/not ok, with file:line on failure
 *     tap_is_str(got, "[1, 2]", "list repr"); also shows got and expected
 *     tap_is_int(rc, MP_ETYPE, "rejected");
 *     tap_skip("no /dev/shm", "shared memory");
 *     tap_diag("seed %u", seed);              a "# " line
 *     return tap_done();                       prints the plan "1..N", exit status
 * The plan comes last (TAP allows that), so tests need not be counted ahead.
 * Output goes to stdout and is flushed after every line, so nothing is lost
 * or written twice if a test crashes or forks.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failures;

/* A "# " diagnostic line for each line of the formatted message. */
static inline void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (const char *line = msg;;) {
        const char *nl = strchr(line, '\n');
        int len = nl ? (int)(nl - line) : (int)strlen(line);
        printf("# %.*s\n", len, line);
        if (!nl)
            break;
        line = nl + 1;
    }
    fflush(stdout);
}

static inline bool tap_vok(bool cond, const char *fmt, va_list ap)
{
    tap_count++;
    if (!cond)
        tap_failures++;
    printf("%s %d - ", cond ? "ok" : "not ok", tap_count);
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
    return cond;
}

/* One test: "ok N - description" or "not ok N - description".  Returns cond. */
static inline bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline bool tap_ok(bool cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_vok(cond, fmt, ap);
    va_end(ap);
    return cond;
}

static inline bool tap_at(bool ok, const char *cond, const char *file, int line)
{
    if (!ok)
        tap_diag("  failed: %s\n  at %s:%d", cond, file, line);
    return ok;
}

/* tap_ok that names the failing condition and where it is. */
#define TAP_OK(cond, ...) tap_at(tap_ok((cond), __VA_ARGS__), #cond, __FILE__, __LINE__)

/* Compare strings (NULL allowed); on mismatch show both. */
static inline bool tap_is_str(const char *got, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline bool tap_is_str(const char *got, const char *want, const char *fmt, ...)
{
    bool same = got && want ? strcmp(got, want) == 0 : got == want;
    va_list ap;
    va_start(ap, fmt);
    tap_vok(same, fmt, ap);
    va_end(ap);
    if (!same)
        tap_diag("       got: %s%s%s\n  expected: %s%s%s", got ? "'" : "",
                 got ? got : "NULL", got ? "'" : "", want ? "'" : "",
                 want ? want : "NULL", want ? "'" : "");
    return same;
}

static inline bool tap_is_int(long long got, long long want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline bool tap_is_int(long long got, long long want, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_vok(got == want, fmt, ap);
    va_end(ap);
    if (got != want)
        tap_diag("       got: %lld\n  expected: %lld", got, want);
    return got == want;
}

/* A test that cannot run here: counts as passed, says why. */
static inline void tap_skip(const char *why, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void tap_skip(const char *why, const char *fmt, ...)
{
    va_list ap;
    tap_count++;
    printf("ok %d - ", tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(" # SKIP %s\n", why);
    fflush(stdout);
}

/* Print the plan; the exit status for main: 0 if all passed, else 1. */
static inline int tap_done(void)
{
    printf("1..%d\n", tap_count);
    if (tap_failures)
        tap_diag("%d of %d tests failed", tap_failures, tap_count);
    fflush(stdout);
    return tap_failures ? 1 : 0;
}

#endif
