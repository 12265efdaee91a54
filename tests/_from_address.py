"""Test helper: TCP clients of serve from a loopback address of their own
(127.0.0.2, 127.0.0.3, ...: every 127/8 address is the machine's), which
Deno's connect cannot choose, so that serve sees distinct hosts.

Usage:
  python3 tests/_from_address.py hold ADDR PORT N
      opens N connections from ADDR, each with half a request head sent,
      prints "held N", keeps them until its stdin closes, then closes them
      and prints "closed".
  python3 tests/_from_address.py get ADDR PORT PATH
      one GET of PATH from ADDR; prints the status line, then
      "body BYTES SHA256" of what came after the head.
"""
import hashlib
import socket
import sys

mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])


def connect():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((addr, 0))
    sock.connect(("127.0.0.1", port))
    return sock


if mode == "hold":
    held = []
    for _ in range(int(sys.argv[4])):
        sock = connect()
        sock.sendall(b"GET /progjar.js HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        held.append(sock)
    print("held", len(held), flush=True)
    sys.stdin.read()
    for sock in held:
        sock.close()
    print("closed", flush=True)
else:
    sock = connect()
    sock.sendall(
        ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
         % sys.argv[4]).encode()
    )
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    print(head.split(b"\r\n", 1)[0].decode("latin1"))
    print("body", len(body), hashlib.sha256(body).hexdigest(), flush=True)
