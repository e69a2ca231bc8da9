#!/usr/bin/env python3
"""--tls-profile basic against the test world's real servers, with testssl.sh as the oracle.

usage: test_profile.py --mxsurvey PATH [--keep]

Needs root: re-executes itself inside `unshare --net --mount` (only a loopback interface:
nothing leaves the machine), starts the world (tests/world/world.py), scans a few domains
with the default (--tls-profile basic) and checks each address's tls_profile:
  tls13.mxlab     Postfix with Debian's OpenSSL defaults: TLS 1.0 to 1.3 accepted
  tls12.mxlab     Postfix with TLS 1.2 only
  tls10.mxlab     misbehave.py's TLS 1.0-only server (SECLEVEL=0)
  dane-ok.mxlab   the same Postfix address as tls13.mxlab: its profile is shared
  greet-421...    no profile (no STARTTLS completed), banner-554 likewise
  dual-cert.mxlab Postfix with an ECDSA and an RSA certificate (smtpd_tls_chain_files),
                  TLSA 3 1 1 for the ECDSA one only: two certs, DANE valid for one and
                  mismatch for the other
and every certificate (the certs phase: one handshake per key family): the leaves'
SHA-256 must be the world's PKI files and what `openssl s_client -starttls smtp` gets when
it offers the same key family (its -sigalgs and -cipher), each family's answer must be
that client's (a leaf, or a failed handshake), and the PKIX and DANE verdicts exact;
then runs testssl.sh (`testssl --starttls smtp -p`, its own hand-built hellos and OpenSSL)
against the same three servers and requires that, version by version, what testssl.sh
calls offered / not offered is what the record calls accepted / refused. Also: summary.legacy_tls is
true for the servers that accept TLS 1.0 (tls13.mxlab, dane-ok.mxlab, tls10.mxlab), the records match docs/record.schema.json, the report counts them
(addresses accepting each version, domains with legacy TLS), and with --tls-profile off no
record has a tls_profile. Prints "N passed, N failed"."""
import hashlib
import re
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import world as W  # noqa: E402

NS_ENV = "MXS_PROFILE_TEST_NS"
FAILS, PASSED = [], [0]
VERSIONS = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
TESTSSL_ID = {"SSLv3": "SSLv3", "TLSv1": "TLS1", "TLSv1.1": "TLS1_1", "TLSv1.2": "TLS1_2",
              "TLSv1.3": "TLS1_3"}
# domain -> (address, what each version must be)
CASES = {
    # Debian's Postfix and OpenSSL 3.0 still accept TLS 1.0 and 1.1 at the protocol level
    # (testssl.sh agrees): exactly what a survey must show
    "tls13.mxlab": (W.PF_TLS13, {"SSLv3": "refused", "TLSv1": "accepted", "TLSv1.1": "accepted",
                                 "TLSv1.2": "accepted", "TLSv1.3": "accepted"}),
    "tls12.mxlab": (W.PF_TLS12, {"SSLv3": "refused", "TLSv1": "refused", "TLSv1.1": "refused",
                                 "TLSv1.2": "accepted", "TLSv1.3": "refused"}),
    "tls10.mxlab": (W.MB_TLS10, {"SSLv3": "refused", "TLSv1": "accepted", "TLSv1.1": "refused",
                                 "TLSv1.2": "refused", "TLSv1.3": "refused"}),
}
OTHERS = ["dane-ok.mxlab", "greet-421.mxlab", "banner-554.mxlab", "dual-cert.mxlab"]
# The certs phase's key families as an independent client asks for them (the same lists as
# tls/tls_client.c's key_family: OpenSSL's names, given to s_client instead).
FAMILIES = {
    "RSA": ("rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:rsa_pss_pss_sha256:"
            "rsa_pss_pss_sha384:rsa_pss_pss_sha512:rsa_pkcs1_sha256:rsa_pkcs1_sha384:"
            "rsa_pkcs1_sha512:RSA+SHA224:RSA+SHA1", "aRSA:@SECLEVEL=0"),
    "ECDSA": ("ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384:ecdsa_secp521r1_sha512:"
              "ECDSA+SHA224:ECDSA+SHA1", "aECDSA:@SECLEVEL=0"),
    "EdDSA": ("ed25519:ed448", "aECDSA:@SECLEVEL=0"),
}
# domain -> (address, MX name, {family: the world's certificate it must show, or None:
# refused}, {certificate: DANE status}); pkix valid for all (CA-signed, right name)
CERT_CASES = {
    "dual-cert.mxlab": (W.PF_DUALCERT, "mx.dual-cert.mxlab",
                        {"RSA": "dual-rsa", "ECDSA": "dual-ec", "EdDSA": None},
                        {"dual-rsa": "mismatch", "dual-ec": "valid"}),
    # one RSA certificate: the other families find no suite (TLS 1.2 only)
    "tls12.mxlab": (W.PF_TLS12, "mx.tls12.mxlab",
                    {"RSA": "tls12", "ECDSA": None, "EdDSA": None}, {"tls12": "valid"}),
    # one ECDSA certificate; no TLSA (tls13.mxlab publishes none) ...
    "tls13.mxlab": (W.PF_TLS13, "mx.tls13.mxlab",
                    {"RSA": None, "ECDSA": "main", "EdDSA": None}, {"main": None}),
    # ... the same address and profile judged for a domain that publishes the right TLSA
    "dane-ok.mxlab": (W.PF_TLS13, "mx.dane-ok.mxlab",
                      {"RSA": None, "ECDSA": "main", "EdDSA": None}, {"main": "valid"}),
}


