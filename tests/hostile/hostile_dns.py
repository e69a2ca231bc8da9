#!/usr/bin/env python3
"""A small authoritative DNS server that answers what NSD will not serve (issue 13).

usage: hostile_dns.py --addr IP --zone ZONE.json [--zone ZONE.json ...] --ready FILE [--log FILE]

Serves unsigned zones over UDP and TCP on IP:53 (loopback inside the test's network
namespace: tests/world/world.py run_in_namespace). The zone is a JSON object
  {"origin": "h.t.", "records": [[owner_wire_hex, rrtype, rdata_hex], ...]}
with owners and RDATA already in wire form, so a case can hold any bytes at all: labels
with bytes that need \\DDD escapes, names of exactly 255 octets, hundreds of TXT records,
the same target in many MX records. Answers keep the records in the order given (the test
relies on it: the record that matters comes last).

Protocol: the question is echoed, AA set; a name with records of the type asked gets them
(an alias its CNAME chain and what the zone holds at its end), a name that exists without
them NODATA with the SOA, any other name under an origin NXDOMAIN with the SOA, a name
under none REFUSED. Over UDP an answer larger
than the client's EDNS size (512 without EDNS, at most 1232) is sent with TC set and no
records, so the resolver asks again over TCP (2-byte length framing, RFC 1035 §4.2.2).
Python stdlib only."""
import argparse
import json
import os
import socket
import struct
import sys
import threading

T_CNAME, T_SOA, T_OPT = 5, 6, 41


def name_to_wire(name):
    """Presentation name without escapes ("a.b.") to wire form."""
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\x00"


def read_name(msg, pos):
    """Uncompressed wire name at msg[pos:] (queries never compress): (name, next pos)."""
    start = pos
    while True:
        if pos >= len(msg):
            raise ValueError("truncated name")
        n = msg[pos]
        if n == 0:
            return msg[start:pos + 1], pos + 1
        if n & 0xC0:
            raise ValueError("compressed name in a question")
        pos += 1 + n


def lower(wire):
    out = bytearray(wire)
    i = 0
    while i < len(out) and out[i]:
        n = out[i]
        for k in range(i + 1, i + 1 + n):
            if 0x41 <= out[k] <= 0x5A:
                out[k] += 0x20
        i += 1 + n
    return bytes(out)


class Zone:
    def __init__(self, path):
        with open(path) as f:
            z = json.load(f)
        self.origin = lower(name_to_wire(z["origin"]))
        self.rrs = {}        # (owner, type) -> [rdata], in the zone's order
        self.names = set()
        for owner_hex, rtype, rdata_hex in z["records"]:
            owner = lower(bytes.fromhex(owner_hex))
            self.rrs.setdefault((owner, rtype), []).append(bytes.fromhex(rdata_hex))
            # every ancestor up to the origin exists (empty non-terminals are NODATA)
            w = owner
            while len(w) > len(self.origin):
                self.names.add(w)
                w = w[w[0] + 1:]
        self.names.add(self.origin)
        mname = name_to_wire("ns." + z["origin"])
        self.soa = mname + name_to_wire("hostmaster." + z["origin"]) + \
            struct.pack("!IIIII", 1, 3600, 600, 86400, 60)
        self.rrs.setdefault((self.origin, T_SOA), [self.soa])

    def under(self, qname):
        """qname is the origin or below it (label by label, not by bytes)."""
        while len(qname) > len(self.origin):
            qname = qname[qname[0] + 1:]
        return qname == self.origin


