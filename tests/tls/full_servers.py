#!/usr/bin/env python3
# Issue 15, the full TLS profile (smtp/profile_full.c, tls/hello_peek.c's reading on to the
# ServerKeyExchange, checks/tls_grade.c) against real TLS servers (ctest tls.full_servers):
# tests/tls/profile_probe --full asks for the profile of 127.0.0.1 through the scheduler;
# the cipher classes, server order, DHE bits and ECDHE groups it learns must be exactly
# what each server is configured to serve. The servers sit behind offer_servers.py's ESMTP
# dialogue (greeting, EHLO with STARTTLS, STARTTLS), which relays the TLS bytes to:
#   4811  openssl s_server -tls1_2, a NULL suite and an RSA-GCM suite at SECLEVEL 0
#   4812  openssl s_server -tls1_2, DHE only, -dhparam of a 1024-bit group
#   4813  openssl s_server -tls1_2, ECDHE-RSA-AES256-GCM and AES128-SHA, groups X25519 and
#         P-256, -serverpref
#   4814  the same without -serverpref (the client's order)
#   4815  gnutls-serv, TLS 1.2, 3DES and AES-128-GCM with RSA and ECDHE-RSA key exchange
#   4816  openssl s_server -tls1_3 only, AES-128-GCM and AES-128-CCM, groups P-384 and X25519
# Everything runs on loopback inside a network namespace this script makes (`unshare -n`,
# `ip link set lo up`): no other address is ever contacted. Needs root, openssl and
# gnutls-serv. About half a minute.
#
# usage: full_servers.py --probe PATH_TO_profile_probe
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import offer_servers  # noqa: E402  (its dialogue and relay)
import tlsns  # noqa: E402

MARK = "MXS_FULL_NETNS"

ONLY12 = {"ssl3": "refused", "tls1.0": "refused", "tls1.1": "refused", "tls1.2": "accepted",
          "tls1.3": "refused", "partial": "-", "done": "1"}
ONLY13 = dict(ONLY12, **{"tls1.2": "refused", "tls1.3": "accepted"})
NO_ECDHE = {"ecdhe.x25519": "refused", "ecdhe.p256": "refused", "ecdhe.p384": "refused",
            "ecdhe.p521": "refused"}


def cls(name, state, suites="-", complete="1"):
    return {name: state, name + ".suites": suites, name + ".complete": complete}


def merge(*ds):
    out = {}
    for d in ds:
        out.update(d)
    return out


