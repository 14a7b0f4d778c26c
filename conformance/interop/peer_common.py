"""peer_common.py - what the Python interop peers share: the command line, the fixed conversation, and how it is printed.

The C programs c_listener.c and c_client.c take the same options and print
the same lines, so that interop.bats can hold one expected transcript for
either implementation on either side.

Options (any order):
  --unix PATH | --abstract NAME | --inet HOST PORT   the address
  --family AF_UNIX|AF_INET    a Listener without an address (an arbitrary one)
  --key KEY                   authkey (its UTF-8 bytes); none: no authentication
  --form 311|sha256           the challenge this side delivers (C only; a
                              CPython 3.11 peer can only send the 3.11 form)
  --addr-out FILE             the listener writes its address there, as the
                              options that name it ("--inet 127.0.0.1 40123")
  --child                     the listener serves the connection from a child
"""
import sys


def parse(argv):
    opts = {'address': None, 'family': None, 'key': None, 'form': '311',
            'addr_out': None, 'child': False}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == '--unix':
            opts['address'] = argv[i + 1]
            i += 2
        elif a == '--abstract':
            opts['address'] = '\0' + argv[i + 1]
            i += 2
        elif a == '--inet':
            opts['address'] = (argv[i + 1], int(argv[i + 2]))
            i += 3
        elif a == '--family':
            opts['family'] = argv[i + 1]
            i += 2
        elif a == '--key':
            opts['key'] = argv[i + 1].encode()
            i += 2
        elif a == '--form':
            opts['form'] = argv[i + 1]
            i += 2
        elif a == '--addr-out':
            opts['addr_out'] = argv[i + 1]
            i += 2
        elif a == '--child':
            opts['child'] = True
            i += 1
        else:
            sys.exit('unknown option %r' % a)
    if opts['form'] != '311':
        sys.exit('CPython 3.11 delivers only the 3.11 challenge')
    return opts


def address_options(address):
    """The options naming address, for the other side's command line."""
    if isinstance(address, tuple):
        return '--inet %s %d' % address
    if isinstance(address, bytes):
        return '--abstract ' + address[1:].decode()
    return '--unix ' + address


def write_address(path, address):
    # A FIFO: opening it waits for the reader, which then gets one line.
    with open(path, 'w') as f:
        f.write(address_options(address) + '\n')


def masked(addr):
    """last_accepted with the peer's ephemeral port hidden."""
    if isinstance(addr, tuple):
        return '(%r, <port>)' % (addr[0],)
    return repr(addr)


def pattern(n, mul, mod):
    return bytes(i * mul % mod for i in range(n))


def checksum(b):
    # Position-weighted, so reordered or shifted bytes change it.
    return sum((i + 1) * x for i, x in enumerate(b)) % 2**32


def client_side(conn):
    conn.send([42, None, 'hello'])
    conn.send({'key': 'value', 'nested': (1, (2.5, (3, 'deep'))), 'flag': True})
    conn.send_bytes(b'raw\x00bytes\xff')
    conn.send_bytes(pattern(100000, 7, 256))
    print('client got:', repr(conn.recv()))
    print('client got:', repr(conn.recv()))
    print('client got bytes:', repr(conn.recv_bytes()))
    big = conn.recv_bytes()
    print('client got', len(big), 'bytes, checksum', checksum(big))
    conn.close()
    print('client closed')


def listener_side(conn):
    print('listener got:', repr(conn.recv()))
    print('listener got:', repr(conn.recv()))
    print('listener got bytes:', repr(conn.recv_bytes()))
    big = conn.recv_bytes()
    print('listener got', len(big), 'bytes, checksum', checksum(big))
    conn.send(('nested', (1, 2.5), [b'\x01\x02', None], {'k': -7}))
    conn.send(b'pickled bytes')
    conn.send_bytes(b'\x00\x01end')
    conn.send_bytes(pattern(70000, 13, 251))
    conn.close()
