#!/usr/bin/env python3
"""Servers of the limits tests (tests/hostile/test_limits.py), python3 stdlib, asyncio.

usage: limits_servers.py --log FILE --ready FILE [--release FILE]
                         [--dns LISTEN=UPSTREAM --delay-ms D [--hold REGEX]]
                         [--smtp ADDR=NAME]...

--dns     a UDP DNS forwarder on LISTEN (IP, port 53) to UPSTREAM (IP, port 53): every
          query is sent on after --delay-ms milliseconds (a resolver far away, as a real
          one is), and its answer relayed back. A query whose name matches --hold (a regex
          on the lowercased name without the trailing dot) is held until the --release
          file exists: the test decides when its answer may arrive (while mxsurvey is
          stopped).
--smtp    an SMTP server on ADDR:25 greeting as NAME: the "220" is sent as soon as the
          --release file exists (at once when it already does), then EHLO -> 250 without
          STARTTLS, QUIT -> 221.
Every query received and every connection is logged to --log as
"<unix time> dns <qname> <qtype>" or "<unix time> smtp <addr> accept|banner|quit".
"""
import argparse
import asyncio
import os
import re
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "world"))
import misbehave as M  # noqa: E402

LOG = None


def log(*words):
    LOG.write("%.3f %s\n" % (time.time(), " ".join(str(w) for w in words)))
    LOG.flush()


def qname_of(pkt):
    """(name, qtype) of the first question, or (None, None) when the packet is short."""
    pos, labels = 12, []
    try:
        while True:
            n = pkt[pos]
            pos += 1
            if n == 0:
                break
            if n > 63:
                return None, None
            labels.append(pkt[pos:pos + n].decode("ascii", "replace").lower())
            pos += n
        return ".".join(labels), struct.unpack("!H", pkt[pos:pos + 2])[0]
    except (IndexError, struct.error):
        return None, None


class Forwarder:
    """Client side on LISTEN; upstream side on one socket with our own query ids."""

    def __init__(self, upstream, delay, hold, release):
        self.upstream = upstream
        self.delay = delay
        self.hold = hold
        self.release = release
        self.pending = {}      # our id -> (client addr, client id)
        self.next_id = 1
        self.held = []
        self.client = None
        self.up = None

    def released(self):
        return self.release is not None and os.path.exists(self.release)

    def from_client(self, data, addr):
        if len(data) < 12:
            return
        name, qtype = qname_of(data)
        log("dns", name, qtype)
        if self.hold and name and self.hold.search(name) and not self.released():
            self.held.append((data, addr))
            return
        asyncio.get_running_loop().call_later(self.delay, self.send_up, data, addr)

    def send_up(self, data, addr):
        qid = self.next_id
        self.next_id = self.next_id % 65535 + 1
        self.pending[qid] = (addr, data[:2])
        self.up.sendto(struct.pack("!H", qid) + data[2:], self.upstream)

    def from_upstream(self, data):
        if len(data) < 12:
            return
        ent = self.pending.pop(struct.unpack("!H", data[:2])[0], None)
        if ent:
            self.client.sendto(ent[1] + data[2:], ent[0])

    async def release_held(self):
        while True:
            if self.held and self.released():
                held, self.held = self.held, []
                for data, addr in held:
                    self.send_up(data, addr)
            await asyncio.sleep(0.01)


class _Side(asyncio.DatagramProtocol):
    def __init__(self, fn):
        self.fn = fn

    def datagram_received(self, data, addr):
        self.fn(data, addr)


async def smtp(reader, writer, name, release):
    addr = writer.get_extra_info("sockname")[0]
    log("smtp", addr, "accept")
    try:
        while release and not os.path.exists(release):
            await asyncio.sleep(0.01)
        writer.write(("220 %s ESMTP limits test\r\n" % name).encode())
        await writer.drain()
        log("smtp", addr, "banner")
        while True:
            line = await asyncio.wait_for(reader.readline(), 30)
            if not line:
                break
            cmd = line.strip().upper()
            if cmd.startswith(b"EHLO") or cmd.startswith(b"HELO"):
                writer.write(("250-%s\r\n250 8BITMIME\r\n" % name).encode())
            elif cmd == b"QUIT":
                writer.write(b"221 2.0.0 Bye\r\n")
                await writer.drain()
                log("smtp", addr, "quit")
                break
            else:
                writer.write(b"502 5.5.2 Error: command not recognized\r\n")
            await writer.drain()
    except (OSError, asyncio.TimeoutError):
        pass
    finally:
        writer.close()


async def main():
    global LOG
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--release")
    ap.add_argument("--dns")
    ap.add_argument("--delay-ms", type=float, default=0)
    ap.add_argument("--hold")
    ap.add_argument("--smtp", action="append", default=[])
    a = ap.parse_args()
    LOG = open(a.log, "a")
    loop = asyncio.get_running_loop()
    tasks = []
    if a.dns:
        listen, upstream = a.dns.split("=")
        fw = Forwarder((upstream, 53), a.delay_ms / 1000.0,
                       re.compile(a.hold) if a.hold else None, a.release)
        fw.client, _ = await loop.create_datagram_endpoint(
            lambda: _Side(fw.from_client), local_addr=(listen, 53))
        fw.up, _ = await loop.create_datagram_endpoint(
            lambda: _Side(lambda d, _a: fw.from_upstream(d)), family=socket.AF_INET,
            local_addr=(listen, 0))
        tasks.append(asyncio.ensure_future(fw.release_held()))
    for spec in a.smtp:
        addr, name = spec.split("=")
        await asyncio.start_server(lambda r, w, n=name: smtp(r, w, n, a.release), addr, 25)
    await M.serve_until_killed(a.ready)


if __name__ == "__main__":
    M.run_server(main)
