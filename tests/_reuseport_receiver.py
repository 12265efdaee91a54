"""Test helper: the course's way of sharing a port (SO_REUSEPORT only, as
the lab's Python receivers do), counting what it receives.

Usage: python3 tests/_reuseport_receiver.py PORT N
Prints "ready" once bound, then "received K" after N datagrams or 10 s.
"""
import socket
import sys

port, n = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
s.bind(("", port))
s.settimeout(10)
print("ready", flush=True)
received = 0
try:
    while received < n:
        s.recvfrom(65535)
        received += 1
except socket.timeout:
    pass
print("received", received, flush=True)
