"""Traffic of every kind the wire reader sorts, for tests/wire_tshark_test.ts.

  join GROUP SECONDS          join GROUP on port 5004, stay, leave (IGMP report and leave)
  send DST PORT COUNT SIZE    COUNT datagrams of SIZE bytes (" BROADCAST ini angka N " padded), TTL 2
  tcp-server PORT             accept one client, send a welcome, echo one line, close
  tcp-client HOST PORT        connect, send a line, read, close
  vlan IFACE COUNT            COUNT 802.1Q-tagged (VLAN 100) UDP broadcasts sent raw on IFACE
"""
import socket
import struct
import sys
import time

mode = sys.argv[1]
if mode == "join":
    group, seconds = sys.argv[2], float(sys.argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", 5004))
    mreq = struct.pack("4s4s", socket.inet_aton(group), socket.inet_aton("0.0.0.0"))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    print("joined", flush=True)
    time.sleep(seconds)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, mreq)
    time.sleep(0.2)
elif mode == "send":
    dst, port, count, size = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
    for i in range(count):
        payload = (" BROADCAST ini angka %d " % (i + 1)).encode()
        s.sendto(payload.ljust(size, b"."), (dst, port))
        time.sleep(0.005)
elif mode == "tcp-server":
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("", int(sys.argv[2])))
    srv.listen(1)
    print("listening", flush=True)
    conn, _ = srv.accept()
    conn.sendall("Selamat datang di Server...".encode())
    data = conn.recv(1024)
    conn.sendall(b"Client_1 : " + data)
    time.sleep(0.1)
    conn.close()
elif mode == "tcp-client":
    c = socket.create_connection((sys.argv[2], int(sys.argv[3])))
    c.recv(1024)
    c.sendall("halo semua, apa kabar?".encode())
    c.recv(1024)
    time.sleep(0.2)
    c.close()
elif mode == "vlan":
    iface, count = sys.argv[2], int(sys.argv[3])
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    raw.bind((iface, 0))
    mac = raw.getsockname()[4]
    for i in range(count):
        payload = (" VLAN ini angka %d " % (i + 1)).encode()
        udp = struct.pack("!HHHH", 40000, 7000, 8 + len(payload), 0) + payload
        header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0x4242 + i, 0, 64, 17, 0,
                             socket.inet_aton("10.9.100.1"), socket.inet_aton("10.9.100.255"))
        total = sum(struct.unpack("!10H", header))
        while total > 0xffff:
            total = (total & 0xffff) + (total >> 16)
        header = header[:10] + struct.pack("!H", ~total & 0xffff) + header[12:]
        frame = b"\xff" * 6 + mac + struct.pack("!HHH", 0x8100, (5 << 13) | 100, 0x0800) + header + udp
        raw.send(frame)
        time.sleep(0.005)
