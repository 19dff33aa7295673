// SVG drawing of one view (factual or intervened) from the shared layout. Every element
// carries the DOM contract's data attributes, which the browser tests read.
import {
  boundaryPoint, FONT_FAMILY, mechanismText, NAME_FONT, nodeSize, SUB_FONT, textWidth,
} from "./layout.js";

const NS = "http://www.w3.org/2000/svg";

// the blog post's palette, as widgets/render.py draws it; "adjust" marks the set to adjust for
export const ROLE_COLORS = {
  treatment: "#c0392b",
  outcome: "#1e8449",
  confounder: "#6c3483",
  mediator: "#2471a3",
  adjust: "#9a7d0a",
};
export const INTERVENED_FILL = "#fdebd0";
export const INTERVENED_LINE = "#d35400";
export const OBSERVED_FILL = "#bfbfbf";
export const DATA_FILL = "#eaecee";
// a marginalized latent: dashed outline, as the static drawing has it
export const MARGINALIZED_DASH = "5 3";
// the legend's words for each status (widgets/render.py LEGEND says the same)
export const STATUS_TEXT = {
  observed: "observed (data)",
  "partly observed": "partly observed (cells imputed)",
  latent: "latent (inferred)",
  marginalized: "latent, marginalized",
};
const EDGE = "#555";
const CUT = "#9a9a9a";

export function svgEl(tag, attrs = {}, parent = null) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, v);
  if (parent) parent.appendChild(el);
  return el;
}

// a hard-stop gradient: the lower half grey, as a column with holes
export function partlyFill(defs, id) {
  const g = svgEl("linearGradient", { id, x1: 0, y1: 0, x2: 0, y2: 1 }, defs);
  for (const [offset, colour] of [[0, "#fff"], [0.5, "#fff"], [0.5, OBSERVED_FILL], [1, OBSERVED_FILL]]) {
    svgEl("stop", { offset, "stop-color": colour }, g);
  }
  return `url(#${id})`;
}

function markers(svg, uid) {
  const defs = svgEl("defs", {}, svg);
  partlyFill(defs, `${uid}-partly`);
  for (const [name, colour] of [["arrow", EDGE], ["cut", CUT], ["added", INTERVENED_LINE]]) {
    const m = svgEl("marker", {
      id: `${uid}-${name}`, viewBox: "0 0 10 10", refX: 9, refY: 5,
      markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse",
    }, defs);
    svgEl("path", { d: "M0,0 L10,5 L0,10 z", fill: colour }, m);
  }
}

export function shapeElement(kind, w, h, attrs, parent) {
  if (kind === "stochastic") return svgEl("ellipse", { cx: 0, cy: 0, rx: w / 2, ry: h / 2, ...attrs }, parent);
  if (kind === "data") {
    // Graphviz's "note": a box with its top-right corner folded, as the static drawing has
    const x = -w / 2, y = -h / 2, c = 9;
    const d = `M${x},${y} H${x + w - c} L${x + w},${y + c} V${y + h} H${x} Z`;
    const g = svgEl("g", {}, parent);
    svgEl("path", { d, ...attrs }, g);
    svgEl("path", { d: `M${x + w - c},${y} V${y + c} H${x + w}`, fill: "none", stroke: attrs.stroke, "stroke-width": 1 }, g);
    return g;
  }
  return svgEl("rect", { x: -w / 2, y: -h / 2, width: w, height: h, rx: 2, ...attrs }, parent);
}

// what a fit makes of the node in this view (Python decides: graphpayload)
export function statusOf(node, intervenedView) {
  return intervenedView ? node.status_intervened : node.status;
}

function nodeStyle(node, intervened, status, uid) {
  let fill = node.kind === "data" ? DATA_FILL : "#fff";
  if (node.observed) fill = OBSERVED_FILL;
  if (status === "partly observed") fill = `url(#${uid}-partly)`;
  let stroke = "#333", width = 1.3, dash = null;
  if (status === "marginalized") { dash = MARGINALIZED_DASH; width = 1.6; }
  if (intervened) { fill = INTERVENED_FILL; stroke = INTERVENED_LINE; width = 2.2; dash = null; }
  if (node.role) { stroke = ROLE_COLORS[node.role] || stroke; width = 3; }
  return { fill, stroke, "stroke-width": width, "stroke-dasharray": dash, class: "gw-shape" };
}

