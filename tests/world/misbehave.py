#!/usr/bin/env python3
"""Misbehaving SMTP servers for mxsurvey's test world (python3 stdlib only).

One asyncio process listens on port 25 of several 127.0.2.X addresses; the behaviour of a
connection is chosen by the local address the client dialled (getsockname):
  silent        accepts, never sends a banner (waits for the client to give up)
  garbage       sends "SSH-2.0-OpenSSH_9.2\\r\\n" and waits
  starttls-454  normal ESMTP with STARTTLS advertised; STARTTLS -> 454 4.7.0
  inject        STARTTLS -> "220 2.0.0 Ready to start TLS\\r\\n250-INJECTED\\r\\n" in ONE write,
                then a TLS handshake (CA-signed cert), then ESMTP inside TLS
  banner-554    "554 5.7.1 No SMTP service here", then 503 to everything but QUIT
  tls10         normal ESMTP, STARTTLS -> TLS 1.0 only (SECLEVEL=0)
  special       normal ESMTP without TLS: the special-purpose address test asserts that it
                never receives a connection

Every accepted connection is logged ("<unix time> <local addr> <peer> <behaviour> <event>")
to --log, flushed immediately. With --refuser ADDR, also answers every DNS query on ADDR:53
(UDP and TCP) with REFUSED (a quick SERVFAIL for a zone delegated there).

usage: misbehave.py --cert C --key K --log FILE [--ready FILE] [--refuser ADDR] ADDR=BEHAVIOUR...
"""
import argparse
import asyncio
import os
import ssl
import struct
import sys
import time
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)

BEHAVIOURS = {}
LOGF = None
CTX = {}


def logline(local, peer, behaviour, event):
    LOGF.write("%.3f %s %s %s %s\n" % (time.time(), local, peer, behaviour, event))
    LOGF.flush()


async def readline(reader, timeout=60):
    line = await asyncio.wait_for(reader.readline(), timeout)
    if not line:
        raise EOFError
    return line.decode("latin-1").rstrip("\r\n")


async def esmtp(reader, writer, name, behaviour, local, peer, tls_active=False, starttls=True):
    """A tiny ESMTP dialogue. Returns ("starttls", None) when the caller must do TLS."""
    while True:
        cmd = await readline(reader)
        verb = cmd.split(" ")[0].upper()
        logline(local, peer, behaviour, "cmd " + ascii(cmd[:60]))
        if verb == "EHLO":
            lines = [name, "PIPELINING", "SIZE 10240000", "8BITMIME"]
            if starttls and not tls_active:
                lines.append("STARTTLS")
            out = "".join("250-%s\r\n" % l for l in lines[:-1]) + "250 %s\r\n" % lines[-1]
            writer.write(out.encode())
        elif verb == "HELO":
            writer.write(b"250 " + name.encode() + b"\r\n")
        elif verb == "STARTTLS" and starttls and not tls_active:
            return "starttls"
        elif verb == "QUIT":
            writer.write(b"221 2.0.0 Bye\r\n")
            await writer.drain()
            return "quit"
        elif verb in ("NOOP", "RSET", "MAIL", "RCPT"):
            writer.write(b"250 2.0.0 Ok\r\n")
        else:
            writer.write(b"502 5.5.2 Error: command not recognized\r\n")
        await writer.drain()


