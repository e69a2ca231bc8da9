#!/usr/bin/env python3
# Issue 15, the hello codec against real TLS servers (ctest tls.hello_servers): the
# ClientHellos of tls/hello_build.c, sent by tests/tls/hello_probe, must get the answer each
# server really gives, as read by tls/hello_peek.c. The servers:
#   openssl s_server -tls1_2                       (TLS 1.2 only)
#   openssl s_server -tls1_3                       (TLS 1.3 only)
#   openssl s_server -tls1_2 -cipher NULL-SHA256:@SECLEVEL=0   (a NULL suite)
#   gnutls-serv --priority NORMAL:+3DES-CBC:+VERS-TLS1.0:+VERS-TLS1.1   (3DES, which
#       Debian's OpenSSL 3.0 cannot serve or offer; TLS 1.0 to 1.3)
# and two plain sockets of this script: one answers like an SMTP server ("220 ..."), one
# closes at once, one sends half a ServerHello and closes.
# Everything runs on loopback inside a network namespace this script makes
# (`unshare -n`, `ip link set lo up`): no other address is ever contacted. Needs root,
# openssl and gnutls-serv (gnutls-bin, scripts/install-deps.sh). A few seconds.
#
# usage: hello_servers.py --probe PATH_TO_hello_probe [--dump DIR]
#   --dump DIR writes each server's raw answer to DIR/<case> (seeds for fuzz_hello_peek).
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tlsns  # noqa: E402

MARK = "MXS_HELLO_NETNS"

