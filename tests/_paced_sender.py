"""Test helper: broadcasts the broadcast lab's payload " BROADCAST ini angka N "
at a steady rate, for the live view's flood tests. Run it only inside a lab
host's network namespace (lab exec or ip netns exec): it sends to the
address it is given, which must be the lab's broadcast address.

Usage: python3 tests/_paced_sender.py BROADCAST PORT RATE SECONDS
Prints "sent N" at the end.
"""
import socket
import sys
import time

address, port, rate, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
target = (address, port)
start = time.monotonic()
sent = 0
while True:
    elapsed = time.monotonic() - start
    if elapsed >= seconds:
        break
    # Catch up with the clock in small bursts (at most 2 ms worth).
    due = min(int(elapsed * rate) + 1, sent + int(rate / 500) + 1)
    while sent < due:
        sent += 1
        try:
            sock.sendto(b" BROADCAST ini angka %d " % sent, target)
        except OSError:
            pass
    time.sleep(0.0005)
print("sent %d" % sent)
