#!/usr/bin/env python3
"""Test traffic between namespaces (run inside one): udp-sink PORT | udp-send HOST PORT N SIZE |
udp-flows HOST FIRST_PORT N COUNT SIZE |
tcp-sink PORT | tcp-send HOST PORT BYTES. Used by the tests only."""
import socket, sys, time

mode = sys.argv[1]
if mode == 'udp-sink':
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('0.0.0.0', int(sys.argv[2])))
    print('ready', flush=True)
    while True:
        s.recv(65536)
elif mode == 'udp-send':
    host, port, n, size = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for i in range(n):
        s.sendto(bytes(size), (host, port))
        time.sleep(0.002)
elif mode == 'udp-flows':
    # N flows: one per destination port from FIRST, COUNT datagrams each.
    host, first, n, count, size = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    for p in range(first, first + n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for i in range(count):
            s.sendto(bytes(size), (host, p))
        s.close()
elif mode == 'tcp-sink':
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('0.0.0.0', int(sys.argv[2])))
    s.listen(8)
    print('ready', flush=True)
    while True:
        c, _ = s.accept()
        while c.recv(65536):
            pass
        c.close()
elif mode == 'tcp-send':
    host, port, total = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    s = socket.create_connection((host, port), timeout=10)
    sent = 0
    while sent < total:
        chunk = min(1000, total - sent)
        s.sendall(bytes(chunk))
        sent += chunk
        time.sleep(0.001)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    s.close()
