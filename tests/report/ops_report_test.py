#!/usr/bin/env python3
"""Issue 16's part of mxsurvey report against hand-built records (make_ops_fixture.py wrote
them; every expected number below was counted by hand from that script, see the comments):
CNCS conformity per check and per operator, TLSA rollover readiness per distinct MX host,
the outlook by week and what breaks, the 20 domains whose mail breaks soonest, and with
--compare the cause of each DANE break and the MTA-STS policies changed under one id. In
JSON, CSV and Markdown. Usage: ops_report_test.py --mxsurvey PATH"""
import argparse, csv, io, json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
FAILS = []


def check(what, got, want):
    if got != want:
        FAILS.append(f"{what}: got {got!r}, want {want!r}")


def run(mx, *args):
    p = subprocess.run([mx, "report", "-q", *args], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        FAILS.append(f"report {' '.join(args)}: exit {p.returncode}\n{p.stderr}")
    return p.stdout


def fx(name):
    return os.path.join(HERE, name)


# ops1.ndjson: 29 records, 28 ok (d7 is nxdomain): d1..d6 and b01..b22.
# Conformity: d1 d2 d3 d4 d6 (d5 predates it). Per check (P pass, F fail, NT not tested,
# NA not applicable; d6's repeated "starttls" fail is ignored, its "future-check" unknown):
#   check            d1 d2 d3 d4 d6
#   starttls         P  P  P  P  P
#   tls-version      P  P  F  P  P
#   tls-cipher       NT NT F  P  P
#   cert-name        P  P  P  P  P
#   cert-chain       P  P  P  P  P
#   dnssec-domain    P  P  F  P  P
#   dnssec-mx        P  P  F  P  P
#   tlsa             P  P  F  P  P
#   dane             P  F  NA P  P
#   tlsa-rollover    P  F  NA F  P
#   mta-sts-enforce* F  F  P  F  P
#   tls-rpt*         P  F  P  F  P
#   testing-rpt*     NA F  NA NA NA
# pass: d1 d6 (d1's failing check is advisory); complete: d3 d4 d6 (d1, d2: tls-cipher NT)
CONF = {"pass": (2, 5), "complete": (3, 5), "domains": (5, 28)}
CHECKS = {  # id: (pass, fail, not-tested, not-applicable), each over the 5 judged
    "starttls": (5, 0, 0, 0), "tls-version": (4, 1, 0, 0), "tls-cipher": (2, 1, 2, 0),
    "cert-name": (5, 0, 0, 0), "cert-chain": (5, 0, 0, 0), "dnssec-domain": (4, 1, 0, 0),
    "dnssec-mx": (4, 1, 0, 0), "tlsa": (4, 1, 0, 0), "dane": (3, 1, 0, 1),
    "tlsa-rollover": (2, 2, 0, 1), "mta-sts-enforce": (2, 3, 0, 0), "tls-rpt": (3, 2, 0, 0),
    "mta-sts-testing-tls-rpt": (0, 1, 0, 4),
}
RESULTS = ["pass", "fail", "not-tested", "not-applicable"]
ADVISORY = {"mta-sts-enforce", "tls-rpt", "mta-sts-testing-tls-rpt"}
# Per operator: opa.pt serves d1 (mx1), d2 (mx1 and mx2: once), d6 (mx1); opb.pt d3; d4.pt
# d4. d5.pt and bulk.pt have no conformity (judged 0). (judged, conform, {id: (P, F, NT, NA)})
OP_CONF = {
    "opa.pt": (3, 2, {"starttls": (3, 0, 0, 0), "tls-cipher": (1, 0, 2, 0), "dane": (2, 1, 0, 0),
                      "tlsa-rollover": (2, 1, 0, 0), "mta-sts-enforce": (1, 2, 0, 0),
                      "tls-rpt": (2, 1, 0, 0), "mta-sts-testing-tls-rpt": (0, 1, 0, 2)}),
    "opb.pt": (1, 0, {"tls-version": (0, 1, 0, 0), "dane": (0, 0, 0, 1), "tls-rpt": (1, 0, 0, 0)}),
    "d4.pt": (1, 0, {"tlsa-rollover": (0, 1, 0, 0), "dane": (1, 0, 0, 0)}),
    "d5.pt": (0, 0, {}),
    "bulk.pt": (0, 0, {}),
}
# Rollover, distinct hosts with tlsa.rollover: mx1.opa.pt (ready 3 1 1 + 2 1 1 in d1 and d2,
# not ready in d6: ready is kept), mx2.opa.pt and mx.d4.pt (3 1 1, one record), mx.d5.pt
# (ready 3 1 1 + 3 1 1, an unmatched next key). Secure TLSA hosts: the same 4.
ONE = "one TLSA record: a key change leaves none matching"
ROLL = {
    "rollover.hosts": (4, 4), "rollover.ready": (2, 4), "rollover.not_ready": (2, 4),
    "rollover.scheme_ready.3 1 1 + 2 1 1": (1, 2), "rollover.scheme_ready.3 1 1 + 3 1 1": (1, 2),
    "rollover.scheme_not_ready.3 1 1": (2, 2), "rollover.reason." + ONE: (2, 2),
    "rollover.unmatched": (1, 4),
}
# Outlook: 28 ok domains have summary.outlook; ok: d1 d5; warn: d2 d3 d4 d6 + 22 bulk = 26.
# Scan 2026-12-02T08:00:00Z, horizon 30 days (outlook.at 2027-01-01T08:00:00Z): weeks 1..5.
#   d2 breaks +3 d (week 1), d4 +7 d - 1 s (week 1), d3 +14 d (week 3: days 14-20),
#   b01..b22 +23 d + 1..22 h (week 4), d6 no outlook_breaks (unknown).
# What: pkix d2 d4 b01..b22 = 24; dane d4; dnssec d3 (its dnssec_expires, before the
# horizon; d4's MX host expires after it, not counted); other d6.
OUTLOOK = {
    "outlook.domains": (28, 28), "outlook.status.ok": (2, 28), "outlook.status.warn": (26, 28),
    "outlook.week.1": (2, 26), "outlook.week.2": (0, 26), "outlook.week.3": (1, 26),
    "outlook.week.4": (22, 26), "outlook.week.5": (0, 26), "outlook.week.unknown": (1, 26),
    "outlook.what.pkix": (24, 26), "outlook.what.dane": (1, 26), "outlook.what.dnssec": (1, 26),
    "outlook.what.other": (1, 26),
}
# The first 20 by outlook_breaks: d2, d4, d3, then b01..b17 (b18..b22 are cut; the file has
# them in reverse order).
SOONEST = ["d2.pt", "d4.pt", "d3.pt"] + [f"b{i:02d}.pt" for i in range(1, 18)]

# cmp0 -> cmp1: DANE broke at k1..k7 (k8 went inconclusive: no break; k9 rolled over right)
CAUSES = {
    "dane_broke.key_changed": [("k1.pt", "valid -> invalid: server key changed, TLSA unchanged"),
                               ("k6.pt", "partial -> invalid: server key changed, TLSA unchanged")],
    "dane_broke.tlsa_changed": [("k2.pt", "valid -> invalid: TLSA set changed, matches nothing")],
    "dane_broke.dnssec": [("k3.pt", "valid -> invalid: DNSSEC bogus or signatures expired"),
                          ("k4.pt", "valid -> invalid: DNSSEC bogus or signatures expired")],
    "dane_broke.mx_moved": [("k5.pt", "valid -> none: MX hosts changed, none has TLSA")],
    "dane_broke.other": [("k7.pt", "valid -> invalid: MX hosts, TLSA and keys unchanged")],
    "mta_sts.changed_same_id": [
        ("s1.pt", "id 20260101: policy sha256 aaaaaaaaaaaa... -> bbbbbbbbbbbb...")],
}


def fig(figs, key):
    f = figs.get(key)
    return (f["count"], f["denominator"]) if f else None


def test_ops(mx):
    doc = json.loads(run(mx, "--format", "json", fx("ops1.ndjson")))
    figs = doc["figures"]
    check("population.records", fig(figs, "population.records"), (29, 29))
    for k, want in CONF.items():
        check(f"conformity.{k}", fig(figs, "conformity." + k), want)
    for cid, want in CHECKS.items():
        for res, n in zip(RESULTS, want):
            check(f"conformity.check.{cid}.{res}", fig(figs, f"conformity.check.{cid}.{res}"), (n, 5))
        label = figs[f"conformity.check.{cid}.pass"]["label"]
        check(f"{cid} marked advisory", label.startswith("advisory: "), cid in ADVISORY)
    check("unknown check", fig(figs, "conformity.unknown_check.future-check"), (1, 5))
    for k, want in {**ROLL, **OUTLOOK}.items():
        check(k, fig(figs, k), want)
    check("no week 6", "outlook.week.6" in figs, False)
    check("no week past", "outlook.week.past" in figs, False)
    secs = [s["id"] for s in doc["sections"]]
    check("section order", [s for s in secs if s in ("conformity", "rollover", "outlook")],
          ["conformity", "rollover", "outlook"])
    ops = {o["operator"]: o for o in doc["operators"]}
    for name, (judged, conform, per) in OP_CONF.items():
        c = ops[name]["conformity"]
        check(f"{name} judged", (c["domains"], c["pass"]), (judged, conform))
        for cid, want in per.items():
            check(f"{name} {cid}", tuple(c["checks"][cid][r] for r in RESULTS), want)
    check("horizon", doc["outlook_horizon_days"], 30)
    soon = doc["outlook_soonest"]
    check("soonest domains", [s["domain"] for s in soon], SOONEST)
    check("soonest first", (soon[0]["breaks"], soon[0]["days"], soon[0]["what"], soon[0]["reason"]),
          ("2026-12-05T08:00:00Z", 3.0, ["pkix"],
           "leaf certificate of mx2.opa.pt expires 2026-12-05T08:00:00Z"))
    check("soonest second what", soon[1]["what"], ["pkix", "dane"])
    check("soonest third what", (soon[2]["what"], soon[2]["days"]), (["dnssec"], 14.0))
    check("soonest last", soon[-1]["breaks"], "2026-12-26T01:00:00Z")   # b17: +17 h

    # CSV: the same numbers
    rows = list(csv.reader(io.StringIO(run(mx, "--format", "csv", fx("ops1.ndjson")))))
    by = {r[1]: r for r in rows[1:] if len(r) > 5}
    check("csv tls-cipher not-tested", by["conformity.check.tls-cipher.not-tested"][3:5], ["2", "5"])
    check("csv opa tlsa-rollover fail", by["operators.opa.pt.cncs.tlsa-rollover.fail"][3:5], ["1", "3"])
    check("csv opa conform", by["operators.opa.pt.cncs.conform"][3:5], ["2", "3"])
    soon_csv = [r for r in rows if r and r[0] == "outlook_soonest"]
    check("csv soonest", [(r[1], r[3]) for r in soon_csv][:3], [("d2.pt", "1"), ("d4.pt", "2"), ("d3.pt", "3")])
    check("csv soonest rows", len(soon_csv), 20)

    md = run(mx, fx("ops1.ndjson"))
    for line in ("| tlsa-rollover | two TLSA records per MX host, rollover-ready | 2 (40.0%) | "
                 "2 (40.0%) | 0 (0.0%) | 1 (20.0%) |",
                 "| tls-rpt (advisory) | TLS-RPT published | 3 (60.0%) | 2 (40.0%) | 0 (0.0%) | 0 (0.0%) |",
                 "| Check the report does not know: future-check | 1 | 5 | 20.0% |",
                 "| Scheme of the ready hosts: 3 1 1 + 2 1 1 | 1 | 2 | 50.0% |",
                 "| Breaks in week 4 (days 21-27 after the scan) | 22 | 26 | 84.6% |",
                 "| opa.pt | 3 | 2 (66.7%) | 3/3 | 3/3 | 1/3, 2 n/t | 3/3 | 3/3 | 3/3 | 3/3 | 3/3 "
                 "| 2/3, 1 fail | 2/3, 1 fail | 1/3, 2 fail | 2/3, 1 fail | 0/3, 1 fail |",
                 "## Mail that breaks soonest (the first 20, horizon 30 days)",
                 "| d4.pt | 2026-12-09T07:59:59Z | 7.0 | pkix, dane | intermediate certificate of "
                 "mx.d4.pt expires 2026-12-09T07:59:59Z |"):
        check(f"markdown has {line[:60]!r}", line in md, True)
    check("markdown: d5.pt and bulk.pt not in the conformity table",
          ("| d5.pt | 0 |" in md, "| bulk.pt | 0 |" in md), (False, False))

    # A scan before issue 16 (scan1.ndjson) has none of the new sections.
    old = json.loads(run(mx, "--format", "json", fx("scan1.ndjson")))
    check("old scan: no new sections", [s["id"] for s in old["sections"]
                                        if s["id"] in ("conformity", "rollover", "outlook")], [])
    check("old scan: no soonest list", "outlook_soonest" in old, False)


def test_compare(mx):
    doc = json.loads(run(mx, "--format", "json", fx("cmp1.ndjson"), "--compare", fx("cmp0.ndjson")))
    ch = doc["changed_domains"]
    for kind, want in CAUSES.items():
        got = [(c["domain"], c["change"]) for c in ch.get(kind, [])]
        check(f"changed_domains {kind}", got, want)
        check(f"changes.{kind}", fig(doc["figures"], "changes." + kind), (len(want), 13))
    check("dane.broken", [c["domain"] for c in ch["dane.broken"]],
          ["k1.pt", "k2.pt", "k3.pt", "k4.pt", "k5.pt", "k6.pt", "k7.pt"])
    check("dane.inconclusive", [c["domain"] for c in ch["dane.inconclusive"]], ["k8.pt"])
    # the causes partition the breaks
    check("causes add up", sum(len(ch[k]) for k in CAUSES if k.startswith("dane_broke.")),
          len(ch["dane.broken"]))
    md = run(mx, fx("cmp1.ndjson"), "--compare", fx("cmp0.ndjson"))
    check("markdown rollover failure",
          "- k1.pt: valid -> invalid: server key changed, TLSA unchanged" in md, True)
    # Backwards (cmp1 as the previous scan) nothing broke: every change is a repair.
    rev = json.loads(run(mx, "--format", "json", fx("cmp0.ndjson"), "--compare", fx("cmp1.ndjson")))
    check("reverse: no break", [c["domain"] for c in rev["changed_domains"]["dane.broken"]], [])
    check("reverse: no cause", [k for k in CAUSES if k.startswith("dane_broke.")
                                and rev["changed_domains"][k]], [])


def test_hostile(mx):
    """Records of the wrong shape where issue 16's fields are: counted where they can be,
    never a crash, every string bounded."""
    S = "2026-12-02T08:00:00Z"
    ok = lambda d, **kw: {"domain": d, "status": "ok", "scanned_at": S, **kw}
    recs = [
        ok("h1.pt", conformity={"cncs": {"pass": "yes", "complete": 1, "checks": "x"}}),
        ok("h2.pt", conformity={"cncs": {"pass": True, "checks": [
            {"id": 5, "result": "pass"}, {"id": "starttls", "result": "weird"}, {"id": "dane"},
            "not an object"]}}),
        ok("h3.pt", mx=[{"host": "mx.h3.pt", "tlsa": {"rollover": {"ready": "true",
                                                                   "scheme": "3\u00011 1"}}}]),
        ok("h4.pt", summary={"outlook": "warn", "outlook_breaks": "not a date"}),
        ok("h5.pt", summary={"outlook": "warn", "outlook_breaks": "9999-12-31T23:59:59Z",
                             "outlook_reason": "x" * 5000}),
        ok("h6.pt", summary={"outlook": "meh"}, mx={"host": "not an array"}),
        ok("h7.pt", summary=[], conformity=[], mx=[5, None, {"host": 7}]),
    ]
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"mxs-ops-hostile-{os.getpid()}.ndjson")
    with open(path, "w") as f:
        for r in recs:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")
    try:
        doc = json.loads(run(mx, "--format", "json", path))
        md = run(mx, path)
    finally:
        os.unlink(path)
    # a result the report does not know keeps its own row beside the pivoted table
    check("hostile markdown: unknown result row",
          "| starttls (STARTTLS on every MX address): weird | 1 | 2 | 50.0% |" in md, True)
    figs = doc["figures"]
    # h1 and h2 have a conformity.cncs object; h1's pass is no boolean, its checks no array
    want = {"conformity.domains": (2, 7), "conformity.pass": (1, 2), "conformity.complete": (0, 2),
            # id 5 and the string entry have no id: "(none)", twice
            "conformity.unknown_check.(none)": (2, 2),
            "conformity.check.starttls.weird": (1, 2), "conformity.check.starttls.pass": (0, 2),
            "conformity.check.dane.(none)": (1, 2),
            # "ready": "true" is no boolean: not ready; the control character is replaced
            "rollover.hosts": (1, 0), "rollover.not_ready": (1, 1),
            "rollover.scheme_not_ready.3?1 1": (1, 1), "rollover.reason.(none)": (1, 1),
            # h4 h5 warn, h6 an unknown status; h7's summary is no object
            "outlook.domains": (3, 7), "outlook.status.warn": (2, 3), "outlook.status.meh": (1, 3),
            "outlook.week.unknown": (1, 2), "outlook.week.later": (1, 2),
            "outlook.what.other": (2, 2)}
    for k, v in want.items():
        check(f"hostile {k}", fig(figs, k), v)
    check("hostile: no week rows without a horizon", [k for k in figs if k.startswith("outlook.week.")
                                                     and k[13:].isdigit()], [])
    soon = doc["outlook_soonest"]
    check("hostile soonest", [(s["domain"], len(s["reason"])) for s in soon], [("h5.pt", 159)])


def test_schema():
    """The fixtures are records the scanner could write (docs/record.schema.json), but for
    d6.pt's check id from a newer scanner, which is the point of it."""
    sys.path.insert(0, os.path.join(HERE, ".."))
    import record_schema
    for name in ("ops1.ndjson", "cmp0.ndjson", "cmp1.ndjson"):
        recs = [json.loads(l) for l in open(fx(name))]
        bad = [r for r in recs if record_schema.record_errors(r)]
        check(f"{name}: records not matching the schema", [r["domain"] for r in bad],
              ["d6.pt"] if name == "ops1.ndjson" else [])
        for r in bad:
            errs = record_schema.record_errors(r)
            check(f"{name}: {r['domain']}'s only error is its unknown check id",
                  len(errs) == 1 and "future-check" in errs[0], True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mxsurvey", required=True)
    a = ap.parse_args()
    test_ops(a.mxsurvey)
    test_compare(a.mxsurvey)
    test_hostile(a.mxsurvey)
    test_schema()
    for f in FAILS:
        print("FAIL:", f)
    print(f"ops report test: {len(FAILS)} failure(s)")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
