// One layout for both views: dagre places the visible nodes of the factual graph once,
// plates as compound clusters so their members stay together. Edges an intervention
// adds are left out of the layout on purpose: clicking or typing a do() must not move
// anything.
import { graphlib, layout as dagreLayout } from "@dagrejs/dagre";

export const NAME_FONT = 14; // user units: px at scale 1
export const SUB_FONT = 12;
export const FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', sans-serif";
const PAD_X = 14;
const NODE_H = 46;
const PLATE_PAD = 14;
const PLATE_LABEL = 18;

let canvas = null;
export function textWidth(text, size, weight = "normal") {
  canvas = canvas || document.createElement("canvas");
  const ctx = canvas.getContext("2d");
  ctx.font = `${weight} ${size}px ${FONT_FAMILY}`;
  // canvas and SVG fonts can differ a little; the slack keeps labels inside their shapes
  return ctx.measureText(text).width * 1.08;
}

export function mechanismText(node) {
  if (node.kind === "data") return "data";
  if (node.kind === "deterministic") return "Deterministic";
  // a partly observed column says how many of its cells the fit imputes
  const holes = node.imputed ? `, ${node.imputed[0]}/${node.imputed[1]} imputed` : "";
  return `~ ${node.mechanism}${holes}`;
}

export function nodeSize(node, lines) {
  const widest = Math.max(
    textWidth(node.name, NAME_FONT, "600"),
    ...lines.map((t) => textWidth(t, SUB_FONT)),
  );
  const stretch = node.kind === "stochastic" ? 1.15 : 1; // an ellipse's sides are round
  return { width: Math.max(64, widest * stretch + 2 * PAD_X), height: NODE_H };
}

// What each visible node is drawn with: parameters folded into the nodes they feed.
export function visibleGraph(graph, showParameters) {
  const hidden = new Set(
    showParameters ? [] : graph.nodes.filter((n) => n.parameter).map((n) => n.name),
  );
  const nodes = graph.nodes.filter((n) => !hidden.has(n.name));
  const folded = {};
  for (const e of graph.edges) {
    if (hidden.has(e.parent) && !hidden.has(e.child) && !e.added) {
      (folded[e.child] = folded[e.child] || []).push(e.parent);
    }
  }
  const edges = graph.edges.filter((e) => !hidden.has(e.parent) && !hidden.has(e.child));
  const plates = graph.plates.filter((p) => nodes.some((n) => n.plate === p.name));
  return { nodes, edges, plates, folded, hidden };
}

// A key that changes only when the layout must: the visible nodes and factual edges.
export function layoutKey(vis) {
  const names = vis.nodes.map((n) => `${n.name}@${n.plate || ""}`).join(",");
  const edges = vis.edges.filter((e) => !e.added).map((e) => `${e.parent}>${e.child}`).join(",");
  return `${names}|${edges}`;
}

export function computeLayout(vis, sizes) {
  const g = new graphlib.Graph({ compound: true });
  g.setGraph({ rankdir: "TB", nodesep: 28, ranksep: 44, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const p of vis.plates) g.setNode(`plate:${p.name}`, { paddingBottom: PLATE_LABEL });
  for (const n of vis.nodes) {
    g.setNode(n.name, { ...sizes[n.name] });
    if (n.plate) g.setParent(n.name, `plate:${n.plate}`);
  }
  for (const e of vis.edges) if (!e.added) g.setEdge(e.parent, e.child);
  dagreLayout(g);
  const pos = {};
  for (const n of vis.nodes) {
    const d = g.node(n.name);
    pos[n.name] = { x: d.x, y: d.y };
  }
  return pos;
}

// Plate boxes follow their members, so a dragged node takes its plate along.
export function plateBoxes(vis, pos, sizes) {
  const boxes = {};
  for (const p of vis.plates) {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const n of vis.nodes) {
      if (n.plate !== p.name || !pos[n.name]) continue;
      const { x, y } = pos[n.name];
      const { width, height } = sizes[n.name];
      x0 = Math.min(x0, x - width / 2); x1 = Math.max(x1, x + width / 2);
      y0 = Math.min(y0, y - height / 2); y1 = Math.max(y1, y + height / 2);
    }
    const labelW = textWidth(p.label, SUB_FONT) + 12;
    const w = Math.max(x1 - x0 + 2 * PLATE_PAD, labelW + PLATE_PAD);
    boxes[p.name] = { x: x0 - PLATE_PAD, y: y0 - PLATE_PAD, w, h: y1 - y0 + 2 * PLATE_PAD + PLATE_LABEL };
  }
  return boxes;
}

export function bounds(vis, pos, sizes, boxes) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const n of vis.nodes) {
    const { x, y } = pos[n.name];
    const { width, height } = sizes[n.name];
    x0 = Math.min(x0, x - width / 2); x1 = Math.max(x1, x + width / 2);
    y0 = Math.min(y0, y - height / 2); y1 = Math.max(y1, y + height / 2);
  }
  for (const b of Object.values(boxes)) {
    x0 = Math.min(x0, b.x); x1 = Math.max(x1, b.x + b.w);
    y0 = Math.min(y0, b.y); y1 = Math.max(y1, b.y + b.h);
  }
  if (!Number.isFinite(x0)) return { x: 0, y: 0, w: 100, h: 60 };
  const m = 14;
  return { x: x0 - m, y: y0 - m, w: x1 - x0 + 2 * m, h: y1 - y0 + 2 * m };
}

// Where the segment from the centre of a node towards (tx, ty) leaves its shape.
export function boundaryPoint(p, size, kind, tx, ty) {
  const dx = tx - p.x, dy = ty - p.y;
  if (dx === 0 && dy === 0) return { x: p.x, y: p.y };
  const hw = size.width / 2, hh = size.height / 2;
  let t;
  if (kind === "stochastic") t = 1 / Math.sqrt((dx / hw) ** 2 + (dy / hh) ** 2);
  else t = Math.min(dx === 0 ? Infinity : hw / Math.abs(dx), dy === 0 ? Infinity : hh / Math.abs(dy));
  return { x: p.x + dx * t, y: p.y + dy * t };
}
