#!/usr/bin/env python3
"""Writes profile.ndjson and profile0.ndjson, the hand-built records of the report's TLS profile
tests (run_report_tests.py, PROFILE: what each address is and the figures counted by hand).
The tls_profile objects follow the record shape of issue 15 (docs/record.schema.json); the
rest of each record is only what the report reads. Run in tests/report to rewrite them."""
import json, os
os.chdir(os.path.dirname(os.path.abspath(__file__)))
T = "2026-12-01T09:00:%02dZ"
n = [0]
def tls(ver, kt, bits):
    return {"version": ver, "cipher": "TLS_AES_256_GCM_SHA384" if ver == "TLSv1.3" else "ECDHE-RSA-AES256-GCM-SHA384",
            "group": "X25519", "chain_len": 2,
            "cert": {"not_after": "2027-06-01T00:00:00Z", "key_type": kt, "key_bits": bits, "self_signed": False},
            "pkix": {"valid": True}}
def cert(asked, kt, bits, dane=None, curve=None):
    c = {"asked": asked, "key_type": kt, "key_bits": bits, "sha256": "ab" * 32, "spki_sha256": "cd" * 32,
         "not_after": "2027-06-01T00:00:00Z", "pkix": {"valid": True}}
    if curve: c["curve"] = curve
    if dane: c["dane"] = {"status": dane, "matched": dane == "valid"}
    return c
def vers(acc, ref=(), err=()):
    v = {}
    for x in ("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"):
        v[x] = "accepted" if x in acc else "error" if x in err else "refused"
    return v
def ciphers(good, suff, po, ins):
    mk = lambda a, s: {"accepted": a, "suites": s, "complete": True}
    return {"good": mk(good, ["TLS_AES_256_GCM_SHA384"] if good else []),
            "sufficient": mk(suff, ["ECDHE-RSA-AES256-SHA"] if suff else []),
            "phase-out": mk(po, ["TLS_RSA_WITH_3DES_EDE_CBC_SHA"] if po else []),
            "insufficient": mk(ins, ["TLS_RSA_WITH_NULL_SHA"] if ins else [])}
# A1: basic, TLS 1.0 to 1.3, secure renegotiation, RSA (DANE valid) + ECDSA (DANE mismatch)
def A1(dane):
    return {"mode": "basic", "versions": vers(("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")),
            "reasons": {"SSLv3": "alert 40 (handshake failure)"},
            "suites": {"TLSv1.3": "TLS_AES_256_GCM_SHA384"},
            "renegotiation": {"secure": True},
            "certs": [cert("RSA", "RSA", 2048, "valid" if dane else None),
                      cert("ECDSA", "EC", 256, "mismatch" if dane else None, "prime256v1")],
            "cert_kinds": {"RSA": "accepted", "ECDSA": "accepted", "EdDSA": "refused"},
            "cert_reasons": {"EdDSA": "alert 40 (handshake failure)"},
            "grade": "phase-out",
            "findings": [{"check": "version", "level": "phase-out", "detail": "TLSv1 accepted"}],
            "connections": 8}
A2 = {"mode": "full", "versions": vers(("TLSv1.2", "TLSv1.3")), "renegotiation": {"secure": True},
      "certs": [cert("ECDSA", "EC", 256, "valid", "prime256v1")],
      "cert_kinds": {"RSA": "refused", "ECDSA": "accepted", "EdDSA": "refused"},
      "ciphers": ciphers(True, True, False, False), "server_order": True,
      "kex": {"dhe": {"bits": 3072, "class": "sufficient"}, "ecdhe": ["X25519", "secp256r1", "secp384r1"]},
      "grade": "sufficient", "findings": [], "connections": 30}
A3 = {"mode": "full", "versions": vers(("TLSv1", "TLSv1.2")), "renegotiation": {"secure": False},
      "certs": [cert("RSA", "RSA", 2048), cert("ECDSA", "EC", 384, None, "secp384r1")],
      "cert_kinds": {"RSA": "accepted", "ECDSA": "accepted", "EdDSA": "refused"},
      "ciphers": ciphers(True, True, True, True), "server_order": False,
      "kex": {"dhe": {"bits": 1024, "class": "insufficient"}, "ecdhe": ["secp256r1"]},
      "grade": "insufficient", "findings": [{"check": "cipher", "level": "insufficient", "detail": "TLS_RSA_WITH_NULL_SHA accepted"}],
      "connections": 41}
A4 = {"mode": "basic", "versions": vers(("TLSv1.2", "TLSv1.3"), err=("SSLv3", "TLSv1", "TLSv1.1")),
      "reasons": {"SSLv3": "closed", "TLSv1": "closed", "TLSv1.1": "closed"},
      "grade": "good", "findings": [{"check": "coverage", "level": "info", "detail": "partial"}],
      "partial": "421 4.7.0 too many connections", "connections": 3}
