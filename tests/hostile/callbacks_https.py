#!/usr/bin/env python3
"""Hostile MTA-STS policy hosts for tests/hostile/test_callbacks.py (python3 stdlib only).

One asyncio process listens on port 443 of several 127.x addresses; what a connection
gets is chosen by the local address the client dialled (getsockname), after the TLS
handshake and the request:
  slow      a valid policy, --delay seconds after the request arrived
  hang      never answers (the client's timeout ends it)
  bighdr    200 with one header line of 10 MB, then a valid policy
  manyhdr   200 with 10 MB of header in 10 240 lines of 1 KiB, then a valid policy
  cut       200, Content-Length 1000, 100 bytes of body, then the connection is closed
  toolarge  200, a body of 70 000 bytes (over mxsurvey's 64 KiB cap)

Every request is logged ("<unix time> <local addr> <behaviour> request") to --log, flushed
at once, so a test can tell when a fetch is in flight.

With --silent-dns ADDR, also a DNS server on ADDR:53 (UDP and TCP) that never answers: a
zone delegated there makes a lookup hang (each query is logged as behaviour "silentdns").

usage: callbacks_https.py --cert C --key K --log FILE --ready FILE [--delay S]
                          [--silent-dns ADDR] ADDR=BEHAVIOUR...
"""
import argparse
import asyncio
import ssl
import sys
import time

LOGF = None
BEHAVIOUR = {}
DELAY = 2.0


def policy(domain):
    return ("version: STSv1\r\nmode: enforce\r\nmx: mx.%s\r\nmax_age: 86400\r\n" % domain).encode()


def response(body, extra=b"", length=None):
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + extra +
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % (len(body) if length is None else length) +
            body)


async def handle(reader, writer):
    local = writer.get_extra_info("sockname")[0]
    behaviour = BEHAVIOUR.get(local, "?")
    try:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = await asyncio.wait_for(reader.read(4096), 30)
            if not chunk:
                return
            head += chunk
            if len(head) > 65536:
                return
        host = ""
        for line in head.split(b"\r\n")[1:]:
            if line.lower().startswith(b"host:"):
                host = line[5:].strip().decode("latin-1").split(":")[0]
        domain = host[len("mta-sts."):] if host.startswith("mta-sts.") else host
        LOGF.write("%.3f %s %s request\n" % (time.time(), local, behaviour))
        LOGF.flush()
        if behaviour == "slow":
            await asyncio.sleep(DELAY)
            writer.write(response(policy(domain)))
        elif behaviour == "hang":
            await asyncio.sleep(120)
        elif behaviour == "bighdr":
            writer.write(response(policy(domain), b"X-Big: " + b"a" * (10 << 20) + b"\r\n"))
        elif behaviour == "manyhdr":
            line = b"X-Pad: " + b"b" * 1015 + b"\r\n"      # 1 KiB each
            writer.write(response(policy(domain), line * 10240))
        elif behaviour == "cut":
            writer.write(response(b"c" * 100, length=1000))
        elif behaviour == "toolarge":
            writer.write(response(b"version: STSv1\r\n" + b"x" * (70000 - 16)))
        await writer.drain()
    except (ConnectionError, asyncio.TimeoutError, ssl.SSLError, OSError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


class SilentUDP(asyncio.DatagramProtocol):
    def __init__(self, addr):
        self.addr = addr

    def datagram_received(self, data, peer):
        LOGF.write("%.3f %s silentdns request\n" % (time.time(), self.addr))
        LOGF.flush()


async def silent_tcp(reader, writer):
    try:
        await reader.read(65536)
        await asyncio.sleep(120)
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main():
    global LOGF, DELAY
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--delay", type=float, default=2.0)
    ap.add_argument("--silent-dns")
    ap.add_argument("servers", nargs="+")
    a = ap.parse_args()
    DELAY = a.delay
    LOGF = open(a.log, "a")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(a.cert, a.key)
    servers = []
    for spec in a.servers:
        addr, behaviour = spec.split("=", 1)
        BEHAVIOUR[addr] = behaviour
        servers.append(await asyncio.start_server(handle, addr, 443, ssl=ctx,
                                                  ssl_handshake_timeout=30))
    if a.silent_dns:
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(lambda: SilentUDP(a.silent_dns),
                                            local_addr=(a.silent_dns, 53))
        servers.append(await asyncio.start_server(silent_tcp, a.silent_dns, 53))
    open(a.ready, "w").close()
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
