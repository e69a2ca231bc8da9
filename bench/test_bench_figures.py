#!/usr/bin/env python3
"""Unit test of the benchmark's own arithmetic (ctest bench.figures): the politeness bound
(bound.py), the references' medians and ratio spreads (refs.py) and the DNS modes' checks
(dnsmodes.py), on hand-made inputs whose answers are worked out in the comments."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bound as B  # noqa: E402
import dnsmodes as M  # noqa: E402
import refs as R  # noqa: E402


class Bound(unittest.TestCase):
    def test_limits_defaults_and_overrides(self):
        lim = B.limits([])
        self.assertEqual(lim, {"rate": 1000.0, "per_ip": 1.0, "ip_interval": 0.25,
                               "per_prefix": 8.0})
        lim = B.limits(["--per-prefix", "4", "--rate", "0", "--per-prefix", "2"])
        self.assertEqual((lim["per_prefix"], lim["rate"]), (2.0, 0.0))  # the last one wins

    def test_prefix_bound(self):
        # 16 connections of 5 s to 16 addresses of one /24 at --per-prefix 8: 16*5/8 = 10 s;
        # 6 of 1 s to one address of another /24 at --per-ip 1: 6 s
        conns = [("10.0.1.%d" % i, 0, 5000) for i in range(1, 17)]
        conns += [("10.0.2.1", 0, 1000)] * 6
        b = B.compute(conns, B.limits([]), 11.0)
        self.assertEqual(b["prefixes"][0]["prefix"], "10.0.1.0/24")
        self.assertAlmostEqual(b["prefixes"][0]["bound_s"], 10.0)
        self.assertAlmostEqual(b["bound_s"], 10.0)
        self.assertEqual(b["bound_by"], "prefix")
        self.assertAlmostEqual(b["ratio"], 1.1)
        self.assertEqual(b["addresses"][0]["address"], "10.0.2.1")
        self.assertAlmostEqual(b["addresses"][0]["bound_s"], 6.0)
        self.assertAlmostEqual(b["addresses"][1]["bound_s"], 5.0)
        self.assertAlmostEqual(b["rate_bound_s"], 22 / 1000)

    def test_address_bound_with_interval(self):
        # 5 connections of 0.1 s to one address, --ip-interval 0.25: four waits of 0.25 s,
        # then the last connection's 0.1 s = 1.1 s
        b = B.compute([("10.0.3.1", 0, 100)] * 5, B.limits([]), 2.2)
        self.assertAlmostEqual(b["bound_s"], 1.1)
        self.assertEqual(b["bound_by"], "address")

    def test_rate_bound_and_log(self):
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write("garbage\n")
            for i in range(3000):
                f.write("10.%d.%d.1 %d %d\n" % (i // 250, i % 250, i, i + 10))
        try:
            conns = B.read_log(f.name)
            size = os.path.getsize(f.name)
            self.assertEqual(len(conns), 3000)
            self.assertEqual(B.read_log(f.name, size), [])
        finally:
            os.unlink(f.name)
        b = B.compute(conns, B.limits(["--rate", "100"]), 60.0)
        self.assertAlmostEqual(b["bound_s"], 30.0)
        self.assertEqual(b["bound_by"], "rate")
        self.assertIn("politeness bound", dict(B.rows(b)))


class Refs(unittest.TestCase):
    def test_summary_and_ratio(self):
        s = R.summary([600, 500, None, 700])
        self.assertEqual(s, {"median": 600, "min": 500, "max": 700, "n": 3})
        r = R.ratio(1200, s)  # 1200 us per probe against 500-700 us handshakes
        self.assertAlmostEqual(r["median"], 2.0)
        self.assertAlmostEqual(r["min"], 1200 / 700)
        self.assertAlmostEqual(r["max"], 2.4)
        self.assertIsNone(R.summary([]))
        self.assertEqual(R.fmt_ratio(r), "2.00x (1.71-2.40)")

    def test_split_queries(self):
        d = tempfile.mkdtemp()
        q = os.path.join(d, "q.txt")
        with open(q, "w") as f:
            f.write("".join("n%d A\n" % i for i in range(10)))
        parts = R.split_queries(q, 3, os.path.join(d, "p%d"))
        got = []
        for p in parts:
            with open(p) as f:
                got.append(f.read().split("\n")[:-1])
        self.assertEqual(got[0], ["n0 A", "n1 A", "n2 A"])
        self.assertEqual(got[2], ["n6 A", "n7 A", "n8 A", "n9 A"])
        self.assertEqual(sum(len(g) for g in got), 10)


class DnsModes(unittest.TestCase):
    def test_parse_args(self):
        self.assertEqual(M.parse(None), ["forward"])
        self.assertEqual(M.parse("trusted,forward,trusted"), ["trusted", "forward"])
        self.assertRaises(ValueError, M.parse, "stub")
        self.assertEqual(M.args("recursive", "1.2.3.4", "/h"), ["--root-hints", "/h"])
        self.assertEqual(M.args("trusted", "1.2.3.4", "/h"),
                         ["--resolver", "1.2.3.4", "--resolver-validates"])
        self.assertEqual(M.flags_missing("trusted", "--resolver ADDR"), ["--resolver-validates"])

    def test_check(self):
        fwd = {"unbound_delta": {"total.num.queries": 5000, "num.query.type.DNSKEY": 300,
                                 "num.query.type.DS": 200}}
        self.assertIn("does not implement the recursive mode", M.check("recursive", fwd, 10))
        self.assertIn("validates locally", M.check("trusted", fwd, 10))
        self.assertIsNone(M.check("forward", fwd, 10))
        self.assertIn("no statistics", M.check("recursive", {"unbound_delta": None}, 10))
        self.assertIn("no statistics", M.check("trusted", {}, 10))
        ok = {"unbound_delta": {"total.num.queries": 0}}
        self.assertIsNone(M.check("recursive", ok, 10))
        scan = {"wall_s": 10.0, "exit": 0, "cpu_s": 4.0, "loop_cpu_s": 3.0,
                "worker_threads_cpu_s": 1.0, "cpu_others_s": {"unbound": 2.0, "nsd": 1.0,
                                                              "smtpd": 1.0},
                "unbound_delta": {"total.num.queries": 50000}, "nsd_delta": {"num.queries": 300}}
        f = M.figures("forward", scan, 100, {"median": 10000, "min": 8000, "max": 12500})
        self.assertAlmostEqual(f["cpu_ms_per_domain_with_resolver"], 70.0)  # (4+2+1)/100 s
        self.assertAlmostEqual(f["cpu_ms_per_domain_machine"], 80.0)
        self.assertAlmostEqual(f["qps_at_resolver"], 5000.0)
        self.assertEqual(f["qps_vs_capacity"], {"median": 0.5, "min": 0.4, "max": 0.625})
        self.assertAlmostEqual(f["nsd_queries_per_domain"], 3.0)
        few = {"unbound_delta": {"total.num.queries": 4000, "num.query.type.DS": 2}}
        self.assertIsNone(M.check("trusted", few, 10))
        # the zones' DNSKEY sets (dnssec_expires) are asked in trusted mode too: not a validator
        keys = {"unbound_delta": {"total.num.queries": 40000, "num.query.type.DNSKEY": 12000}}
        self.assertIsNone(M.check("trusted", keys, 10))


if __name__ == "__main__":
    unittest.main()
