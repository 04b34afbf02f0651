#!/usr/bin/env python3
"""Creates a tap or tun device, holds it open like QEMU does, and writes into it the
length-prefixed (u32 big-endian) frames read from stdin. Prints 'ready' once the device exists.
Used by the tests only: argv = mode (tap|tun) name."""
import fcntl, os, struct, sys, threading

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_TAP, IFF_NO_PI = 0x0001, 0x0002, 0x1000

mode, name = sys.argv[1], sys.argv[2]
fd = os.open('/dev/net/tun', os.O_RDWR)
flags = (IFF_TAP if mode == 'tap' else IFF_TUN) | IFF_NO_PI
fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), flags))
print('ready', flush=True)

def drain():
    # Read what the kernel sends to the "guest" so its queue never fills.
    while True:
        try:
            os.read(fd, 65536)
        except OSError:
            return

threading.Thread(target=drain, daemon=True).start()
inp = sys.stdin.buffer
while True:
    hdr = inp.read(4)
    if len(hdr) < 4:
        break
    (n,) = struct.unpack('>I', hdr)
    data = inp.read(n)
    os.write(fd, data)
# stdin closed: keep holding the device until killed.
threading.Event().wait()
