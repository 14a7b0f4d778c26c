#!/usr/bin/env bats
# managers.bats - a manager's server and its clients, between an implementation and CPython 3.11: the manager protocol on the wire.
#
# "impl" is the implementation under test: c_manager_server /
# c_manager_client (built by build.mk), or under IMPL=python
# py_manager_server.py / py_manager_client.py, so the same transcript is
# checked against CPython itself.  The peer is always python3.  The server
# serves SyncManager's types, a registered Maths class and a served
# queue (the docs' remote-manager example) at 127.0.0.1 on port 0; the
# client runs one fixed script (dict, iterated, list with a slice, KeyError and
# IndexError re-raised, Namespace, Value, Event, the queue, Maths, a dict
# proxy inside a list proxy, the server's object count before and after
# the proxies go), then asks the server to shut down.  Every line is
# compared exactly; the address travels through a FIFO and every process
# runs under `timeout`.
load ../lib/helpers
load peers

setup() {
    interop_setup
    impl_peer IMPL_SERVER c_manager_server py_manager_server.py || return 1
    impl_peer IMPL_CLIENT c_manager_client py_manager_client.py || return 1
    py_peer PY_SERVER py_manager_server.py
    py_peer PY_CLIENT py_manager_client.py
    T=$BATS_TEST_TMPDIR
}

# start_server CMD...: run a server in the background; ADDR gets the
# options naming the address it reports (empty if it died first).
start_server() {
    local fifo=$T/addr.fifo line=""
    rm -f "$fifo"
    mkfifo "$fifo"
    (
        exec 3<> "$fifo"
        st=0
        timeout -k 5 30 "$@" --inet 127.0.0.1 0 --key secret --addr-out "$fifo" \
            > "$T/server.out" 2> "$T/server.err" || st=$?
        echo "$st" > "$T/server.status"
        echo >&3
    ) &
    SERVER_PID=$!
    read -r -t 30 line < "$fifo" || true
    read -ra ADDR <<< "$line"
}

# run_client KEY CMD...: run a client against ADDR with authkey KEY.
run_client() {
    local key=$1
    shift
    CLIENT_STATUS=0
    timeout -k 5 30 "$@" "${ADDR[@]}" --key "$key" > "$T/client.out" 2> "$T/client.err" ||
        CLIENT_STATUS=$?
    CLIENT_OUT=$(cat "$T/client.out")
    CLIENT_ERR=$(perl "$MP_LIB/normalize" < "$T/client.err" |
                 perl -pe 's/^(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*(?::|$))/$1/')
}

# stop_server: the server has been asked to shut down; collect it.
stop_server() {
    wait "$SERVER_PID" || true
    SERVER_STATUS=$(cat "$T/server.status")
    SERVER_OUT=$(cat "$T/server.out")
    SERVER_ERR=$(cat "$T/server.err")
}

SCRIPT="connected
dict: {1: '1', '2': 2, 0.25: None} 3 2 default
dict iterated: [1, '2', 0.25]
dict KeyError: 'missing'
list: [25, 16, 9, 4, 1, 0, b'\\x00bytes'] 16 [16, 9] 7
list IndexError: list index out of range
Namespace: Namespace(x=10, y='hello', z=(1, 2.5)) 10 (1, 2.5)
Value: 6
Event: False False
Event after set: True True
queue: through the served queue 0
Maths: 7 56
nested: {'k': 'v'} v
objects: 9 -> 0
asked the server to shut down"

check_run() {
    assert_equal "$CLIENT_ERR" ""
    assert_equal "$CLIENT_OUT" "$SCRIPT"
    assert_equal "$CLIENT_STATUS" 0
    stop_server
    assert_equal "$SERVER_ERR" ""
    assert_equal "$SERVER_OUT" "address: ('127.0.0.1', ${ADDR[2]})
server stopped"
    assert_equal "$SERVER_STATUS" 0
}

@test "managers $MP_TAG: impl client -> CPython manager server" {
    start_server "${PY_SERVER[@]}"
    run_client secret "${IMPL_CLIENT[@]}" --shutdown
    check_run
}

@test "managers $MP_TAG: CPython client -> impl manager server" {
    start_server "${IMPL_SERVER[@]}"
    run_client secret "${PY_CLIENT[@]}" --shutdown
    check_run
}

# refused SERVER-CMD... -- CLIENT-CMD...: the server refuses a client with
# a wrong authkey (AuthenticationError on the client's side), then serves
# a right one to the end.
refused() {
    local srv=()
    while [ "$1" != -- ]; do srv+=("$1"); shift; done
    shift
    start_server "${srv[@]}"
    run_client wrong "$@"
    assert_equal "$CLIENT_OUT" ""
    assert_equal "$CLIENT_ERR" "Traceback (most recent call last):
AuthenticationError: digest sent was rejected"
    assert_equal "$CLIENT_STATUS" 1
    run_client secret "${PY_CLIENT[@]}" --shutdown
    check_run
}

@test "managers $MP_TAG: impl client with a wrong authkey -> CPython server refuses it, serves on" {
    refused "${PY_SERVER[@]}" -- "${IMPL_CLIENT[@]}"
}

@test "managers $MP_TAG: CPython client with a wrong authkey -> impl server refuses it, serves on" {
    refused "${IMPL_SERVER[@]}" -- "${PY_CLIENT[@]}"
}
