#!/usr/bin/env bash
# The built wheel as a user installs it: a fresh virtual environment outside the checkout, the wheel
# (not the checkout) installed with pip, and every command run from a directory outside the
# checkout: every recipe at K = 3 and at a general K, grad, check, --format html, --lang zh, --pdf,
# and the Python API. Exits non-zero when any of them fails.
# Last, the sdist's own tests run from the unpacked sdist.
#   usage: .ci/smoke_wheel.sh DIST_DIR   (the folder with derive-*.whl and derive-*.tar.gz)
set -uo pipefail
dist=$(cd "${1:?usage: smoke_wheel.sh DIST_DIR}" && pwd)
wheels=("$dist"/derive-*.whl)
[ -f "${wheels[0]}" ] || { echo "smoke: no wheel in $dist"; exit 1; }
checkout=$(cd "$(dirname "$0")/.." && pwd)

work=$(mktemp -d /tmp/derive-smoke.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3.11 -m venv "$work/venv" || exit 1
"$work/venv/bin/pip" install -q "${wheels[0]}" 2>&1 | grep -v '^WARNING: Location' || true
derive="$work/venv/bin/derive"
py="$work/venv/bin/python"
cd "$work" && mkdir out

failures=0
# expect RC CMD...: run CMD (output kept in $work/last), and fail unless it exits RC with no traceback
expect() {
  local want=$1; shift
  "$@" >"$work/last" 2>&1
  local got=$?
  if [ "$got" != "$want" ] || grep -q 'Traceback\|internal error' "$work/last"; then
    failures=$((failures + 1))
    echo "FAIL (exit $got, expected $want): $(head -c 300 <<<"$*" | head -1)"
    sed 's/^/    /' "$work/last" | tail -15
  else
    echo "ok   (exit $got): $(head -1 <<<"${*#"$work/venv/bin/"}")"
  fi
}
# file FILE: fail unless FILE was written and is not empty
file() {
  if [ -s "$1" ]; then echo "ok   wrote ${1#"$work/"} ($(wc -c <"$1") bytes)"
  else failures=$((failures + 1)); echo "FAIL: ${1#"$work/"} missing or empty"; fi
}

echo "smoke: $(basename "${wheels[0]}") in a fresh venv, run from $work"
expect 0 "$py" -c "
import derive, pathlib, sys
where = pathlib.Path(derive.__file__).resolve()
assert pathlib.Path('$checkout') not in where.parents, f'derive imported from the checkout: {where}'
assert '$work/venv' in str(where), where
print('derive', derive.__version__, 'from', where.parent)"
expect 0 "$derive" --version
grep -qx "derive $("$py" -c 'import derive; print(derive.__version__)')" "$work/last" || {
  failures=$((failures + 1)); echo "FAIL: derive --version disagrees with derive.__version__"; }
expect 0 "$derive" list
expect 0 "$derive" list --json
recipes=$("$py" -c 'import derive; print(" ".join(derive.recipes()))')
for r in $recipes; do
  k=3
  [ "$r" = sigmoid-cross-entropy ] && k=2  # the two-class case by definition; K = 3 is refused
  expect 0 "$derive" describe "$r"
  expect 0 "$derive" render "$r" -K "$k" -o "out/$r-K$k.tex"
  file "out/$r-K$k.tex"
  expect 0 "$derive" render "$r" -K K -o "out/$r-KK.tex"
  file "out/$r-KK.tex"
done
expect 2 "$derive" render sigmoid-cross-entropy -K 3 -o out/refused.tex

# the Quick start command, into output/ of the current directory
expect 0 "$derive" render softmax-cross-entropy -K 3 --values z=1.1316,-0.7943,0.1328 --values target=0
file output/softmax-cross-entropy-K3.tex
grep -q '0.414799' output/softmax-cross-entropy-K3.tex || {
  failures=$((failures + 1)); echo "FAIL: the worked example's loss 0.414799 is not in the document"; }

# every format, both languages, the styles
for fmt in latex latex-fragment markdown html json text; do
  expect 0 "$derive" render softmax-cross-entropy -K 3 --format "$fmt" -o "out/sce.$fmt"
  file "out/sce.$fmt"
done
for fmt in numpy torch; do   # a Python module generated from the verified gradient: it must compile
  expect 0 "$derive" render softmax-cross-entropy -K K --format "$fmt" -o "out/sce_$fmt.py"
  expect 0 "$py" -m py_compile "out/sce_$fmt.py"
done
expect 0 "$derive" render softmax-cross-entropy -K K --format html --lang zh -o out/sce-zh.html
file out/sce-zh.html
grep -q 'katex' out/sce-zh.html || { failures=$((failures + 1)); echo "FAIL: the HTML has no KaTeX inlined"; }
expect 0 "$derive" render softmax-cross-entropy -K K --format markdown --lang zh -o out/sce-zh.md
expect 0 "$derive" render softmax-cross-entropy -K 3 --format markdown --style teaching \
  --values z=1.1316,-0.7943,0.1328 --values target=0 -o out/sce-teaching.md
expect 0 "$derive" render batch-cross-entropy -K 3 --values 'z=1,2,3;0.5,0.1,-1' --values 'target=0;2' -o out/batch.tex

# --pdf: pdflatex for English, xelatex + ctex for Chinese
expect 0 "$derive" render softmax-cross-entropy -K 3 --pdf -o out/sce-pdf.tex
file out/sce-pdf.pdf
expect 0 "$derive" render softmax-cross-entropy -K K --lang zh --pdf -o out/sce-zh-pdf.tex
file out/sce-zh-pdf.pdf

# grad: the README's losses
softmax='a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}'
expect 0 "$derive" grad 'L = -\sum_{i=1}^{K} y_i (1 - a_i)^{\gamma} \log a_i' --define "$softmax" \
  --format markdown -o out/focal.md
file out/focal.md
expect 0 "$derive" grad 'L = -\sum_{i=1}^{K} y_i \log a_i' --define "$softmax" --assume '\sum_{i=1}^{K} y_i = 1' \
  -K 3 --values z=1.2,-0.3,0.4 --values y=1,0,0 --format json -o out/ce.json
"$py" -c "
import json, math
d = json.load(open('out/ce.json'))
z, y = [1.2, -0.3, 0.4], [1, 0, 0]
a = [math.exp(v) / sum(map(math.exp, z)) for v in z]  # softmax by hand: the gradient is a - y
assert all(math.isclose(g, p - t, rel_tol=1e-12) for g, p, t in zip(d['numeric']['gradient'], a, y)), d['numeric']
assert math.isclose(d['numeric']['loss'], -math.log(a[0]), rel_tol=1e-12)
print('ok   grad json: result', d['result']['latex'], '; gradient = softmax(z) - y')" || {
  failures=$((failures + 1)); echo "FAIL: grad JSON"; }
expect 0 "$derive" grad 'L = -y \log \sigma(x) - (1 - y) \log(1 - \sigma(x))' --values x=0.3 --values y=1 -o out/bce.tex
expect 0 "$derive" grad 'L = -\sum_{i=1}^{K} y_i \log a_i' --define "$softmax" --route jacobian --lang zh --pdf -o out/grad-zh.tex
file out/grad-zh.pdf
expect 2 "$derive" grad 'L = \max_i z_i' -o out/refused.tex

# check: a right derivation exits 0, a wrong one 1 (JSON ok false), unreadable input 2
cat >good.md <<'EOF'
<!-- derive: define a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}} -->
<!-- derive: define L = -\sum_{i=1}^{K} y_i \log a_i -->
<!-- derive: assume \sum_{i=1}^{K} y_i = 1 -->
$$
\frac{\partial L}{\partial z_j} = \sum_{i=1}^{K} y_i (a_j - \delta_{ij}) = a_j - y_j
$$
EOF
sed 's/= a_j - y_j/= y_j - a_j/' good.md >wrong.md
expect 0 "$derive" check good.md
expect 1 "$derive" check wrong.md
expect 1 "$derive" check wrong.md --json
"$py" -c "import json; d = json.load(open('$work/last')); assert d['ok'] is False, d" || {
  failures=$((failures + 1)); echo "FAIL: check --json of a wrong derivation"; }
