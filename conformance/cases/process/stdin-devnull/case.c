/* case.c - case process/stdin-devnull: a child's stdin is os.devnull, the parent's stays its own.

   Mirrors case.py, which says what is pinned.  A line is read with fgets
   from stdio's stdin (sys.stdin's part), and shown with repr() as Python
   shows a str: '' at end of file.

   Run:  bats conformance/cases/process.bats --filter stdin-devnull
*/
#include <stdio.h>
#include <stdlib.h>

#include "mp.h"

/* print(label, repr(sys.stdin.readline())), the line at most 255 bytes. */
static int print_line_read(const char *label)
{
    char line[256];
    mp_value *s = mp_str(fgets(line, sizeof line, stdin) ? line : "");
    char *r = s ? mp_repr(s) : NULL;
    mp_decref(s);
    if (r == NULL)
        return mp_errcode();
    mp_print(label, r);
    free(r);
    return 0;
}

static int reads(const mp_value *args)
{
    (void)args;
    return print_line_read("child read:");
}
MP_TARGET(reads);

int main(int argc, char **argv)
{
    mp_main(argc, argv);

    mp_process *p = mp_process_new(&(mp_process_opts){.target = reads});
    if (p == NULL)
        return mp_excepthook(mp_errcode());
    int rc = mp_process_start(p);
    if (rc == 0 && (rc = mp_process_join(p, MP_WAIT_FOREVER)) == 0) {
        mp_print("child exitcode:", mp_process_exitcode(p));
        rc = print_line_read("parent read:");
    }
    mp_process_free(p);
    return rc < 0 ? mp_excepthook(rc) : 0;
}
