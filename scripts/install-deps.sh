#!/usr/bin/env bash
# Installs the Debian packages the station, its tests and its demo need.
# Safe to run again: apt-get skips what is already there. Needs root (or sudo).
set -euo pipefail

packages=(
  pcscd libpcsclite-dev vsmartcard-vpcd pcsc-tools opensc   # PC/SC stack, virtual reader, technician tools
  libssl-dev                                                # OpenSSL: SM2 / SM3 / SM4, TLS to the province
  libfreetype-dev libjpeg62-turbo-dev libpng-dev            # card-face rendering
  libusb-1.0-0-dev                                          # card printer over USB
  libsqlite3-dev                                            # inventory, journal, ledger
  postgresql                                                # the outlet's shared books (tests, outlet demo, bench)
  openssl                                                   # the outlet TLS test: a self-signed server certificate
  fonts-noto-cjk fonts-babelstone-han fonts-hanazono        # GB18030 font chain
  libcairo2-dev cups-client                                 # the counter's papers: PDF (cairo) and lp
  cups printer-driver-cups-pdf poppler-utils               # their tests: a private cupsd with a cups-pdf queue, pdftotext
  unzip                                                     # batch application files (《规程》附件6) are zip archives
  pkg-config procps iproute2
  chromium chromium-driver python3-selenium                 # browser bridge tests (headless Chromium)
  python3-pil                                               # the card face drawn by Pillow beside ours (sscard-bench render)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "Installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
