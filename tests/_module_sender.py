"""Test helper: Modul 11's multicast sender, as the module writes it (TTL 2,
a prompt "masukkan pesan :", each line UTF-8 encoded to the group), bound to
an interface's address so that a test on loopback never uses a real one.

Usage: python3 tests/_module_sender.py GROUP PORT [INTERFACE]
Prints "ready PORT" (its source port) once bound, then sends each line of
standard input.
"""
import socket
import sys

group, port = sys.argv[1], int(sys.argv[2])
iface = sys.argv[3] if len(sys.argv) > 3 else "0.0.0.0"
MULTICAST_TTL = 2

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, MULTICAST_TTL)
if iface != "0.0.0.0":
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(iface))
sock.bind((iface, 0))
print("ready", sock.getsockname()[1], flush=True)
while True:
    try:
        pesan = input("masukkan pesan :")
    except EOFError:
        break
    sock.sendto(pesan.encode("utf-8"), (group, port))
