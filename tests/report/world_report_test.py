#!/usr/bin/env python3
"""mxsurvey report over a real scan of the demo world (tests/world/world.py).

usage: world_report_test.py --mxsurvey PATH --out DIR

Needs root: re-executes itself inside `unshare --net --mount` like tests/world/run_tests.py,
starts the world, scans its domain list with the demo's options, stops the world, then
checks the report's figures against an independent computation in Python from the same
records. The world's domain list grows as cases are added, so world totals are never
hard-coded; a few facts that hold for any version of the world are asserted by name
(dane-ok.mxlab is DANE-valid, ...). Keeps the records, report.md, report.json and
report.html in DIR (the README's excerpt comes from there)."""
import argparse, collections, json, os, shutil, subprocess, sys, tempfile

NS_ENV = "MXS_REPORT_WORLD_NS"
HERE = os.path.dirname(os.path.abspath(__file__))
WORLD = os.path.join(HERE, "..", "world", "world.py")
FAILS, PASSED = [], [0]


def check(what, got, want):
    if got != want:
        FAILS.append(f"{what}: got {got!r}, want {want!r}")
    else:
        PASSED[0] += 1


def scan(mx, out):
    wd = tempfile.mkdtemp(prefix="mxs-report-world.")
    try:
        subprocess.run([sys.executable, WORLD, "start", wd], check=True, stdout=subprocess.DEVNULL)
        try:
            subprocess.run([mx, "scan", "--resolver", "127.0.53.53", "--trust-anchor",
                            os.path.join(wd, "root.key"), "--ca-file", os.path.join(wd, "ca.pem"),
                            "--allow", "127.0.0.0/8", "--ehlo", "scanner.mxlab",
                            "--timeout-banner", "3", "--timeout-smtp", "5", "--timeout-tls", "5",
                            "-q", "-o", os.path.join(out, "world.ndjson.zst"),
                            os.path.join(wd, "domains.txt")], check=True, timeout=600)
        finally:
            subprocess.run([sys.executable, WORLD, "stop", wd])
    finally:
        shutil.rmtree(wd, ignore_errors=True)


def independent(records):
    """The report's definitions (docs/report.md), recomputed."""
    c = collections.Counter()
    hosts, addrs, ops = set(), set(), collections.defaultdict(lambda: [0, 0, 0, 0, 0])
    for r in records:
        c["population.records"] += 1
        c["population.status." + r.get("status", "(none)")] += 1
        if "dnssec" in r:
            c["dnssec.domain." + r["dnssec"]] += 1
        if "sender" in r:
            for k in ("dane", "mta_sts"):
                c[f"sender.{k}.action.{r['sender'][k]['action']}"] += 1
        if r.get("status") != "ok":
            continue
        s = r.get("summary", {})
        c["transport.starttls." + s.get("starttls", "(none)")] += 1
        c["dane.summary." + s.get("dane", "(none)")] += 1
        if s.get("starttls") in ("all", "some", "none"):
            c["population.receives_mail"] += 1
        mxs = r.get("mx", [])
        secure_tlsa = sum(1 for m in mxs if m.get("tlsa", {}).get("result") == "records"
                          and m.get("tlsa", {}).get("dnssec") == "secure")
        c["dane.tlsa_mx." + ("none" if secure_tlsa == 0 else "all" if secure_tlsa == len(mxs) else "some")] += 1
        tls = [a["smtp"]["tls"] for m in mxs for a in m.get("addresses", [])
               if "tls" in a.get("smtp", {})]
        if tls:
            c["transport.domains_tls"] += 1
            c["transport.domain_tls_worst." + s["tls_worst"]] += 1
            if all(t.get("pkix", {}).get("valid") for t in tls):
                c["certs.pkix_valid_all"] += 1
            if any(t["cert"].get("self_signed") for t in tls):
                c["certs.self_signed"] += 1
        if "mta_sts" in r:
            c["mta_sts.status." + r["mta_sts"]["status"]] += 1
        if "tls_rpt" in r:
            c["tls_rpt.status." + r["tls_rpt"]["status"]] += 1
        names = set()
        for m in mxs:
            hosts.add(m["host"])
            # The world lives under the fake TLD "mxlab", which the Public Suffix List does
            # not know: its default rule makes the last two labels the registered domain.
            names.add(".".join(m["host"].split(".")[-2:]))
            for a in m.get("addresses", []):
                addrs.add(a["ip"])
        for n in names:
            o = ops[n]
            o[0] += 1
            o[1] += s.get("starttls") == "all"
            o[2] += s.get("dane") == "valid"
            sts = r.get("mta_sts", {})
            o[3] += sts.get("status") == "valid"
            o[4] += sts.get("status") == "valid" and sts.get("mode") == "enforce"
    c["population.mx_hosts_unique"] = len(hosts)
    c["population.addresses_unique"] = len(addrs)
    return c, ops


