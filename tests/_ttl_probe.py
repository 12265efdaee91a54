"""Test helper: join a multicast group on loopback, receive one datagram and
print the TTL from its IP header (IP_RECVTTL; no root needed).

Usage: python3 tests/_ttl_probe.py GROUP PORT INTERFACE
Prints "ready" once joined, then "ttl N bytes B" for the first datagram.
"""
import socket
import struct
import sys

IP_RECVTTL = getattr(socket, "IP_RECVTTL", 12)  # Linux value
IP_TTL = 2  # the control message type that carries it

group, port, iface = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
s.bind(("", port))
s.setsockopt(
    socket.IPPROTO_IP,
    socket.IP_ADD_MEMBERSHIP,
    socket.inet_aton(group) + socket.inet_aton(iface),
)
s.settimeout(10)
print("ready", flush=True)
data, ancillary, _flags, _addr = s.recvmsg(65535, socket.CMSG_SPACE(4))
for level, kind, value in ancillary:
    if level == socket.IPPROTO_IP and kind == IP_TTL:
        print("ttl", struct.unpack("i", value[:4])[0], "bytes", len(data), flush=True)