async def handle(reader, writer):
    sock = writer.get_extra_info("sockname")
    peer = "%s:%d" % writer.get_extra_info("peername")[:2]
    local = sock[0]
    behaviour = BEHAVIOURS.get(local, "silent")
    logline(local, peer, behaviour, "connect")
    name = "mx.%s.mxlab" % behaviour
    try:
        if behaviour == "silent":
            while await reader.read(4096):
                pass
        elif behaviour == "garbage":
            writer.write(b"SSH-2.0-OpenSSH_9.2\r\n")
            await writer.drain()
            while await asyncio.wait_for(reader.read(4096), 60):
                pass
        elif behaviour == "banner-554":
            writer.write(b"554 5.7.1 No SMTP service here\r\n")
            await writer.drain()
            while True:
                cmd = await readline(reader)
                if cmd.upper().startswith("QUIT"):
                    writer.write(b"221 2.0.0 Bye\r\n")
                    await writer.drain()
                    break
                writer.write(b"503 5.5.1 Error: no SMTP service\r\n")
                await writer.drain()
        else:
            writer.write(("220 %s ESMTP misbehave\r\n" % name).encode())
            await writer.drain()
            r = await esmtp(reader, writer, name, behaviour, local, peer,
                            starttls=behaviour != "special")
            if r == "starttls":
                if behaviour == "starttls-454":
                    writer.write(b"454 4.7.0 TLS not available due to local problem\r\n")
                    await writer.drain()
                    r = await esmtp(reader, writer, name, behaviour, local, peer, starttls=False)
                else:
                    if behaviour == "inject":
                        writer.write(b"220 2.0.0 Ready to start TLS\r\n250-INJECTED\r\n")
                        ctx = CTX["modern"]
                    else:
                        writer.write(b"220 2.0.0 Ready to start TLS\r\n")
                        ctx = CTX["tls10"]
                    await writer.drain()
                    try:
                        await asyncio.wait_for(writer.start_tls(ctx), 30)
                    except Exception as e:  # noqa: BLE001
                        logline(local, peer, behaviour, "tls-failed %r" % e)
                        raise EOFError
                    so = writer.get_extra_info("ssl_object")
                    logline(local, peer, behaviour, "tls %s" % (so.version() if so else "?"))
                    await esmtp(reader, writer, name, behaviour, local, peer, tls_active=True)
    except (EOFError, ConnectionError, asyncio.TimeoutError, ssl.SSLError, OSError):
        pass
    finally:
        logline(local, peer, behaviour, "close")
        try:
            writer.close()
        except Exception:  # noqa: BLE001
            pass


# ---- DNS refuser ----------------------------------------------------------------------
def refused(query):
    if len(query) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", query[:6])
    # copy the question section (name + type + class)
    i = 12
    try:
        while query[i] != 0:
            i += 1 + query[i]
        i += 5
    except IndexError:
        return None
    opcode_rd = flags & 0x7900
    return struct.pack("!HHHHHH", qid, 0x8000 | opcode_rd | 5, 1 if qd else 0, 0, 0, 0) + \
        (query[12:i] if qd else b"")


class RefuserUDP(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.t = transport

    def datagram_received(self, data, addr):
        r = refused(data)
        if r:
            self.t.sendto(r, addr)


async def refuser_tcp(reader, writer):
    try:
        while True:
            n = struct.unpack("!H", await reader.readexactly(2))[0]
            r = refused(await reader.readexactly(n))
            if not r:
                break
            writer.write(struct.pack("!H", len(r)) + r)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    writer.close()


async def main():
    global LOGF
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready")
    ap.add_argument("--refuser")
    ap.add_argument("--port", type=int, default=25)
    ap.add_argument("servers", nargs="+", help="ADDR=BEHAVIOUR")
    a = ap.parse_args()
    LOGF = open(a.log, "a")
    modern = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    modern.load_cert_chain(a.cert, a.key)
    CTX["modern"] = modern
    old = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        old.minimum_version = ssl.TLSVersion.TLSv1
        old.maximum_version = ssl.TLSVersion.TLSv1
        old.set_ciphers("ALL:@SECLEVEL=0")
    except (ValueError, ssl.SSLError) as e:
        print("misbehave: TLS 1.0 not available: %r" % e, file=sys.stderr)
    old.load_cert_chain(a.cert, a.key)
    CTX["tls10"] = old
    servers = []
    for spec in a.servers:
        addr, beh = spec.split("=", 1)
        BEHAVIOURS[addr] = beh
        servers.append(await asyncio.start_server(handle, addr, a.port, reuse_address=True))
    if a.refuser:
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(RefuserUDP, local_addr=(a.refuser, 53))
        servers.append(await asyncio.start_server(refuser_tcp, a.refuser, 53, reuse_address=True))
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("%d\n" % os.getpid())
    print("misbehave: listening on %s" % ", ".join(a.servers), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
