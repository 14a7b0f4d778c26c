#!/usr/bin/env bats
# interop.bats - Listener, Client and the authkey handshake between an implementation and CPython 3.11 (or a hand-written 3.12 peer).
#
# "impl" below is the implementation under test: c_listener / c_client
# (built by build.mk into $BUILD/interop, or $BUILD/other/interop for
# IMPL=/path/libmp.a); under IMPL=python it is py_listener.py / py_client.py,
# so the same expected transcripts are checked against CPython itself.  The
# "peer" is always python3 (CPython 3.11).  Every transcript is compared
# exactly; the only things hidden are the ephemeral port of last_accepted
# (printed as <port> by both sides) and the listener's own address, which is
# built from the address it reported.  Addresses travel through a FIFO
# (the listener writes it after binding), so there are no fixed ports, no
# sleeps and no races; every process runs under `timeout`.
load ../lib/helpers
load peers

setup() {
    interop_setup
    impl_peer IMPL_LISTENER c_listener py_listener.py || return 1
    impl_peer IMPL_CLIENT c_client py_client.py || return 1
    py_peer PY_LISTENER py_listener.py
    py_peer PY_CLIENT py_client.py
    py_peer PY312 py312_peer.py
    py_peer HOSTILE hostile.py
    T=$BATS_TEST_TMPDIR
    ABSTRACT=forklore-interop-$$-$BATS_TEST_NUMBER
}

# Tests that need the implementation to speak CPython 3.12's form, which
# python3 (3.11) cannot: skipped under IMPL=python.
needs_c() {
    if [ "$(mp_impl_kind)" = python ]; then
        skip "the 3.12 challenge form is beyond CPython 3.11"
    fi
}

# start_listener CMD...: run a listener in the background and read the
# address it reports into ADDR (an array of options for the client).  If it
# dies before reporting, the empty line written after it ends stops the read.
start_listener() {
    local fifo=$T/addr.fifo line=""
    rm -f "$fifo"
    mkfifo "$fifo"
    (
        exec 3<> "$fifo"
        st=0
        timeout -k 5 20 "$@" --addr-out "$fifo" > "$T/listener.out" 2> "$T/listener.err" || st=$?
        echo "$st" > "$T/listener.status"
        echo >&3
    ) &
    LISTENER_PID=$!
    read -r -t 30 line < "$fifo" || true
    read -ra ADDR <<< "$line"
}

# run_client CMD...: run a client against ADDR, then collect the listener.
# Sets LISTENER_{STATUS,OUT,ERR} and CLIENT_{STATUS,OUT,ERR}; the ERR
# variables are normalised (a Python traceback's stack lines dropped, as
# everywhere in the suite; the header and the exception line remain).
run_client() {
    CLIENT_STATUS=0
    timeout -k 5 20 "$@" "${ADDR[@]}" > "$T/client.out" 2> "$T/client.err" || CLIENT_STATUS=$?
    wait "$LISTENER_PID" || true
    LISTENER_STATUS=$(cat "$T/listener.status")
    LISTENER_OUT=$(cat "$T/listener.out")
    LISTENER_ERR=$(perl "$MP_LIB/normalize" < "$T/listener.err" | class_name_only)
    CLIENT_OUT=$(cat "$T/client.out")
    CLIENT_ERR=$(perl "$MP_LIB/normalize" < "$T/client.err" | class_name_only)
}

# The exception line of a traceback with the exception's module path
# dropped: "multiprocessing.context.AuthenticationError: ..." becomes
# "AuthenticationError: ...".  The documentation promises the class
# (multiprocessing.AuthenticationError) and the handshake's failure, not the
# module that defines it: CPython's is multiprocessing.context,
# multiprocess's multiprocess.context (billiard reuses the standard
# library's class when it can import it, else defines its own in
# billiard.exceptions), and a C library's is whatever it prints.  So the
# class name and the message stay exact; the path before it is not checked.
class_name_only() {
    perl -pe 's/^(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*(?::|$))/$1/'
}

