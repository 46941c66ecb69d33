#!/usr/bin/env bash
# Builds a Thrift compiler >= 0.21 from Debian's unstable source package (Debian's own package is
# 0.17, whose service code libthrift 0.25 rejects) and installs it as /usr/local/bin/thrift.
# Needs root (apt) and about 80 s. Only needed to change the IDL; the generated Java is committed.
set -euo pipefail
# The first Debian mirror that apt itself uses (not a commented-out one); no sources.list is fine.
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
  | grep -E '^[[:space:]]*(URIs:|deb[[:space:]])' | grep -oE 'https?://[^ ]+/debian/?' | head -n1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > /etc/apt/sources.list.d/duet-thrift-src.sources <<SRC
Types: deb-src
URIs: $mirror
Suites: unstable
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt-get update -qq
apt-get install -y -qq bison flex g++ cmake make >/dev/null
cd "$work"
# The upstream tarball arrives even when Debian's own parts of the source package do not.
apt-get source --download-only thrift || true
tarball=$(ls thrift_*.orig.tar.gz | head -n1)
tar xzf "$tarball"
mkdir build && cd build
cmake ../thrift-*/compiler/cpp -DCMAKE_BUILD_TYPE=Release >/dev/null
make -j"$(nproc)" >/dev/null
install -m 0755 bin/thrift /usr/local/bin/thrift
rm -f /etc/apt/sources.list.d/duet-thrift-src.sources
apt-get update -qq || true
/usr/local/bin/thrift --version
