#!/usr/bin/env python3
# Issue 15, the TLS profile (smtp/profile.c) against real STARTTLS servers (ctest
# tls.profile_servers): tests/tls/profile_probe asks for the profile of 127.0.0.1 through
# the scheduler; the versions it learns must be the ones each server really accepts, and
# the connections it counts the ones the server saw (five offers, then the certs phase's
# three handshakes: the servers' one RSA certificate is shown to the RSA handshake, the
# ECDSA and EdDSA ones are refused with an alert). The servers are offer_servers.py's
# ESMTP dialogue (greeting, EHLO with STARTTLS, STARTTLS) with Python ssl (OpenSSL) behind:
#   4610  TLS 1.0 to 1.2 at security level 0
#   4613  TLS 1.3 only
#   4620  like 4610 for its first two connections, then a 421 greeting on every connection
#   4623  454 to STARTTLS
#   4624  silent after its 220 to STARTTLS
#   4630  like 4610, with a certificate chosen by SNI: b.mxlab gets another one (SNI-based
#         hosting). A profile made for a.mxlab serves a request for c.mxlab whose probe saw
#         a.mxlab's certificate; for b.mxlab, whose probe saw its own, the certificate part
#         alone is made again (three handshakes, by_name), later or while the first runs.
# Everything runs on loopback inside a network namespace this script makes (`unshare -n`,
# `ip link set lo up`): no other address is ever contacted. Needs root and openssl. About
# ten seconds.
#
# usage: profile_servers.py --probe PATH_TO_profile_probe
import argparse
import hashlib
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import shutil
import threading
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import offer_servers  # noqa: E402  (its dialogue and contexts)
import tlsns  # noqa: E402

MARK = "MXS_PROFILE_NETNS"
V = ["ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"]

counts = {}
counts_lock = threading.Lock()