# What the listener prints as its address, built from the options it sent.
addr_repr() {
    case ${ADDR[0]:-} in
        --unix) printf "'%s'" "${ADDR[1]}" ;;
        --abstract) printf "b'\\\\x00%s'" "${ADDR[1]}" ;;
        --inet) printf "('%s', %s)" "${ADDR[1]}" "${ADDR[2]}" ;;
        *) printf 'no address reported' ;;
    esac
}

LISTENER_TALK="listener got: [42, None, 'hello']
listener got: {'key': 'value', 'nested': (1, (2.5, (3, 'deep'))), 'flag': True}
listener got bytes: b'raw\\x00bytes\\xff'
listener got 100000 bytes, checksum 1828240608"

CLIENT_TALK="connected
client got: ('nested', (1, 2.5), [b'\\x01\\x02', None], {'k': -7})
client got: b'pickled bytes'
client got bytes: b'\\x00\\x01end'
client got 70000 bytes, checksum 1305749100
client closed"

# check_success LAST_ACCEPTED [PEER_LINES_BEFORE_ACCEPTED]: both ended well
# and said exactly the conversation.
check_success() {
    local last=$1 before=${2:-}
    assert_equal "$CLIENT_ERR" ""
    assert_equal "$LISTENER_ERR" ""
    assert_equal "$LISTENER_OUT" "address: $(addr_repr)
${before:+$before
}accepted; last_accepted: $last
$LISTENER_TALK
listener closed"
    assert_equal "$CLIENT_STATUS" 0
    assert_equal "$LISTENER_STATUS" 0
}

# (class_name_only, above, says why the module path is not compared.)
AUTH_ERR='Traceback (most recent call last):
AuthenticationError:'

# ---- the impl and CPython 3.11, both roles, every family -------------------

@test "interop $MP_TAG: impl Client -> CPython Listener, AF_UNIX path, authkey" {
    start_listener "${PY_LISTENER[@]}" --unix "$T/sock" --key secret
    run_client "${IMPL_CLIENT[@]}" --key secret
    assert_equal "$CLIENT_OUT" "$CLIENT_TALK"
    check_success "''"
    [ ! -e "$T/sock" ] || { echo "the socket file was left behind"; return 1; }
}

@test "interop $MP_TAG: CPython Client -> impl Listener, AF_UNIX path, authkey" {
    start_listener "${IMPL_LISTENER[@]}" --unix "$T/sock" --key secret
    run_client "${PY_CLIENT[@]}" --key secret
    assert_equal "$CLIENT_OUT" "$CLIENT_TALK"
    check_success "''"
    [ ! -e "$T/sock" ] || { echo "close() left the socket file behind"; return 1; }
}

# Abstract names (Linux's abstract socket namespace, an AF_UNIX address
# starting with a NUL byte): the documentation's address formats do not
# mention them, so these two tests pin CPython 3.11's observable behaviour
# on Linux, named as such: such an address works for Listener and Client,
# and closing the Listener removes nothing (there is no file to unlink).
@test "interop $MP_TAG: impl Client -> CPython Listener, abstract name, authkey" {
    start_listener "${PY_LISTENER[@]}" --abstract "$ABSTRACT" --key secret
    run_client "${IMPL_CLIENT[@]}" --key secret
    assert_equal "$CLIENT_OUT" "$CLIENT_TALK"
    check_success "''"
}

@test "interop $MP_TAG: CPython Client -> impl Listener, abstract name, authkey" {
    start_listener "${IMPL_LISTENER[@]}" --abstract "$ABSTRACT" --key secret
    run_client "${PY_CLIENT[@]}" --key secret
    assert_equal "$CLIENT_OUT" "$CLIENT_TALK"
    check_success "''"
}

@test "interop $MP_TAG: impl Client -> CPython Listener, AF_INET 127.0.0.1 port 0, authkey" {
    start_listener "${PY_LISTENER[@]}" --inet 127.0.0.1 0 --key secret
    run_client "${IMPL_CLIENT[@]}" --key secret
    assert_equal "$CLIENT_OUT" "$CLIENT_TALK"
    check_success "('127.0.0.1', <port>)"
}

@test "interop $MP_TAG: CPython Client -> impl Listener, AF_INET 127.0.0.1 port 0, authkey" {
    start_listener "${IMPL_LISTENER[@]}" --inet 127.0.0.1 0 --key secret
    run_client "${PY_CLIENT[@]}" --key secret
    assert_equal "$CLIENT_OUT" "$CLIENT_TALK"
    check_success "('127.0.0.1', <port>)"
}

