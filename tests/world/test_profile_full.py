#!/usr/bin/env python3
"""--tls-profile full against the world's servers for it, with testssl.sh as the oracle.

usage: test_profile_full.py --mxsurvey PATH --suite-table PATH [--keep]

Needs root: re-executes itself inside `unshare --net --mount` (only a loopback interface:
nothing leaves the machine), starts the world with Exim (world.py start DIR --exim; the
servers are described in tests/world/fullprofile.py), scans
  null-suite, dhe1024, order-server, order-client, tls13-only, exim  (fullprofile.py)
  tls12                                                               (Postfix, TLS 1.2 only)
with --tls-profile basic and with --tls-profile full, and runs testssl.sh (`testssl
--starttls smtp -p -E -P -f`, its own hand-built hellos) against each server. It requires:
  basic and full: the versions are the ones configured (EXPECT) and testssl.sh's, version by
    version (offered = accepted); mode is "basic" / "full"; the records match the schema.
  full only, against testssl.sh's findings mapped to the record's spelling (suite_table
    prints tls/suites.c's IANA names and classes):
    - ciphers, per class: accepted = testssl.sh lists a suite of that class at the versions
      the profile enumerates (the highest accepted of TLS 1.0-1.2, and TLS 1.3:
      smtp/profile_full.c; a suite a server takes only at a lower version is not looked
      for); every suite named is one testssl.sh lists there, one at least when accepted;
      a list marked complete is exactly testssl.sh's. Good and sufficient stop at the first
      accepted suite by design (complete not required: a NOTE says how many); phase-out
      and insufficient must be complete unless testssl.sh saw >= 16 suites of the class
      (the profile's bound of hellos per class). The suites configured (EXPECT) must be in
      testssl.sh's lists (the world is what it says);
    - server_order: testssl.sh's "cipher_order" (server / not a cipher order configured);
      where testssl.sh cannot tell (dhe1024: its OpenSSL refuses a 1024-bit group) the
      configured value; the configured value must agree with testssl.sh where it tells;
    - kex.dhe.bits: the group size testssl.sh shows on its TLS_DHE_* suites (0 when none; not
      required of a TLS 1.3-only server), the class insufficient for 1024 bits;
      kex.ecdhe: testssl.sh's curves (-f) among the four the profile asks for (X25519,
      P-256, P-384, P-521: X448 and brainpool are not asked), as a set;
    - renegotiation.secure true where a TLS <= 1.2 version is accepted (OpenSSL and GnuTLS
      both implement RFC 5746); grade: no better than the worst class testssl.sh found,
      insufficient for null-suite (NULL), dhe1024 (DH 1024) and exim (AES-CCM);
      summary.tls_grade the grade of the one address.
Prints "N passed, N failed"."""
import concurrent.futures
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fullprofile as FP  # noqa: E402
import world as W  # noqa: E402

NS_ENV = "MXS_PROFILE_FULL_TEST_NS"
FAILS, PASSED, NOTES = [], [0], []
VERSIONS = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
TESTSSL_ID = {"SSLv3": "SSLv3", "TLSv1": "TLS1", "TLSv1.1": "TLS1_1", "TLSv1.2": "TLS1_2",
              "TLSv1.3": "TLS1_3"}
CLASSES = ["good", "sufficient", "phase-out", "insufficient"]
# testssl.sh's names of the groups the profile asks for (smtp/profile_full.c: X25519, P-256,
# P-384, P-521), in the record's spelling (record/schema.c); X448, brainpool and the rest,
# which testssl.sh also tries, are not asked and not compared
TESTSSL_CURVE = {"X25519": "X25519", "prime256v1": "secp256r1", "secp384r1": "secp384r1",
                 "secp521r1": "secp521r1"}
# The profile cannot be sure of a class holding this many suites (its bound on hellos)
ENUM_BOUND = 16
A, R = "accepted", "refused"


