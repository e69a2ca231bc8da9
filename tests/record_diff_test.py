#!/usr/bin/env python3
"""Tests of scripts/record-diff.py, the tool of the "records unchanged" proof
(scripts/records-unchanged.sh): hand-built records in which only the fields that vary from
run to run differ (scanned_at, smtp connect_ms, libcurl's "after N ms" in mta_sts.reason)
compare equal; a rotated RRset compares equal with --canonical-order and
only with it; the canonical order is the one written down (family then address bytes; TLSA
usage, selector, mtype, then data bytes), not a string order; a real difference inside a
sorted list is still found. Prints "N passed, N failed"; exits 1 on any failure.
"""
import copy
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "..", "scripts", "record-diff.py")
spec = importlib.util.spec_from_file_location("record_diff", TOOL)
RD = importlib.util.module_from_spec(spec)
spec.loader.exec_module(RD)

passed = failed = 0


def check(what, want, got):
    global passed, failed
    if want == got:
        passed += 1
    else:
        failed += 1
        print("FAIL %s: want %r, got %r" % (what, want, got))


def addr(ip, fam, status="valid", ms=12):
    return {"ip": ip, "family": fam, "dnssec": "secure",
            "smtp": {"connect": "ok", "connect_ms": ms}, "dane": {"status": status}}


def tlsa(u, s, m, data):
    return {"usage": u, "selector": s, "mtype": m, "data": data, "usable": True}


# In the canonical order, which a string sort would not give (127.0.0.10 sorts before
# 127.0.0.9 as text; "::1" before "127..."; "ab" is a prefix of "abcd"; "0f" < "a0" only
# as bytes of equal length).
ADDRS = [addr("127.0.0.9", 4), addr("127.0.0.10", 4), addr("127.1.0.1", 4),
         addr("::1", 6), addr("fd00::2", 6)]
TLSAS = [tlsa(2, 0, 1, "ff"), tlsa(3, 0, 1, "ab"), tlsa(3, 0, 1, "abcd"), tlsa(3, 1, 1, "0f"),
         tlsa(3, 1, 1, "a0"), tlsa(3, 1, 2, "00")]


def record(addrs, tlsas, at="2026-12-01T00:00:00Z"):
    return {"domain": "rot.example", "status": "ok", "scanned_at": at,
            "mx": [{"host": "mx.rot.example", "preference": 10,
                    "tlsa": {"name": "_25._tcp.mx.rot.example", "records": tlsas},
                    "addresses": addrs}]}


def run(old, new, *opts):
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for name, recs in (("old", old), ("new", new)):
            p = os.path.join(d, name + ".ndjson")
            with open(p, "w") as f:
                f.write("".join(json.dumps(r) + "\n" for r in recs))
            paths.append(p)
        r = subprocess.run([sys.executable, TOOL] + list(opts) + paths,
                           capture_output=True, text=True)
        return r.returncode, r.stdout