@test "interop $MP_TAG: impl Client -> CPython Listener(family='AF_INET'), no authkey" {
    start_listener "${PY_LISTENER[@]}" --family AF_INET
    assert_equal "${ADDR[0]}:${ADDR[1]}" "--inet:127.0.0.1"
    run_client "${IMPL_CLIENT[@]}"
    assert_equal "$CLIENT_OUT" "$CLIENT_TALK"
    check_success "('127.0.0.1', <port>)"
}

@test "interop $MP_TAG: CPython Client -> impl Listener(family='AF_UNIX'), no authkey, temp dir cleaned" {
    # CPython 3.11's observable behaviour, named as such (the documentation
    # says only that an arbitrary address is chosen): the arbitrary AF_UNIX
    # address is a socket file in the private temporary directory
    # (util.get_temp_dir(), TMPDIR/pymp-XXXXXXXX), and with a TMPDIR of its
    # own the run must leave that TMPDIR empty.  The file's own name is not
    # pinned: it is an implementation detail (listener-XXXXXXXX in 3.11,
    # renamed sock-... by gh-132124 in later versions).
    export TMPDIR=$T/tmpdir
    mkdir "$TMPDIR"
    start_listener "${IMPL_LISTENER[@]}" --family AF_UNIX
    run_client "${PY_CLIENT[@]}"
    assert_equal "$CLIENT_OUT" "$CLIENT_TALK"
    check_success "''"
    [[ ${ADDR[0]} = --unix && ${ADDR[1]} =~ ^$TMPDIR/pymp-[A-Za-z0-9_]{6,8}/[^/]+$ ]] ||
        { echo "address ${ADDR[*]} is not a socket file TMPDIR/pymp-*/NAME"; return 1; }
    assert_equal "$(ls -A "$TMPDIR")" ""
}

@test "interop $MP_TAG: impl Listener serves the accepted connection from a child process" {
    start_listener "${IMPL_LISTENER[@]}" --unix "$T/sock" --key secret --child
    run_client "${PY_CLIENT[@]}" --key secret
    assert_equal "$CLIENT_OUT" "$CLIENT_TALK"
    assert_equal "$LISTENER_ERR" ""
    assert_equal "$LISTENER_OUT" "address: '$T/sock'
accepted; last_accepted: ''
$LISTENER_TALK
child exitcode 0
listener closed"
    assert_equal "$LISTENER_STATUS" 0
    assert_equal "$CLIENT_STATUS" 0
}

# ---- wrong keys: AuthenticationError on both sides, nothing delivered -------

@test "interop $MP_TAG: wrong key, impl Client -> CPython Listener" {
    start_listener "${PY_LISTENER[@]}" --unix "$T/sock" --key secret
    run_client "${IMPL_CLIENT[@]}" --key wrong
    assert_equal "$LISTENER_OUT" "address: '$T/sock'"
    assert_equal "$LISTENER_ERR" "$AUTH_ERR digest received was wrong"
    assert_equal "$CLIENT_OUT" ""
    assert_equal "$CLIENT_ERR" "$AUTH_ERR digest sent was rejected"
    assert_equal "$LISTENER_STATUS:$CLIENT_STATUS" "1:1"
}

@test "interop $MP_TAG: wrong key, CPython Client -> impl Listener" {
    start_listener "${IMPL_LISTENER[@]}" --inet 127.0.0.1 0 --key secret
    run_client "${PY_CLIENT[@]}" --key wrong
    assert_equal "$LISTENER_OUT" "address: $(addr_repr)"
    assert_equal "$LISTENER_ERR" "$AUTH_ERR digest received was wrong"
    assert_equal "$CLIENT_OUT" ""
    assert_equal "$CLIENT_ERR" "$AUTH_ERR digest sent was rejected"
    assert_equal "$LISTENER_STATUS:$CLIENT_STATUS" "1:1"
}

# ---- hostile peers: named errors, no hang, nothing delivered ---------------