# NCSC-NL v2.1's version classes (tls/classes.c): the level of a version's finding
VERSION_CLASS = {"SSLv3": "insufficient", "TLSv1": "phase-out", "TLSv1.1": "phase-out",
                 "TLSv1.2": "sufficient"}


def vers(*acc):
    return {v: (A if v in acc else R) for v in VERSIONS}


# domain -> address, versions, server order, DHE bits, a grade it must have (None: any no
# better than its suites'), suites that must be in a class (configured, beside testssl.sh)
EXPECT = {
    "null-suite": (FP.PF_NULL, vers("TLSv1.2"), True, 0, "insufficient",
                   {"insufficient": ["TLS_ECDHE_RSA_WITH_NULL_SHA", "TLS_RSA_WITH_NULL_SHA256",
                                     "TLS_RSA_WITH_NULL_SHA"]}),
    "dhe1024": (FP.PF_DHE1024, vers("TLSv1.2"), False, 1024, "insufficient",
                {"sufficient": ["TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"]}),
    "order-server": (FP.PF_ORDER_SERVER, vers("TLSv1.2", "TLSv1.3"), True, 0, None,
                     {"sufficient": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
                      "phase-out": ["TLS_RSA_WITH_AES_128_GCM_SHA256"]}),
    "order-client": (FP.PF_ORDER_CLIENT, vers("TLSv1.2", "TLSv1.3"), False, 0, None,
                     {"sufficient": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
                      "phase-out": ["TLS_RSA_WITH_AES_128_GCM_SHA256"]}),
    "tls13-only": (FP.PF_TLS13ONLY, vers("TLSv1.3"), False, 0, None,
                   {"good": ["TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
                             "TLS_CHACHA20_POLY1305_SHA256"]}),
    "exim": (FP.EXIM_ADDR, vers("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"), False, 2048,
             "insufficient", {"phase-out": ["TLS_RSA_WITH_3DES_EDE_CBC_SHA",
                                            "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"]}),
    "tls12": (W.PF_TLS12, vers("TLSv1.2"), False, None, None, {}),
}


def check(what, got, want):
    if got != want:
        FAILS.append("%s: got %r, want %r" % (what, got, want))
    else:
        PASSED[0] += 1


def scan(mx, wd, names, extra):
    inp = os.path.join(wd, "full-input.txt")
    with open(inp, "w") as f:
        f.write("\n".join(names) + "\n")
    out = os.path.join(wd, "full-%s.ndjson" % "-".join(extra).replace("-", "") or "plain")
    p = subprocess.run([mx, "scan", "--resolver", W.RESOLVER_ADDR, "--trust-anchor",
                        os.path.join(wd, "root.key"), "--ca-file", os.path.join(wd, "ca.pem"),
                        "--allow", "127.0.0.0/8", "--ehlo", "scanner.mxlab",
                        "--timeout-banner", "3", "--timeout-smtp", "5", "--timeout-tls", "5",
                        "--retries", "1", "--retry-delay", "0.2", "-q", "-o", out, inp] + extra,
                       capture_output=True, text=True, timeout=600)
    check("scan %s exit status" % extra, p.returncode, 0)
    if p.returncode:
        print(p.stderr)
    if not os.path.exists(out):
        return {}
    with open(out) as f:
        return {r["domain"]: r for r in (json.loads(l) for l in f if l.strip())}


def load_tables(path):
    """suite_table's output: {code: (name, class)}, {group name: code}."""
    out = subprocess.run([path], capture_output=True, text=True, check=True).stdout
    suites, groups = {}, {}
    for line in out.splitlines():
        f = line.split()
        if f[0] == "suite":
            suites[int(f[1], 16)] = (f[2], f[3])
        elif f[0] == "group":
            groups[f[2]] = int(f[1], 16)
    return suites, groups


