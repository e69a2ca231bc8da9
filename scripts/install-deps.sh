#!/bin/sh
# Installs every Debian package mxsurvey needs to build, test and run its demo world.
# Idempotent: apt-get skips what is already there. Used by the README, CI and the tests.
# Everything apt and dpkg print goes to standard error: the callers' standard output is
# theirs (scripts/demo.sh prints only records and a table there).
set -eu
PKGS="build-essential cmake pkg-config git
libuv1-dev libssl-dev libc-ares-dev libunbound-dev libzstd-dev libidn2-dev libcurl4-openssl-dev
zstd jq python3 openssl ca-certificates dns-root-data
unbound nsd ldnsutils bind9-dnsutils postfix nginx iproute2 util-linux
clang libclang-rt-14-dev valgrind dnsperf
libjson-c-dev libpsl-dev publicsuffix libmimalloc-dev chromium"
# the tests validate every record against docs/record.schema.json
PKGS="$PKGS python3-jsonschema"
# issue 16: msgfmt compiles po/*.po (the Portuguese texts of explain and --notify);
# xgettext/msgcmp check the catalogue is complete (report.explain). locales: its pt_PT
# source, from which that test also builds a pt_PT.UTF-8 locale of its own (localedef,
# LOCPATH) to check both a machine with and one without the locale generated.
PKGS="$PKGS gettext locales"
# issue 15: gnutls-serv serves what Debian's OpenSSL cannot (3DES) to the hello codec test
PKGS="$PKGS gnutls-bin"
# issue 15: testssl.sh's cipher and curve mappings check the suite and group tables
# (unit.test_tls_classes); later its findings are the profile's independent oracle
PKGS="$PKGS testssl.sh"
# issue 15: Exim 4 as a further real MTA of the test world (tests/world/fullprofile.py).
# Its package conflicts with Postfix's: only its libraries are installed, the daemon's
# .deb is unpacked below (dpkg -x) into a directory of its own.
PKGS="$PKGS libgnutls30 libgnutls-dane0 libidn12 libidn2-0 libdb5.3 libpcre2-8-0 libnsl2"
EXIM_ROOT="${MXS_EXIM_ROOT:-/var/cache/mxsurvey/exim}"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ -n "$missing" ]; then
  # Postfix asks debconf for a mail configuration: the tests bring their own.
  echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >&2
  $SUDO apt-get install -y -qq --no-install-recommends $missing >&2
fi
# Exim: Debian's exim4-daemon-light unpacked (not installed) into $EXIM_ROOT, once; the
# binary looks up the user it was built for at start, which exim4-base's postinst would
# create: create it the same way (a system user and group, no home, no shell).
if [ ! -x "$EXIM_ROOT/usr/sbin/exim4" ]; then
  debs="$EXIM_ROOT.debs"
  $SUDO mkdir -p "$debs"
  # apt-get download writes into the current directory (as root: _apt cannot, it says so)
  (cd "$debs" && $SUDO apt-get download -qq exim4-daemon-light >&2)
  $SUDO dpkg -x "$(ls "$debs"/exim4-daemon-light_*.deb | tail -n 1)" "$EXIM_ROOT"
fi
getent passwd Debian-exim >/dev/null ||
  $SUDO adduser --system --group --quiet --allow-bad-names --no-create-home \
    --home /var/spool/exim4 Debian-exim >&2
