#!/usr/bin/env python3
"""Sends complete Ethernet frames, one hex string per stdin line, out of an interface through an
AF_PACKET raw socket: how tests put 802.1Q/QinQ, GRE and Geneve frames on a real wire when the
kernel has no such links. argv = dev repeat gap_us. Used by the tests only."""
import socket, sys, time

dev, repeat, gap_us = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
frames = [bytes.fromhex(l.strip()) for l in sys.stdin if l.strip()]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0))
for _ in range(repeat):
    for f in frames:
        s.send(f)
        if gap_us:
            time.sleep(gap_us / 1e6)
print(len(frames) * repeat)