def testssl(wd, ip):
    """testssl.sh's JSON findings for ip:25 over STARTTLS (protocols, ciphers per protocol,
    server preference, forward secrecy with curves and DH groups)."""
    jf = os.path.join(wd, "testssl-%s.json" % ip)
    if os.path.exists(jf):
        os.unlink(jf)
    p = subprocess.run(["testssl", "--starttls", "smtp", "-p", "-E", "-P", "-f", "--nodns",
                        "none", "--quiet", "--color", "0", "--warnings", "off", "--jsonfile",
                        jf, "%s:25" % ip], capture_output=True, text=True, timeout=900)
    with open(os.path.join(wd, "logs", "testssl-%s.log" % ip), "w") as f:
        f.write("===== %s (exit %d)\n%s\n%s\n" % (ip, p.returncode, p.stdout, p.stderr))
    try:
        with open(jf) as f:
            return json.load(f)
    except (OSError, ValueError):
        return []


CIPHER_ID = re.compile(r"^cipher-(ssl3|tls1(?:_[123])?)_x([0-9a-f]+)$")
PROTO = {"ssl3": "SSLv3", "tls1": "TLSv1", "tls1_1": "TLSv1.1", "tls1_2": "TLSv1.2",
         "tls1_3": "TLSv1.3"}


def oracle(entries, suites):
    """What testssl.sh found, in the record's terms: versions {v: bool}, per version and
    class the set of IANA names, server order (None: it could not tell), DH bits, curves."""
    o = {"versions": {}, "suites": {v: {c: set() for c in CLASSES} for v in VERSIONS},
         "order": None, "dh": set(), "curves": set(), "unknown": set()}
    for e in entries:
        eid, text = e.get("id", ""), e.get("finding", "")
        for v, tid in TESTSSL_ID.items():
            if eid == tid:
                o["versions"][v] = "not offered" not in text and "offered" in text
        m = CIPHER_ID.match(eid)
        if m:
            code = int(m.group(2), 16)
            if code not in suites:
                o["unknown"].add(code)
                continue
            name, cls = suites[code]
            o["suites"][PROTO[m.group(1)]][cls].add(name)
            dh = re.search(r"\bDH (\d+)\b", text)
            # the profile's DHE question offers TLS_DHE_* only: anonymous DH (which Postfix
            # serves, with a group sized by the cipher) is not its DHE
            if dh and name.startswith("TLS_DHE_"):
                o["dh"].add(int(dh.group(1)))
        if eid == "cipher_order":
            o["order"] = (True if text.startswith("server") else
                          False if text.lower().startswith("not a cipher order") else None)
        if eid == "PFS_ECDHE_curves":  # absent when testssl.sh found no ECDHE suite
            o["curves"] = set(TESTSSL_CURVE[c] for c in text.split() if c in TESTSSL_CURVE)
    return o


def expected_classes(o, want):
    """The suites the profile looks for: those of the highest accepted version of TLS
    1.0-1.2 and of TLS 1.3 (smtp/profile_full.c), per class."""
    legacy = [v for v in ("TLSv1", "TLSv1.1", "TLSv1.2") if want[v] == A]
    vs = legacy[-1:] + (["TLSv1.3"] if want["TLSv1.3"] == A else [])
    return {c: set().union(*[o["suites"][v][c] for v in vs]) for c in CLASSES}


def worst(classes):
    return max(classes, key=CLASSES.index) if classes else None


def check_versions(d, prof, want, o):
    check("%s versions" % d, prof.get("versions"), want)
    check("testssl.sh ran against %s" % d, sorted(o["versions"]), sorted(VERSIONS))
    for v in VERSIONS:
        if v in o["versions"]:
            check("%s %s (testssl.sh: %s)" % (d, v, "offered" if o["versions"][v] else
                                             "not offered"),
                  prof.get("versions", {}).get(v), A if o["versions"][v] else R)


