#!/usr/bin/env python3
# Layout rules of the source tree (ctest layout.rules): what keeps the house in order.
#
# (a) No include cycles, at two levels: between files (a header that reaches itself
#     through its includes), and between modules (x.c and x.h count as one module x, so
#     compare.c -> stats.h together with stats.c -> compare.h is a cycle although no
#     single file reaches itself; a folder's public header that several .c files
#     implement, PACKAGE_HEADERS, is a module of its own).
# (b) Layering between folders. A folder may include only the folders ALLOWED lists for
#     it. The graph is today's code after issue 14's seams were cut (derived, then made the
#     rule); a new edge fails until it is added here on purpose:
#
#       cli    -> report, scan, lib, net, polite, smtp, record (the options fill their configs)
#       lib    -> (nothing of ours)
#       net    -> lib, polite                       (rdns paces PTR lookups with addrmap)
#       polite -> lib, smtp                         (sched wraps smtp_probe_start)
#       tls    -> (nothing of ours)
#       smtp   -> lib, net, polite, tls             (observe hands probes to polite/sched)
#       model  -> lib, net, polite, smtp            (the observations the model holds)
#       checks -> model, net, polite, tls           (their lookups; the connection gate;
#                                                    the TLS grade's classes: tls/classes,
#                                                    tls/suites)
#       record -> model, smtp, tls, net             (serialise the model and the probes)
#       scan   -> checks, lib, model, net, polite, record, smtp
#       report -> record, lib                       (the record's names from record/schema)
#
#     Whatever ALLOWED says, FORBIDDEN always holds (the architecture's invariants):
#       lib/ includes nothing of ours; net/, polite/, tls/, smtp/ never include record/,
#       report/, scan/, checks/, cli/ (probing does not know the record or the verdicts);
#       record/ and checks/ never include scan/ or cli/; report/ never includes scan/;
#       model/ includes none of those that work on it (checks, record, scan, report, cli).
#     Known wart: smtp <-> polite is a folder-level cycle (no file or module cycle):
#     smtp/observe.c (the observation cache) sits above polite/sched.c, which sits above
#     smtp/smtp_probe.c. It goes when observe moves out of smtp/.
# (c) No source file of the program (the folders above; tests/ and bench/ are not the
#     program) longer than MAX_FILE_LINES lines.
# (d) No function in the scan path (SCAN_PATH folders) longer than MAX_FUNC_LINES lines,
#     counted from the line with the function's name to its closing brace. The scanner is
#     a brace matcher over the text with comments, strings and preprocessor lines blanked:
#     a '{' at file level that follows ')' opens a function body.
#
# ALLOW_FILES and ALLOW_FUNCS list exactly today's offenders against (c) and (d), with
# their lengths: an offender may not grow, a new one fails, and an entry that no longer
# offends fails too (remove it), so the lists only shrink.
#
# Usage: check_layout.py [SOURCE_DIR]   (default: the repository holding this script)
# Exit 0 when every rule holds; 1 with one line per violation otherwise.
import os
import re
import sys

FOLDERS = ["cli", "lib", "net", "polite", "tls", "smtp", "model", "checks", "record",
           "scan", "report"]

ALLOWED = {
    "cli": {"report", "scan", "lib", "net", "polite", "smtp", "record"},
    "lib": set(),
    "net": {"lib", "polite"},
    "polite": {"lib", "smtp"},
    "tls": set(),
    "smtp": {"lib", "net", "polite", "tls"},
    "model": {"lib", "net", "polite", "smtp"},
    "checks": {"model", "net", "polite", "tls"},
    "record": {"model", "smtp", "tls", "net"},
    "scan": {"checks", "lib", "model", "net", "polite", "record", "smtp"},
    "report": {"record", "lib"},
}

FORBIDDEN = {
    "lib": set(FOLDERS) - {"lib"},
    "net": {"record", "report", "scan", "checks", "cli"},
    "polite": {"record", "report", "scan", "checks", "cli"},
    "tls": {"record", "report", "scan", "checks", "cli"},
    "smtp": {"record", "report", "scan", "checks", "cli"},
    "record": {"scan", "cli"},
    "checks": {"scan", "cli"},
    "report": {"scan"},
    "model": {"checks", "record", "report", "scan", "cli"},
}

