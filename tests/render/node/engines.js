// Pass Markdown documents through a real blog engine's renderer (marked or markdown-it, from npm)
// and print what a browser would then hand to KaTeX: the text of the HTML (tags removed, entities
// decoded). stdin: JSON [{engine, markdown}]; stdout: JSON [text, ...]. argv[2]: node_modules dir.
const path = require("path");
const modules = process.argv[2];
const { marked } = require(path.join(modules, "marked"));
const MarkdownIt = require(path.join(modules, "markdown-it"));
const md = new MarkdownIt();
const entities = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };
function text(html) {
  return html.replace(/<[^>]+>/g, "").replace(/&(amp|lt|gt|quot|#39);/g, (e) => entities[e]);
}
let input = "";
process.stdin.on("data", (c) => (input += c));
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(({ engine, markdown }) =>
    text(engine === "marked" ? marked.parse(markdown) : md.render(markdown)));
  process.stdout.write(JSON.stringify(out));
});