A6 = {"mode": "full", "versions": vers(("TLSv1.3",)),
      "certs": [cert("EdDSA", "ED25519", 256, "valid"), cert("RSA", "RSA", 4096, "valid")],
      "cert_kinds": {"RSA": "accepted", "ECDSA": "refused", "EdDSA": "accepted"},
      "ciphers": ciphers(True, False, False, False),
      "kex": {"dhe": {"bits": 0}, "ecdhe": ["X25519"]},
      "grade": "good", "findings": [], "connections": 12}
A8 = {"versions": vers(("TLSv1.2", "TLSv1.3")), "connections": 5}   # before mode and grade
def addr(ip, prof=None, shared=False, dane=None, kt="RSA", starttls=True):
    a = {"ip": ip, "family": 4, "dnssec": "insecure",
         "smtp": {"outcome": "engaged", "connect": "ok", "banner_code": 220, "ehlo_code": 250,
                  "starttls": "offered" if starttls else "not-offered"}}
    if starttls: a["smtp"]["tls"] = tls("TLSv1.3", kt, 2048)
    if dane: a["dane"] = {"status": dane}
    if prof is not None:
        p = dict(prof)
        if shared: p["shared"] = True
        a["tls_profile"] = p
    return a
def mx(host, addrs, tlsa=False):
    m = {"host": host, "preference": 10, "implicit": False, "dnssec": "secure" if tlsa else "insecure",
         "tlsa": {"name": "_25._tcp." + host, "dnssec": "secure" if tlsa else "insecure",
                  "result": "records" if tlsa else "nodata"},
         "addresses": addrs}
    if tlsa: m["tlsa"]["records"] = [{"usage": 3, "selector": 1, "mtype": 1, "data": "aa", "usable": True}]
    return m
def rec(domain, mxs, starttls="all", dane="none", legacy=None, grade=None):
    n[0] += 1
    s = {"starttls": starttls, "dane": dane, "mx_hosts": len(mxs), "addresses": sum(len(m["addresses"]) for m in mxs),
         "inconclusive": 0}
    if legacy is not None: s["legacy_tls"] = legacy
    if grade is not None: s["tls_grade"] = grade
    return {"domain": domain, "status": "ok", "dnssec": "insecure", "scanned_at": T % n[0],
            "tls_rpt": {"status": "none"}, "mta_sts": {"status": "none"}, "mx": mxs, "summary": s}
# The operator hostco.pt runs .1 (as mx1.hostco.pt; p2.pt names the same address mx.p2.pt),
# .2 and .3: its columns count p1, p3, p4, p5; p5's second MX is its own operator.
R = [
    rec("p1.pt", [mx("mx1.hostco.pt", [addr("198.51.100.1", A1(True), dane="valid")], tlsa=True)], dane="valid",
        legacy=True, grade="phase-out"),
    rec("p2.pt", [mx("mx.p2.pt", [addr("198.51.100.1", A1(False), shared=True)])], legacy=True, grade="phase-out"),
    rec("p3.pt", [mx("mx2.hostco.pt", [addr("198.51.100.2", A2, dane="valid", kt="EC")], tlsa=True)], dane="valid",
        legacy=False, grade="sufficient"),
    rec("p4.pt", [mx("mx3.hostco.pt", [addr("198.51.100.3", A3)])], legacy=True, grade="insufficient"),
    rec("p5.pt", [mx("mx3.hostco.pt", [addr("198.51.100.3", A3, shared=True)]),
                  mx("mx2.p5.pt", [addr("198.51.100.6", A6, dane="valid", kt="ED25519")], tlsa=True)],
        dane="partial", legacy=True, grade="insufficient"),
    rec("p6.pt", [mx("mx1.p6.pt", [addr("198.51.100.4", A4)]), mx("mx2.p6.pt", [addr("198.51.100.5")])],
        legacy=False, grade="good"),
    rec("p7.pt", [mx("mx.p7.pt", [addr("198.51.100.7", starttls=False)])], starttls="none"),
    rec("p8.pt", [mx("mx.p8.pt", [addr("198.51.100.6", A6, shared=True, dane="valid", kt="ED25519")], tlsa=True)],
        dane="valid", legacy=False, grade="good"),
    rec("p9.pt", [mx("mx.p9.pt", [addr("198.51.100.8", A8)])], legacy=False),
]
with open("profile.ndjson", "w") as f:
    for r in R: f.write(json.dumps(r, separators=(",", ":")) + "\n")
n[0] = 0
P = [rec("p1.pt", [], legacy=True, grade="insufficient"), rec("p3.pt", [], legacy=False, grade="good"),
     rec("p4.pt", [], legacy=True, grade="insufficient"), rec("p6.pt", []),
     rec("p8.pt", [], legacy=False, grade="phase-out")]
for r in P: r["scanned_at"] = r["scanned_at"].replace("12-01", "11-01")
with open("profile0.ndjson", "w") as f:
    for r in P: f.write(json.dumps(r, separators=(",", ":")) + "\n")
