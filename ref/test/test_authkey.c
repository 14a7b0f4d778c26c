/* test_authkey.c - the program's authkey comes from getrandom(), and a failure to get random bytes is an error, never a weak key. */
#include "mp.h"
#include "tap.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

/*
 * This program defines getrandom() itself, so the library's call reaches
 * this one instead of the C library's (a definition in the executable
 * comes first).  While `refuse` is set it fails as a kernel without the
 * call would; otherwise it fills the buffer with a counter, so the test can
 * also see that the key is made of what getrandom() gave.
 */
static int refuse;
static int calls;

ssize_t getrandom(void *buf, size_t len, unsigned flags)
{
    (void)flags;
    calls++;
    if (refuse) {
        errno = ENOSYS;
        return -1;
    }
    for (size_t i = 0; i < len; i++)
        ((unsigned char *)buf)[i] = (unsigned char)(i + 1);
    return (ssize_t)len;
}

int main(void)
{

    /* The first use of the current process makes MainProcess and its key. */
    refuse = 1;
    TAP_OK(mp_current_process() == NULL, "no random bytes: there is no MainProcess, not a weak one");
    tap_is_int(mp_errcode(), MP_EOS, "the error is an OSError");
    tap_is_int(mp_errno(), ENOSYS, "with getrandom's errno");
    TAP_OK(strstr(mp_errmsg(), "getrandom") != NULL, "and a message naming getrandom");
    TAP_OK(mp_process_new(NULL) == NULL && mp_errcode() == MP_EOS,
           "a Process cannot be made either: it would inherit the key");

    refuse = 0;
    calls = 0;
    mp_process *me = mp_current_process();
    size_t n = 0;
    const uint8_t *key = me ? mp_as_bytes(mp_process_authkey(me), &n) : NULL;
    TAP_OK(me != NULL && calls > 0 && n == 32, "once getrandom works, MainProcess has a 32-byte key");
    TAP_OK(key != NULL && key[0] == 1 && key[31] == 32, "made of getrandom's bytes");
    return tap_done();
}