def main():
    canon = record(copy.deepcopy(ADDRS), copy.deepcopy(TLSAS))
    # the resolver's rotation: same members, other order; and other timings
    rot = record([copy.deepcopy(ADDRS[i]) for i in (3, 1, 4, 0, 2)],
                 [copy.deepcopy(TLSAS[i]) for i in (5, 2, 0, 4, 1, 3)],
                 at="2026-12-01T01:02:03Z")
    for a in rot["mx"][0]["addresses"]:
        a["smtp"]["connect_ms"] = 999

    # 1. the canonical order is the written one
    got = RD.canonical_order(copy.deepcopy(rot))
    check("address order", [a["ip"] for a in ADDRS],
          [a["ip"] for a in got["mx"][0]["addresses"]])
    check("TLSA order", [(t["usage"], t["selector"], t["mtype"], t["data"]) for t in TLSAS],
          [(t["usage"], t["selector"], t["mtype"], t["data"])
           for t in got["mx"][0]["tlsa"]["records"]])

    # 2. only timings differ: equal with and without --canonical-order
    timed = copy.deepcopy(canon)
    timed["scanned_at"] = "2027-01-01T00:00:00Z"
    timed["mx"][0]["addresses"][0]["smtp"]["connect_ms"] = 5000
    check("timings only, plain", 0, run([canon], [timed])[0])
    check("timings only, canonical", 0, run([canon], [timed], "--canonical-order")[0])

    # 2a. the outlook's horizon (judging time + --horizon) is a time: ignored; what it
    # judged is not
    ol = copy.deepcopy(canon)
    ol["mx"][0]["addresses"][0]["outlook"] = {"at": "2027-01-01T00:00:00Z", "pkix_valid": True}
    ol_later = copy.deepcopy(ol)
    ol_later["mx"][0]["addresses"][0]["outlook"]["at"] = "2027-01-01T00:00:09Z"
    check("outlook.at only", 0, run([ol], [ol_later])[0])
    ol_broken = copy.deepcopy(ol_later)
    ol_broken["mx"][0]["addresses"][0]["outlook"]["pkix_valid"] = False
    rc, out = run([ol], [ol_broken])
    check("outlook real change", 1, rc)
    check("outlook real change, path", True, "mx.addresses.outlook.pkix_valid" in out)

    # 2b. which domain of a shared address made its TLS profile is ignored as for the
    # probe; a real difference in the profile is not
    prof = copy.deepcopy(canon)
    prof["mx"][0]["addresses"][0]["tls_profile"] = {"versions": {"TLSv1": "accepted"}}
    prof_shared = copy.deepcopy(prof)
    prof_shared["mx"][0]["addresses"][0]["tls_profile"]["shared"] = True
    check("tls_profile.shared only", 0, run([prof], [prof_shared])[0])
    prof_other = copy.deepcopy(prof_shared)
    prof_other["mx"][0]["addresses"][0]["tls_profile"]["versions"]["TLSv1"] = "refused"
    rc, out = run([prof], [prof_other])
    check("tls_profile real change", 1, rc)
    check("tls_profile real change, path", True, "mx.addresses.tls_profile.versions.TLSv1" in out)

    # 3. a rotated RRset: differs in plain mode, equal in canonical mode (both sides sorted)
    check("rotated, plain", 1, run([canon], [rot])[0])
    rc, out = run([rot], [canon], "--canonical-order")
    check("rotated, canonical (old rotated)", 0, rc)
    check("rotated, canonical: summary", True, "identical: 1, different: 0" in out)
    check("rotated both ways, canonical", 0, run([rot], [rot], "--canonical-order")[0])

    # 4. a real change inside a rotated list is still a difference
    changed = copy.deepcopy(rot)
    changed["mx"][0]["addresses"][2]["dane"]["status"] = "mismatch"
    rc, out = run([canon], [changed], "--canonical-order")
    check("real change, canonical", 1, rc)
    check("real change, path", True, "mx.addresses.dane.status" in out)
    fewer = copy.deepcopy(rot)
    del fewer["mx"][0]["tlsa"]["records"][1]
    check("one TLSA record fewer, canonical", 1, run([canon], [fewer], "--canonical-order")[0])
    other = copy.deepcopy(rot)
    other["mx"][0]["tlsa"]["records"][0]["data"] = "01"
    check("other TLSA data, canonical", 1, run([canon], [other], "--canonical-order")[0])

    # 5. libcurl's timing inside mta_sts.reason is masked; any other change of it is not
    def sts(reason):
        r = copy.deepcopy(canon)
        r["mta_sts"] = {"status": "fetch-error", "reason": reason}
        return r
    a = "https://mta-sts.x: Failed to connect to mta-sts.x port 443 after 10 ms: Couldn't connect"
    b = "https://mta-sts.x: Failed to connect to mta-sts.x port 443 after 3 ms: Couldn't connect"
    c = "https://mta-sts.x: Failed to connect to mta-sts.y port 443 after 3 ms: Couldn't connect"
    check("curl timing in mta_sts.reason", 0, run([sts(a)], [sts(b)])[0])
    check("curl milliseconds in mta_sts.reason", 0,
          run([sts("Operation timed out after 5001 milliseconds with 0 bytes received")],
              [sts("Operation timed out after 5003 milliseconds with 0 bytes received")])[0])
    check("other mta_sts.reason", 1, run([sts(a)], [sts(c)])[0])

    # 6. a missing record is a difference
    check("record missing in new", 1, run([canon], [], "--canonical-order")[0])

    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
