#!/usr/bin/env python3
"""Compares two mxsurvey outputs record by record, by domain.

usage: record-diff.py [--ignore KEY]... [--canonical-order] [--show N] [--quiet] OLD NEW

OLD and NEW are NDJSON files (plain or *.zst). Records are paired by their "domain" (an input
line that occurs twice is paired in order of appearance). Fields that differ between any two
scans of the same world are ignored: "scanned_at" everywhere, and under "smtp" the fields that
time a probe ("*_ms") or depend on which domain reached a shared address first ("shared",
"inferred_from"), and "tls_profile.shared" for the same reason; "outlook.at" (the horizon:
judging time + --horizon days); and in "mta_sts.reason" the time libcurl puts into its messages ("Failed to
connect to ... after 10 ms", "timed out after 5000 milliseconds"), compared with the number
masked. --ignore adds a dotted key path ("mx.addresses.ptr"); list positions are
not part of the path.

--canonical-order puts every list that comes from a DNS RRset in one canonical order, in
BOTH outputs, before comparing (issue 14, point 7: a resolver rotates the order of an RRset,
so two scans of an unchanged world listed the same records in different orders). The order,
which the scanner itself writes since issue 14:
  mx[].addresses[]       by family (4 before 6), then the address's bytes in network order
                         (unsigned, lexicographic: 127.0.0.9 before 127.0.0.10);
  mx[].tlsa.records[]    by usage, selector, mtype (numbers), then the association data's
                         bytes (unsigned, lexicographic; a proper prefix before the longer).
The other lists keep their order, which no RRset decides: mx[] is sorted by preference and
name by the scanner; mta_sts.mx is the policy file's order; mta_sts.hosts follows mx[];
tls_rpt.rua is the order inside the one TLS-RPT TXT record (two such records are invalid,
RFC 8460 §3). A list cut short (addresses_truncated, tlsa.records_truncated) is sorted as
it is: which members were kept still depends on the resolver's order.

Prints one line per differing record (up to --show, default 20, with the first differing
paths), then a summary: records in both, identical, different, only in OLD, only in NEW, and
how often each path differed. Exits 0 when every record is identical, 1 when any differs or is
missing, 2 on a usage or read error. Used when a change touches the scan path: scan the test
world before and after and say how many records differ and why.
"""
import argparse
import collections
import json
import re
import subprocess
import sys

import ipaddress

ALWAYS_IGNORED = {"scanned_at"}
SMTP_VOLATILE = {"shared", "inferred_from"}
SMTP_VOLATILE_SUFFIX = "_ms"
# Timings inside text: dotted path -> the pattern masked before comparing.
VOLATILE_TEXT = {"mta_sts.reason": re.compile(r"\bafter [0-9]+ (ms|milliseconds)\b")}


def read_records(path):
    if path.endswith(".zst"):
        data = subprocess.run(["zstd", "-dcq", path], check=True, capture_output=True).stdout
    else:
        with open(path, "rb") as f:
            data = f.read()
    out = collections.defaultdict(list)
    for n, line in enumerate(data.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as e:
            raise SystemExit("record-diff: %s:%d: not JSON (%s)" % (path, n, e))
        out[rec.get("domain")].append(rec)
    return out


def address_key(a):
    """Canonical order of mx[].addresses[]: family, then the address bytes."""
    fam = a.get("family")
    try:
        packed = ipaddress.ip_address(a.get("ip", "")).packed
    except ValueError:
        packed = str(a.get("ip")).encode()
    return (fam if isinstance(fam, int) else 99, packed)


def tlsa_key(t):
    """Canonical order of mx[].tlsa.records[]: usage, selector, mtype, then the data bytes."""
    try:
        data = bytes.fromhex(t.get("data", ""))
    except (TypeError, ValueError):
        data = str(t.get("data")).encode()
    return tuple(t.get(k) if isinstance(t.get(k), int) else 999
                 for k in ("usage", "selector", "mtype")) + (data,)


def canonical_order(rec):
    """rec with its RRset-derived lists in the canonical order (see the module's text)."""
    for mx in rec.get("mx") or []:
        if not isinstance(mx, dict):
            continue
        if isinstance(mx.get("addresses"), list):
            mx["addresses"].sort(key=address_key)
        tlsa = mx.get("tlsa")
        if isinstance(tlsa, dict) and isinstance(tlsa.get("records"), list):
            tlsa["records"].sort(key=tlsa_key)
    return rec


def ignored(path, key, extra):
    dotted = ".".join(path + [key])
    if key in ALWAYS_IGNORED or dotted in extra:
        return True
    if "smtp" in path and (key in SMTP_VOLATILE or key.endswith(SMTP_VOLATILE_SUFFIX)):
        return True
    # the outlook's horizon is the judging time + --horizon days (issue 16): a time, as
    # scanned_at is
    if path and path[-1] == "outlook" and key == "at":
        return True
    # the TLS profile is shared per address the same way (issue 15)
    if path and path[-1] == "tls_profile" and key == "shared":
        return True
    return False


def diff(a, b, path, extra, found):
    """Appends the dotted paths at which a and b differ to found."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if ignored(path, k, extra):
                continue
            if k not in a or k not in b:
                found.append(".".join(path + [k]) + (" (only new)" if k not in a else " (only old)"))
            else:
                diff(a[k], b[k], path + [k], extra, found)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            found.append(".".join(path) + " (length %d -> %d)" % (len(a), len(b)))
        for x, y in zip(a, b):
            diff(x, y, path, extra, found)
    elif a != b or type(a) is not type(b):
        mask = VOLATILE_TEXT.get(".".join(path))
        if mask and isinstance(a, str) and isinstance(b, str) and \
                mask.sub(r"after N \1", a) == mask.sub(r"after N \1", b):
            return
        found.append(".".join(path))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--ignore", action="append", default=[])
    ap.add_argument("--canonical-order", action="store_true",
                    help="sort RRset-derived lists (addresses, TLSA records) in both first")
    ap.add_argument("--show", type=int, default=20)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    try:
        old, new = read_records(args.old), read_records(args.new)
    except (OSError, subprocess.CalledProcessError) as e:
        print("record-diff: %s" % e, file=sys.stderr)
        return 2
    extra = set(args.ignore)
    both = same = 0
    differing = []
    paths = collections.Counter()
    only_old = only_new = 0
    for dom in sorted(set(old) | set(new), key=lambda d: str(d)):
        a, b = old.get(dom, []), new.get(dom, [])
        only_old += max(0, len(a) - len(b))
        only_new += max(0, len(b) - len(a))
        for x, y in zip(a, b):
            both += 1
            if args.canonical_order:
                x, y = canonical_order(x), canonical_order(y)
            found = []
            diff(x, y, [], extra, found)
            if found:
                differing.append((dom, found))
                paths.update(set(found))
            else:
                same += 1
    if not args.quiet:
        for dom, found in differing[:args.show]:
            print("%s: %s%s" % (dom, ", ".join(found[:6]), " ..." if len(found) > 6 else ""))
        if len(differing) > args.show:
            print("(+%d more differing records)" % (len(differing) - args.show))
        for p, n in paths.most_common():
            print("  %6d  %s" % (n, p))
    print("records in both: %d, identical: %d, different: %d, only in old: %d, only in new: %d"
          % (both, same, len(differing), only_old, only_new))
    return 0 if not differing and not only_old and not only_new else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