# (case, port, probe arguments, expected key=value pairs of hello_probe's line)
CASES = [
    # TLS 1.2 only (OpenSSL): each older version refused with protocol_version (70), SSLv3
    # with handshake_failure (40: OpenSSL 3 has no SSLv3 method at all), TLS 1.3 with 70
    ("o12-ssl3", 4412, ["ssl3", "002f,000a"], {"answer": "alert", "level": "2", "desc": "40"}),
    ("o12-tls1", 4412, ["tls1", "c013,002f"], {"answer": "alert", "level": "2", "desc": "70"}),
    ("o12-tls11", 4412, ["tls1.1", "c013,002f"], {"answer": "alert", "desc": "70"}),
    ("o12-tls12", 4412, ["tls1.2", "c02f,1301"],
     {"answer": "server_hello", "version": "0x0303", "suite": "0xc02f", "reneg": "1"}),
    ("o12-tls12-noreneg", 4412, ["tls1.2", "c02f", "--reneg", "none"],
     {"answer": "server_hello", "version": "0x0303", "reneg": "0"}),
    ("o12-tls12-scsv", 4412, ["tls1.2", "c02f", "--reneg", "scsv"],
     {"answer": "server_hello", "reneg": "1"}),
    ("o12-tls13", 4412, ["tls1.3", "1301,1302"], {"answer": "alert", "desc": "70"}),
    # the order of our offer is kept: the server (no server order) takes our first suite
    ("o12-order", 4412, ["tls1.2", "c030,c02f"], {"answer": "server_hello", "suite": "0xc030"}),
    # TLS 1.3 only (OpenSSL): 0x0304 in supported_versions; no share for its group: HRR
    ("o13-tls13", 4413, ["tls1.3", "1302"],
     {"answer": "server_hello", "version": "0x0304", "suite": "0x1302", "group": "0x001d",
      "reneg": "0"}),
    ("o13-hrr-x25519", 4413, ["tls1.3", "1301", "--no-share"],
     {"answer": "hello_retry_request", "version": "0x0304", "group": "0x001d"}),
    ("o13-hrr-p256", 4413, ["tls1.3", "1301", "--no-share", "--groups", "0017"],
     {"answer": "hello_retry_request", "version": "0x0304", "group": "0x0017"}),
    ("o13-tls12", 4413, ["tls1.2", "c02f,c030"], {"answer": "alert", "desc": "70"}),
    # a NULL suite at security level 0 (OpenSSL)
    ("onull-null", 4414, ["tls1.2", "TLS_RSA_WITH_NULL_SHA256"],
     {"answer": "server_hello", "suite": "0x003b", "name": "TLS_RSA_WITH_NULL_SHA256"}),
    ("onull-gcm", 4414, ["tls1.2", "c02f,009c"], {"answer": "alert", "desc": "40"}),
    # GnuTLS with 3DES
    ("g-3des", 4415, ["tls1.2", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"],
     {"answer": "server_hello", "version": "0x0303", "suite": "0x000a",
      "name": "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "reneg": "1"}),
    ("g-3des-tls1", 4415, ["tls1", "000a"],
     {"answer": "server_hello", "version": "0x0301", "suite": "0x000a"}),
    ("g-rc4", 4415, ["tls1.2", "0005,0004"], {"answer": "alert", "level": "2", "desc": "40"}),
    ("g-ssl3", 4415, ["ssl3", "000a"], {"answer": "alert", "desc": "70"}),
    ("g-tls13", 4415, ["tls1.3", "1301"],
     {"answer": "server_hello", "version": "0x0304", "suite": "0x1301", "group": "0x001d"}),
    ("g-noreneg", 4415, ["tls1.2", "c02f", "--reneg", "none"],
     {"answer": "server_hello", "suite": "0xc02f", "reneg": "0"}),
    # not TLS servers
    ("smtp", 4416, ["tls1.2", "c02f"], {"answer": "not_tls"}),
    ("close", 4417, ["tls1.2", "c02f"], {"answer": "closed"}),
    ("half", 4418, ["tls1.2", "c02f"], {"answer": "truncated"}),
]

HALF_HELLO = bytes([22, 3, 3, 0, 60, 2, 0, 0, 56, 3, 3]) + bytes(20)


def plain_server(port, answer):
    """A socket on 127.0.0.1:port that reads a little, sends answer and closes."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(8)

    def run():
        while True:
            c, _ = s.accept()
            c.settimeout(2)
            try:
                c.recv(4096)
                if answer:
                    c.sendall(answer)
            except OSError:
                pass
            c.close()
    threading.Thread(target=run, daemon=True).start()




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--probe", required=True)
    ap.add_argument("--dump")
    args = ap.parse_args()
    rc = tlsns.enter_namespace(MARK, "tls.hello_servers")
    if rc is not None:
        return rc
    if tlsns.missing_tools("openssl", "gnutls-serv"):
        return 1
    tmp = tempfile.mkdtemp(prefix="hello-servers-")
    key, cert = tlsns.self_signed(tmp, "hello.mxlab")
    ossl = ["openssl", "s_server", "-cert", cert, "-key", key, "-www", "-quiet"]
    servers = [
        ossl + ["-accept", "127.0.0.1:4412", "-tls1_2"],
        ossl + ["-accept", "127.0.0.1:4413", "-tls1_3"],
        ossl + ["-accept", "127.0.0.1:4414", "-tls1_2", "-cipher", "NULL-SHA256:@SECLEVEL=0"],
        ["gnutls-serv", "-p", "4415", "--x509certfile", cert, "--x509keyfile", key,
         "--priority", "NORMAL:+3DES-CBC:+VERS-TLS1.0:+VERS-TLS1.1"],
    ]
    procs = [subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for cmd in servers]
    plain_server(4416, b"220 mx.hello.mxlab ESMTP\r\n")
    plain_server(4417, b"")
    plain_server(4418, HALF_HELLO)
    failed = 0
    try:
        deadline = time.time() + 20
        for port in (4412, 4413, 4414, 4415):
            if not tlsns.wait_port(port, deadline):
                print(f"server on port {port} did not start", file=sys.stderr)
                return 1
        for name, port, pargs, want in CASES:
            cmd = [args.probe, str(port)] + pargs
            if args.dump:
                cmd += ["--dump", os.path.join(args.dump, name)]
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=15)
            line = out.stdout.strip()
            got = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
            bad = {k: v for k, v in want.items() if got.get(k) != v}
            print(("ok   " if not bad and out.returncode == 0 else "FAIL ") + f"{name}: {line}")
            if bad or out.returncode != 0:
                failed += 1
                print(f"     expected {want}; stderr: {out.stderr.strip()}")
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=5)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(CASES) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