def check_ciphers(d, prof, seen_by_class, o, must):
    ciph = prof.get("ciphers", {})
    check("%s: testssl.sh named only suites of tls/suites.c" % d, sorted(o["unknown"]), [])
    for c in CLASSES:
        rc = ciph.get(c, {})
        got, seen = set(rc.get("suites", [])), seen_by_class[c]
        check("%s ciphers.%s.accepted (testssl.sh: %d suites)" % (d, c, len(seen)),
              rc.get("accepted"), bool(seen))
        for s in must.get(c, []):
            check("%s ciphers.%s: %s configured, seen by testssl.sh" % (d, c, s), s in seen, True)
        check("%s ciphers.%s.suites within testssl.sh's" % (d, c), sorted(got - seen), [])
        check("%s ciphers.%s: a suite named when accepted" % (d, c), bool(got), bool(seen))
        if rc.get("complete"):
            check("%s ciphers.%s.suites (complete) = testssl.sh's" % (d, c), sorted(got),
                  sorted(seen))
        elif c in ("good", "sufficient"):
            # by design: the profile asks only whether the server accepts one of these
            NOTES.append("%s: %s lists %d of testssl.sh's %d suites (complete: %r)"
                         % (d, c, len(got), len(seen), rc.get("complete")))
        else:
            # phase-out and insufficient are enumerated up to the profile's bound
            check("%s ciphers.%s.complete (%d suites, bound %d)" % (d, c, len(seen), ENUM_BOUND),
                  rc.get("complete"), len(seen) < ENUM_BOUND)


def check_full(d, prof, exp, o, summary):
    ip, want, order, dh_bits, grade, must = exp
    check("%s mode" % d, prof.get("mode"), "full")
    check_versions(d, prof, want, o)
    check("%s no partial" % d, prof.get("partial"), None)
    check_ciphers(d, prof, expected_classes(o, want), o, must)
    # server order: testssl.sh's answer where it has one, else the configured one
    want_order = o["order"] if o["order"] is not None else order
    if o["order"] is None:
        NOTES.append("%s: testssl.sh could not tell the server order; configured %r" % (d, order))
    check("%s server_order (testssl.sh: %r)" % (d, o["order"]), prof.get("server_order"),
          want_order)
    check("%s server_order configured" % d, want_order, order)
    kex = prof.get("kex", {})
    legacy = any(want[v] == A for v in VERSIONS if v != "TLSv1.3")
    tbits = max(o["dh"]) if o["dh"] else 0
    if legacy or "dhe" in kex:  # TLS 1.3 only: DHE of TLS <= 1.2 is no question
        check("%s kex.dhe.bits (testssl.sh: %s)" % (d, sorted(o["dh"])),
              kex.get("dhe", {}).get("bits"), tbits if legacy else 0)
    if dh_bits is not None:
        check("%s kex.dhe.bits configured" % d, tbits, dh_bits)
    if tbits == 1024:
        check("%s kex.dhe.class" % d, kex.get("dhe", {}).get("class"), "insufficient")
    check("%s kex.ecdhe = testssl.sh -f's (X25519, P-256, P-384, P-521)" % d,
          sorted(kex.get("ecdhe", [])), sorted(o["curves"]))
    check("%s renegotiation" % d, prof.get("renegotiation"), {"secure": True} if legacy else None)
    seen = expected_classes(o, want)
    floor = worst([c for c in CLASSES if seen[c]])
    g = prof.get("grade")
    check("%s grade (%r) no better than its worst suite (%r)" % (d, g, floor),
          g in CLASSES and CLASSES.index(g) >= CLASSES.index(floor), True)
    if grade:
        check("%s grade" % d, g, grade)
    check("%s summary.tls_grade" % d, summary.get("tls_grade"), g)
    check_findings(d, prof)


