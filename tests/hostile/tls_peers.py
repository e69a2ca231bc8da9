#!/usr/bin/env python3
"""Hostile STARTTLS peers for tests/hostile/test_tls.py (issue 13, topic tls; python3
stdlib only). One asyncio process on port 25 of several addresses; the address dialled
chooses the behaviour, as in tests/world/misbehave.py, whose ESMTP dialogue and memory-BIO
TLS server (MemTLS) it reuses:

  dhe=FILE             STARTTLS -> 220, then TLS 1.2 offering only DHE-RSA, with the DH
                       group of FILE (PEM "DH PARAMETERS"; test_tls.py writes a random odd
                       modulus: OpenSSL's client checks no primality, and a server of its
                       own computes with any modulus)
  chain=N              STARTTLS -> 220, then TLS whose Certificate message holds the leaf
                       and N-1 copies of a small certificate (--extra)
  inject=N             STARTTLS -> "220 Ready" and N bytes of plaintext lines in ONE write
                       (one TCP segment, one read), then TLS
  inject=N+M           the same, then M more bytes 0.3 s later (another segment), then TLS

usage: tls_peers.py --cert C --key K --rsa-cert C --rsa-key K --extra CERT --log FILE
                    --ready FILE ADDR=BEHAVIOUR...
"""
import argparse
import asyncio
import os
import ssl
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "world"))
import misbehave as M  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)
BEHAVIOURS = {}
CTX = {}
ARGS = None


def plaintext(n):
    """n bytes of injected ESMTP-looking lines."""
    line = b"250-INJECTED " + b"i" * 49 + b"\r\n"   # 64 bytes
    out = line * (n // len(line))
    rest = n - len(out)
    return out + (b"x" * (rest - 2) + b"\r\n" if rest >= 2 else b"\n" * rest)


def dhe_ctx(dhfile):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    c.maximum_version = ssl.TLSVersion.TLSv1_2
    c.set_ciphers("DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384")
    c.load_cert_chain(ARGS.rsa_cert, ARGS.rsa_key)
    c.load_dh_params(dhfile)
    return c


def chain_ctx(n, tmpdir):
    path = os.path.join(tmpdir, "chain%d.pem" % n)
    with open(path, "w") as f:
        f.write(open(ARGS.cert).read() + open(ARGS.extra).read() * (n - 1))
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    c.load_cert_chain(path, ARGS.key)
    return c


async def handle(reader, writer):
    local = writer.get_extra_info("sockname")[0]
    peer = "%s:%d" % writer.get_extra_info("peername")[:2]
    kind, _, arg = BEHAVIOURS.get(local, "silent=").partition("=")
    M.logline(local, peer, kind, "connect")
    name = "mx.%s.mxlab" % kind
    try:
        writer.write(("220 %s ESMTP tls_peers\r\n" % name).encode())
        await writer.drain()
        if await M.esmtp(reader, writer, name, kind, local, peer) != "starttls":
            return
        ready = b"220 2.0.0 Ready to start TLS\r\n"
        ctx = CTX["modern"]
        if kind == "inject":
            first, _, later = arg.partition("+")
            writer.write(ready + plaintext(int(first)))
            await writer.drain()
            if later:
                await asyncio.sleep(0.3)
                writer.write(plaintext(int(later)))
                await writer.drain()
        else:
            writer.write(ready)
            await writer.drain()
            ctx = CTX[kind + "=" + arg]
        t = M.MemTLS(reader, writer, ctx)
        await t.handshake()
        M.logline(local, peer, kind, "tls %s %s" % (t.obj.version(), t.obj.cipher()[0]))
        await M.esmtp(t, t, name, kind, local, peer, tls_active=True)
    except (EOFError, ConnectionError, asyncio.TimeoutError, ssl.SSLError, OSError) as e:
        M.logline(local, peer, kind, "end %r" % e)
    finally:
        M.logline(local, peer, kind, "close")
        try:
            writer.close()
        except Exception:  # noqa: BLE001
            pass


async def main():
    global ARGS
    ap = argparse.ArgumentParser()
    for o in ("--cert", "--key", "--rsa-cert", "--rsa-key", "--extra", "--log", "--ready"):
        ap.add_argument(o, required=True)
    ap.add_argument("servers", nargs="+", help="ADDR=BEHAVIOUR")
    ARGS = ap.parse_args()
    M.LOGF = open(ARGS.log, "a")
    modern = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    modern.load_cert_chain(ARGS.cert, ARGS.key)
    CTX["modern"] = modern
    servers = []
    for spec in ARGS.servers:
        addr, beh = spec.split("=", 1)
        BEHAVIOURS[addr] = beh
        kind, _, arg = beh.partition("=")
        if kind == "dhe":
            CTX[beh] = dhe_ctx(arg)
        elif kind == "chain":
            CTX[beh] = chain_ctx(int(arg), os.path.dirname(ARGS.log))
        servers.append(await asyncio.start_server(handle, addr, 25, reuse_address=True))
    await M.serve_until_killed(ARGS.ready)


if __name__ == "__main__":
    M.run_server(main)
