#!/usr/bin/env python3
# Issue 15, the STARTTLS probe's offer mode against real servers (ctest tls.offer_servers):
# tests/tls/offer_probe sends one hand-built ClientHello through the scheduler and
# smtp_probe_start (opts.offer) after the 220 to STARTTLS; the answer it prints must be the
# one each server really gives. The servers, all behind this script's small ESMTP dialogue
# (greeting, EHLO with STARTTLS, STARTTLS; the TLS side is real):
#   4510  Python ssl (OpenSSL), TLS 1.0 to 1.2 at security level 0
#   4512  Python ssl, TLS 1.2 only
#   4513  Python ssl, TLS 1.3 only
#   4515  gnutls-serv --priority NORMAL:+3DES-CBC:+VERS-TLS1.0 (3DES, which Debian's
#         OpenSSL 3.0 cannot serve), reached through the dialogue: after the 220 to
#         STARTTLS the connection is relayed byte for byte to gnutls-serv (which has no
#         STARTTLS of its own)
#   4520  a 421 greeting on every connection (retried by the scheduler; no answer)
#   4521  closes the connection right after its 220 to STARTTLS (answer "closed")
#   4522  injects a plaintext line after the 220 to STARTTLS, then TLS 1.2 (counted,
#         skipped, the ServerHello read)
#   4523  454 to STARTTLS (engaged, nothing offered, no answer)
#   4524  silent after its 220 to STARTTLS (the TLS stage's deadline: no answer)
# Everything runs on loopback inside a network namespace this script makes
# (`unshare -n`, `ip link set lo up`): no other address is ever contacted. Needs root,
# openssl and gnutls-serv (gnutls-bin, scripts/install-deps.sh). A few seconds.
#
# usage: offer_servers.py --probe PATH_TO_offer_probe
import argparse
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tlsns  # noqa: E402

MARK = "MXS_OFFER_NETNS"

ENGAGED_HELLO = {"outcome": "engaged", "attempts": "1", "offer_sent": "1",
                 "err_stage": "none"}

