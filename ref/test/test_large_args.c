/* test_large_args.c - an argument that pickles to more than 2 GiB reaches a spawn or forkserver child whole, as CPython passes it. */
#include "core/core.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A child that re-runs the program gets its process, arguments included,
 * as one pickle sent by its parent.  Its length once went in 4 bytes, so a
 * bytes argument of 2 GiB failed to start with a MemoryError that did not
 * say why.  This needs about 6 GiB of memory at its peak (the pickle in the
 * parent; the description and the value in the child) and some 10 s a
 * method, mostly the kernel clearing pages, so it is skipped, saying so, on
 * a machine with less than 12 GiB free.
 */
#define SIZE (((size_t)1 << 31) + 4096)

/* Exit code 0 when the argument is SIZE bytes with the pattern's ends. */
static int check(const mp_value *args)
{
    size_t n;
    const uint8_t *b = mp_as_bytes(mp_item(args, 0), &n);
    if (!b || n != SIZE)
        return mp_sys_exit(2);
    return b[0] == 1 && b[SIZE / 2] == 2 && b[SIZE - 1] == 3 ? 0 : mp_sys_exit(3);
}
MP_TARGET(check);

static long long available_kib(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %lld kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

int main(int argc, char **argv)
{
    mp_main(argc, argv);
    static const char *const methods[] = {"spawn", "forkserver"};
    long long kib = available_kib();
    if (kib < 12LL << 20) {
        for (int m = 0; m < 2; m++)
            tap_skip("it needs about 12 GiB of free memory", "%s: an argument of 2 GiB and more",
                     methods[m]);
        return tap_done();
    }
    for (int m = 0; m < 2; m++) {
        uint8_t *raw;
        mp_value *big = mp__bytes_uninit(SIZE, &raw);
        if (!big) {
            tap_skip("no memory for the argument", "%s", methods[m]);
            continue;
        }
        /* The rest is left as it is: glibc maps a block this large fresh,
         * so it reads as zeros and costs no memory until written, and the
         * child looks only at the length and these three bytes. */
        raw[0] = 1;
        raw[SIZE / 2] = 2;
        raw[SIZE - 1] = 3;
        mp_process *p = mp_context_process(mp_get_context(methods[m]), &(mp_process_opts){
            .target = check, .args = mp_tuple_of(big)});
        int rc = p ? mp_process_start(p) : mp_errcode();
        if (rc == 0)
            rc = mp_process_join(p, MP_WAIT_FOREVER);
        TAP_OK(rc == 0 && mp_process_exitcode(p) == 0,
               "%s: a bytes argument of %zu bytes reaches the child whole", methods[m], SIZE);
        if (rc < 0)
            tap_diag("%s: %s", mp_errname(rc), mp_errmsg());
        mp_process_free(p);
    }
    return tap_done();
}