def check(what, got, want):
    if got != want:
        FAILS.append("%s: got %r, want %r" % (what, got, want))
    else:
        PASSED[0] += 1


def scan(mx, wd, names, extra):
    inp = os.path.join(wd, "profile-input.txt")
    with open(inp, "w") as f:
        f.write("\n".join(names) + "\n")
    out = os.path.join(wd, "profile-%d.ndjson" % len(extra))
    p = subprocess.run([mx, "scan", "--resolver", "127.0.53.53", "--trust-anchor",
                        os.path.join(wd, "root.key"), "--ca-file", os.path.join(wd, "ca.pem"),
                        "--allow", "127.0.0.0/8", "--ehlo", "scanner.mxlab",
                        "--timeout-banner", "3", "--timeout-smtp", "5", "--timeout-tls", "5",
                        "--retries", "1", "--retry-delay", "0.2", "-q", "-o", out, inp] + extra,
                       capture_output=True, text=True, timeout=300)
    check("scan %s exit status" % extra, p.returncode, 0)
    if p.returncode:
        print(p.stderr)
    with open(out) as f:
        return {r["domain"]: r for r in (json.loads(l) for l in f if l.strip())}


def testssl(wd, ip):
    """testssl.sh's protocol findings for ip:25 over STARTTLS: {version: offered?}."""
    jf = os.path.join(wd, "testssl-%s.json" % ip)
    if os.path.exists(jf):
        os.unlink(jf)
    p = subprocess.run(["testssl", "--starttls", "smtp", "-p", "--nodns", "none", "--quiet",
                        "--color", "0", "--warnings", "off", "--jsonfile", jf,
                        "%s:25" % ip], capture_output=True, text=True, timeout=300)
    with open(os.path.join(wd, "logs", "testssl.log"), "a") as f:
        f.write("===== %s (exit %d)\n%s\n%s\n" % (ip, p.returncode, p.stdout, p.stderr))
    found = {}
    try:
        with open(jf) as f:
            entries = json.load(f)
    except (OSError, ValueError):
        return found
    for e in entries:
        for v, tid in TESTSSL_ID.items():
            if e.get("id") == tid:
                text = e.get("finding", "")
                found[v] = "not offered" not in text and "offered" in text
    return found


def s_client(wd, ip, name, family):
    """The leaf's SHA-256 that `openssl s_client -starttls smtp` gets offering only this key
    family, or "alert N" when the server refused its handshake with alert N, or None."""
    sigalgs, ciphers = FAMILIES[family]
    p = subprocess.run(["openssl", "s_client", "-starttls", "smtp", "-connect", "%s:25" % ip,
                        "-servername", name, "-sigalgs", sigalgs, "-cipher", ciphers,
                        "-CAfile", os.path.join(wd, "ca.pem")],
                       input="", capture_output=True, text=True, timeout=60)
    with open(os.path.join(wd, "logs", "s_client.log"), "a") as f:
        f.write("===== %s %s (exit %d)\n%s\n%s\n" % (ip, family, p.returncode, p.stdout, p.stderr))
    if "-----BEGIN CERTIFICATE-----" not in p.stdout:
        m = re.search(r"SSL alert number (\d+)", p.stderr + p.stdout)
        return "alert %s" % m.group(1) if m else None
    der = subprocess.run(["openssl", "x509", "-outform", "DER"], input=p.stdout.encode(),
                         capture_output=True, check=True).stdout
    return hashlib.sha256(der).hexdigest()


