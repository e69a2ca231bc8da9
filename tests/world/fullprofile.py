"""The test world's servers for `--tls-profile full` (issue 15; tests/world/test_profile_full.py).

Servers whose cipher suites, server order, DHE group and protocol range are known because we
configured them, each with its own address and domain <name>.mxlab (MX mx.<name>.mxlab, one
CA-signed RSA-2048 leaf "full" for all of them; RSA because DHE_RSA and RSA key exchange
need it):

  127.0.1.10  null-suite    Postfix, TLS 1.2 only, ECDHE-RSA-AES128-GCM-SHA256 plus three
                            NULL suites (no encryption) at OpenSSL's SECLEVEL 0, server order
  127.0.1.11  dhe1024       Postfix, TLS 1.2 only, DHE_RSA suites only, with the 1024-bit
                            group of RFC 2409 (Oakley group 2) as smtpd_tls_dh1024_param_file,
                            the client's order (17 suites: AES, CHACHA20, CCM, CAMELLIA, ARIA)
  127.0.1.12  order-server  Postfix, TLS 1.2 + 1.3, tls_preempt_cipherlist = yes; its list
                            puts AES-128 before CHACHA20 before AES-256 (no client's order)
                            and ends with one RSA key transport suite (phase-out),
                            ECDHE groups secp384r1 then prime256v1 only
  127.0.1.13  order-client  the same list with tls_preempt_cipherlist = no (the client's
                            choice wins), Postfix's default groups
  127.0.1.14  tls13-only    Postfix, TLS 1.3 only (tls12.mxlab is the TLS 1.2-only server)
  127.0.1.20  exim          Exim 4 from Debian (GnuTLS), priority string
                            NORMAL:+3DES-CBC:+VERS-TLS1.0:+VERS-TLS1.1: TLS 1.0 to 1.3 and 3DES

The Postfix ones are entries of the world's one Postfix (smtpd starts on a connection: no
start-up cost). Exim is a daemon of its own, started only when the world is started with
extras "exim" (World.start(extras=...), `world.py start DIR --exim`): Exim's package
conflicts with Postfix's, so scripts/install-deps.sh unpacks its .deb into EXIM_ROOT with
`dpkg -x` and creates the user the binary was built for (Debian-exim). Exim runs from its own
configuration (-C): spool, log (<dir>/exim/log) and pid file in the world's directory, no system path. Hooks in
world.py: full_certs (build_pki), full_zones (build_dns), full_smtpd (build_postfix_conf),
full_build (build), full_start / FULL_ADDRS (start).
"""
import os
import shutil
import subprocess

PF_NULL = "127.0.1.10"
PF_DHE1024 = "127.0.1.11"
PF_ORDER_SERVER = "127.0.1.12"
PF_ORDER_CLIENT = "127.0.1.13"
PF_TLS13ONLY = "127.0.1.14"
EXIM_ADDR = "127.0.1.20"
FULL_ADDRS = [PF_NULL, PF_DHE1024, PF_ORDER_SERVER, PF_ORDER_CLIENT, PF_TLS13ONLY]
FULL_DOMAINS = {"null-suite": PF_NULL, "dhe1024": PF_DHE1024, "order-server": PF_ORDER_SERVER,
                "order-client": PF_ORDER_CLIENT, "tls13-only": PF_TLS13ONLY, "exim": EXIM_ADDR}
EXIM_ROOT = os.environ.get("MXS_EXIM_ROOT", "/var/cache/mxsurvey/exim")
EXIM_BIN = os.path.join(EXIM_ROOT, "usr", "sbin", "exim4")
EXIM_USER = "Debian-exim"
EXIM_PRIORITY = "NORMAL:+3DES-CBC:+VERS-TLS1.0:+VERS-TLS1.1"
# The order servers' TLS 1.2 list, most preferred first (order-server enforces it). The RSA
# key transport suite at the end (phase-out) is what many real servers still have; it also
# gives the profile two suites of different classes to ask the order with (profile_full.c
# enumerates only the first suite of the good and sufficient classes); tls13-only is the
# case without one.
ORDER_LIST = ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-CHACHA20-POLY1305",
              "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA", "AES128-GCM-SHA256"]
NULL_LIST = ["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-NULL-SHA", "NULL-SHA256", "NULL-SHA"]
# RFC 2409 section 6.2, the 1024-bit MODP group (generator 2)
OAKLEY2_P = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A0879"
    "8E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B"
    "0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF", 16)


def full_certs(pki, c):
    c["full"] = pki.leaf("full", ["mx.%s.mxlab" % n for n in FULL_DOMAINS], "rsa")


def full_zones(simple):
    for n, ip in FULL_DOMAINS.items():
        simple(n, ip)


def _der_len(n):
    return bytes([n]) if n < 128 else bytes([0x81, n]) if n < 256 else bytes([0x82, n >> 8, n & 255])


