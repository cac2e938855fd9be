/**
 * The explorer's page shell and style sheet, served as they are: the page is one element per part (navigation,
 * content) and loads explorer.js (src/web/app/, bundled next to galmorph.js by scripts/buildBrowser.mjs), which
 * draws every page. No inline script or style, so the Content-Security-Policy needs no 'unsafe-inline'.
 */
export const EXPLORER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>galmorph explorer</title>
<link rel="stylesheet" href="/static/explorer.css">
</head>
<body>
<header><strong>galmorph explorer</strong><nav id="nav"></nav></header>
<main id="main"><p>Loading…</p></main>
<script type="module" src="/static/explorer.js"></script>
</body>
</html>
`;

export const EXPLORER_CSS = `
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #222; background: #fafafa; }
header { display: flex; gap: 1.5em; align-items: center; padding: 0.5em 1em; background: #1d2a3a; color: #fff; }
header nav a { color: #cfe3ff; margin-right: 1em; text-decoration: none; }
header nav a.active { color: #fff; text-decoration: underline; }
main { padding: 1em; }
.controls { display: flex; flex-wrap: wrap; gap: 1em; align-items: center; margin-bottom: 0.5em; }
.status { color: #555; font-size: 12px; }
.error { color: #a00; background: #fee; padding: 0.5em; border: 1px solid #daa; }
canvas.map { width: 100%; height: 72vh; background: #000; cursor: grab; display: block; }
.legend span { display: inline-block; margin-right: 1em; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
.galaxy { display: grid; grid-template-columns: 280px 1fr; gap: 1.5em; align-items: start; }
.galaxy img.large, .rate img.large { width: 256px; height: 256px; image-rendering: pixelated; border: 1px solid #999; }
table.tree { border-collapse: collapse; margin-bottom: 1em; }
table.tree td { padding: 1px 6px; vertical-align: middle; }
table.tree tr.question td { font-weight: 600; padding-top: 6px; }
.bar { position: relative; width: 160px; height: 12px; background: #e6e6e6; }
.bar .fill { position: absolute; left: 0; top: 0; bottom: 0; background: #3b75af; }
.bar .interval { position: absolute; top: 5px; height: 2px; background: #111; }
.thumbs { display: flex; flex-wrap: wrap; gap: 6px; }
.thumbs figure { margin: 0; text-align: center; font-size: 11px; }
.thumbs img { width: 72px; height: 72px; border: 2px solid transparent; }
.thumbs figure.current img { border-color: #d55e00; }
.drop { border: 2px dashed #888; padding: 2em; text-align: center; background: #fff; }
.drop.over { background: #eef5ff; }
.rate button { font-size: 18px; width: 3em; margin-right: 0.3em; }
pre.summary { white-space: pre-wrap; background: #fff; padding: 1em; border: 1px solid #ddd; max-width: 100em; }
table.data { display: block; max-width: 100%; overflow-x: auto; border-collapse: collapse; margin-bottom: 1em; background: #fff; font-size: 12px; }
table.data th, table.data td { border: 1px solid #ddd; padding: 2px 6px; text-align: right; }
table.data th { background: #eef2f7; }
ol.queue { columns: 3; font-size: 12px; }
.figures.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 0.5em 1em; }
.figures img { max-width: 100%; border: 1px solid #ddd; margin: 0.5em 0; background: #fff; }
`;