def check_certs(recs, wd, oracle):
    state = json.load(open(os.path.join(wd, "world.json")))
    files = state["certs"]
    for d, (ip, name, fams, dane) in CERT_CASES.items():
        r = recs.get(d)
        ad = r["mx"][0]["addresses"][0] if r else {}
        prof = ad.get("tls_profile", {})
        check("%s mode" % d, prof.get("mode"), "basic")
        want_kinds = {f: "accepted" if c else "refused" for f, c in fams.items()}
        check("%s cert_kinds" % d, prof.get("cert_kinds"), want_kinds)
        reasons = prof.get("cert_reasons", {})
        check("%s cert_reasons for the refused" % d, sorted(reasons),
              sorted(f for f, c in fams.items() if not c))
        for f in reasons:
            check("%s %s reason" % (d, f), reasons[f], "alert 40 (handshake failure)")
        certs = prof.get("certs", [])
        by_asked = {c["asked"]: c for c in certs}
        want = {f: c for f, c in fams.items() if c}
        check("%s certs asked" % d, sorted(by_asked), sorted(want))
        check("%s one entry per distinct leaf" % d, len(certs), len(set(want.values())))
        for f, key in want.items():
            c = by_asked.get(f, {})
            pem = files[key]["cert"]
            check("%s %s sha256 is %s.pem" % (d, f, key), c.get("sha256"), W.PKI.cert_sha256(pem))
            check("%s %s spki_sha256" % (d, f), c.get("spki_sha256"), W.PKI.spki_sha256(pem))
            kt = "RSA" if f == "RSA" else "EC"
            check("%s %s key_type" % (d, f), c.get("key_type"), kt)
            check("%s %s key_bits" % (d, f), c.get("key_bits"), 2048 if kt == "RSA" else 256)
            check("%s %s curve" % (d, f), c.get("curve"), None if kt == "RSA" else "prime256v1")
            check("%s %s not_after" % (d, f), bool(c.get("not_after")), True)
            check("%s %s pkix" % (d, f), c.get("pkix"), {"valid": True})
            st = dane[key]
            check("%s %s dane" % (d, f), c.get("dane"),
                  {"status": st, "matched": st == "valid"} if st else None)
        # the oracle: s_client offering the same family shows the same leaf, or fails too
        for f, key in fams.items():
            o = oracle[d][f]
            got = by_asked.get(f, {}).get("sha256") if key else reasons.get(f, "")[:8]
            check("%s %s leaf (s_client: %s)" % (d, f, o), got, o)
        # the main probe's own view is unchanged: one leaf, the address's DANE verdict
        main_cert = ad.get("smtp", {}).get("tls", {}).get("cert", {}).get("sha256")
        check("%s main probe's leaf is one of the certs" % d, main_cert in [c["sha256"] for c in certs], True)


