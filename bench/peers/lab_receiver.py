# The broadcast lab's server (receiver), as in "Praktikum UDP 2":
# SO_REUSEPORT + SO_BROADCAST, bind ("", 5005), and for every datagram print
# the sender address, "diterima <payload>" and "dikirim oleh (<ip>, <port>)".
# Benchmark peer only. Change from the lab: the port comes from argv.
# Stop it with SIGINT (Ctrl+C): Python then flushes what it printed.
# With "reuseaddr" it sets SO_REUSEADDR instead of SO_REUSEPORT, as Lab 1's
# broadcast receiver does, so it shares a port with SO_REUSEADDR sockets
# (Linux shares a port only between sockets that set the same option).
#
#   python3 lab_receiver.py [PORT [reuseaddr]]
import socket
import sys

port = int(sys.argv[1]) if len(sys.argv) > 1 else 5005

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if len(sys.argv) > 2 and sys.argv[2] == "reuseaddr":
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
else:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
sock.bind(("", port))

while True:
    data, address = sock.recvfrom(1024)
    print(address)
    print("diterima", data.decode())
    print("dikirim oleh", address)
