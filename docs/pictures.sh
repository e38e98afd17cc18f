#!/usr/bin/env bash
# The README's pictures, from real output: a compiled PDF cut with pdftoppm, and the HTML page
# shot with headless Chromium. Run from the top of a checkout with derive installed:
#   bash docs/pictures.sh
set -euo pipefail
out=$(cd "$(dirname "$0")" && pwd)/img
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# 1. softmax-cross-entropy at K = 3 with worked numbers, compiled by pdflatex: the result and the
#    worked example (page 3)
derive render softmax-cross-entropy -K 3 --values z=1.1316,-0.7943,0.1328 --values target=0 \
  -o "$work/sce.tex" --pdf
pdftoppm -png -r 150 -f 3 -l 3 -x 105 -y 80 -W 1140 -H 915 -singlefile "$work/sce.pdf" "$out/result-K3"

# 2. derive grad on binary cross-entropy, as the self-contained HTML page (KaTeX inlined)
derive grad 'L = -y \log \sigma(x) - (1 - y) \log(1 - \sigma(x))' --values x=0.3 --values y=1 \
  --format html -o "$work/bce.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,1130 \
  --screenshot="$out/grad-bce.png" "file://$work/bce.html" 2>/dev/null

echo "pictures in $out: $(cd "$out" && ls)"