def body(a, wd):
    subprocess.run([sys.executable, os.path.join(HERE, "world.py"), "start", wd], check=True,
                   stdout=subprocess.DEVNULL)
    try:
        names = list(CASES) + OTHERS
        # the default is basic: every check on recs (mode "basic" included) holds for it
        recs = scan(a.mxsurvey, wd, names, [])
        plain = scan(a.mxsurvey, wd, names, ["--tls-profile", "off"])
        oracle = {d: testssl(wd, ip) for d, (ip, _) in CASES.items()}
        cert_oracle = {d: {f: s_client(wd, ip, name, f) for f in FAMILIES}
                       for d, (ip, name, _, _) in CERT_CASES.items()}
    finally:
        subprocess.run([sys.executable, os.path.join(HERE, "world.py"), "stop", wd])
    sys.path.insert(0, os.path.join(os.path.dirname(HERE)))
    from record_schema import record_errors  # noqa: E402
    for d, r in sorted(recs.items()):
        check("%s matches docs/record.schema.json" % d, record_errors(r), [])
    for d, (ip, want) in CASES.items():
        r = recs.get(d)
        prof = r["mx"][0]["addresses"][0].get("tls_profile") if r else None
        check("%s has a tls_profile" % d, prof is not None, True)
        if not prof:
            continue
        check("%s versions" % d, prof["versions"], want)
        check("%s no partial" % d, prof.get("partial"), None)
        check("%s connections (one a version, one a key family)" % d, prof["connections"], 8)
        check("%s mode" % d, prof.get("mode"), "basic")
        # RFC 5746: Postfix (OpenSSL) answers renegotiation_info; misbehave.py's Python too
        check("%s renegotiation" % d, prof.get("renegotiation"),
              {"secure": True} if want["TLSv1.2"] == "accepted" or want["TLSv1"] == "accepted"
              else None)
        for v, st in want.items():
            if st == "accepted":
                check("%s %s suite named" % (d, v), bool(prof.get("suites", {}).get(v)), True)
            else:
                check("%s %s reason" % (d, v), bool(prof.get("reasons", {}).get(v)), True)
        check("%s summary.legacy_tls" % d, r["summary"].get("legacy_tls"), d != "tls12.mxlab")
        # the oracle: testssl.sh, version by version
        o = oracle[d]
        check("testssl.sh ran against %s" % d, sorted(o), sorted(VERSIONS))
        for v in VERSIONS:
            if v in o:
                check("%s %s (testssl.sh: %s)" % (d, v, "offered" if o[v] else "not offered"),
                      prof["versions"][v], "accepted" if o[v] else "refused")
    check_certs(recs, wd, cert_oracle)
    # one profile per address: dane-ok.mxlab is on tls13.mxlab's address
    p13 = recs["tls13.mxlab"]["mx"][0]["addresses"][0].get("tls_profile", {})
    pdo = recs["dane-ok.mxlab"]["mx"][0]["addresses"][0].get("tls_profile", {})
    check("dane-ok.mxlab's profile is tls13.mxlab's", pdo.get("versions"), p13.get("versions"))
    check("one of the two is marked shared", [bool(p13.get("shared")), bool(pdo.get("shared"))].count(True), 1)
    for d in ("greet-421.mxlab", "banner-554.mxlab"):
        a0 = recs[d]["mx"][0]["addresses"][0]
        check("%s: no profile without STARTTLS" % d, "tls_profile" in a0, False)
        check("%s: no summary.legacy_tls" % d, "legacy_tls" in recs[d]["summary"], False)
    # the report's figures on them (4 unique addresses profiled, 5 domains: dual-cert.mxlab's
    # Postfix accepts TLS 1.0 like tls13.mxlab's)
    out = os.path.join(wd, "profile-0.ndjson")   # the default run (scan names files by len(extra))
    p = subprocess.run([a.mxsurvey, "report", "-q", "--format", "json", out],
                       capture_output=True, text=True)
    check("report exit status", p.returncode, 0)
    figs = json.loads(p.stdout)["figures"] if p.returncode == 0 else {}
    got = lambda k: (figs.get(k, {}).get("count"), figs.get(k, {}).get("denominator"))  # noqa: E731
    check("report: addresses profiled", got("tls_profile.addresses")[0], 4)
    check("report: accepting TLS 1.0", got("tls_profile.accepts.TLSv1"), (3, 4))
    check("report: accepting TLS 1.3", got("tls_profile.accepts.TLSv1.3"), (2, 4))
    check("report: accepting SSLv3", got("tls_profile.accepts.SSLv3"), (0, 4))
    check("report: domains with legacy TLS", got("tls_profile.legacy_domains"), (4, 5))
    for d, r in plain.items():
        check("%s with --tls-profile off: no tls_profile" % d,
              any("tls_profile" in ad for m in r.get("mx", []) for ad in m.get("addresses", [])), False)
        check("%s with --tls-profile off: no legacy_tls" % d, "legacy_tls" in r.get("summary", {}), False)


def main():
    def run(a):
        a.mxsurvey = os.path.abspath(a.mxsurvey)
        return W.checked_run("mxsurvey-profile-", a.keep, lambda wd: body(a, wd), FAILS, PASSED)
    return W.driver_main(__file__, NS_ENV, "ports 25/53", run, __doc__)


if __name__ == "__main__":
    sys.exit(main())
