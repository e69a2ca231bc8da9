#!/usr/bin/env python3
"""A misbehaving DNS resolver for tests/world/test_resolvers.py (issue 17): listens on
UDP and TCP at ADDR:PORT (loopback, inside the test's namespace) in front of an upstream
resolver (the world's Unbound) and does one of:

  strip    a DNSSEC-stripping middlebox: the query goes upstream with the EDNS DO bit
           cleared (so no RRSIG, NSEC or NSEC3 comes back), and a query for DNSKEY, DS,
           RRSIG, NSEC, NSEC3 or NSEC3PARAM gets an empty NOERROR ("." DNSKEY included);
  refuse   REFUSED to everything;
  servfail SERVFAIL without an Extended DNS Error to everything (a validating resolver
           that lost its network), or with --ede N that EDE (9 "DNSKEY Missing": one that
           lost its root trust anchor);
  silent   drops everything;
  truncate answers over UDP with the TC bit and no records when the query's type is one
           of --tc-types (default MX, TXT, TLSA), faithfully over TCP (tests the TCP
           fallback); prints "[badresolver] tc NAME TYPE" per truncated answer and
           "[badresolver] tcp NAME TYPE" per query over TCP.
Each mode but truncate misbehaves only after the first --after queries (default 0: from
the first), which are forwarded faithfully; with --back S it forwards again S seconds
after it began to misbehave. --keep-root-dnskey forwards ". DNSKEY" always (a resolver
that lost its uplink still has the root's key set in its cache for two days).

usage: badresolver.py MODE ADDR:PORT UPSTREAM [--after N] [--back S] [--keep-root-dnskey] [--ede N]
                      [--tc-types 15,16,52] [--ready FILE]
"""
import argparse
import socket
import struct
import sys
import threading
import time

STRIP_TYPES = {43, 46, 47, 48, 50, 51}


class State:
    def __init__(self, a):
        self.a = a
        self.count = 0
        self.since = None
        self.lock = threading.Lock()

    def failing(self, msg):
        """Whether this query meets the misbehaviour (else it is forwarded faithfully)."""
        if self.a.keep_root_dnskey and qtype(msg) == 48 and msg[12] == 0:
            return False
        with self.lock:
            self.count += 1
            if self.count <= self.a.after:
                return False
            now = time.time()
            if self.since is None:
                self.since = now
                print("[badresolver] %s from query %d" % (self.a.mode, self.count), flush=True)
            return not (self.a.back is not None and now - self.since >= self.a.back)


def question_end(msg):
    i = 12
    while i < len(msg) and msg[i] != 0:
        i += 1 + msg[i]
    return i + 1 + 4


def question(msg):
    """The query's name (lower-case, trailing dot) and type, as "name type"."""
    labels, i = [], 12
    while i < len(msg) and msg[i] != 0:
        labels.append(msg[i + 1:i + 1 + msg[i]].decode("ascii", "replace").lower())
        i += 1 + msg[i]
    return "%s. %d" % (".".join(labels), qtype(msg))


def qtype(msg):
    e = question_end(msg)
    return struct.unpack("!H", msg[e - 4:e - 2])[0]


def empty_answer(query, rcode):
    """The query turned into an answer without records (RA, and rcode)."""
    e = question_end(query)
    flags = struct.unpack("!H", query[2:4])[0]
    flags = (flags | 0x8000 | 0x0080) & ~0x000F | rcode
    return query[:2] + struct.pack("!HHHHH", flags, 1, 0, 0, 0) + query[12:e]


def with_ede(answer, code):
    """answer with an OPT record carrying an Extended DNS Error (RFC 8914) of code, no
    EXTRA-TEXT (as Unbound 1.17.1 sends them)."""
    opt = b"\x00" + struct.pack("!HHBBHH", 41, 1232, 0, 0, 0x8000, 6) + struct.pack("!HHH", 15, 2, code)
    return answer[:10] + struct.pack("!H", 1) + answer[12:] + opt


