#!/usr/bin/env python3
"""record/keys.h (the C code's one spelling of each record key) against the record's
specification, docs/record.schema.json: every key the schema names has its RK_* macro and
every RK_* macro is a key of the schema, each string defined once. A key added to the
record on one side only fails here.

Usage: keys_schema_test.py SOURCE_DIR"""
import json
import os
import re
import sys


def schema_keys(o, out):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "properties" and isinstance(v, dict):
                out.update(v.keys())
            schema_keys(v, out)
    elif isinstance(o, list):
        for x in o:
            schema_keys(x, out)
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    with open(os.path.join(root, "record", "keys.h")) as f:
        defs = re.findall(r'^#define (RK_[A-Z0-9_]+) "([^"]*)"', f.read(), re.M)
    with open(os.path.join(root, "docs", "record.schema.json")) as f:
        spec = schema_keys(json.load(f), set())
    fails = 0
    strings = [v for _, v in defs]
    for v in sorted(set(strings)):
        if strings.count(v) > 1:
            print(f"key {v!r} defined {strings.count(v)} times in record/keys.h")
            fails += 1
    for v in sorted(set(strings) - spec):
        print(f"record/keys.h defines {v!r}, which docs/record.schema.json does not name")
        fails += 1
    for v in sorted(spec - set(strings)):
        print(f"docs/record.schema.json names {v!r}, which record/keys.h does not define")
        fails += 1
    print(f"{len(defs)} keys in record/keys.h, {len(spec)} in docs/record.schema.json: "
          f"{'ok' if not fails else str(fails) + ' difference(s)'}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
