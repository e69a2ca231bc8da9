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
  greet-421     "421 4.7.0 too many connections", then closes (a per-client limit: the
                scanner retries it, and every attempt gets the same)
  close-banner  a 220 banner, then closes at once (FIN), before EHLO (a postscreen-like drop)
  reset-ehlo    a 220 banner, reads EHLO, then resets the connection (SO_LINGER 0: RST)
  ehlo-554      a 220 banner, then "554 5.7.1 go away" to EHLO and HELO
  tls10         normal ESMTP, STARTTLS -> TLS 1.0 only (SECLEVEL=0)
  special       normal ESMTP without TLS: the special-purpose address test asserts that it
                never receives a connection

Hostile peers (issue 5; every one must end in a precise error, never a crash or a hang):
  longline      "220-" followed by 1 MiB without a line end
  endless       normal banner; EHLO -> an endless "250-" continuation (until the client leaves)
  nul           NUL bytes and invalid UTF-8 in the banner and in the 454 reply to STARTTLS
  slowloris     the banner one byte per second
  close-ehlo    closes the connection when EHLO arrives
  close-tls     STARTTLS -> 220, reads the ClientHello, closes (mid-handshake)
  tls-garbage   STARTTLS -> 220, waits for the ClientHello, then a TLS record header with an
                impossible length and junk
  inject-late   STARTTLS -> "220 Ready", 0.3 s later "250-INJECTED" in a later TCP segment,
                then TLS (memory-BIO TLS, so the ClientHello that arrived meanwhile is kept)
  inject-flood  STARTTLS -> "220 Ready", 0.3 s later plaintext lines (64 KiB), never TLS
  chain50       TLS with a chain of 50 intermediates (--ctx chain50=CERT:KEY)
  bigcert       TLS with a ~65 KiB leaf certificate (thousands of SANs)
  hugecert      TLS with a ~147 KiB leaf (over OpenSSL's 100 KiB max certificate list)

Every accepted connection is logged ("<unix time> <local addr> <peer> <behaviour> <event>")
to --log, flushed immediately. With --refuser ADDR, also answers every DNS query on ADDR:53
(UDP and TCP) with REFUSED (a quick SERVFAIL for a zone delegated there).

usage: misbehave.py --cert C --key K --log FILE [--ready FILE] [--refuser ADDR]
                   [--ctx NAME=CERT:KEY]... ADDR=BEHAVIOUR...
"""
import argparse
import asyncio
import os
import socket
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


class MemTLS:
    """Server-side TLS over an asyncio stream through memory BIOs. Unlike start_tls it
    keeps bytes the stream reader already buffered (a ClientHello that arrived while the
    server was still writing plaintext), and it offers readline/write/drain like a stream."""

    def __init__(self, reader, writer, ctx):
        self.r, self.w = reader, writer
        self.inc, self.out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.obj = ctx.wrap_bio(self.inc, self.out, server_side=True)
        self.buf = b""

    def _flush(self):
        d = self.out.read()
        if d:
            self.w.write(d)

    async def _fill(self):
        d = await asyncio.wait_for(self.r.read(65536), 30)
        if not d:
            raise EOFError
        self.inc.write(d)

    async def handshake(self):
        while True:
            try:
                self.obj.do_handshake()
                self._flush()
                await self.w.drain()
                return
            except ssl.SSLWantReadError:
                self._flush()
                await self.w.drain()
                await self._fill()

    async def readline(self):
        while b"\n" not in self.buf:
            try:
                self.buf += self.obj.read(65536)
            except ssl.SSLWantReadError:
                await self._fill()
            except ssl.SSLZeroReturnError:
                return b""
        i = self.buf.index(b"\n") + 1
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def write(self, data):
        self.obj.write(data)
        self._flush()

    async def drain(self):
        await self.w.drain()


async def hostile(reader, writer, name, behaviour, local, peer):
    """The hostile peers (see the module docstring). Returns when the dialogue is over."""
    if behaviour == "longline":
        writer.write(b"220-" + b"a" * (1 << 20))
        await writer.drain()
        await asyncio.wait_for(reader.read(1), 60)
        return
    if behaviour == "slowloris":
        for b in b"220 mx.slowloris.mxlab ESMTP\r\n":
            writer.write(bytes([b]))
            await writer.drain()
            await asyncio.sleep(1)
        return
    if behaviour == "nul":
        writer.write(b"220 mx.nul.mxlab \x00NUL \xff\xfe\xc3\x28 ESMTP\r\n")
    else:
        writer.write(("220 %s ESMTP hostile\r\n" % name).encode())
    await writer.drain()
    cmd = await readline(reader)
    logline(local, peer, behaviour, "cmd " + ascii(cmd[:60]))
    if behaviour == "close-ehlo":
        return
    if behaviour == "endless":
        sent = 0
        line = b"250-" + b"x" * 60 + b"\r\n"
        while sent < (64 << 20):   # the client leaves long before; a bound all the same
            writer.write(line * 64)
            await writer.drain()
            sent += len(line) * 64
        return
    writer.write(("250-%s\r\n250-PIPELINING\r\n250 STARTTLS\r\n" % name).encode())
    await writer.drain()
    cmd = await readline(reader)
    logline(local, peer, behaviour, "cmd " + ascii(cmd[:60]))
    if not cmd.upper().startswith("STARTTLS"):
        return
    if behaviour == "nul":
        writer.write(b"454 4.7.0 \x00\xed\xa0\x80\xff bad\r\n")
        await writer.drain()
        await esmtp(reader, writer, name, behaviour, local, peer, starttls=False)
        return
    writer.write(b"220 2.0.0 Ready to start TLS\r\n")
    await writer.drain()
    if behaviour == "close-tls":
        await asyncio.wait_for(reader.read(5), 30)   # the start of the ClientHello
        return
    if behaviour == "tls-garbage":
        # after the ClientHello (so the bytes cannot share the 220's segment): a handshake
        # record header claiming 65535 bytes (more than TLS allows), then junk
        await asyncio.wait_for(reader.read(5), 30)
        writer.write(b"\x16\x03\x03\xff\xff" + b"\xde\xad\xbe\xef" * 64)
        await writer.drain()
        await asyncio.wait_for(reader.read(65536), 30)
        return
    if behaviour == "inject-late":
        await asyncio.sleep(0.3)
        writer.write(b"250-INJECTED\r\n")
        await writer.drain()
        await asyncio.sleep(0.3)
        t = MemTLS(reader, writer, CTX["modern"])
        await t.handshake()
        logline(local, peer, behaviour, "tls %s" % t.obj.version())
        await esmtp(t, t, name, behaviour, local, peer, tls_active=True)
        return
    if behaviour == "inject-flood":
        await asyncio.sleep(0.3)
        line = b"250-FLOOD " + b"f" * 1012 + b"\r\n"   # 1 KiB
        for _ in range(8):
            writer.write(line * 8)
            await writer.drain()
        await asyncio.wait_for(reader.read(65536), 30)
        return
    ctx = CTX[behaviour]   # chain50, bigcert, hugecert
    try:
        await asyncio.wait_for(writer.start_tls(ctx), 30)
    except Exception as e:  # noqa: BLE001
        logline(local, peer, behaviour, "tls-failed %r" % e)
        raise EOFError
    logline(local, peer, behaviour, "tls")
    await esmtp(reader, writer, name, behaviour, local, peer, tls_active=True)


async def refuse_until_quit(reader, writer, cmd, reply, log=lambda c: None):
    """Answers cmd and every later command with reply, QUIT with 221; then returns."""
    while not cmd.upper().startswith("QUIT"):
        writer.write(reply)
        await writer.drain()
        cmd = await readline(reader)
        log(cmd)
    writer.write(b"221 2.0.0 Bye\r\n")
    await writer.drain()


async def gone(reader, writer, name, behaviour, local, peer):
    """The servers that refuse or drop the scanner before EHLO is answered (issue 19): what
    the record must call refused or lost, never "no STARTTLS"."""
    if behaviour == "greet-421":
        writer.write(b"421 4.7.0 too many connections\r\n")
        await writer.drain()
        return
    writer.write(("220 %s ESMTP misbehave\r\n" % name).encode())
    await writer.drain()
    if behaviour == "close-banner":
        # FIN at once (shutdown, write side); what the client still sends is read and
        # dropped, so that no RST races the FIN: it sees "connection closed by server"
        writer.write_eof()
        while await asyncio.wait_for(reader.read(4096), 30):
            pass
        return
    cmd = await readline(reader)
    logline(local, peer, behaviour, "cmd " + ascii(cmd[:60]))
    if behaviour == "reset-ehlo":
        # linger on, timeout 0: close() sends RST instead of FIN (ECONNRESET at the client)
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
        return
    # ehlo-554: every command refused, QUIT answered
    await refuse_until_quit(reader, writer, cmd, b"554 5.7.1 go away\r\n",
                            lambda c: logline(local, peer, behaviour, "cmd " + ascii(c[:60])))


GONE = {"greet-421", "close-banner", "reset-ehlo", "ehlo-554"}
HOSTILE = {"longline", "endless", "nul", "slowloris", "close-ehlo", "close-tls", "tls-garbage",
           "inject-late", "inject-flood", "chain50", "bigcert", "hugecert"}


async def handle(reader, writer):
    sock = writer.get_extra_info("sockname")
    peer = "%s:%d" % writer.get_extra_info("peername")[:2]
    local = sock[0]
    behaviour = BEHAVIOURS.get(local, "silent")
    logline(local, peer, behaviour, "connect")
    name = "mx.%s.mxlab" % behaviour
    try:
        if behaviour in HOSTILE:
            await hostile(reader, writer, name, behaviour, local, peer)
        elif behaviour == "silent":
            while await reader.read(4096):
                pass
        elif behaviour == "garbage":
            writer.write(b"SSH-2.0-OpenSSH_9.2\r\n")
            await writer.drain()
            while await asyncio.wait_for(reader.read(4096), 60):
                pass
        elif behaviour in GONE:
            await gone(reader, writer, name, behaviour, local, peer)
        elif behaviour == "banner-554":
            writer.write(b"554 5.7.1 No SMTP service here\r\n")
            await writer.drain()
            await refuse_until_quit(reader, writer, await readline(reader),
                                    b"503 5.5.1 Error: no SMTP service\r\n")
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


async def serve_until_killed(ready):
    """Says that every listener is up (the ready file, holding our pid, which the test
    driver waits for), then serves until the driver ends us. Shared by the servers of the
    world and of the hostile suite."""
    if ready:
        with open(ready, "w") as f:
            f.write("%d\n" % os.getpid())
    await asyncio.Event().wait()


def run_server(main):
    """asyncio.run(main()); the interrupt that ends a server is no failure (status 0)."""
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass


async def main():
    global LOGF
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--ready")
    ap.add_argument("--refuser")
    ap.add_argument("--port", type=int, default=25)
    ap.add_argument("--ctx", action="append", default=[], help="NAME=CERT:KEY (hostile TLS)")
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
    for spec in a.ctx:
        cname, files = spec.split("=", 1)
        cert, key = files.split(":", 1)
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        c.load_cert_chain(cert, key)
        CTX[cname] = c
    servers = []
    for spec in a.servers:
        addr, beh = spec.split("=", 1)
        BEHAVIOURS[addr] = beh
        servers.append(await asyncio.start_server(handle, addr, a.port, reuse_address=True))
    if a.refuser:
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(RefuserUDP, local_addr=(a.refuser, 53))
        servers.append(await asyncio.start_server(refuser_tcp, a.refuser, 53, reuse_address=True))
    print("misbehave: listening on %s" % ", ".join(a.servers), flush=True)
    await serve_until_killed(a.ready)


if __name__ == "__main__":
    run_server(main)
