"""Validates scan records against docs/record.schema.json, the record's specification.

One module for every test that reads records (the world test, the hostile suite through
run_tests.read_ndjson, the benchmark's smoke world), so that no record a test sees can
drift from the schema unnoticed. Needs python3-jsonschema (Debian 12: 4.10, which knows
draft 2020-12). The validator is built once: schema compilation costs more than a record.
"""
import json
import os

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs",
                           "record.schema.json")
_validator = None


def validator():
    global _validator
    if _validator is None:
        import jsonschema
        with open(SCHEMA_PATH) as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    return _validator


def _path(parts):
    return "".join("[%d]" % p if isinstance(p, int) else "." + str(p) for p in parts) or "."


def _required_in(schema):
    """The field names a 'not' schema forbids: its required lists, through anyOf."""
    names = list(schema.get("required", []))
    for sub in schema.get("anyOf", []):
        names += _required_in(sub)
    return names


def record_errors(rec):
    """Every way rec breaks the schema, each as 'PATH: MESSAGE' (PATH from the record's root,
    e.g. .mx[0].addresses[1].smtp.connect); an empty list for a valid record."""
    errs = sorted(validator().iter_errors(rec), key=lambda e: list(map(str, e.absolute_path)))
    out = []
    for e in errs:
        # For a oneOf/anyOf/if failure the deepest sub-error names the field that is wrong.
        leaf = e
        while leaf.context:
            leaf = max(leaf.context, key=lambda c: len(c.absolute_path))
        msg = leaf.message
        if leaf.validator == "not":
            # "X should not be valid under Y" repeats the whole object: name the fields.
            banned = _required_in(leaf.validator_value)
            present = [k for k in banned if isinstance(leaf.instance, dict) and k in leaf.instance]
            msg = "field(s) %s not allowed here" % ", ".join(present or banned)
        out.append("%s: %s (schema %s)" % (_path(leaf.absolute_path), msg[:300],
                                           "/".join(map(str, leaf.absolute_schema_path))))
    return out


def failures(recs, what=""):
    """One message per record that fails: its domain and every error path. recs are the
    decoded records (dicts)."""
    msgs = []
    for i, rec in enumerate(recs):
        errs = record_errors(rec)
        if errs:
            dom = rec.get("domain") if isinstance(rec, dict) else None
            msgs.append("%srecord %d (domain %r) does not match docs/record.schema.json:\n      %s"
                        % (what + ": " if what else "", i + 1, dom, "\n      ".join(errs[:10])))
    return msgs