# (case, port, probe arguments, expected key=value pairs of offer_probe's line)
CASES = [
    # TLS 1.0 to 1.2 (OpenSSL at security level 0): every version up to 1.2 accepted as
    # offered; SSLv3 refused with handshake_failure (OpenSSL 3 has no SSLv3 at all), TLS 1.3
    # alone with protocol_version
    ("o10-ssl3", 4510, ["ssl3", "002f,000a"],
     dict(ENGAGED_HELLO, answer="alert", level="2", desc="40")),
    ("o10-tls1", 4510, ["tls1", "c013,002f"],
     dict(ENGAGED_HELLO, answer="server_hello", version="0x0301", suite="0xc013", reneg="1")),
    ("o10-tls11", 4510, ["tls1.1", "c013,002f"],
     dict(ENGAGED_HELLO, answer="server_hello", version="0x0302", suite="0xc013")),
    # (Python's ssl sets OpenSSL's server preference: its own first choice, AES-256, wins)
    ("o10-tls12", 4510, ["tls1.2", "c02f,c030"],
     dict(ENGAGED_HELLO, answer="server_hello", version="0x0303", suite="0xc030", reneg="1",
          retry="0")),
    ("o10-tls13", 4510, ["tls1.3", "1301,1302"],
     dict(ENGAGED_HELLO, answer="alert", level="2", desc="70")),
    # TLS 1.2 only
    ("o12-ssl3", 4512, ["ssl3", "002f,000a"], dict(ENGAGED_HELLO, answer="alert", level="2", desc="40")),
    ("o12-tls1", 4512, ["tls1", "c013,002f"], dict(ENGAGED_HELLO, answer="alert", level="2", desc="70")),
    ("o12-tls11", 4512, ["tls1.1", "c013,002f"], dict(ENGAGED_HELLO, answer="alert", level="2", desc="70")),
    ("o12-tls12", 4512, ["tls1.2", "c030,c02f"],
     dict(ENGAGED_HELLO, answer="server_hello", version="0x0303", suite="0xc030")),
    ("o12-tls12-noreneg", 4512, ["tls1.2", "c02f", "--reneg", "none"],
     dict(ENGAGED_HELLO, answer="server_hello", reneg="0")),
    ("o12-tls13", 4512, ["tls1.3", "1301"], dict(ENGAGED_HELLO, answer="alert", level="2", desc="70")),
    # TLS 1.3 only: accepted with a share, a HelloRetryRequest without one
    ("o13-tls13", 4513, ["tls1.3", "1302"],
     dict(ENGAGED_HELLO, answer="server_hello", version="0x0304", suite="0x1302",
          group="0x001d", reneg="0")),
    ("o13-hrr", 4513, ["tls1.3", "1301", "--no-share", "--groups", "0017"],
     dict(ENGAGED_HELLO, answer="hello_retry_request", version="0x0304", group="0x0017",
          retry="1")),
    ("o13-tls12", 4513, ["tls1.2", "c02f,c030"], dict(ENGAGED_HELLO, answer="alert", level="2", desc="70")),
    ("o13-tls1", 4513, ["tls1", "c013"], dict(ENGAGED_HELLO, answer="alert", level="2", desc="70")),
    # GnuTLS behind STARTTLS: 3DES accepted, in TLS 1.2 and 1.0; RC4 refused
    ("g-3des", 4515, ["tls1.2", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"],
     dict(ENGAGED_HELLO, answer="server_hello", version="0x0303", suite="0x000a",
          name="TLS_RSA_WITH_3DES_EDE_CBC_SHA", reneg="1")),
    ("g-3des-tls1", 4515, ["tls1", "000a"],
     dict(ENGAGED_HELLO, answer="server_hello", version="0x0301", suite="0x000a")),
    ("g-rc4", 4515, ["tls1.2", "0005,0004"],
     dict(ENGAGED_HELLO, answer="alert", level="2", desc="40")),
    # the server refuses our connection, not a version: retried, then no answer
    ("busy", 4520, ["tls1", "c013", "--retries", "1"],
     {"outcome": "refused", "attempts": "2", "retry": "421_4.7.0_busy", "offer_sent": "0",
      "answer": "none", "err_stage": "banner"}),
    # closed after the 220 to STARTTLS: the answer is "closed" (no error)
    ("close", 4521, ["tls1.2", "c02f"],
     dict(ENGAGED_HELLO, answer="closed", bytes="0")),
    # plaintext injected after the 220: counted and skipped, the ServerHello read
    ("inject", 4522, ["tls1.2", "c02f"],
     dict(ENGAGED_HELLO, answer="server_hello", version="0x0303", suite="0xc02f",
          injected="24")),
    # STARTTLS refused: engaged, but nothing was offered, so no answer
    ("no-starttls", 4523, ["tls1.2", "c02f"],
     {"outcome": "engaged", "offer_sent": "0", "answer": "none", "err_stage": "starttls"}),
    # silence after the 220: the TLS stage's deadline, no answer (never "refused")
    ("silent", 4524, ["tls1.2", "c02f", "--t-tls", "1"],
     {"outcome": "engaged", "offer_sent": "1", "answer": "none", "bytes": "0",
      "err_stage": "tls", "err": "timeout"}),
]

INJECTED = b"250 injected after 220\r\n"   # 24 bytes


def readline(f):
    line = f.readline(1024)
    if not line:
        raise EOFError
    return line.strip().upper()


def dialogue(conn, kind, ctx, relay_port):
    """This script's ESMTP side; after the 220 to STARTTLS, the TLS side per kind."""
    f = conn.makefile("rb")
    if kind == "busy":
        conn.sendall(b"421 4.7.0 busy\r\n")
        return
    conn.sendall(b"220 mx.offer.mxlab ESMTP\r\n")
    while True:
        cmd = readline(f)
        if cmd.startswith(b"EHLO"):
            conn.sendall(b"250-mx.offer.mxlab\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
        elif cmd == b"STARTTLS":
            break
        elif cmd == b"QUIT":
            conn.sendall(b"221 2.0.0 bye\r\n")
            return
        else:
            conn.sendall(b"500 5.5.2 what\r\n")
    if kind == "no-starttls":
        conn.sendall(b"454 4.7.0 TLS not available\r\n")
        while readline(f) != b"QUIT":
            pass
        conn.sendall(b"221 2.0.0 bye\r\n")
        return
    conn.sendall(b"220 2.0.0 Ready to start TLS\r\n" + (INJECTED if kind == "inject" else b""))
    if kind == "close":
        return
    if kind == "silent":
        conn.settimeout(5)
        conn.recv(65536)
        time.sleep(3)
        return
    if relay_port:
        relay(conn, relay_port)
        return
    tls = ctx.wrap_socket(conn, server_side=True)   # the handshake; the client then closes
    tls.close()


def relay(conn, port):
    """Byte for byte between conn and 127.0.0.1:port until either side ends."""
    back = socket.create_connection(("127.0.0.1", port), timeout=5)

    def pump(a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                b.sendall(d)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
    t = threading.Thread(target=pump, args=(back, conn), daemon=True)
    t.start()
    pump(conn, back)
    t.join(5)
    back.close()


def serve(port, kind, ctx=None, relay_port=None):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)

    def one(conn):
        conn.settimeout(10)
        try:
            dialogue(conn, kind, ctx, relay_port)
        except (OSError, EOFError, ssl.SSLError):
            pass
        finally:
            conn.close()

    def run():
        while True:
            c, _ = s.accept()
            threading.Thread(target=one, args=(c,), daemon=True).start()
    threading.Thread(target=run, daemon=True).start()


def context(cert, key, lo, hi, seclevel0=False):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if seclevel0:
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.minimum_version = lo
    ctx.maximum_version = hi
    return ctx




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--probe", required=True)
    args = ap.parse_args()
    rc = tlsns.enter_namespace(MARK, "tls.offer_servers")
    if rc is not None:
        return rc
    if tlsns.missing_tools("openssl", "gnutls-serv"):
        return 1
    tmp = tempfile.mkdtemp(prefix="offer-servers-")
    key, cert = tlsns.self_signed(tmp, "offer.mxlab")
    V = ssl.TLSVersion
    warnings.simplefilter("ignore", DeprecationWarning)   # TLSv1 and TLSv1_1: on purpose
    serve(4510, "tls", context(cert, key, V.TLSv1, V.TLSv1_2, seclevel0=True))
    serve(4512, "tls", context(cert, key, V.TLSv1_2, V.TLSv1_2))
    serve(4513, "tls", context(cert, key, V.TLSv1_3, V.TLSv1_3))
    gnutls = subprocess.Popen(
        ["gnutls-serv", "-p", "4615", "--x509certfile", cert, "--x509keyfile", key,
         "--priority", "NORMAL:+3DES-CBC:+VERS-TLS1.0:+VERS-TLS1.1"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    serve(4515, "relay", relay_port=4615)
    serve(4520, "busy")
    serve(4521, "close")
    serve(4522, "inject", context(cert, key, V.TLSv1_2, V.TLSv1_2))
    serve(4523, "no-starttls")
    serve(4524, "silent")
    failed = 0
    try:
        if not tlsns.wait_port(4615, time.time() + 20):
            print("gnutls-serv did not start", file=sys.stderr)
            return 1
        for name, port, pargs, want in CASES:
            cmd = [args.probe, str(port)] + pargs
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
            line = out.stdout.strip()
            got = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
            bad = {k: v for k, v in want.items() if got.get(k) != v}
            ok = not bad and out.returncode == 0
            print(("ok   " if ok else "FAIL ") + f"{name}: {line}")
            if not ok:
                failed += 1
                print(f"     expected {want}; stderr: {out.stderr.strip()}")
    finally:
        gnutls.terminate()
        gnutls.wait(timeout=5)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(CASES) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
