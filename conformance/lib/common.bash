# common.bash - shared by conformance/lib/helpers.bash and scripts/: paths, lessons, one captured run.
# Sourced, never executed; it changes no shell options of its caller.

MP_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MP_ROOT=$(cd "$MP_LIB/../.." && pwd)
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

# The folder that holds program $1: lessons/NN-slug, or, for a case
# (module/slug), conformance/cases/module/slug.
mp_program_dir() {
    case $1 in
        */*) printf '%s\n' "$MP_ROOT/conformance/cases/$1" ;;
        *) printf '%s\n' "$MP_ROOT/lessons/$1" ;;
    esac
}

# The stdin of program $1: its folder's file "stdin" when there is one
# (a case that reads, as a child's sys.stdin is documented to be closed),
# /dev/null otherwise.
mp_program_stdin() {
    local f
    f=$(mp_program_dir "$1")/stdin
    if [ -f "$f" ]; then printf '%s\n' "$f"; else printf '/dev/null\n'; fi
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

# The label of the implementation selected by $IMPL: ref, python or other.
mp_impl_kind() {
    case ${IMPL:-ref} in
        ref|python) printf '%s\n' "${IMPL:-ref}" ;;
        *) printf 'other\n' ;;
    esac
}

# Fill the array named by $1 with the command that runs lesson (or case) $2
# for $IMPL.  C programs are absolute paths; the twin is "$PYTHON lesson.py"
# (case.py for a case; PYTHON may hold options: PYTHON="python3 -X dev").
mp_lesson_cmd() {
    local -n _cmd=$1
    local lesson=$2 build=${BUILD:-build} kind=lessons name=lesson
    [[ $build = /* ]] || build=$MP_ROOT/$build
    case $lesson in */*) kind=cases name=case ;; esac
    case $(mp_impl_kind) in
        python) read -ra _cmd <<< "${PYTHON:-python3}"; _cmd+=("$name.py") ;;
        ref) _cmd=("$build/$kind/$lesson/$name") ;;
        other) _cmd=("$build/other/$kind/$lesson/$name") ;;
    esac
}

# A pid the system hands out now: a forked subshell reports its own.
mp_pid_now() {
    local p
    # shellcheck disable=SC2116  # the echo runs in the forked subshell: that is the point
    p=$(echo "$BASHPID")
    printf '%s\n' "$p"
}

