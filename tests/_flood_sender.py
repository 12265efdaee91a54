"""Test helper: floods a multicast group from many sockets on loopback only
(bound to 127.0.0.1, IP_MULTICAST_IF 127.0.0.1, TTL 0), so that a receiver
sees many distinct senders, distinct names, long lines and control lines.

Usage: python3 tests/_flood_sender.py GROUP PORT COUNT [SOCKETS]
Sends COUNT datagrams, round robin over SOCKETS sockets (default 500): mostly
"nI : TEXT" with I the datagram's number (a new name each time), every 50th a
line of 60,000 bytes, every 97th "* nI joined", every 89th raw bytes with
escapes. Prints "sent COUNT SECONDS" at the end.
"""
import socket
import sys
import time

group, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sockets = int(sys.argv[4]) if len(sys.argv) > 4 else 500

socks = []
for _ in range(sockets):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    # Never the machine's real interfaces: loopback, and no hop beyond it.
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 0)
    sock.bind(("127.0.0.1", 0))
    socks.append(sock)

long_text = b"x" * 60000
raw = b"\x1b[2J\xff\xfe raw \x07"
target = (group, port)
start = time.monotonic()
for i in range(count):
    if i % 50 == 0:
        data = b"n%d : " % i + long_text
    elif i % 97 == 0:
        data = b"* n%d joined" % i
    elif i % 89 == 0:
        data = raw
    else:
        data = b"n%d : flood line %d" % (i, i)
    sock = socks[i % sockets]
    while True:
        try:
            sock.sendto(data, target)
            break
        except BlockingIOError:
            time.sleep(0.001)
        except OSError as err:
            # ENOBUFS: the loopback queue is full for a moment.
            if err.errno != 105:
                raise
            time.sleep(0.001)
print("sent", count, "%.1f" % (time.monotonic() - start), flush=True)