@test "interop $MP_TAG: a peer answering with a 2 GiB length: the impl Listener refuses it" {
    start_listener "${IMPL_LISTENER[@]}" --unix "$T/sock" --key secret
    run_client "${HOSTILE[@]}" huge-answer
    assert_equal "$CLIENT_OUT" "hostile: got a challenge of 31 bytes
hostile: sent a 2 GiB length
hostile: the other side hung up"
    assert_equal "$LISTENER_OUT" "address: '$T/sock'"
    assert_equal "$LISTENER_ERR" "Traceback (most recent call last):
OSError: bad message length"
    assert_equal "$LISTENER_STATUS:$CLIENT_STATUS" "1:0"
}

@test "interop $MP_TAG: a peer sending a message instead of its answer: refused, never delivered" {
    start_listener "${IMPL_LISTENER[@]}" --unix "$T/sock" --key secret
    run_client "${HOSTILE[@]}" pickle-first
    assert_equal "$CLIENT_OUT" "hostile: sent a pickle instead of an answer
hostile: got a challenge of 31 bytes
hostile: got b'#FAILURE#'
hostile: the other side hung up"
    assert_equal "$LISTENER_OUT" "address: '$T/sock'"
    assert_equal "$LISTENER_ERR" "$AUTH_ERR digest received was wrong"
    assert_equal "$LISTENER_STATUS:$CLIENT_STATUS" "1:0"
}

@test "interop $MP_TAG: a peer closing in the middle of a message: the impl Listener says OSError, not EOFError" {
    start_listener "${IMPL_LISTENER[@]}" --unix "$T/sock"
    run_client "${HOSTILE[@]}" half-message
    assert_equal "$CLIENT_OUT" "hostile: sent 10 bytes of a 100-byte message, then closed"
    assert_equal "$LISTENER_OUT" "address: '$T/sock'
accepted; last_accepted: ''"
    assert_equal "$LISTENER_ERR" "Traceback (most recent call last):
OSError: got end of file during message"
    assert_equal "$LISTENER_STATUS:$CLIENT_STATUS" "1:0"
}

@test "interop $MP_TAG: a listener sending a 2 GiB challenge: the impl Client refuses it" {
    start_listener "${HOSTILE[@]}" huge-challenge --unix "$T/sock"
    run_client "${IMPL_CLIENT[@]}" --key secret
    assert_equal "$LISTENER_OUT" "hostile: sent a 2 GiB length
hostile: the other side hung up"
    assert_equal "$CLIENT_OUT" ""
    assert_equal "$CLIENT_ERR" "Traceback (most recent call last):
OSError: bad message length"
    assert_equal "$LISTENER_STATUS:$CLIENT_STATUS" "0:1"
}

# welcome_refused MODE REPLY: a hostile listener (MODE) reads the impl
# Client's answer and replies REPLY instead of #WELCOME#: the client must
# refuse it with AuthenticationError, not go on to its own challenge.
welcome_refused() {
    start_listener "${HOSTILE[@]}" "$1" --unix "$T/sock"
    run_client "${IMPL_CLIENT[@]}" --key secret
    assert_equal "$LISTENER_OUT" "hostile: got an answer of 16 bytes
hostile: replied $2
hostile: the other side hung up"
    assert_equal "$CLIENT_OUT" ""
    assert_equal "$CLIENT_ERR" "$AUTH_ERR digest sent was rejected"
    assert_equal "$LISTENER_STATUS:$CLIENT_STATUS" "0:1"
}

@test "interop $MP_TAG: a listener welcoming with b'#WEL' (a prefix): the impl Client refuses it" {
    welcome_refused short-welcome "b'#WEL'"
}

@test "interop $MP_TAG: a listener welcoming with an empty message: the impl Client refuses it" {
    welcome_refused empty-welcome "b''"
}

# ---- the 3.12 form ({sha256}) ----------------------------------------------

@test "interop $MP_TAG: impl Listener delivering the 3.12 form, CPython 3.11 Client answers bare MD5" {
    needs_c
    start_listener "${IMPL_LISTENER[@]}" --unix "$T/sock" --key secret --form sha256
    run_client "${PY_CLIENT[@]}" --key secret
    assert_equal "$CLIENT_OUT" "$CLIENT_TALK"
    check_success "''"
}