def in_namespace(a):
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    scan(a.mxsurvey, out)
    zst = os.path.join(out, "world.ndjson.zst")
    text = subprocess.run(["zstd", "-dc", zst], capture_output=True, check=True, text=True).stdout
    records = [json.loads(l) for l in text.splitlines() if l.strip()]
    p = subprocess.run([a.mxsurvey, "report", "--format", "json", "--top", "1000",
                        "--html", os.path.join(out, "report.html"), zst],
                       capture_output=True, text=True)
    check("report exit status", p.returncode, 0)
    if p.returncode:
        print(p.stderr)
        return
    open(os.path.join(out, "report.json"), "w").write(p.stdout)
    md = subprocess.run([a.mxsurvey, "report", "-q", zst], capture_output=True, text=True, check=True)
    open(os.path.join(out, "report.md"), "w").write(md.stdout)
    doc = json.loads(p.stdout)
    figs = doc["figures"]
    want, ops = independent(records)
    for k, v in sorted(want.items()):
        check(f"figure {k}", figs.get(k, {}).get("count", 0), v)
    check("denominator of DANE valid = domains with MX", figs["dane.summary.valid"]["denominator"],
          want["population.status.ok"])
    got_ops = {o["operator"]: [o["domains"], o["starttls_all"], o["dane_valid"],
                               o["mta_sts_valid"], o["mta_sts_enforce"]] for o in doc["operators"]}
    check("operators", got_ops, {k: v for k, v in ops.items()})
    # Facts of the world that do not depend on its size.
    check("dane-ok.mxlab is DANE valid", got_ops.get("dane-ok.mxlab", [0, 0, 0])[2], 1)
    check("dane-mismatch.mxlab is not", got_ops.get("dane-mismatch.mxlab", [0, 0, 0])[2], 0)
    check("sts-enforce.mxlab enforces MTA-STS", got_ops.get("sts-enforce.mxlab", [0] * 5)[4], 1)
    check("no-starttls.mxlab lacks STARTTLS", got_ops.get("no-starttls.mxlab", [0, 1])[1], 0)
    check("a null MX is no-mail", figs["population.status.no-mail"]["count"] >= 1, True)
    check("a self-signed MX certificate is seen", figs["certs.self_signed"]["count"] >= 1, True)
    check("3 1 1 TLSA is seen", figs["dane.tlsa_combo.3 1 1"]["count"] >= 1, True)
    check("records counted = records in file", doc["scan"]["inputs"][0]["records"], len(records))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mxsurvey", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if os.environ.get(NS_ENV) != "1":
        if os.geteuid() != 0:
            print("world_report_test.py needs root (network namespace, ports 25/53)")
            return 1
        env = dict(os.environ, **{NS_ENV: "1", "MXS_PRIVATE_MOUNT_NS": "1"})
        os.execvpe("unshare", ["unshare", "--net", "--mount", "--propagation", "private",
                               sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    in_namespace(a)
    for f in FAILS:
        print("FAIL:", f)
    print(f"{PASSED[0]} passed, {len(FAILS)} failed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