def clear_do(query):
    """The query with the EDNS DO bit cleared (an OPT record in the additional section)."""
    q = bytearray(query)
    i = question_end(q)
    an, ns, ar = struct.unpack("!HHH", q[6:12])
    if an or ns:
        return bytes(q)
    for _ in range(ar):
        if i >= len(q) or q[i] != 0:        # OPT's owner is the root
            break
        t, _cls, _ttl_hi, flags, rdlen = struct.unpack("!HHHHH", q[i + 1:i + 11])
        if t == 41:
            struct.pack_into("!H", q, i + 7, flags & 0x7FFF)
        i += 11 + rdlen
    return bytes(q)


def upstream_udp(up, msg):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(4)
    try:
        s.sendto(msg, up)
        return s.recv(65535)
    except OSError:
        return None
    finally:
        s.close()


def upstream_tcp(up, msg):
    try:
        with socket.create_connection(up, timeout=4) as s:
            s.sendall(struct.pack("!H", len(msg)) + msg)
            hdr = recv_all(s, 2)
            return recv_all(s, struct.unpack("!H", hdr)[0]) if hdr else None
    except OSError:
        return None


def recv_all(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            return None
        b += c
    return b


def say(st, line):
    """One whole line to stdout (the threads' lines must not interleave: a test reads them)."""
    with st.lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def truncated(query):
    """The query turned into an empty answer with TC set (the real answer did not fit)."""
    e = question_end(query)
    flags = struct.unpack("!H", query[2:4])[0] | 0x8000 | 0x0200 | 0x0080
    return query[:2] + struct.pack("!HHHHH", flags, 1, 0, 0, 0) + query[12:e]


def answer(st, msg, tcp):
    """The answer to send, or None to stay silent."""
    if len(msg) < 12:
        return None
    if st.a.mode == "truncate":
        if tcp:
            say(st, "[badresolver] tcp %s" % question(msg))
        elif qtype(msg) in st.a.tc_types:
            say(st, "[badresolver] tc %s" % question(msg))
            return truncated(msg)
    elif st.failing(msg):
        if st.a.mode == "silent":
            return None
        if st.a.mode == "servfail" and st.a.ede is not None:
            return with_ede(empty_answer(msg, 2), st.a.ede)
        if st.a.mode in ("refuse", "servfail"):
            return empty_answer(msg, 5 if st.a.mode == "refuse" else 2)
        if st.a.mode == "strip":
            if qtype(msg) in STRIP_TYPES:
                return empty_answer(msg, 0)
            msg = clear_do(msg)
    return (upstream_tcp if tcp else upstream_udp)(st.a.up, msg)


def serve_udp(st, sock):
    while True:
        msg, peer = sock.recvfrom(65535)

        def one(msg=msg, peer=peer):
            r = answer(st, msg, False)
            if r:
                sock.sendto(r, peer)
        threading.Thread(target=one, daemon=True).start()


def serve_tcp(st, lsock):
    while True:
        c, _ = lsock.accept()

        def conn(c=c):
            with c:
                while True:
                    hdr = recv_all(c, 2)
                    if not hdr:
                        return
                    msg = recv_all(c, struct.unpack("!H", hdr)[0])
                    if msg is None:
                        return
                    r = answer(st, msg, True)
                    if r:
                        c.sendall(struct.pack("!H", len(r)) + r)
        threading.Thread(target=conn, daemon=True).start()


def hostport(s, default):
    h, _, p = s.rpartition(":")
    return (h, int(p)) if h else (s, default)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("strip", "refuse", "servfail", "silent", "truncate"))
    ap.add_argument("listen")
    ap.add_argument("upstream")
    ap.add_argument("--after", type=int, default=0)
    ap.add_argument("--back", type=float)
    ap.add_argument("--keep-root-dnskey", action="store_true")
    ap.add_argument("--ede", type=int)
    ap.add_argument("--tc-types", default="15,16,52")
    ap.add_argument("--ready")
    a = ap.parse_args()
    a.up = hostport(a.upstream, 53)
    a.tc_types = {int(x) for x in a.tc_types.split(",") if x}
    addr = hostport(a.listen, 53)
    st = State(a)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(addr)
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(addr)
    t.listen(64)
    threading.Thread(target=serve_tcp, args=(st, t), daemon=True).start()
    if a.ready:
        open(a.ready, "w").close()
    serve_udp(st, u)


if __name__ == "__main__":
    sys.exit(main())
