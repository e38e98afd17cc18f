// Render every formula given on stdin (JSON [[tex, display], ...]) with the vendored KaTeX,
// throwOnError and strict "error": print JSON [{tex, error}] of the failures.
const katex = require(process.argv[2]);
let input = "";
process.stdin.on("data", (c) => (input += c));
process.stdin.on("end", () => {
  const failures = [];
  for (const [tex, display] of JSON.parse(input)) {
    try {
      katex.renderToString(tex, {displayMode: display, throwOnError: true, strict: "error"});
    } catch (e) {
      failures.push({tex: tex.slice(0, 200), error: String(e.message || e)});
    }
  }
  process.stdout.write(JSON.stringify(failures));
});
