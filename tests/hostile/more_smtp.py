#!/usr/bin/env python3
"""A plain ESMTP server with STARTTLS (modern TLS, one certificate) for test_more.py: the
dialogue of tests/world/misbehave.py (its esmtp()), on port 25 of the given addresses.

usage: more_smtp.py --cert C --key K --log FILE --ready FILE ADDR...
"""
import argparse
import asyncio
import os
import ssl
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "world"))
import misbehave as M  # noqa: E402

CTX = None


async def handle(reader, writer):
    local = writer.get_extra_info("sockname")[0]
    peer = "%s:%d" % writer.get_extra_info("peername")[:2]
    M.logline(local, peer, "starttls", "connect")
    name = "mx.more.test"
    try:
        writer.write(("220 %s ESMTP more\r\n" % name).encode())
        await writer.drain()
        if await M.esmtp(reader, writer, name, "starttls", local, peer) == "starttls":
            writer.write(b"220 2.0.0 Ready to start TLS\r\n")
            await writer.drain()
            await asyncio.wait_for(writer.start_tls(CTX), 30)
            await M.esmtp(reader, writer, name, "starttls", local, peer, tls_active=True)
    except (EOFError, ConnectionError, asyncio.TimeoutError, ssl.SSLError, OSError):
        pass
    finally:
        M.logline(local, peer, "starttls", "close")
        writer.close()


async def main():
    global CTX
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("addrs", nargs="+")
    a = ap.parse_args()
    M.LOGF = open(a.log, "a")
    CTX = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    CTX.load_cert_chain(a.cert, a.key)
    for addr in a.addrs:
        await asyncio.start_server(handle, addr, 25, reuse_address=True)
    await M.serve_until_killed(a.ready)


if __name__ == "__main__":
    M.run_server(main)
