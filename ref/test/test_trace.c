/* test_trace.c - unit tests for MP_TRACE's writer: quoting and cut reprs, whole lines from many processes at once, trace names shared by a Pipe's ends.
 *
 * Usage: test_trace   prints TAP.  Uses the library's insides (core/core.h):
 * it points the trace at a file of its own (mp__trace_fd) instead of
 * setting MP_TRACE before the program starts.
 */
#include "core/core.h"
#include "tap.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define WRITERS 8
#define LINES 400
#define PAD 6000            /* longer than PIPE_BUF: atomicity is O_APPEND's, not a pipe's */

static char path[] = "/tmp/test_trace.XXXXXX";

/* The file's contents (NUL-terminated, caller frees). */
static char *slurp(size_t *len)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return NULL;
    char *s = malloc((size_t)st.st_size + 1);
    ssize_t n = s ? read(fd, s, (size_t)st.st_size) : -1;
    close(fd);
    if (n != st.st_size) {
        free(s);
        return NULL;
    }
    s[n] = 0;
    *len = (size_t)n;
    return s;
}

/* Point the trace at an empty file. */
static void fresh(void)
{
    if (mp__trace_fd >= 0)
        close(mp__trace_fd);
    mp__trace_fd = open(path, O_WRONLY | O_APPEND | O_TRUNC | O_CLOEXEC);
}

/* The part of the only line after its event name. */
static char *fields_of_one_line(void)
{
    size_t n;
    char *s = slurp(&n);
    char *ev = s ? strstr(s, " ev=") : NULL;
    char *f = ev ? strchr(ev + 1, ' ') : NULL;
    char *r = f ? strdup(f) : NULL;
    free(s);
    return r;
}

static void test_quoting(void)
{
    fresh();
    mp__buf b;
    const char s[] = "a\"b\\c\nd\x7f" "\xc3\xa9" "\x01";
    mp__trace_begin(&b, "test.quote");
    mp__trace_quoted(&b, "s", s, sizeof s - 1);
    mp__trace_end(&b);
    char *f = fields_of_one_line();
    tap_is_str(f, " s=\"a\\\"b\\\\c\\x0ad\\x7f\xc3\xa9\\x01\"\n",
               "quotes and backslashes escaped, control bytes as \\xHH, UTF-8 as it is");
    free(f);

    size_t n;
    fresh();
    mp__trace_begin(&b, "test.head");
    mp__trace_end(&b);
    char *line = slurp(&n);
    char want[64];
    snprintf(want, sizeof want, " %ld proc=\"MainProcess\" ev=test.head\n", (long)getpid());
    TAP_OK(line && strchr(line, ' ') && strcmp(strchr(line, ' '), want) == 0 &&
               strtod(line, NULL) > 0,
           "a line: the monotonic clock, the pid, the process's name, the event");
    free(line);
}

static void test_repr(void)
{
    /* 38 x, then an e-acute: the cut at 40 characters of the repr would
     * fall inside it ('x...x\xc3|\xa9'), so it moves back before it. */
    char s[64];
    memset(s, 'x', 38);
    strcpy(s + 38, "\xc3\xa9" "yyyy");
    mp_value *v = mp_str(s);
    fresh();
    mp__buf b;
    mp__trace_begin(&b, "test.repr");
    mp__trace_repr(&b, v);
    mp__trace_end(&b);
    char *f = fields_of_one_line();
    char want[128];
    snprintf(want, sizeof want, " repr=\"'%.38s...\"\n", s);
    tap_is_str(f, want, "a long repr is cut, never inside a UTF-8 sequence");
    free(f);
    mp_decref(v);

    v = mp_str("short");
    fresh();
    mp__trace_begin(&b, "test.repr");
    mp__trace_repr(&b, v);
    mp__trace_end(&b);
    f = fields_of_one_line();
    tap_is_str(f, " repr=\"'short'\"\n", "a short repr is whole");
    free(f);
    mp_decref(v);
}

