# common.bash - shared by conformance/lib/helpers.bash and scripts/: paths, lessons, one captured run.
# Sourced, never executed; it changes no shell options of its caller.

# Bats sources this once per test: when the exported MP_ROOT already names
# this checkout (the same file, by device and inode), no subshell is needed.
if [[ ${MP_ROOT:-} = /* ]] && [ "$MP_ROOT/conformance/lib/common.bash" -ef "${BASH_SOURCE[0]}" ]; then
    MP_LIB=$MP_ROOT/conformance/lib
else
    MP_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    MP_ROOT=$(cd "$MP_LIB/../.." && pwd)
fi
export MP_ROOT

# Every lesson folder name (NN-slug), sorted, one per line.
mp_lesson_dirs() {
    local d
    for d in "$MP_ROOT"/lessons/[0-9][0-9]-*/; do
        [ -d "$d" ] || continue
        d=${d%/}
        printf '%s\n' "${d##*/}"
    done
}

# Every case (module/slug: conformance/cases/MODULE/SLUG/case.c and case.py),
# sorted, one per line.  A case is a program like a lesson, in the lessons'
# form, for a documented behaviour no lesson shows.
mp_case_ids() {
    local d
    for d in "$MP_ROOT"/conformance/cases/*/*/; do
        [ -f "$d/case.py" ] || [ -f "$d/case.c" ] || continue
        d=${d%/}
        printf '%s\n' "${d#"$MP_ROOT/conformance/cases/"}"
    done
}

# _mp_say VAR VALUE: set the variable VAR names to VALUE, or print VALUE
# and a newline when VAR is empty.  The small lookups below take "-v VAR"
# first, as printf does, so that a test calls them without a subshell: a
# fork of bats' whole shell each time, for every test.  (Their locals are
# named _mp_* so that they cannot hide the caller's VAR.)
_mp_say() {
    if [ -n "$1" ]; then printf -v "$1" '%s' "$2"; else printf '%s\n' "$2"; fi
}

# mp_program_dir [-v VAR] PROGRAM: the folder that holds it: lessons/NN-slug,
# or, for a case (module/slug), conformance/cases/module/slug.
mp_program_dir() {
    local _mp_v=
    [ "$1" != -v ] || { _mp_v=$2; shift 2; }
    case $1 in
        */*) _mp_say "$_mp_v" "$MP_ROOT/conformance/cases/$1" ;;
        *) _mp_say "$_mp_v" "$MP_ROOT/lessons/$1" ;;
    esac
}

# mp_program_stdin [-v VAR] PROGRAM: its stdin: its folder's file "stdin"
# when there is one (a case that reads, as a child's sys.stdin is
# documented to be closed), /dev/null otherwise.
mp_program_stdin() {
    local _mp_v= _mp_f
    [ "$1" != -v ] || { _mp_v=$2; shift 2; }
    mp_program_dir -v _mp_f "$1"
    _mp_f+=/stdin
    [ -f "$_mp_f" ] || _mp_f=/dev/null
    _mp_say "$_mp_v" "$_mp_f"
}

# The MANIFEST's entries as "NN<TAB>slug<TAB>title", comments and blanks dropped.
mp_manifest() {
    local m=$MP_ROOT/lessons/MANIFEST
    [ -f "$m" ] || return 0
    grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$m" || true
}

# Resolve what a person types (1, 01, 01-basic-workers, basic-workers) to NN-slug.
# Prints it and returns 0, or returns 1 when nothing (or more than one) matches.
mp_resolve_lesson() {
    local want=${1%/} d hits=()
    want=${want##*/}
    if [[ $want =~ ^[0-9]+$ ]]; then
        want=$(printf '%02d' "$((10#$want))")
    fi
    while IFS= read -r d; do
        if [ "$d" = "$want" ] || [ "${d%%-*}" = "$want" ] || [ "${d#*-}" = "$want" ]; then
            hits+=("$d")
        fi
    done < <(mp_lesson_dirs)
    [ "${#hits[@]}" -eq 1 ] || return 1
    printf '%s\n' "${hits[0]}"
}

# mp_impl_kind [-v VAR]: the label of the implementation $IMPL selects:
# ref, python or other.
mp_impl_kind() {
    local _mp_v=
    [ "${1:-}" != -v ] || _mp_v=$2
    case ${IMPL:-ref} in
        ref|python) _mp_say "$_mp_v" "${IMPL:-ref}" ;;
        *) _mp_say "$_mp_v" other ;;
    esac
}

