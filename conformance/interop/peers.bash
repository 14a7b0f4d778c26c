# peers.bash - what the interop bats files share: where each side's programs are, and how CPython is run.
#
# interop_setup, from a setup(): sets IOP (this folder), PYRUN (the
# command prefix that runs python3 as the suite runs twins: no PYTHON*
# variables of the caller's, pystart on the path, which makes
# MP_START_METHOD choose CPython's start method) and IMPL_PY (the twins'
# interpreter, $PYTHON).  impl_peer VAR C_NAME PY_NAME sets the array VAR
# to the implementation's program: the C peer C_NAME built by build.mk
# (for IMPL=ref, or IMPL=/path/libmp.a into build/other), or the Python
# peer PY_NAME for IMPL=python; it fails, saying so, when a C peer is not
# built.  py_peer VAR PY_NAME sets VAR to CPython's own peer.
interop_setup() {
    IOP=$MP_ROOT/conformance/interop
    IOP_BUILD=${BUILD:-build}
    [[ $IOP_BUILD = /* ]] || IOP_BUILD=$MP_ROOT/$IOP_BUILD
    local v unset=()
    for v in $(compgen -e); do
        case $v in PYTHON*) unset+=(-u "$v") ;; esac
    done
    PYRUN=(env "${unset[@]}" PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$MP_LIB/pystart")
    read -ra IMPL_PY <<< "${PYTHON:-python3}"
}

impl_peer() {
    local -n peer=$1
    case $(mp_impl_kind) in
        ref) peer=("$IOP_BUILD/interop/$2") ;;
        other) peer=("$IOP_BUILD/other/interop/$2") ;;
        python) peer=("${PYRUN[@]}" "${IMPL_PY[@]}" -B "$IOP/$3") ;;
    esac
    if [[ ${peer[0]} = /* ]] && [ ! -x "${peer[0]}" ]; then
        echo "not built: ${peer[0]} (make interop-build)"
        return 1
    fi
}

py_peer() {
    local -n peer=$1
    peer=("${PYRUN[@]}" python3 -B "$IOP/$2")
}