def rr(owner, rtype, rdata, ttl=60):
    return owner + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def answer(zones, query, limit):
    """(response bytes) for one query message; None when it is not worth an answer."""
    if len(query) < 12:
        return None
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", query[:12])
    if flags & 0x8000 or qd != 1:
        return None
    try:
        qname, pos = read_name(query, 12)
    except ValueError:
        return None
    if pos + 4 > len(query):
        return None
    qtype, qclass = struct.unpack("!HH", query[pos:pos + 4])
    question = query[12:pos + 4]
    edns = None
    # The additional section of a query holds at most the OPT record (root owner).
    p = pos + 4
    if ar and p + 11 <= len(query) and query[p] == 0:
        otype, osize = struct.unpack("!HH", query[p + 1:p + 5])
        if otype == T_OPT:
            edns = max(512, min(osize, 1232))
    key = lower(qname)
    answers, authority, rcode = [], [], 0
    zone = next((z for z in zones if z.under(key)), None)
    if zone is None:
        rcode = 5                                       # REFUSED: not our zone
    elif (key, qtype) in zone.rrs:
        answers = [rr(b"\xc0\x0c", qtype, d) for d in zone.rrs[(key, qtype)]]
    elif (key, T_CNAME) in zone.rrs:
        # an alias: the chain, then what the zone has at its end (RFC 1034 §4.3.2)
        owner, cur = b"\xc0\x0c", key
        for _ in range(8):
            if (cur, T_CNAME) not in zone.rrs:
                break
            target = zone.rrs[(cur, T_CNAME)][0]
            answers.append(rr(owner, T_CNAME, target))
            owner, cur = target, lower(target)
        answers += [rr(owner, qtype, d) for d in zone.rrs.get((cur, qtype), [])]
    else:
        if key not in zone.names:
            rcode = 3
        authority = [rr(zone.origin, T_SOA, zone.soa)]
    opt = [b"\x00" + struct.pack("!HHIH", T_OPT, 1232, 0, 0)] if edns else []
    rflags = 0x8400 | (flags & 0x0100) | rcode          # QR, AA, RD copied
    body = question + b"".join(answers) + b"".join(authority) + b"".join(opt)
    msg = struct.pack("!HHHHHH", qid, rflags, 1, len(answers), len(authority), len(opt)) + body
    if limit is not None and len(msg) > (edns or limit):
        msg = struct.pack("!HHHHHH", qid, rflags | 0x0200, 1, 0, 0, len(opt)) + question + \
            b"".join(opt)
    return msg


def serve_udp(sock, zone, log):
    while True:
        data, peer = sock.recvfrom(4096)
        msg = answer(zone, data, 512)
        log(data, "udp")
        if msg:
            sock.sendto(msg, peer)


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def serve_tcp_conn(conn, zone, log):
    with conn:
        conn.settimeout(10)
        try:
            while True:
                head = recv_exact(conn, 2)
                if head is None:
                    return
                data = recv_exact(conn, struct.unpack("!H", head)[0])
                if data is None:
                    return
                log(data, "tcp")
                msg = answer(zone, data, None)
                if msg is None:
                    return
                if len(msg) > 65535:
                    raise RuntimeError("case larger than one DNS message")
                conn.sendall(struct.pack("!H", len(msg)) + msg)
        except (OSError, socket.timeout):
            return


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", required=True)
    ap.add_argument("--zone", required=True, action="append")
    ap.add_argument("--ready", required=True)
    ap.add_argument("--log")
    a = ap.parse_args()
    zone = [Zone(z) for z in a.zone]
    lock = threading.Lock()
    logf = open(a.log, "a") if a.log else None

    def log(data, proto):
        if not logf:
            return
        try:
            qname, pos = read_name(data, 12)
            qtype = struct.unpack("!H", data[pos:pos + 2])[0]
        except (ValueError, struct.error):
            qname, qtype = b"", -1
        with lock:
            logf.write("%s %s %d\n" % (proto, qname.hex(), qtype))
            logf.flush()

    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((a.addr, 53))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((a.addr, 53))
    t.listen(64)
    threading.Thread(target=serve_udp, args=(u, zone, log), daemon=True).start()
    with open(a.ready, "w") as f:
        f.write(str(os.getpid()))
    while True:
        conn, _ = t.accept()
        threading.Thread(target=serve_tcp_conn, args=(conn, zone, log), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