# Fill the array named by $1 with the command that runs lesson (or case) $2
# for $IMPL.  C programs are absolute paths; the twin is "$PYTHON lesson.py"
# (case.py for a case; PYTHON may hold options: PYTHON="python3 -X dev").
mp_lesson_cmd() {
    local -n _cmd=$1
    local lesson=$2 build=${BUILD:-build} kind=lessons name=lesson impl
    [[ $build = /* ]] || build=$MP_ROOT/$build
    case $lesson in */*) kind=cases name=case ;; esac
    mp_impl_kind -v impl
    case $impl in
        python) read -ra _cmd <<< "${PYTHON:-python3}"; _cmd+=("$name.py") ;;
        ref) _cmd=("$build/$kind/$lesson/$name") ;;
        other) _cmd=("$build/other/$kind/$lesson/$name") ;;
    esac
}

# Run one lesson program and capture everything about it.
#   mp_run_captured OUTDIR TIMEOUT CWD CMD...
# Its stdin is /dev/null, or the file MP_RUN_STDIN names (a program folder's
# file "stdin", when it has one: see mp_program_stdin).
# Writes OUTDIR/stdout.raw, stderr.raw, stdout, stderr (normalised), status,
# pids (the MIN:MAX window), and sets MP_RUN_STATUS, MP_RUN_TIMED_OUT (0/1),
# MP_RUN_LEFTOVER (how many processes outlived the program; they are
# killed) and MP_RUN_DEBRIS (what the run left in /dev/shm or in its
# temporary directory, one "path" per line, also in OUTDIR/debris; empty
# when nothing).  The program runs with TMPDIR set to a folder of its own,
# so whatever is there afterwards is its: a new /tmp/mp-run.XXXXXX, named
# in OUTDIR/tmpdir and removed once looked at.  Not under OUTDIR, which
# may be deep: an AF_UNIX socket's path (a Listener's in TMPDIR, the fork
# server's) holds at most 107 bytes, and CPython and the library both
# refuse a longer one.  See "Running it" in
# conformance/README.md for why each step.  The steps are lib/run-captured,
# one perl process (OUTDIR/result holds what this sets); this function only
# reads back what it wrote.
mp_run_captured() {
    local out=$1
    "$MP_LIB/run-captured" "$@" || return
    read -r MP_RUN_STATUS MP_RUN_TIMED_OUT MP_RUN_LEFTOVER < "$out/result"
    # (read, not $(cat ...): no process for it.)
    IFS= read -rd '' MP_RUN_DEBRIS < "$out/debris" || true
    MP_RUN_DEBRIS=${MP_RUN_DEBRIS%$'\n'}
}

# mp_private_shm: true when runs can have a /dev/shm of their own (a
# mount namespace: root, and unshare from util-linux), asked once, and
# exported: lib/run-captured asks again (two processes) for every run
# unless _MP_PRIVATE_SHM says, so scripts/test-all calls this before its
# jobs start.
mp_private_shm() {
    if [ -z "${_MP_PRIVATE_SHM:-}" ]; then
        _MP_PRIVATE_SHM=no
        if unshare -m sh -c 'mount -t tmpfs forklore-shm /dev/shm' 2> /dev/null; then
            _MP_PRIVATE_SHM=yes
        fi
        export _MP_PRIVATE_SHM
    fi
    [ "$_MP_PRIVATE_SHM" = yes ]
}

# mp_golden_dir [-v VAR] PROGRAM: the golden folder of lesson PROGRAM (or
# case module/slug, under golden/cases/) for the current start method: one
# that declares per-method goldens has golden/NN-slug/<method>/.
mp_golden_dir() {
    local _mp_v= _mp_g
    [ "$1" != -v ] || { _mp_v=$2; shift 2; }
    _mp_g=$MP_ROOT/conformance/golden/$1
    case $1 in */*) _mp_g=$MP_ROOT/conformance/golden/cases/$1 ;; esac
    if [ -n "${MP_START_METHOD:-}" ] && [ -d "$_mp_g/$MP_START_METHOD" ]; then
        _mp_g=$_mp_g/$MP_START_METHOD
    fi
    _mp_say "$_mp_v" "$_mp_g"
}