// Draw one view into `svg`; returns the per-node and per-edge elements to move on drag.
export function drawView(svg, which, ctx) {
  const { vis, pos, sizes, boxes, uid } = ctx;
  const intervenedView = which === "intervened";
  svg.replaceChildren();
  markers(svg, uid);
  const root = svgEl("g", { class: "gw-root", "font-family": FONT_FAMILY }, svg);
  const plateEls = {};
  for (const p of vis.plates) {
    const b = boxes[p.name];
    const g = svgEl("g", { "data-plate": p.name }, root);
    const rect = svgEl("rect", { x: b.x, y: b.y, width: b.w, height: b.h, rx: 6, fill: "#fafafc", stroke: "#8a8aa0", "stroke-width": 1.2 }, g);
    const label = svgEl("text", { x: b.x + b.w - 8, y: b.y + b.h - 7, "text-anchor": "end", "font-size": SUB_FONT, fill: "#555" }, g);
    label.textContent = p.label;
    plateEls[p.name] = { rect, label };
  }
  const edgeLayer = svgEl("g", { class: "gw-edges" }, root);
  const edgeEls = [];
  for (const e of vis.edges) {
    if (e.added && !intervenedView) continue;
    const cut = intervenedView && e.cut;
    const colour = cut ? CUT : e.added ? INTERVENED_LINE : EDGE;
    const marker = cut ? "cut" : e.added ? "added" : "arrow";
    const line = svgEl("path", {
      fill: "none",
      "data-edge": `${e.parent}->${e.child}`,
      "data-cut": cut ? "true" : null,
      "data-added": e.added ? "true" : null,
      stroke: colour, "stroke-width": cut ? 1.2 : 1.5,
      "stroke-dasharray": cut ? "4 4" : e.added ? "7 4" : null,
      opacity: cut ? 0.55 : 1,
      "marker-end": `url(#${uid}-${marker})`,
    }, edgeLayer);
    edgeEls.push({ line, e });
  }
  const nodeEls = {};
  for (const n of vis.nodes) {
    const intervened = intervenedView && n.intervened;
    const status = statusOf(n, intervenedView);
    const g = svgEl("g", {
      "data-node": n.name,
      "data-kind": n.kind,
      "data-intervened": intervened ? "true" : null,
      "data-role": n.role || null,
      "data-observed": n.observed ? "true" : null,
      "data-status": status || null,
    }, root);
    const size = sizes[n.name];
    const sub = intervened ? n.intervention : mechanismText(n);
    const w = Math.max(size.width, nodeSize(n, [sub]).width);
    if (n.role === "adjust") {
      // the adjustment set gets a halo, so it reads at a glance like dagitty's
      shapeElement(n.kind === "stochastic" ? "stochastic" : "deterministic", w + 14, size.height + 14,
        { fill: "#fcf3cf", stroke: "none", opacity: 0.9 }, g);
    }
    shapeElement(n.kind, w, size.height, nodeStyle(n, intervened, status, uid), g);
    const name = svgEl("text", {
      y: -4, "text-anchor": "middle", "font-size": NAME_FONT, "font-weight": 600,
      fill: n.role ? ROLE_COLORS[n.role] : "#111",
    }, g);
    name.textContent = n.name;
    const mech = svgEl("text", { y: 13, "text-anchor": "middle", "font-size": SUB_FONT, fill: intervened ? "#a04000" : "#444" }, g);
    mech.textContent = sub;
    const folded = vis.folded[n.name] || [];
    const statusText = intervenedView ? n.status_text_intervened : n.status_text;
    const tip = [n.name, sub, statusText || (n.observed ? "observed" : null),
      folded.length ? `parameters: ${folded.join(", ")}` : null,
      "click: intervene · right-click: roles · shift-click: treatment · alt-click: outcome"];
    svgEl("title", {}, g).textContent = tip.filter(Boolean).join("\n");
    if (folded.length) {
      const badge = svgEl("g", { class: "gw-folded", transform: `translate(${w / 2 - 6},${-size.height / 2 + 4})` }, g);
      svgEl("circle", { r: 9, fill: "#eef", stroke: "#8a8aa0" }, badge);
      const t = svgEl("text", { y: 4, "text-anchor": "middle", "font-size": 11, fill: "#445" }, badge);
      t.textContent = `${folded.length}θ`;
    }
    nodeEls[n.name] = { g, width: w };
  }
  const drawn = { nodeEls, edgeEls, plateEls, vis };
  place(drawn, ctx);
  return drawn;
}