MAX_FILE_LINES = 600
MAX_FUNC_LINES = 80
SCAN_PATH = ["scan", "checks", "record", "smtp", "net", "polite", "model"]

# Offenders allowed, with their lengths (empty since issue 14: keep it so).
ALLOW_FILES = {
    # file: lines
}
ALLOW_FUNCS = {
    # (file, function): lines
}

# Headers that are the public face of a whole folder rather than of one .c file: their
# functions are defined in several files (tls_client.h: tls_client.c, tls_result.c,
# tls_judge.c, chain.c, tlsa.c), and the folder's internal headers build on their types.
# For the module-level cycle check such a header is a module of its own, not one with the
# .c file of the same name.
# smtp/profile.h: the TLS profile (profile.c, and the phases in profile_offer.c,
# profile_certs.c, profile_full.c, planned through smtp/profile_plan.h).
# net/dns.h: the DNS answer of every mode, filled by net/dns.c (libunbound) and by
# net/stub.c (the trusted-resolver mode, issue 17), which net/dns.c drives.
PACKAGE_HEADERS = {"tls/tls_client.h", "smtp/profile.h", "net/dns.h"}


def source_files(root, folders):
    out = []
    for d in folders:
        top = os.path.join(root, d)
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(x for x in dirnames if not x.startswith("build"))
            for f in sorted(filenames):
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(dirpath, f), root))
    return out


INCLUDE_RE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)


def includes(root, rel):
    """Project files rel includes: "x/y.h" is relative to the including file's folder
    first, then to the repository root (as the build's -I does); others are not ours."""
    with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
        text = f.read()
    found = []
    for name in INCLUDE_RE.findall(text):
        for base in (os.path.dirname(rel), ""):
            cand = os.path.normpath(os.path.join(base, name))
            if os.path.isfile(os.path.join(root, cand)):
                found.append(cand)
                break
    return found


