#!/usr/bin/env python3
"""World test of SMTP/TLS observation sharing (issue 4).

usage: test_share.py --mxsurvey PATH [--keep]

Needs root; runs in its own network namespace like run_tests.py, whose helpers it uses.
Scans the world's domains plus the provider / shared-hosting group (world.py, SHARE_*):
  - default (sharing), --no-share and --infer-sni 2 must give identical records apart from
    the marks (shared, inferred, inferred_from) and timings;
  - with --concurrency 1 the saving is exact and checked: the provider's 6 domains cost
    one probe, the 6 hosted domains 6 probes (2 with --infer-sni 2), and Postfix's log
    shows the connections that were (not) made;
  - verdicts stay per MX: hosted6 (not in the shared certificate) is a PKIX hostname
    mismatch also when its observation is inferred, hosted4's wrong TLSA is a DANE
    mismatch, hosted5's right one valid.
Prints the probes saved as reported on stderr.
"""
import json
import os
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import world as W  # noqa: E402
import run_tests as R  # noqa: E402

NS_ENV = "MXSURVEY_SHARE_NETNS"
MARKS = ("shared", "inferred", "inferred_from")
SUMMARY_RX = re.compile(rb"SMTP probes: (\d+) started, (\d+) saved by sharing, (\d+) by SNI inference")


def strip_marks(rec):
    if isinstance(rec, dict):
        return {k: strip_marks(v) for k, v in rec.items() if k not in MARKS}
    if isinstance(rec, list):
        return [strip_marks(v) for v in rec]
    return rec


def addresses(rec):
    for i, mx in enumerate(rec.get("mx", [])):
        for k, a in enumerate(mx.get("addresses", [])):
            yield i, k, a


def postfix_connects(wd, name):
    """Connections Postfix's smtpd with syslog_name postfix/<name> has logged so far."""
    path = os.path.join(wd, "logs", "postfix.log")
    last = -1
    for _ in range(20):   # postlogd writes asynchronously: wait until the count settles
        try:
            with open(path) as f:
                n = sum(1 for l in f if "postfix/%s/smtpd[" % name in l and ": connect from " in l)
        except OSError:
            n = 0
        if n == last:
            return n
        last = n
        time.sleep(0.25)
    return last


def scan(mx, args, what, C, wd):
    r, data = R.run_scan(mx, args + ["-o", "-"], what, C, wd)
    recs = R.read_ndjson(data or b"", what, C)
    m = SUMMARY_RX.search(r.stderr if r is not None else b"")
    C.check(what, "summary line reports probes", True, m is not None)
    stats = tuple(int(x) for x in m.groups()) if m else None
    return {R.key_of(x): x for x in recs}, stats


