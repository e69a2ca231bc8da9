#!/usr/bin/env python3
"""Scans the test world once with each of several mxsurvey binaries and keeps the records.

usage: records_scan.py --out DIR LABEL=MXSURVEY [LABEL=MXSURVEY ...]

The "records unchanged" proof (scripts/records-unchanged.sh) needs the records of two
binaries on the SAME world: the world's keys, certificates and signatures are made afresh by
every build, so two separate test runs cannot be compared. This starts one world (world.py,
in a private network and mount namespace, as run_tests.py does) and scans with each binary,
one after the other, the three input lists of run_tests.py with the options it uses there:
  main     domains.txt   (run1: scan_base + --allow 127.0.0.0/8)
  hostile  hostile.txt   (run6: the same options)
  special  special.txt   (run4: without --allow: the special-purpose address is not contacted)
Records go to DIR/LABEL-LIST.ndjson; the scanner's stderr to DIR/LABEL-LIST.err. Asserts
nothing about the records (scripts/record-diff.py compares them); exits 1 when a scan did
not exit 0 (as run_tests.py asserts) or the world did not start. Needs root.
"""
import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_tests as R  # noqa: E402
import world as W  # noqa: E402

NS_ENV = "MXSURVEY_RECORDS_SCAN_NETNS"


def in_namespace_main(a):
    def body(C, world, wd, procs):
        st = R.start_world(world, wd)
        base = R.scan_base(st, allow=False)
        allow = ["--allow", "127.0.0.0/8"]
        lists = (("main", st["domains"], allow), ("hostile", st["hostile_domains"], allow),
                 ("special", st["special_domains"], []))
        for name, path, extra in lists:
            for label, binary in a.binaries:
                out = os.path.join(a.out, "%s-%s.ndjson" % (label, name))
                err = os.path.join(a.out, "%s-%s.err" % (label, name))
                t0 = time.time()
                with open(err, "wb") as ef:
                    r = subprocess.run([binary, "scan"] + base + extra + ["-o", out, path],
                                       stdout=subprocess.DEVNULL, stderr=ef, timeout=600)
                print("[records] %s %s: exit %d in %.1f s" % (label, name, r.returncode,
                                                             time.time() - t0), flush=True)
                C.check("records-scan %s %s" % (label, name), "exit status", 0, r.returncode)
    return R.run_driver("mxsurvey-records-", False, body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="directory for the records")
    ap.add_argument("binaries", nargs="+", metavar="LABEL=MXSURVEY")
    a = ap.parse_args()
    a.out = os.path.abspath(a.out)
    os.makedirs(a.out, exist_ok=True)
    bins = []
    for b in a.binaries:
        label, sep, path = b.partition("=")
        if not sep or not label or not os.access(path, os.X_OK):
            print("records_scan: want LABEL=EXECUTABLE, got %r" % b, file=sys.stderr)
            return 2
        bins.append((label, os.path.abspath(path)))
    a.binaries = bins
    return W.run_in_namespace(__file__, NS_ENV, "ports 25/53", lambda: in_namespace_main(a))


if __name__ == "__main__":
    sys.exit(main())
