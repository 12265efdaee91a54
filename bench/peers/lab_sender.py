# The broadcast lab's client (sender), as in "Praktikum UDP 2": SO_BROADCAST,
# then " BROADCAST ini angka N " (N = 1, 2, 3, ...) sent in a loop with no
# pause. Benchmark peer only. Changes from the lab: the address, port and a
# count come from argv (the lab loops forever to 192.168.122.255:5005), the
# socket is bound to a local address (loopback only, see BRIEF.md), and the
# time taken is printed to stderr at the end.
#
#   python3 lab_sender.py BROADCAST_ADDR PORT COUNT [BIND_ADDR]
import socket
import sys
import time

addr = sys.argv[1]
port = int(sys.argv[2])
count = int(sys.argv[3])
bind = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1"

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
sock.bind((bind, 0))

start = time.perf_counter()
i = 1
while i <= count:
    message = " BROADCAST ini angka " + str(i) + " "
    sock.sendto(message.encode(), (addr, port))
    i += 1
elapsed = time.perf_counter() - start
print(f"sent {count} in {elapsed:.6f} s", file=sys.stderr)