def check_findings(d, prof):
    """The findings explain the grade: the worst level among them is the grade; every
    accepted version, phase-out and insufficient suite and the DHE group below good has
    its finding, at its class, and nothing else does."""
    fs = prof.get("findings", [])
    graded = [f for f in fs if f.get("level") != "info"]
    check("%s grade = the worst of its findings" % d, prof.get("grade"),
          worst([f["level"] for f in graded]) if graded else "good")
    got = sorted((f["check"], f["level"], f["detail"].split(":")[0]) for f in graded)
    want = []
    for v, st in prof.get("versions", {}).items():
        if st == "accepted" and v != "TLSv1.3":
            want.append(("version", VERSION_CLASS[v], "%s accepted" % v))
    for c in ("phase-out", "insufficient"):
        for name in prof.get("ciphers", {}).get(c, {}).get("suites", []):
            want.append(("cipher", c, "%s accepted" % name))
    for c in ("good", "sufficient"):
        for name in prof.get("ciphers", {}).get(c, {}).get("suites", []):
            if c == "sufficient":
                want.append(("cipher", c, "%s accepted" % name))
    dhe = prof.get("kex", {}).get("dhe", {})
    if dhe.get("bits") and dhe.get("class") != "good":
        want.append(("kex", dhe["class"], "DHE with a %d-bit group" % dhe["bits"]))
    if prof.get("renegotiation", {}).get("secure") is False:
        want.append(("renegotiation", "insufficient", "no secure renegotiation (RFC 5746)"))
    # ECDHE groups and certificate keys: the world's are all good (X25519 and the NIST
    # curves; RSA 2048): no finding may name them
    check("%s findings (check, level, subject)" % d, got, sorted(want))


def body(a, wd):
    why = FP.exim_available()
    if why:
        FAILS.append("Exim cannot run: " + why)
        return
    suites, _groups = load_tables(a.suite_table)
    subprocess.run([sys.executable, os.path.join(HERE, "world.py"), "start", wd, "--exim"],
                   check=True, stdout=subprocess.DEVNULL)
    names = ["%s.mxlab" % d for d in EXPECT]
    try:
        basic = scan(a.mxsurvey, wd, names, ["--tls-profile", "basic"])
        full = scan(a.mxsurvey, wd, names, ["--tls-profile", "full"])
        # two at a time: the machine is small, each run is mostly waiting
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            found = dict(zip(EXPECT, ex.map(lambda e: testssl(wd, e[0]), EXPECT.values())))
    finally:
        subprocess.run([sys.executable, os.path.join(HERE, "world.py"), "stop", wd])
    sys.path.insert(0, os.path.dirname(HERE))
    from record_schema import record_errors  # noqa: E402
    for mode, recs in (("basic", basic), ("full", full)):
        for d, r in sorted(recs.items()):
            check("%s (%s) matches docs/record.schema.json" % (d, mode), record_errors(r), [])
    for d, exp in EXPECT.items():
        o = oracle(found[d], suites)
        for mode, recs in (("basic", basic), ("full", full)):
            r = recs.get("%s.mxlab" % d)
            prof = r["mx"][0]["addresses"][0].get("tls_profile") if r else None
            check("%s has a tls_profile (%s)" % (d, mode), prof is not None, True)
            if not prof:
                continue
            if mode == "basic":
                check("%s mode" % d, prof.get("mode"), "basic")
                check_versions(d + " (basic)", prof, exp[1], o)
                check("%s (basic): no ciphers" % d, "ciphers" in prof, False)
            else:
                check_full(d, prof, exp, o, r["summary"])


def main():
    def args(ap):
        ap.add_argument("--suite-table", required=True)

    def run(a):
        a.mxsurvey, a.suite_table = os.path.abspath(a.mxsurvey), os.path.abspath(a.suite_table)
        return W.checked_run("mxsurvey-profile-full-", a.keep, lambda wd: body(a, wd), FAILS, PASSED, NOTES)
    return W.driver_main(__file__, NS_ENV, "ports 25/53", run, __doc__, args)


if __name__ == "__main__":
    sys.exit(main())