# (case, relay port, expected key=value pairs of profile_probe --full's line)
CASES = [
    # NULL and RSA key transport: phase-out and insufficient enumerated, each complete;
    # the client's order; no DHE, no ECDHE; the grade insufficient
    ("null", 4711, merge(ONLY12, NO_ECDHE,
                         cls("good", "refused"), cls("sufficient", "refused"),
                         cls("phase-out", "accepted", "TLS_RSA_WITH_AES_128_GCM_SHA256"),
                         cls("insufficient", "accepted", "TLS_RSA_WITH_NULL_SHA256"),
                         {"order": "no", "dhe": "0", "grade": "insufficient",
                          "findings": "version:sufficient,cipher:phase-out,cipher:insufficient"})),
    # DHE with a 1024-bit group: the ServerKeyExchange read, insufficient
    ("dhe1024", 4712, merge(ONLY12, NO_ECDHE,
                            cls("good", "refused"),
                            cls("sufficient", "accepted", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "0"),
                            cls("phase-out", "refused"), cls("insufficient", "refused"),
                            {"order": "unknown", "dhe": "1024", "dhe.class": "insufficient",
                             "grade": "insufficient",
                             "findings": "version:sufficient,cipher:sufficient,kex:insufficient"})),
    # the server's own order, ECDHE groups X25519 and P-256 from the ServerKeyExchange
    ("serverpref", 4713, merge(ONLY12,
                               cls("good", "refused"),
                               cls("sufficient", "accepted", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "0"),
                               cls("phase-out", "accepted", "TLS_RSA_WITH_AES_128_CBC_SHA"),
                               cls("insufficient", "refused"),
                               {"order": "yes", "dhe": "0", "ecdhe.x25519": "accepted",
                                "ecdhe.p256": "accepted", "ecdhe.p384": "refused",
                                "ecdhe.p521": "refused", "grade": "phase-out"})),
    ("clientpref", 4714, merge(ONLY12,
                               cls("sufficient", "accepted", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "0"),
                               cls("phase-out", "accepted", "TLS_RSA_WITH_AES_128_CBC_SHA"),
                               {"order": "no", "ecdhe.x25519": "accepted", "ecdhe.p256": "accepted",
                                "grade": "phase-out"})),
    # GnuTLS with 3DES (which OpenSSL 3.0 cannot serve)
    ("gnutls-3des", 4715, merge(ONLY12,
                                cls("good", "refused"),
                                cls("sufficient", "accepted", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "0"),
                                cls("phase-out", "accepted",
                                    "TLS_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,"
                                    "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
                                cls("insufficient", "refused"),
                                {"dhe": "0", "grade": "phase-out"})),
    # TLS 1.3 only: good stops at its first, CCM insufficient, the client's order; no DHE
    # hello at all; groups by share (X25519) and HelloRetryRequest (P-384)
    ("tls13", 4716, merge(ONLY13,
                          cls("good", "accepted", "TLS_AES_128_GCM_SHA256", "0"),
                          cls("sufficient", "refused"), cls("phase-out", "refused"),
                          cls("insufficient", "accepted", "TLS_AES_128_CCM_SHA256"),
                          {"order": "no", "dhe": "untested", "ecdhe.x25519": "accepted",
                           "ecdhe.p256": "refused", "ecdhe.p384": "accepted",
                           "ecdhe.p521": "refused", "grade": "insufficient",
                           "findings": "cipher:insufficient"})),
]


def backends(tmp, key, cert, dh):
    ossl = ["openssl", "s_server", "-cert", cert, "-key", key, "-quiet"]
    return [
        ossl + ["-accept", "4711", "-tls1_2", "-cipher", "NULL-SHA256:AES128-GCM-SHA256:@SECLEVEL=0"],
        ossl + ["-accept", "4712", "-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
                "-dhparam", dh],
        ossl + ["-accept", "4713", "-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA",
                "-groups", "X25519:P-256", "-serverpref"],
        ossl + ["-accept", "4714", "-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA",
                "-groups", "X25519:P-256"],
        ["gnutls-serv", "-p", "4715", "--x509certfile", cert, "--x509keyfile", key, "--priority",
         "NONE:+VERS-TLS1.2:+3DES-CBC:+AES-128-GCM:+RSA:+ECDHE-RSA:+AEAD:+SHA1:+COMP-NULL:"
         "+SIGN-ALL:+GROUP-ALL:%SAFE_RENEGOTIATION"],
        ossl + ["-accept", "4716", "-tls1_3", "-ciphersuites",
                "TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256", "-groups", "P-384:X25519"],
    ]


def run_case(probe, name, port, want):
    out = subprocess.run([probe, str(port), "1", "--full"], capture_output=True, text=True,
                         timeout=120)
    line = out.stdout.strip()
    got = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
    # the suites found in a class, in any order (the server's preference decides it)
    same = lambda k, v: (set(v.split(",")) == set(got.get(k, "").split(","))
                         if k.endswith(".suites") else got.get(k) == v)
    bad = {k: (v, got.get(k)) for k, v in want.items() if not same(k, v)}
    ok = out.returncode == 0 and not bad
    print(("ok   " if ok else "FAIL ") + f"{name}: {line}")
    if not ok:
        print(f"     expected, got: {bad}; stderr: {out.stderr.strip()}")
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--probe", required=True)
    args = ap.parse_args()
    rc = tlsns.enter_namespace(MARK, "tls.full_servers")
    if rc is not None:
        return rc
    if tlsns.missing_tools("openssl", "gnutls-serv"):
        return 1
    tmp = tempfile.mkdtemp(prefix="full-servers-")
    key, cert = tlsns.self_signed(tmp, "full.mxlab")
    dh = os.path.join(tmp, "dh1024.pem")
    subprocess.check_call(["openssl", "dhparam", "-out", dh, "1024"], stderr=subprocess.DEVNULL)
    procs = [subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for cmd in backends(tmp, key, cert, dh)]
    for _, port, _ in CASES:
        offer_servers.serve(port + 100, "relay", relay_port=port)
    failed = 0
    try:
        for _, port, _ in CASES:
            if not tlsns.wait_port(port, time.time() + 20):
                print(f"the server on {port} did not start", file=sys.stderr)
                return 1
        for name, port, want in CASES:
            failed += 0 if run_case(args.probe, name, port + 100, want) else 1
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=5)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(CASES) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
