"""Test helper: Modul 11's multicast receiver, as the module writes it
(SO_REUSEADDR, bind ("", PORT), IP_ADD_MEMBERSHIP, recv(10240), print).
The module joins on INADDR_ANY (0.0.0.0); a test on loopback gives
127.0.0.1.

Usage: python3 tests/_module_receiver.py GROUP PORT [INTERFACE]
Prints "ready" once joined, then each datagram as the module does; stops
after 20 s without one.
"""
import socket
import struct
import sys

group, port = sys.argv[1], int(sys.argv[2])
iface = sys.argv[3] if len(sys.argv) > 3 else "0.0.0.0"

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
sock.bind(("", port))
mreq = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton(iface))
sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
sock.settimeout(20)
print("ready", flush=True)
try:
    while True:
        print(sock.recv(10240).decode("utf-8", "replace"), flush=True)
except socket.timeout:
    pass
