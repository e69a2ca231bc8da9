"""Hostile and broken peers of the test world (issue 5): servers, certificates, zones,
input list and the expected record of each case. world.py builds them into the world;
run_tests.py scans HOSTILE_INPUT (its own run, "run6-hostile") and asserts EXPECT.

Every case must end in a precise, recorded error (or a bounded, recorded truncation),
never a crash, a hang, a leak or an invalid record.
"""
import os
import subprocess

TLD = "mxlab"

# misbehave.py behaviours (see its docstring), one address each
ADDRS = {
    "127.0.2.10": "longline",
    "127.0.2.11": "endless",
    "127.0.2.12": "nul",
    "127.0.2.13": "slowloris",
    "127.0.2.14": "close-ehlo",
    "127.0.2.15": "close-tls",
    "127.0.2.16": "tls-garbage",
    "127.0.2.17": "inject-late",
    "127.0.2.18": "chain50",
    "127.0.2.19": "bigcert",
    "127.0.2.20": "hugecert",
    "127.0.2.21": "inject-flood",
}
ADDR_OF = {b: a for a, b in ADDRS.items()}
MANY_MX = 300            # MX records of many-mx.mxlab (mxsurvey scans at most 16)
CNAME_CHAIN = 20         # CNAME links from the MX name of cname-chain.mxlab to its address
HUGE_TXT_PAD = 30        # 250-byte character-strings appended to the huge TXT records

HOSTILE_INPUT = ["hb-%s.%s" % (b, TLD) for b in ADDRS.values()] + [
    "many-mx.mxlab", "huge-txt.mxlab", "mx-self.mxlab", "cname-loop.mxlab",
    "cname-chain.mxlab"]


def _run(cmd):
    subprocess.run(cmd, check=True, capture_output=True)


def _cnf(path, ext_lines):
    with open(path, "w") as f:
        f.write("[req]\ndistinguished_name = dn\n[dn]\n[ext]\n" + "\n".join(ext_lines) + "\n")
    return path


LEAF_EXT = ["basicConstraints = critical, CA:FALSE",
            "keyUsage = critical, digitalSignature, keyEncipherment",
            "extendedKeyUsage = serverAuth", "subjectKeyIdentifier = hash",
            "authorityKeyIdentifier = keyid", "subjectAltName = @alt", "[alt]"]


def _sign(pki, name, subj, cnf, ca_cert, ca_key, serial):
    """New P-256 key and certificate signed by ca_cert, in one openssl run."""
    key, cert = pki.p(name + ".key"), pki.p(name + ".pem")
    _run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
          "-nodes", "-keyout", key, "-subj", subj, "-CA", ca_cert, "-CAkey", ca_key,
          "-set_serial", str(serial), "-days", "365", "-sha256", "-config", cnf,
          "-extensions", "ext", "-out", cert])
    os.chmod(key, 0o644)
    return cert, key


def _leaf_with_sans(pki, name, sans, ca_cert, ca_key, serial):
    cnf = _cnf(pki.p(name + ".cnf"),
               LEAF_EXT + ["DNS.%d = %s" % (i + 1, s) for i, s in enumerate(sans)])
    return _sign(pki, name, "/CN=" + sans[0], cnf, ca_cert, ca_key, serial)


def der_len(cert):
    return len(subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"],
                              check=True, capture_output=True).stdout)


def build_pki(pki):
    """The hostile TLS servers' certificates: {ctx name: (chain file, key)}."""
    out = {}
    # 50 intermediates under the test CA, then the leaf: the server sends 51 certificates
    int_ext = _cnf(pki.p("hb-int.cnf"), [
        "basicConstraints = critical, CA:TRUE", "keyUsage = critical, keyCertSign, cRLSign",
        "subjectKeyIdentifier = hash", "authorityKeyIdentifier = keyid"])
    ca_cert, ca_key = pki.ca_pem, pki.ca_key
    ints = []
    for i in range(50):
        ca_cert, ca_key = _sign(pki, "hb-int%02d" % i, "/CN=mxsurvey intermediate %02d" % i,
                                int_ext, ca_cert, ca_key, 7000 + i)
        ints.append(ca_cert)
    leaf, key = _leaf_with_sans(pki, "hb-chain50", ["mx.hb-chain50.mxlab"], ca_cert, ca_key,
                                7100)
    chain = pki.p("hb-chain50.chain.pem")
    with open(chain, "w") as f:
        for c in [leaf] + ints[::-1]:
            f.write(open(c).read())
    out["chain50"] = (chain, key)
    # A leaf of about 65 KiB (DER): its own name, then thousands of SANs. And one of about
    # 147 KiB, over OpenSSL's default limit of 100 KiB for the whole certificate list.
    for ctx, name, n in (("bigcert", "hb-bigcert", 2750), ("hugecert", "hb-hugecert", 6000)):
        sans = ["mx.%s.mxlab" % name] + ["h%04d.%s.mxlab" % (i, name) for i in range(n)]
        out[ctx] = _leaf_with_sans(pki, name, sans, pki.ca_pem, pki.ca_key, 7200 + n)
    return out


def build_dns(child, simple, pf_tls13, pf_notls):
    """Zones of the hostile cases; child(name) and simple(name, ip) are world.py's."""
    for addr, beh in ADDRS.items():
        simple("hb-" + beh, addr)
    # The targets live in another zone: in-zone targets put 300 signed A RRsets in the
    # additional section, and Unbound 1.17 (Debian 12, with the KeyTrap limits) answers
    # SERVFAIL to such a response while its cache is cold (mxsurvey then records an MX
    # lookup error), which would test Unbound rather than mxsurvey.
    z = child("many-mx")
    hosts = child("many-mx-hosts")
    for i in range(MANY_MX):
        # preferences descend with i, so the 16 most preferred are the LAST in zone order
        z.add("@", "MX", "%d mx%03d.many-mx-hosts.mxlab." % (1000 - i, i))
        hosts.add("mx%03d" % i, "A", pf_notls)
    z = simple("huge-txt", pf_notls)
    pad = " ".join('"x-pad%02d=%s;"' % (i, "p" * 240) for i in range(HUGE_TXT_PAD))
    z.add("_mta-sts", "TXT", '"v=STSv1; id=huge2026;" ' + pad)
    z.add("_smtp._tls", "TXT", '"v=TLSRPTv1; rua=mailto:r@huge-txt.mxlab;" ' + pad)
    z = child("mx-self")
    z.add("@", "MX", "10 mx-self.mxlab.")
    z.add("@", "A", pf_tls13)
    z = child("cname-loop")
    z.add("@", "MX", "10 a.cname-loop.mxlab.")
    z.add("a", "CNAME", "b.cname-loop.mxlab.")
    z.add("b", "CNAME", "a.cname-loop.mxlab.")
    z = child("cname-chain")
    z.add("@", "MX", "10 c00.cname-chain.mxlab.")
    for i in range(CNAME_CHAIN):
        z.add("c%02d" % i, "CNAME", "c%02d.cname-chain.mxlab." % (i + 1))
    z.add("c%02d" % CNAME_CHAIN, "A", pf_tls13)


def write_input(path):
    with open(path, "w") as f:
        f.write("\n".join(HOSTILE_INPUT) + "\n")