// Move the elements of a drawn view to the positions in ctx.pos (after a drag).
export function place(drawn, ctx) {
  const { pos, sizes, boxes } = ctx;
  for (const [name, { g }] of Object.entries(drawn.nodeEls)) {
    g.setAttribute("transform", `translate(${pos[name].x},${pos[name].y})`);
  }
  const kindOf = Object.fromEntries(drawn.vis.nodes.map((n) => [n.name, n.kind]));
  for (const { line, e } of drawn.edgeEls) {
    const a = pos[e.parent], b = pos[e.child];
    const sa = { ...sizes[e.parent], width: drawn.nodeEls[e.parent].width };
    const sb = { ...sizes[e.child], width: drawn.nodeEls[e.child].width };
    if (!e.added) {
      const p = boundaryPoint(a, sa, kindOf[e.parent], b.x, b.y);
      const q = boundaryPoint(b, sb, kindOf[e.child], a.x, a.y);
      line.setAttribute("d", `M${p.x},${p.y} L${q.x},${q.y}`);
      continue;
    }
    // an added edge bows out: it stays visible between neighbours of one rank, which
    // the layout placed side by side because it ignores edges that only a do() makes
    const dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1;
    let nx = dy / len, ny = -dx / len;
    if (ny > 0 || (ny === 0 && nx > 0)) { nx = -nx; ny = -ny; } // bow upwards, else left
    const off = Math.max(34, 0.25 * len);
    const c = { x: (a.x + b.x) / 2 + nx * off, y: (a.y + b.y) / 2 + ny * off };
    const p = boundaryPoint(a, sa, kindOf[e.parent], c.x, c.y);
    const q = boundaryPoint(b, sb, kindOf[e.child], c.x, c.y);
    line.setAttribute("d", `M${p.x},${p.y} Q${c.x},${c.y} ${q.x},${q.y}`);
  }
  for (const [name, { rect, label }] of Object.entries(drawn.plateEls)) {
    const b = boxes[name];
    rect.setAttribute("x", b.x); rect.setAttribute("y", b.y);
    rect.setAttribute("width", b.w); rect.setAttribute("height", b.h);
    label.setAttribute("x", b.x + b.w - 8); label.setAttribute("y", b.y + b.h - 7);
  }
}

// The legend: one small swatch per thing a colour or a shape means. `statuses` are the
// fit's marks the graph draws (observed, partly observed, latent, marginalized); with
// none (no data bound) the legend says how to get them.
export function legend(el, statuses = [], uid = "docalc-gw") {
  el.replaceChildren();
  const item = (draw, text, key = null) => {
    const span = document.createElement("span");
    if (key) span.setAttribute("data-legend", key);
    const svg = svgEl("svg", { width: 30, height: 18, viewBox: "-15 -9 30 18" });
    draw(svg);
    span.append(svg, document.createTextNode(text));
    el.appendChild(span);
  };
  const shape = (kind, style) => (svg) => shapeElement(kind, 26, 14, { "stroke-width": 1.3, stroke: "#333", fill: "#fff", ...style }, svg);
  item(shape("stochastic"), "stochastic");
  item(shape("deterministic"), "deterministic");
  item(shape("data", { fill: DATA_FILL }), "data");
  const style = {
    observed: { fill: OBSERVED_FILL },
    "partly observed": null,
    latent: {},
    marginalized: { "stroke-dasharray": "4 2", "stroke-width": 1.5 },
  };
  for (const key of statuses) {
    const draw = key === "partly observed"
      ? (svg) => shape("stochastic", { fill: partlyFill(svgEl("defs", {}, svg), `${uid}-legend-partly`) })(svg)
      : shape("stochastic", style[key]);
    item(draw, STATUS_TEXT[key] || key, key);
  }
  if (!statuses.length) {
    item(shape("stochastic", { fill: OBSERVED_FILL }), "observed");
    const note = document.createElement("span");
    note.className = "gw-legend-note";
    note.textContent = "no data bound: observe(df) marks observed and latent nodes";
    el.appendChild(note);
  }
  item(shape("stochastic", { fill: INTERVENED_FILL, stroke: INTERVENED_LINE, "stroke-width": 2 }), "intervened");
  for (const [role, colour] of Object.entries(ROLE_COLORS)) {
    item(shape("stochastic", { stroke: colour, "stroke-width": 2.5 }), role);
  }
  item((svg) => svgEl("line", { x1: -13, y1: 0, x2: 13, y2: 0, stroke: CUT, "stroke-dasharray": "4 3", "stroke-width": 1.5 }, svg), "cut by do()");
  item((svg) => svgEl("line", { x1: -13, y1: 0, x2: 13, y2: 0, stroke: INTERVENED_LINE, "stroke-dasharray": "6 3", "stroke-width": 1.5 }, svg), "added by do()");
  item((svg) => { svgEl("circle", { r: 7, fill: "#eef", stroke: "#8a8aa0" }, svg); }, "folded parameters (θ)");
}