def find_cycle(graph):
    """One cycle of graph (node -> iterable of nodes) as a list, or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {n: WHITE for n in graph}
    stack = []

    def visit(n):
        colour[n] = GREY
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if m == n:
                continue
            c = colour.get(m, WHITE)
            if c == GREY:
                return stack[stack.index(m):] + [m]
            if c == WHITE:
                colour.setdefault(m, WHITE)
                found = visit(m)
                if found:
                    return found
        stack.pop()
        colour[n] = BLACK
        return None

    for n in sorted(graph):
        if colour[n] == WHITE:
            found = visit(n)
            if found:
                return found
    return None


def blank_noncode(text):
    """text with comments, string and character literals and preprocessor lines replaced
    by spaces, newlines kept, so that braces and line numbers can be read off."""
    out = []
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and c in " \t":
            out.append(c)
            i += 1
            continue
        if at_line_start and c == "#":
            # a preprocessor line, with its continuations
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    out.append(" \n")
                    i += 2
                    continue
                out.append(" ")
                i += 1
            continue
        at_line_start = False
        if c == "\n":
            out.append(c)
            at_line_start = True
            i += 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


IDENT_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*$")


def functions(text):
    """(name, first line, last line) of every function definition in C text."""
    code = blank_noncode(text)
    found = []
    depth = 0
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if c == "{":
            if depth == 0:
                before = code[:i].rstrip()
                if before.endswith(")"):
                    # back to the '(' that matches, then the identifier before it
                    k, par = len(before) - 1, 0
                    while k >= 0:
                        if before[k] == ")":
                            par += 1
                        elif before[k] == "(":
                            par -= 1
                            if par == 0:
                                break
                        k -= 1
                    m = IDENT_RE.search(before[:k]) if k > 0 else None
                    if m:
                        start = code.count("\n", 0, m.start(1)) + 1
                        # the matching '}' of the body
                        d, j = 0, i
                        while j < n:
                            if code[j] == "{":
                                d += 1
                            elif code[j] == "}":
                                d -= 1
                                if d == 0:
                                    break
                            j += 1
                        end = code.count("\n", 0, j) + 1
                        found.append((m.group(1), start, end))
                        i = j + 1
                        continue
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
        i += 1
    return found


def check(root):
    problems = []
    program = source_files(root, FOLDERS)
    everything = program + source_files(root, ["tests", "bench"])

    # (a) include cycles: files, then modules
    graph = {f: includes(root, f) for f in everything}
    cyc = find_cycle(graph)
    if cyc:
        problems.append("(a) include cycle between files: " + " -> ".join(cyc))
    def module(f):
        return f if f in PACKAGE_HEADERS else os.path.splitext(f)[0]

    mod = {}
    for f, incs in graph.items():
        mod.setdefault(module(f), set()).update(module(x) for x in incs)
    for a in mod:
        mod[a].discard(a)
    cyc = find_cycle(mod)
    if cyc:
        problems.append("(a) include cycle between modules (x.c + x.h): " + " -> ".join(cyc))

    # (b) layering between folders, program only
    seen = {}
    for f in program:
        src = f.split(os.sep)[0]
        for inc in graph[f]:
            dst = inc.split(os.sep)[0]
            if dst == src:
                continue
            if dst not in FOLDERS:
                problems.append(f"(b) {f} includes {inc}, outside the program's folders")
                continue
            seen.setdefault((src, dst), f"{f} -> {inc}")
    for (src, dst), where in sorted(seen.items()):
        if dst in FORBIDDEN.get(src, set()):
            problems.append(f"(b) {src}/ must never include {dst}/: {where}")
        elif dst not in ALLOWED.get(src, set()):
            problems.append(f"(b) new folder dependency {src}/ -> {dst}/ ({where}): "
                            "not in ALLOWED; add it there on purpose if it is right")

    # (c) file length
    for f in program:
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
            lines = fh.read().count("\n")
        cap = ALLOW_FILES.get(f)
        if cap is None and lines > MAX_FILE_LINES:
            problems.append(f"(c) {f}: {lines} lines, more than {MAX_FILE_LINES}")
        elif cap is not None and lines > cap:
            problems.append(f"(c) {f}: {lines} lines, more than its allowed {cap}: "
                            "an offender may not grow")
        elif cap is not None and lines <= MAX_FILE_LINES:
            problems.append(f"(c) {f}: {lines} lines, no longer over {MAX_FILE_LINES}: "
                            "remove it from ALLOW_FILES")
    for f in ALLOW_FILES:
        if f not in program:
            problems.append(f"(c) {f} in ALLOW_FILES does not exist: remove it")

    # (d) function length in the scan path
    seen_funcs = set()
    for f in program:
        if f.split(os.sep)[0] not in SCAN_PATH or not f.endswith(".c"):
            continue
        with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        for name, first, last in functions(text):
            length = last - first + 1
            key = (f, name)
            cap = ALLOW_FUNCS.get(key)
            if cap is None:
                if length > MAX_FUNC_LINES:
                    problems.append(f"(d) {f}:{first} {name}(): {length} lines, more than "
                                    f"{MAX_FUNC_LINES}")
                continue
            seen_funcs.add(key)
            if length > cap:
                problems.append(f"(d) {f}:{first} {name}(): {length} lines, more than its "
                                f"allowed {cap}: an offender may not grow")
            elif length <= MAX_FUNC_LINES:
                problems.append(f"(d) {f}:{first} {name}(): {length} lines, no longer over "
                                f"{MAX_FUNC_LINES}: remove it from ALLOW_FUNCS")
    for key in sorted(set(ALLOW_FUNCS) - seen_funcs):
        problems.append(f"(d) {key[0]} {key[1]}() in ALLOW_FUNCS no longer exists: remove it")
    return problems, len(program), len(everything)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.normpath(os.path.join(here, "..", ".."))
    problems, nprog, nall = check(root)
    for p in problems:
        print(p)
    if problems:
        print(f"layout: {len(problems)} problem(s)")
        return 1
    print(f"layout: ok ({nprog} program files, {nall} files in the include graph; "
          f"{len(ALLOW_FILES)} files and {len(ALLOW_FUNCS)} functions on the allow-list)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