# Pids of live (non-zombie) processes in process group $1.
# In perl, not a bash loop over /proc: under bats every bash command runs
# bats' DEBUG trap, which made this scan the costliest step of a test
# (about 0.2 s of CPU, per run, for a C lesson that itself runs in 10 ms).
mp_group_members() {
    perl -e '
        my $group = shift;
        for my $pid (map { m{^/proc/(\d+)/stat$} } glob "/proc/[0-9]*/stat") {
            open my $h, "<", "/proc/$pid/stat" or next;    # gone already
            my $line = <$h>;
            next unless defined $line;
            # "pid (comm) state ppid pgrp ...": comm may hold ") ", so
            # the fields are those after the last ") ".
            my ($state, $pgrp) = $line =~ /.*\) (\S+) \S+ (\d+)/s or next;
            print "$pid\n" if $pgrp == $group && $state ne "Z";
        }
    ' "$1"
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
# conformance/README.md for why each step.
mp_run_captured() {
    local out=$1 limit=$2 cwd=$3 before after pid st=0 t0 t1 left tries tmp
    shift 3
    rm -rf "$out/shm.left" "$out/shm.before"
    mkdir -p "$out"
    tmp=$(mktemp -d /tmp/mp-run.XXXXXX)
    printf '%s\n' "$tmp" > "$out/tmpdir"
    local shm=()
    if mp_private_shm; then
        shm=(unshare -m "$MP_LIB/private-shm" "$out/shm.left")
    else
        ls -A /dev/shm > "$out/shm.before" 2> /dev/null || true
    fi
    before=$(mp_pid_now)
    t0=${EPOCHREALTIME//[!0-9]/}
    # The caller's PYTHON* and locale variables would change what the twin
    # does (PYTHONUNBUFFERED changes how output from several processes
    # interleaves), so every run starts without them.
    local v unset=()
    for v in $(compgen -e); do
        case $v in PYTHON*|LC_*|LANG|LANGUAGE) unset+=(-u "$v") ;; esac
    done
    # timeout makes itself leader of a new process group holding the whole
    # run, and signals that group on expiry (TERM, then KILL 5 s later).
    # PYTHONPATH brings pystart/sitecustomize.py, which makes MP_START_METHOD
    # choose the twin's default start method as it does for the C library.
    ( cd "$cwd" && exec env "${unset[@]}" PYTHONDONTWRITEBYTECODE=1 TMPDIR="$tmp" \
        PYTHONPATH="$MP_LIB/pystart" timeout -k 5 "$limit" "${shm[@]}" "$@" ) \
        < "${MP_RUN_STDIN:-/dev/null}" > "$out/stdout.raw" 2> "$out/stderr.raw" &
    pid=$!
    # (stderr off: bash would report a signal death as "Segmentation fault";
    # the status says it, and the test explains it.)
    { wait "$pid" || st=$?; } 2> /dev/null
    t1=${EPOCHREALTIME//[!0-9]/}
    MP_RUN_TIMED_OUT=0
    if { [ "$st" -eq 124 ] || [ "$st" -eq 137 ]; } && (( t1 - t0 >= limit * 1000000 )); then
        MP_RUN_TIMED_OUT=1
    fi
    # Give processes that are exiting right now a moment, then kill the rest.
    left=$(mp_group_members "$pid" | wc -l)
    tries=0
    while [ "$left" -gt 0 ] && [ "$tries" -lt 10 ]; do
        sleep 0.1
        left=$(mp_group_members "$pid" | wc -l)
        tries=$((tries + 1))
    done
    MP_RUN_LEFTOVER=$left
    if [ "$left" -gt 0 ]; then
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    after=$(mp_pid_now)
    MP_RUN_STATUS=$st
    printf '%s\n' "$st" > "$out/status"
    printf '%s:%s\n' "$before" "$after" > "$out/pids"
    TMPDIR="$tmp" perl "$MP_LIB/normalize" --pids "$before:$after" < "$out/stdout.raw" > "$out/stdout"
    TMPDIR="$tmp" perl "$MP_LIB/normalize" --pids "$before:$after" < "$out/stderr.raw" > "$out/stderr"
    mp_run_debris "$out" > "$out/debris"
    rm -rf "$tmp"
    MP_RUN_DEBRIS=$(cat "$out/debris")
}

# mp_private_shm: true when runs can have a /dev/shm of their own (a
# mount namespace: root, and unshare from util-linux), asked once.
mp_private_shm() {
    if [ -z "${_MP_PRIVATE_SHM:-}" ]; then
        _MP_PRIVATE_SHM=no
        if unshare -m sh -c 'mount -t tmpfs forklore-shm /dev/shm' 2> /dev/null; then
            _MP_PRIVATE_SHM=yes
        fi
    fi
    [ "$_MP_PRIVATE_SHM" = yes ]
}

# mp_run_debris OUTDIR: what a finished run left behind, one path a line:
# everything in its temporary directory (named in OUTDIR/tmpdir), and what it left in
# /dev/shm.  With a /dev/shm of its own (mp_private_shm), that is all
# private-shm listed.  Without, it is every entry of /dev/shm new since
# OUTDIR/shm.before that no live process holds open or mapped and that is
# still there a second later: the program and its children are gone by
# now, so an entry that some process holds, or that goes away, belongs to
# another program running at the same time (CPython under spawn keeps a
# semaphore's name in /dev/shm while its program runs, and its resource
# tracker unlinks it just after); an entry nobody holds and nobody removes
# was most likely left by this run.
mp_run_debris() {
    local out=$1
    (cd "$(cat "$out/tmpdir")" && find . -mindepth 1 -maxdepth 3 | sort | sed "s|^\.|TMPDIR|") 2> /dev/null || true
    if [ ! -f "$out/shm.before" ]; then
        sed 's|^|/dev/shm/|' "$out/shm.left" 2> /dev/null || true
        return 0
    fi
    ls -A /dev/shm 2> /dev/null | sort > "$out/shm.after" || true
    sort "$out/shm.before" 2> /dev/null | comm -13 - "$out/shm.after" | perl -e '
        my @left = map { chomp; $_ } <STDIN>;
        for my $look (1 .. 4) {
            last unless @left;
            select undef, undef, undef, 0.3 if $look > 1;
            my %held;
            for my $p (glob "/proc/[0-9]*") {
                for my $fd (glob "$p/fd/*") {
                    my $t = readlink $fd;
                    $held{$1} = 1 if defined $t && $t =~ m{^/dev/shm/(.+?)(?: \(deleted\))?$};
                }
                if (open my $m, "<", "$p/maps") {
                    while (<$m>) { $held{$1} = 1 if m{ /dev/shm/(\S+)}; }
                }
            }
            @left = grep { -e "/dev/shm/$_" && !$held{$_} } @left;
        }
        print "/dev/shm/$_\n" for @left;
    '
}

# The golden folder of lesson $1 (or case module/slug, under golden/cases/)
# for the current start method: one that declares per-method goldens has
# golden/NN-slug/<method>/.
mp_golden_dir() {
    local g=$MP_ROOT/conformance/golden/$1
    case $1 in */*) g=$MP_ROOT/conformance/golden/cases/$1 ;; esac
    if [ -n "${MP_START_METHOD:-}" ] && [ -d "$g/$MP_START_METHOD" ]; then
        g=$g/$MP_START_METHOD
    fi
    printf '%s\n' "$g"
}
