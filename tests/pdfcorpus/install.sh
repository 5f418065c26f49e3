#!/usr/bin/env bash
# Install what the PDF corpus needs, only if missing (we run as root on Debian): a plain TrueType CJK font
# with Latin digits (embedded by fpdf2, used by weasyprint, and what pdfium substitutes for STSong-Light)
# and weasyprint's pango and harfbuzz-subset libraries. The Python packages come from pyproject's dev extra.
set -euo pipefail
need=()
[ -f /usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf ] || need+=(fonts-arphic-gbsn00lp)
ldconfig -p | grep -q 'libpango-1.0.so.0' || need+=(libpango-1.0-0)
ldconfig -p | grep -q 'libpangoft2-1.0.so.0' || need+=(libpangoft2-1.0-0)
ldconfig -p | grep -q 'libharfbuzz-subset.so.0' || need+=(libharfbuzz-subset0)  # weasyprint's font subsetter
ldconfig -p | grep -q 'libGL.so.1' || need+=(libgl1)  # OpenCV (OCR tests) loads it
ldconfig -p | grep -q 'libglib-2.0.so.0' || need+=(libglib2.0-0)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${need[@]}"
fi