def serve(port, kind_of, ctx=None):
    """offer_servers' dialogue; kind_of(n) gives the kind of the n-th connection (1-based)."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    counts[port] = 0

    def one(conn, n):
        conn.settimeout(10)
        try:
            offer_servers.dialogue(conn, kind_of(n), ctx, None)
        except (OSError, EOFError, ssl.SSLError):
            pass
        finally:
            conn.close()

    def run():
        while True:
            c, _ = s.accept()
            with counts_lock:
                counts[port] += 1
                n = counts[port]
            threading.Thread(target=one, args=(c, n), daemon=True).start()
    threading.Thread(target=run, daemon=True).start()


def states(**kw):
    return {k.replace("_", "."): v for k, v in kw.items()}


R10 = states(ssl3="refused", tls1_0="accepted", tls1_1="accepted", tls1_2="accepted",
             tls1_3="refused")
R10.update({"why.ssl3": "alert_40_(handshake_failure)", "why.tls1.3": "alert_70_(protocol_version)",
            "why.tls1.0": "-", "partial": "-", "done": "1"})
# the certs phase against a server with one RSA certificate
CERT_RSA = {"certs": "1", "key.0": "RSA", "rsa": "accepted", "why.rsa": "-",
            "ecdsa": "refused", "why.ecdsa": "alert_40_(handshake_failure)",
            "eddsa": "refused", "why.eddsa": "alert_40_(handshake_failure)"}
R10.update(CERT_RSA)


def cert_errors(why):
    return {"certs": "0", "rsa": "error", "ecdsa": "error", "eddsa": "error",
            "why.rsa": why, "why.ecdsa": why, "why.eddsa": why}

# (case, port, probe arguments, expected connections seen by the server, expected lines)
CASES = [
    # TLS 1.0 to 1.2: two requests at once make one profile (eight connections), the second
    # marked shared; a third request afterwards is a hit from the cache, shared too
    ("tls10-12", 4610, ["2", "--again"], 8,
     [dict(R10, req="0", rc="wait", shared="0", connections="8"),
      dict(R10, req="1", rc="wait", shared="1", connections="8"),
      dict(R10, req="2", rc="hit", shared="1", connections="8")]),
    # no cache (cache_max 0): the request afterwards makes a profile of its own
    ("nocache", 4610, ["1", "--again", "--cache", "0"], 16,
     [dict(R10, req="0", rc="wait", shared="0"), dict(R10, req="1", rc="wait", shared="0")]),
    # TLS 1.3 only: accepted with X25519 (no HelloRetryRequest), every other version refused
    ("tls13", 4613, ["1"], 8,
     [dict(states(ssl3="refused", tls1_0="refused", tls1_1="refused", tls1_2="refused",
                  tls1_3="accepted"), connections="8", partial="-", **{"why.tls1.3": "-"},
           **CERT_RSA)]),
    # 421 from the third connection on (retried once): the first two versions learnt, the
    # rest, and every key family, "error" with the reason, partial; the retry counted
    ("busy3", 4620, ["1", "--retries", "1"], 4,
     [dict(states(ssl3="refused", tls1_0="accepted", tls1_1="error", tls1_2="error",
                  tls1_3="error"), connections="4", partial="refused:_421_4.7.0_busy",
           **{"why.tls1.1": "refused:_421_4.7.0_busy", "why.tls1.3": "refused:_421_4.7.0_busy"},
           **cert_errors("refused:_421_4.7.0_busy"))]),
    # STARTTLS refused: the profile ends at once, nothing is a refusal of a version
    ("no-starttls", 4623, ["1"], 1,
     [dict(states(ssl3="error", tls1_0="error", tls1_1="error", tls1_2="error", tls1_3="error"),
           connections="1", partial="STARTTLS:_454_4.7.0_TLS_not_available",
           **cert_errors("STARTTLS:_454_4.7.0_TLS_not_available"))]),
    # silent after the 220: every version and key family an error (timeout), but the server
    # engaged each time, so the profile goes on to the end and is not partial
    ("silent", 4624, ["1", "--t-tls", "0.5"], 8,
     [dict(states(ssl3="error", tls1_0="error", tls1_1="error", tls1_2="error", tls1_3="error"),
           connections="8", partial="-", **{"why.tls1.2": "timeout"}, **cert_errors("timeout"))]),
]


def byname_cases(sha_a, sha_b):
    a = ["--name", "0", "a.mxlab", sha_a]
    r_a = dict(R10, by_name="0", **{"sha.0": sha_a})
    r_b = dict(R10, by_name="1", shared="0", connections="3", **{"sha.0": sha_b})
    return [
        ("byname-later", 4630, ["1", "--again"] + a + ["--name", "1", "b.mxlab", sha_b], 11,
         [dict(r_a, req="0", connections="8"), dict(r_b, req="1", rc="wait")]),
        ("byname-same-leaf", 4630, ["1", "--again"] + a + ["--name", "1", "c.mxlab", sha_a], 8,
         [dict(r_a, req="0", connections="8"),
          dict(r_a, req="1", rc="hit", shared="1", connections="8")]),
        ("byname-in-flight", 4630, ["2"] + a + ["--name", "1", "b.mxlab", sha_b], 11,
         [dict(r_a, req="0", connections="8"), dict(r_b, req="1", rc="wait")]),
    ]


def check_suites(got):
    """An accepted version names the suite chosen; the others none."""
    for v in V:
        acc = got.get(v) == "accepted"
        if acc != (got.get("suite." + v, "0x0000") != "0x0000"):
            return False
    return True


def run_case(probe, name, port, pargs, want_conns, want_lines):
    before = counts[port]
    out = subprocess.run([probe, str(port)] + pargs, capture_output=True, text=True, timeout=60)
    lines = out.stdout.strip().splitlines()
    seen = counts[port] - before
    ok = out.returncode == 0 and len(lines) == len(want_lines) and seen == want_conns
    for line, want in zip(lines, want_lines):
        got = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
        bad = {k: v for k, v in want.items() if got.get(k) != v}
        if bad or not check_suites(got):
            ok = False
            print(f"     {name}: expected {bad or 'suites only for accepted versions'} in {line}")
    print(("ok   " if ok else "FAIL ") + f"{name}: server saw {seen} connections")
    print("     " + "\n     ".join(lines))
    if not ok:
        print(f"     stderr: {out.stderr.strip()}")
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--probe", required=True)
    args = ap.parse_args()
    rc = tlsns.enter_namespace(MARK, "tls.profile_servers")
    if rc is not None:
        return rc
    if tlsns.missing_tools("openssl"):
        return 1
    tmp = tempfile.mkdtemp(prefix="profile-servers-")
    key, cert = tlsns.self_signed(tmp, "profile.mxlab")
    TV = ssl.TLSVersion
    warnings.simplefilter("ignore", DeprecationWarning)   # TLSv1 and TLSv1_1: on purpose
    ctx10 = offer_servers.context(cert, key, TV.TLSv1, TV.TLSv1_2, seclevel0=True)
    serve(4610, lambda n: "tls", ctx10)
    serve(4613, lambda n: "tls", offer_servers.context(cert, key, TV.TLSv1_3, TV.TLSv1_3))
    serve(4620, lambda n: "tls" if n <= 2 else "busy", ctx10)
    serve(4623, lambda n: "no-starttls")
    serve(4624, lambda n: "silent")
    os.makedirs(os.path.join(tmp, "b"))
    key_b, cert_b = tlsns.self_signed(os.path.join(tmp, "b"), "b.mxlab")
    ctx_sni = offer_servers.context(cert, key, TV.TLSv1, TV.TLSv1_2, seclevel0=True)
    ctx_b = offer_servers.context(cert_b, key_b, TV.TLSv1, TV.TLSv1_2, seclevel0=True)

    def by_sni(sock, name, _ctx):
        if name == "b.mxlab":
            sock.context = ctx_b
    ctx_sni.sni_callback = by_sni
    serve(4630, lambda n: "tls", ctx_sni)

    def sha(pem):
        return hashlib.sha256(ssl.PEM_cert_to_DER_cert(open(pem).read())).hexdigest()
    failed = 0
    cases = CASES + byname_cases(sha(cert), sha(cert_b))
    try:
        for case in cases:
            failed += 0 if run_case(args.probe, *case) else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