expect 1 "$derive" check wrong.md --annotate out/annotated.md
file out/annotated.md
expect 2 "$derive" check missing.md

# the Python API, from the wheel
expect 0 "$py" - <<'EOF'
import derive
d = derive.derivation("softmax-cross-entropy", K=3)
assert d.verified and "\\begin{align" in d.render("latex")
g = derive.gradient(r"L = -\sum_{i=1}^{K} y_i \log a_i", define=[r"a_i = \frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}"])
assert g.verified, g
print("api: derivation and gradient verified;", len(d.steps), "and", len(g.steps), "steps")
EOF

# the sdist carries the tests and their data: unpacked, its own tests of goldens, corpora and the
# gallery pass against its own source
sdists=("$dist"/derive-*.tar.gz)
if [ -f "${sdists[0]}" ]; then
  mkdir sdist && tar xzf "${sdists[0]}" -C sdist
  src=(sdist/derive-*)
  "$work/venv/bin/pip" install -q pytest hypothesis 2>&1 | grep -v '^WARNING: Location' || true
  expect 0 env -C "${src[0]}" "$work/venv/bin/pytest" -p no:cacheprovider tests/core/test_readme.py \
    tests/check/test_corpus.py tests/check/test_real.py tests/render/test_formats.py
  tail -1 "$work/last"
else
  failures=$((failures + 1)); echo "FAIL: no sdist in $dist"
fi

if [ "$failures" -ne 0 ]; then echo "smoke: $failures FAILED"; exit 1; fi
echo "smoke: every command passed from the installed wheel"