/* WRITERS processes write LINES lines each, every one longer than
 * PIPE_BUF, all at once: every line must come out whole. */
static void test_atomic(void)
{
    fresh();
    pid_t kids[WRITERS];
    char *pad = malloc(PAD + 1);
    memset(pad, 'p', PAD);
    pad[PAD] = 0;
    for (int k = 0; k < WRITERS; k++) {
        if ((kids[k] = fork()) == 0) {
            for (int i = 0; i < LINES; i++) {
                mp__buf b;
                mp__trace_begin(&b, "test.line");
                mp__buf_printf(&b, " k=%d i=%d", k, i);
                mp__trace_quoted(&b, "pad", pad, PAD);
                mp__trace_end(&b);
            }
            _exit(0);
        }
    }
    bool exited = true;
    for (int k = 0; k < WRITERS; k++) {
        int st;
        exited &= kids[k] > 0 && waitpid(kids[k], &st, 0) == kids[k] && WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    TAP_OK(exited, "%d writers ended", WRITERS);
    size_t n, lines = 0, whole = 0;
    int seen[WRITERS] = {0};
    char *s = slurp(&n);
    for (char *line = s; line && *line;) {
        char *nl = strchr(line, '\n');
        if (!nl)
            break;
        *nl = 0;
        lines++;
        int k, i, pid, at = -1;
        char *fields = strstr(line, " ev=test.line k=");
        if (fields && sscanf(line, "%*f %d", &pid) == 1 &&
            sscanf(fields, " ev=test.line k=%d i=%d pad=\"%n", &k, &i, &at) == 2 && at > 0 &&
            k >= 0 && k < WRITERS && i == seen[k] && pid == kids[k] &&
            strspn(fields + at, "p") == PAD && strcmp(fields + at + PAD, "\"") == 0) {
            whole++;
            seen[k]++;
        }
        line = nl + 1;
    }
    tap_is_int((long)lines, WRITERS * LINES, "every line is in the file");
    tap_is_int((long)whole, WRITERS * LINES, "every line is whole, and each writer's are in its order");
    free(s);
    free(pad);
}

static void test_names(void)
{
    mp_connection *a, *b;
    int saved = mp__trace_fd;
    mp__trace_fd = -1;
    mp_lock *l = mp_lock_new();
    TAP_OK(l && ((mp__object *)l)->trace_n == 0, "tracing off: an object gets no trace name");
    mp_lock_free(l);
    mp__trace_fd = saved;
    TAP_OK(mp_pipe(&a, &b, NULL) == 0, "a Pipe while tracing");
    const mp__object *oa = (const mp__object *)a, *ob = (const mp__object *)b;
    TAP_OK(oa->trace_n != 0 && oa->trace_n == ob->trace_n &&
               oa->trace_pid == (uint32_t)getpid() && ob->trace_pid == oa->trace_pid,
           "its two ends share one trace name, made by this process");
    fresh();
    mp_connection_send(a, "hi");
    mp_value *got = NULL;
    mp_connection_recv(b, &got);
    size_t n;
    char *s = slurp(&n);
    char send[96], recv[96];
    snprintf(send, sizeof send, " ev=send kind=Connection obj=%u.%u size=", oa->trace_pid, oa->trace_n);
    snprintf(recv, sizeof recv, " ev=recv kind=Connection obj=%u.%u size=", oa->trace_pid, oa->trace_n);
    TAP_OK(s && strstr(s, send) && strstr(s, recv) && strstr(s, " repr=\"'hi'\"\n"),
           "send and recv are traced under that name");
    free(s);
    mp_decref(got);
    mp_connection_free(a);
    mp_connection_free(b);
}

int main(void)
{
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        return 1;
    }
    close(fd);
    test_quoting();
    test_repr();
    test_atomic();
    test_names();
    unlink(path);
    return tap_done();
}