def in_namespace_main(a):
    def body(C, world, wd, procs):
        st = R.start_world(world, wd)
        mx = os.path.abspath(a.mxsurvey)
        base = R.scan_base(st)
        everything = os.path.join(wd, "everything.txt")
        with open(everything, "w", encoding="utf-8") as f:
            f.write(open(st["domains"], encoding="utf-8").read())
            f.write(open(st["share_domains"]).read())
        keys = R.input_keys(W.MAIN_INPUT) + W.SHARE_INPUT
        # "TLS13.Mxlab." repeats tls13.mxlab: a duplicate input line, scanned once, no record.
        keys.remove("TLS13.Mxlab.")

        # ---- 1. the whole world, three ways: identical records but for the marks --------
        runs = {}
        conns = {}
        for what, extra in (("share", []), ("no-share", ["--no-share"]),
                            ("infer", ["--infer-sni", "2"])):
            before = postfix_connects(wd, "mx.tls13.mxlab")
            runs[what], stats = scan(mx, base + extra + [everything], "all-" + what, C, wd)
            conns[what] = postfix_connects(wd, "mx.tls13.mxlab") - before
            print("[share] all-%s: %s probes started, %s saved by sharing, %s by SNI inference"
                  % ((what,) + tuple(stats or (None,) * 3)), flush=True)
            R.index_records(list(runs[what].values()), keys, "all-" + what, C)
        for what in ("no-share", "infer"):
            for k in keys:
                if k in runs["share"] and k in runs[what]:
                    C.check("all-%s %s" % (what, k), "record equal to the shared run's "
                            "(minus marks and times)",
                            json.dumps(strip_marks(R.normalise(runs["share"][k])), sort_keys=True),
                            json.dumps(strip_marks(R.normalise(runs[what][k])), sort_keys=True))
        # Marks only where (address, SNI) really repeats.
        nomark = [k for k, r in runs["no-share"].items()
                  for _, _, ad in addresses(r) if any(m in ad.get("smtp", {}) for m in MARKS)]
        C.check("all-no-share", "records with a shared/inferred mark", [], nomark)
        for what in ("share", "infer"):
            prov = sum(1 for d in W.SHARE_PROVIDER if d in runs[what] and
                       runs[what][d]["mx"][0]["addresses"][0]["smtp"].get("shared"))
            C.check("all-" + what, "provider domains marked shared", 5, prov)
        # Every shared mark on PF_TLS13 is one connection Postfix did not see.
        marks = sum(1 for r in runs["share"].values() for _, _, ad in addresses(r)
                    if ad.get("ip") == W.PF_TLS13 and ad.get("smtp", {}).get("shared"))
        C.check("all-share", "some PF_TLS13 probes shared", True, marks > 0)
        C.check("all-share", "Postfix mx.tls13.mxlab connections = --no-share's minus shared marks",
                conns["no-share"] - marks, conns["share"])
        print("[share] whole world: Postfix mx.tls13.mxlab saw %d connections with sharing, "
              "%d without, %d with --infer-sni 2" % (conns["share"], conns["no-share"],
                                                     conns["infer"]), flush=True)

        # ---- 2. exact savings, one domain at a time --------------------------------------
        expect = {  # run: (probes started, saved by sharing, by inference,
                    #       provider connections, hosting connections)
            "seq-no-share": (12, 0, 0, 6, 6),
            "seq-share": (7, 5, 0, 1, 6),
            "seq-infer": (3, 5, 4, 1, 2),
        }
        seq = {}
        for what, extra in (("seq-no-share", ["--no-share"]), ("seq-share", []),
                            ("seq-infer", ["--infer-sni", "2"])):
            p0 = postfix_connects(wd, W.SHARE_PROVIDER_MX)
            h0 = postfix_connects(wd, "mx.hosting.mxlab")
            # --tls-profile off: these counts are the observations' (the profile's own
            # connections, once per address, are counted by world.profile and
            # tls.profile_servers)
            seq[what], stats = scan(mx, base + extra + ["--tls-profile", "off", "--concurrency", "1",
                                                        st["share_domains"]], what, C, wd)
            got = (stats or (None,) * 3) + (postfix_connects(wd, W.SHARE_PROVIDER_MX) - p0,
                                            postfix_connects(wd, "mx.hosting.mxlab") - h0)
            C.check(what, "(probes, shared, inferred, provider conns, hosting conns)",
                    expect[what], got)
            print("[share] %s: %s probes started, %s saved by sharing, %s by SNI inference"
                  % ((what,) + tuple(got[:3])), flush=True)
            R.index_records(list(seq[what].values()), W.SHARE_INPUT, what, C)

        smtp = lambda what, d: seq[what].get(d, {}).get("mx", [{}])[0].get(  # noqa: E731
            "addresses", [{}])[0]
        for d in W.SHARE_INPUT:
            a0 = smtp("seq-share", d)
            for what in ("seq-no-share", "seq-infer"):
                C.check("%s %s" % (what, d), "address record equal to seq-share's (minus marks)",
                        json.dumps(strip_marks(R.normalise(a0)), sort_keys=True),
                        json.dumps(strip_marks(R.normalise(smtp(what, d))), sort_keys=True))
        for i, d in enumerate(W.SHARE_PROVIDER):
            ad = smtp("seq-share", d)
            C.check("seq-share " + d, "smtp.shared", i > 0, ad.get("smtp", {}).get("shared", False))
            C.check("seq-share " + d, "dane.status", "valid", ad.get("dane", {}).get("status"))
        for i, d in enumerate(W.SHARE_HOSTED):
            ad = smtp("seq-infer", d)
            sm = ad.get("smtp", {})
            C.check("seq-infer " + d, "smtp.inferred", i >= 2, sm.get("inferred", False))
            C.check("seq-infer " + d, "smtp.inferred_from",
                    W.SHARE_HOSTED[1] if i >= 2 else R.ABSENT, sm.get("inferred_from", R.ABSENT))
            C.check("seq-infer " + d, "smtp.shared", R.ABSENT, sm.get("shared", R.ABSENT))
            pk = sm.get("tls", {}).get("pkix", {})
            C.check("seq-infer " + d, "tls.pkix.valid", i < 5, pk.get("valid"))
            C.check("seq-infer " + d, "tls.pkix.error",
                    "hostname mismatch" if i == 5 else R.ABSENT, pk.get("error", R.ABSENT))
            want_dane = {3: "mismatch", 4: "valid"}.get(i, "no-tlsa")
            C.check("seq-infer " + d, "dane.status", want_dane, ad.get("dane", {}).get("status"))
    return R.run_driver("mxsurvey-share-", a.keep, body)


def main():
    return W.driver_main(__file__, NS_ENV, "ports 25/53", in_namespace_main, doc=__doc__)


if __name__ == "__main__":
    sys.exit(main())