@test "interop $MP_TAG: impl Client delivering the 3.12 form to a CPython 3.11 Listener" {
    needs_c
    start_listener "${PY_LISTENER[@]}" --unix "$T/sock" --key secret
    run_client "${IMPL_CLIENT[@]}" --key secret --form sha256
    assert_equal "$CLIENT_OUT" "$CLIENT_TALK"
    check_success "''"
}

@test "interop $MP_TAG: 3.12 peer listens; impl Client answers {sha256}, delivers both forms" {
    needs_c
    local form challenge
    for form in 311 sha256; do
        [ "$form" = 311 ] && challenge="a bare 20 bytes" || challenge="{sha256} with 40 random bytes"
        start_listener "${PY312[@]}" --role listen --abstract "$ABSTRACT-$form" --key secret
        run_client "${IMPL_CLIENT[@]}" --key secret --form "$form"
        assert_equal "$CLIENT_OUT" "$CLIENT_TALK"
        check_success "''" "peer: answer was {sha256} with a 32-byte mac
peer: challenge was $challenge"
    done
}

@test "interop $MP_TAG: 3.12 peer connects; impl Listener delivers both forms" {
    needs_c
    local form challenge
    for form in 311 sha256; do
        [ "$form" = 311 ] && challenge="a bare 20 bytes" || challenge="{sha256} with 40 random bytes"
        start_listener "${IMPL_LISTENER[@]}" --inet 127.0.0.1 0 --key secret --form "$form"
        run_client "${PY312[@]}" --role connect --key secret
        assert_equal "$CLIENT_OUT" "peer: challenge was $challenge
peer: answer was {sha256} with a 32-byte mac
$CLIENT_TALK"
        check_success "('127.0.0.1', <port>)"
    done
}

@test "interop $MP_TAG: 3.12 peer naming other digests; the impl Client answers with each" {
    needs_c
    local d
    for d in md5 sha384 sha3_256 sha3_384; do
        start_listener "${PY312[@]}" --role listen --unix "$T/sock-$d" --key secret --deliver-digest "$d"
        run_client "${IMPL_CLIENT[@]}" --key secret
        local mac
        case $d in md5) mac=16 ;; sha3_256) mac=32 ;; *) mac=48 ;; esac
        check_success "''" "peer: answer was {$d} with a $mac-byte mac
peer: challenge was a bare 20 bytes"
    done
}

@test "interop $MP_TAG: 3.12 peer answering a 3.11 challenge with {sha256}: the impl Listener accepts" {
    needs_c
    start_listener "${IMPL_LISTENER[@]}" --unix "$T/sock" --key secret
    run_client "${PY312[@]}" --role connect --key secret --answer-digest sha256
    assert_equal "$CLIENT_OUT" "peer: challenge was a bare 20 bytes
peer: answer was {sha256} with a 32-byte mac
$CLIENT_TALK"
    check_success "''"
}

@test "interop $MP_TAG: 3.12 peer with the wrong key, both roles" {
    needs_c
    start_listener "${IMPL_LISTENER[@]}" --unix "$T/sock" --key secret --form sha256
    run_client "${PY312[@]}" --role connect --key wrong
    assert_equal "$CLIENT_OUT" "peer: challenge was {sha256} with 40 random bytes"
    assert_equal "$CLIENT_ERR" "$AUTH_ERR digest sent was rejected"
    assert_equal "$LISTENER_ERR" "$AUTH_ERR digest received was wrong"
    assert_equal "$LISTENER_STATUS:$CLIENT_STATUS" "1:1"

    start_listener "${PY312[@]}" --role listen --unix "$T/sock2" --key secret
    run_client "${IMPL_CLIENT[@]}" --key wrong --form sha256
    assert_equal "$LISTENER_OUT" "address: '$T/sock2'
peer: answer was {sha256} with a 32-byte mac"
    assert_equal "$LISTENER_ERR" "$AUTH_ERR digest received was wrong"
    assert_equal "$CLIENT_ERR" "$AUTH_ERR digest sent was rejected"
    assert_equal "$LISTENER_STATUS:$CLIENT_STATUS" "1:1"
}