def _der_int(v):
    b = v.to_bytes((v.bit_length() + 8) // 8, "big")  # leading zero keeps it positive
    return b"\x02" + _der_len(len(b)) + b


def dh_params_pem(p=OAKLEY2_P, g=2):
    """PKCS#3 DHParameter (SEQUENCE { prime, base }) as PEM, written by hand: a fixed,
    well-known group costs nothing at start-up, unlike `openssl dhparam`."""
    import base64
    body = _der_int(p) + _der_int(g)
    der = b"\x30" + _der_len(len(body)) + body
    b64 = base64.b64encode(der).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN DH PARAMETERS-----\n%s\n-----END DH PARAMETERS-----\n" % "\n".join(lines)


def full_build(w):
    """Files the servers read: the 1024-bit group, Exim's configuration and directories."""
    with open(w.p("dh1024.pem"), "w") as f:
        f.write(dh_params_pem())
    edir = w.p("exim")
    for sub in ("spool", "log"):
        os.makedirs(os.path.join(edir, sub), exist_ok=True)
    c = w.state["certs"]["full"]
    conf = """# Exim for the test world (tests/world/fullprofile.py): receives nothing, speaks STARTTLS
primary_hostname = mx.exim.mxlab
spool_directory = %(e)s/spool
log_file_path = %(e)s/log/%%slog
pid_file_path = %(e)s/exim.pid
local_interfaces = %(addr)s
daemon_smtp_ports = 25
host_lookup =
rfc1413_hosts =
keep_environment =
tls_advertise_hosts = *
tls_certificate = %(cert)s
tls_privatekey = %(key)s
tls_require_ciphers = %(prio)s
acl_smtp_rcpt = acl_check_rcpt
begin acl
acl_check_rcpt:
  deny message = this test server accepts no mail
""" % {"e": edir, "addr": EXIM_ADDR, "cert": c["cert"], "key": c["key"],
       "prio": EXIM_PRIORITY}
    with open(os.path.join(edir, "exim.conf"), "w") as f:
        f.write(conf)
    w.state["exim_conf"] = os.path.join(edir, "exim.conf")


def full_smtpd(w, smtpd):
    """The Postfix entries (smtpd(addr, name, cert, extra) is build_postfix_conf's)."""
    tls12 = "-o smtpd_tls_protocols=>=TLSv1.2,<=TLSv1.2"
    # Postfix's cipher grade for opportunistic TLS is "medium": each entry its own list
    clist = lambda l: "-o tls_medium_cipherlist=%s" % l  # noqa: E731
    order = clist(":".join(ORDER_LIST) + ":@SECLEVEL=1")
    return [
        smtpd(PF_NULL, "mx.null-suite.mxlab", "full",
              [tls12, clist(":".join(NULL_LIST) + ":@SECLEVEL=0"),
               # with the client's order testssl.sh, which offers no NULL suite in its order
               # test, would see one suite and call that "server order": make it true
               "-o tls_preempt_cipherlist=yes"]),
        smtpd(PF_DHE1024, "mx.dhe1024.mxlab", "full",
              [tls12, clist("kDHE+aRSA:!aNULL:!eNULL:@SECLEVEL=0"),
               "-o smtpd_tls_dh1024_param_file=%s" % w.p("dh1024.pem"),
               "-o tls_preempt_cipherlist=no"]),
        smtpd(PF_ORDER_SERVER, "mx.order-server.mxlab", "full",
              ["-o smtpd_tls_protocols=>=TLSv1.2", order, "-o tls_preempt_cipherlist=yes",
               "-o tls_eecdh_auto_curves=secp384r1,prime256v1"]),
        smtpd(PF_ORDER_CLIENT, "mx.order-client.mxlab", "full",
              ["-o smtpd_tls_protocols=>=TLSv1.2", order, "-o tls_preempt_cipherlist=no"]),
        smtpd(PF_TLS13ONLY, "mx.tls13-only.mxlab", "full", ["-o smtpd_tls_protocols=>=TLSv1.3"]),
    ]


def exim_available():
    """None when Exim can run here, else why not (the tests say so and fail)."""
    if not os.access(EXIM_BIN, os.X_OK):
        return "%s missing (scripts/install-deps.sh unpacks Debian's exim4-daemon-light)" % EXIM_BIN
    try:
        import pwd
        pwd.getpwnam(EXIM_USER)
    except KeyError:
        return "no user %s (scripts/install-deps.sh creates it)" % EXIM_USER
    return None


def full_start(w, extras):
    """Starts what `extras` asks for (only "exim" is optional); returns the (addr, port,
    proto) to wait for."""
    if "exim" not in extras:
        return []
    why = exim_available()
    if why:
        raise RuntimeError("exim: " + why)
    # spool and log files are created by the exim user
    for sub in ("spool", "log"):
        shutil.chown(os.path.join(w.p("exim"), sub), EXIM_USER, EXIM_USER)
    subprocess.run([EXIM_BIN, "-C", w.state["exim_conf"], "-bV"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    w._spawn("exim", [EXIM_BIN, "-C", w.state["exim_conf"], "-bdf"], "exim.stdout")
    return [(EXIM_ADDR, 25, "tcp")]
