# helpers.bash - the API every conformance/lessons/NN-slug.bats uses (documented in conformance/README.md).
# Load it with `load ../lib/helpers` before the @test lines.

# Bats sources this file once for the file and again for every test, so
# what runs at the top costs per test: no subshell here.
source "${BASH_SOURCE[0]%/*}/common.bash"

# bats-support and bats-assert, for lesson-specific assertions after run_lesson.
# Their files are sourced directly: their load.bash files find them with a
# $(dirname ...) each, fifteen subshells, which cost a test twice what
# sourcing them does.
for _mp_d in ${BATS_LIB_PATH:+${BATS_LIB_PATH//:/ }} /usr/lib/bats /usr/local/lib/bats; do
    if [ -f "$_mp_d/bats-support/load.bash" ] && [ -f "$_mp_d/bats-assert/load.bash" ]; then
        for _mp_f in "$_mp_d"/bats-support/src/*.bash "$_mp_d"/bats-assert/src/*.bash; do
            source "$_mp_f"
        done
        break
    fi
done
unset _mp_d _mp_f

# The test-name tag: what runs, and the start method when one is chosen.
_mp_tag() {
    local kind
    mp_impl_kind -v kind
    if [ "$kind" = python ] && [ -n "${PYTHON:-}" ] && [ "$PYTHON" != python3 ]; then
        kind="python:${PYTHON// /_}"
    fi
    printf -v MP_TAG '[%s%s]' "$kind" "${MP_START_METHOD:+ $MP_START_METHOD}"
}
_mp_tag

golden_dir() {
    mp_golden_dir "$1"
}

# Bats runs teardown after every test, passed or failed.  A bats file that
# needs a teardown of its own must call mp_after_test from it.
teardown() {
    mp_after_test
}

# mp_after_test: a failed case keeps what it printed and says how to rerun
# it.  Bats deletes BATS_TEST_TMPDIR (where run_lesson and interop.bats
# work), so its files are copied to $BUILD/test-results/raw/NAME-TAG[-N]
# (see _mp_raw_dir); a case that passes (or is skipped) removes its folder,
# so that what is there belongs to the last run of a failed case.
mp_after_test() {
    local dest
    _mp_raw_dir dest
    [ ! -e "$dest" ] || rm -rf "$dest"
    if [ -n "${BATS_TEST_COMPLETED:-}" ] || [ -n "${BATS_TEST_SKIPPED:-}" ]; then
        return 0
    fi
    if [ -d "${BATS_TEST_TMPDIR:-}" ]; then
        mkdir -p "$dest"
        # Regular files only: a test's folder may hold a FIFO or a socket.
        (cd "$BATS_TEST_TMPDIR" && find . -type f -exec cp --parents {} "$dest/" \;) || true
        echo "raw output kept in ${dest#"$MP_ROOT/"}/"
    fi
    echo "rerun (from the top folder): $(_mp_rerun_command)"
}

# The folder for a failed case's files: the bats file's name, the tag
# ([ref spawn] -> ref-spawn) and, when the file holds several tests, the
# test's number in it: build/test-results/raw/08-terminating-processes-ref-spawn-2.
# _mp_raw_dir VAR: into the variable VAR names.
_mp_raw_dir() {
    local build=${BUILD:-build} name tag
    [[ $build = /* ]] || build=$MP_ROOT/$build
    name=${BATS_TEST_FILENAME##*/}
    name=${name%.bats}
    tag=${MP_TAG#[}
    tag=${tag%]}
    tag=${tag// /-}
    tag=${tag//\//_}
    name+=-$tag
    [ "${#BATS_TEST_NAMES[@]}" -le 1 ] || name+=-$BATS_TEST_NUMBER
    printf -v "$1" '%s' "$build/test-results/raw/$name"
}

# The one command that reruns exactly this case: the variables that chose
# what ran, bats, the file, and --filter when the file has several tests.
_mp_rerun_command() {
    local cmd=() v re q file
    cmd+=("IMPL=$(printf '%q' "${IMPL:-ref}")")
    for v in MP_START_METHOD PYTHON BUILD MP_TEST_TIMEOUT; do
        [ -n "${!v:-}" ] || continue
        case $v=${!v} in PYTHON=python3|BUILD=build) continue ;; esac
        cmd+=("$v=$(printf '%q' "${!v}")")
    done
    file=$(cd "$(dirname "$BATS_TEST_FILENAME")" && pwd)/$(basename "$BATS_TEST_FILENAME")
    cmd+=(bats "${file#"$MP_ROOT/"}")
    if [ "${#BATS_TEST_NAMES[@]}" -gt 1 ]; then
        # Bats matches --filter against the name as written in the file,
        # where the tag is still the text $MP_TAG.
        re=${BATS_TEST_DESCRIPTION/"$MP_TAG"/\$MP_TAG}
        re=$(sed -E 's/[][\.*+?(){}|^$]/\\&/g' <<< "$re")
        q=\'
        cmd+=(--filter "'^${re//$q/$q\\$q$q}\$'")
    fi
    printf '%s\n' "${cmd[*]}"
}

# run_lesson NN-slug [--timeout S]: run it, normalise, set LESSON_* (see README).
run_lesson() {
    local lesson=${1:?run_lesson: which lesson?} limit=${MP_TEST_TIMEOUT:-30} cmd=()
    shift
    while [ $# -gt 0 ]; do
        case $1 in
            --timeout) limit=${2:?--timeout wants seconds}; shift 2 ;;
            *) echo "run_lesson: unknown option '$1'"; return 2 ;;
        esac
    done
    if ! [[ $limit =~ ^[1-9][0-9]*$ ]]; then
        echo "run_lesson: --timeout wants whole seconds, got '$limit'"
        return 2
    fi
    local dir stdin
    mp_program_dir -v dir "$lesson"
    if [ ! -d "$dir" ]; then
        echo "no folder ${dir#"$MP_ROOT/"} for $lesson"
        return 1
    fi
    mp_lesson_cmd cmd "$lesson"
    if [[ ${cmd[0]} = /* ]] && [ ! -x "${cmd[0]}" ]; then
        echo "not built: ${cmd[0]#"$MP_ROOT/"} (run 'make' first; for IMPL=/path/libmp.a, 'make IMPL=/path/libmp.a lessons-build cases-build')"
        return 1
    fi
    LESSON_DIR=${BATS_TEST_TMPDIR:-$(mktemp -d)}/run
    mp_golden_dir -v GOLDEN_DIR "$lesson"
    mp_program_stdin -v stdin "$lesson"
    MP_RUN_STDIN=$stdin mp_run_captured "$LESSON_DIR" "$limit" "$dir" "${cmd[@]}"
    LESSON_STATUS=$MP_RUN_STATUS
    # ($(< FILE): no process, unlike $(cat FILE).)
    LESSON_STDOUT=$(< "$LESSON_DIR/stdout")
    LESSON_STDERR=$(< "$LESSON_DIR/stderr")
    # As bats' own `run` would, so that assert_output, assert_line,
    # assert_success and assert_failure look at the lesson's stdout and status.
    output=$LESSON_STDOUT
    status=$LESSON_STATUS
    mapfile -t lines < "$LESSON_DIR/stdout"
    local bad=0
    if [ "$MP_RUN_TIMED_OUT" = 1 ]; then
        echo "$lesson $MP_TAG timed out after $limit s (killed with its process group)"
        bad=1
    fi
    if [ "$MP_RUN_LEFTOVER" -gt 0 ]; then
        echo "$lesson $MP_TAG left $MP_RUN_LEFTOVER process(es) running after exit (killed)"
        bad=1
    fi
    # A lesson whose CPython twin is known to leave something (CPython's
    # own leak, not the twin's doing) names it in MP_CPYTHON_LEAKS (an
    # extended regex of debris lines) with MP_CPYTHON_LEAKS_REASON: for the
    # twin alone, those lines are reported on the TAP stream and not
    # failed; anything else left still fails, and C is held to nothing.
    local kind
    mp_impl_kind -v kind
    if [ -n "$MP_RUN_DEBRIS" ] && [ -n "${MP_CPYTHON_LEAKS:-}" ] && [ "$kind" = python ]; then
        if [ -z "${MP_CPYTHON_LEAKS_REASON:-}" ]; then
            echo "run_lesson: MP_CPYTHON_LEAKS needs MP_CPYTHON_LEAKS_REASON"
            return 2
        fi
        local leaked
        leaked=$(grep -E "$MP_CPYTHON_LEAKS" <<< "$MP_RUN_DEBRIS" || true)
        [ -z "$leaked" ] || echo "# $lesson $MP_TAG: CPython left $(tr '\n' ' ' <<< "$leaked")(not failed: $MP_CPYTHON_LEAKS_REASON)" >&3
        MP_RUN_DEBRIS=$(grep -Ev "$MP_CPYTHON_LEAKS" <<< "$MP_RUN_DEBRIS" || true)
    fi
    if [ -n "$MP_RUN_DEBRIS" ]; then
        echo "$lesson $MP_TAG left files behind after exit (in /dev/shm, or in TMPDIR, its own temporary directory):"
        sed 's/^/    /' <<< "$MP_RUN_DEBRIS"
        bad=1
    fi
    if [ "$bad" = 1 ]; then
        _mp_show_tail "$LESSON_DIR"
        return 1
    fi
}

# run_case MODULE/SLUG and check_case MODULE/SLUG [options]: the same for a
# case (conformance/cases/MODULE/SLUG/, goldens in golden/cases/MODULE/SLUG/).
run_case() {
    [[ ${1:-} = */* ]] || { echo "run_case: a case is named module/slug, not '${1:-}'"; return 2; }
    run_lesson "$@"
}
check_case() {
    [[ ${1:-} = */* ]] || { echo "check_case: a case is named module/slug, not '${1:-}'"; return 2; }
    check_lesson "$@"
}

# Show the end of what a failed run printed, so a hang is diagnosable.
_mp_show_tail() {
    local s
    for s in stdout stderr; do
        echo "--- last lines of $s (raw):"
        tail -n 15 "$1/$s.raw"
    done
}

# check_lesson NN-slug [--sorted-stdout] [--sorted-stderr] [--view STREAM=NAME]
#              [--view-arg ARG]... [--timeout S] [--c-ignore STREAM]... [--reason TEXT]
# Compare the run's stdout, stderr and status with the golden (see README),
# each stream exactly or through a view (conformance/lib/views/NAME).
check_lesson() {
    local lesson=${1:?check_lesson: which lesson?} limit=${MP_TEST_TIMEOUT:-30}
    local ignore=" " reason="" s view_args=()
    local -A view=()
    shift
    while [ $# -gt 0 ]; do
        case $1 in
            --sorted-stdout|--sorted-stderr)
                s=${1#--sorted-}
                _mp_set_view "$s" sorted || return 2
                shift ;;
            --view)
                if ! [[ ${2:-} =~ ^(stdout|stderr)=([A-Za-z0-9][A-Za-z0-9_.-]*)$ ]]; then
                    echo "check_lesson: --view wants stdout=NAME or stderr=NAME (a file in conformance/lib/views/)"
                    return 2
                fi
                _mp_set_view "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" || return 2
                shift 2 ;;
            --view-arg) view_args+=("${2?--view-arg wants a value}"); shift 2 ;;
            --timeout) limit=${2:?--timeout wants seconds}; shift 2 ;;
            --c-ignore)
                case ${2:-} in
                    stdout|stderr|status) ignore+="$2 " ;;
                    *) echo "check_lesson: --c-ignore wants stdout, stderr or status"; return 2 ;;
                esac
                shift 2 ;;
            --reason) reason=${2:-}; shift 2 ;;
            *) echo "check_lesson: unknown option '$1'"; return 2 ;;
        esac
    done
    if [ "$ignore" != " " ] && [ -z "$reason" ]; then
        echo "check_lesson: --c-ignore needs --reason \"why C must differ\""
        return 2
    fi
    if [ "$ignore" = " " ] && [ -n "$reason" ]; then
        echo "check_lesson: --reason given without --c-ignore"
        return 2
    fi
    if [ "${#view_args[@]}" -gt 0 ] && [ "${#view[@]}" -ne 1 ]; then
        echo "check_lesson: --view-arg needs exactly one --view to give it to"
        return 2
    fi
    for s in "${!view[@]}"; do
        if [ ! -x "$MP_LIB/views/${view[$s]}" ]; then
            echo "check_lesson: no executable view conformance/lib/views/${view[$s]}"
            return 2
        fi
    done
    local golden
    mp_golden_dir -v golden "$lesson"
    for s in stdout stderr status; do
        if [ ! -f "$golden/$s" ]; then
            echo "no golden ${golden#"$MP_ROOT/"}/$s: record it with 'scripts/record-goldens $lesson'"
            return 1
        fi
    done

    run_lesson "$lesson" --timeout "$limit" || return 1

    local kind bad=0 want got through
    mp_impl_kind -v kind
    for s in stdout stderr status; do
        if [ "$kind" != python ] && [[ $ignore = *" $s "* ]]; then
            # File descriptor 3 is the TAP stream itself: the reason shows on passes too.
            echo "# $lesson $MP_TAG: $s not compared, because $reason" >&3
            continue
        fi
        want=$golden/$s
        got=$LESSON_DIR/$s
        through=""
        if [ -n "${view[$s]:-}" ]; then
            through=" | views/${view[$s]}"
            # The golden's view takes no arguments: they are facts about
            # the machine that checks, and the golden was recorded elsewhere.
            if ! "$MP_LIB/views/${view[$s]}" "$want" > "$LESSON_DIR/$s.golden-view" 2> "$LESSON_DIR/$s.golden-view.err"; then
                echo "the golden ${golden#"$MP_ROOT/"}/$s breaks the rules of conformance/lib/views/${view[$s]}" \
                     "(fix the view, or re-record the golden):"
                sed 's/^/    /' "$LESSON_DIR/$s.golden-view.err"
                bad=1
                continue
            fi
            if ! "$MP_LIB/views/${view[$s]}" "$got" "${view_args[@]}" > "$LESSON_DIR/$s.view" 2> "$LESSON_DIR/$s.view.err"; then
                echo "$s breaks the rules of conformance/lib/views/${view[$s]}:"
                sed 's/^/    /' "$LESSON_DIR/$s.view.err"
                echo "$s as printed (normalised, not through the view):"
                diff -u --label "${golden#"$MP_ROOT/conformance/"}/$s" \
                        --label "$kind: $s" "$want" "$got" || true
                bad=1
                continue
            fi
            want=$LESSON_DIR/$s.golden-view
            got=$LESSON_DIR/$s.view
        fi
        if ! cmp -s "$want" "$got"; then
            echo "$s differs${through:+ (as seen through conformance/lib/views/${view[$s]})}:"
            diff -u --label "${golden#"$MP_ROOT/conformance/"}/$s$through" \
                    --label "$kind: $s$through" "$want" "$got" || true
            if [ "$s" = status ] && [ "$LESSON_STATUS" -gt 128 ] && [ "$LESSON_STATUS" -lt 160 ]; then
                echo "(status $LESSON_STATUS: the program was killed by SIG$(kill -l "$((LESSON_STATUS - 128))"))"
            fi
            bad=1
        fi
    done
    return "$bad"
}

# _mp_set_view STREAM NAME: check_lesson's table of views (its local `view`).
_mp_set_view() {
    if [ -n "${view[$1]:-}" ]; then
        echo "check_lesson: $1 is given two views (${view[$1]} and $2)"
        return 1
    fi
    view[$1]=$2
}

# check_shape NN-slug: run the lesson under MP_TRACE and compare the run's
# shape (scripts/trace-draw --shape: the process tree by name with exit
# codes, and how many messages each process wrote to and read from each
# channel; no pids, no times) with golden/NN-slug/shape, recorded from the
# twin's trace by record-goldens.  For the lessons in conformance/trace/SHAPES
# (docs/trace.md).  Another implementation of mp.h need not write MP_TRACE:
# skipped for IMPL=/path/libmp.a.
check_shape() {
    local lesson=${1:?check_shape: which lesson?} golden
    if [ "$(mp_impl_kind)" = other ]; then
        skip "MP_TRACE is Forklore's own: another implementation of mp.h need not write it"
    fi
    # The trace outside the run's TMPDIR, which must be left empty.
    MP_TRACE=$BATS_TEST_TMPDIR/trace run_lesson "$lesson" || return 1
    golden=$(mp_golden_dir "$lesson")/shape
    [ -f "$golden" ] || { echo "no golden shape ${golden#"$MP_ROOT/"} (scripts/record-goldens $lesson)"; return 1; }
    [ -f "$BATS_TEST_TMPDIR/trace" ] || : > "$BATS_TEST_TMPDIR/trace"
    "$MP_ROOT/scripts/trace-draw" --shape "$BATS_TEST_TMPDIR/trace" > "$BATS_TEST_TMPDIR/shape"
    if ! diff -u --label "${golden#"$MP_ROOT/"}" --label "$(mp_impl_kind): shape" \
            "$golden" "$BATS_TEST_TMPDIR/shape"; then
        echo "$lesson $MP_TAG: the run's shape differs from the twin's (trace kept with the raw output)"
        return 1
    fi
}
