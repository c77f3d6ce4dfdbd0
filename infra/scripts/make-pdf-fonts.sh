#!/usr/bin/env bash
# Writes the two fonts the PDF renderer embeds (assets/fonts/), cut down to what a Chinese report uses: ASCII,
# Latin-1, general and CJK punctuation, full-width forms, and every character of GB 2312 (6763 hanzi). The full
# Noto CJK collections are 20–27 MB each; the cut is about 2 MB per font, small enough for the publish Lambda.
#
# Needs Debian's fonts-noto-cjk (the sources) and fonttools (pyftsubset). Noto CJK is under the SIL Open Font
# License 1.1, which allows subsetting and redistribution of the result (with the licence, under a name that is not
# a Reserved Font Name: the Noto fonts declare none), so the outputs are committed beside OFL.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=${NOTO_CJK_DIR:-/usr/share/fonts/opentype/noto}
OUT=assets/fonts
PYTHON=${PYTHON:-/usr/bin/python3}
mkdir -p "$OUT"
unicodes=$(mktemp)
trap 'rm -f "$unicodes"' EXIT
"$PYTHON" - "$unicodes" <<'PY'
import sys
ranges = [(0x20, 0x7e), (0xa0, 0x17f), (0x2000, 0x206f), (0x2100, 0x218f), (0x2460, 0x24ff), (0x2500, 0x257f),
          (0x25a0, 0x25ff), (0x3000, 0x303f), (0xff00, 0xffef)]
points = {cp for lo, hi in ranges for cp in range(lo, hi + 1)}
for hi in range(0xa1, 0xf8):
    for lo in range(0xa1, 0xff):
        try:
            points.add(ord(bytes([hi, lo]).decode('gb2312')))
        except UnicodeDecodeError:
            pass
with open(sys.argv[1], 'w') as out:
    out.write('\n'.join('%04X' % cp for cp in sorted(points)))
PY
# font number 2 is the Simplified Chinese face in Debian's collections (jp, kr, sc, tc, hk)
subset() {
  pyftsubset "$SRC/$1" --font-number=2 --unicodes-file="$unicodes" --output-file="$OUT/$2" \
    --layout-features='vert,vrt2' --no-hinting --name-IDs='*' --name-languages='*'
}
subset NotoSerifCJK-Regular.ttc NotoSerifSC-Report.otf
subset NotoSansCJK-Bold.ttc NotoSansSC-Bold-Report.otf
ls -l "$OUT"
