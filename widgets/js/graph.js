// docalc's causal-graph widget (anywidget front end). Python sends `graph` (what to
// draw), `verdict` and `error`; this file lays the graph out once, draws the factual and
// the intervened view with that one layout, and turns clicks, role picks and edited
// values into new `do` text and `roles`, which Python checks with the compiler.
import css from "./graph.css";
import { drawView, legend, place, ROLE_COLORS } from "./draw.js";
import {
  bounds, computeLayout, layoutKey, mechanismText, nodeSize, plateBoxes, visibleGraph,
} from "./layout.js";

const MIN_SCALE = 11 / 12; // the smallest label (12 px) renders at 11 px or more
const MAX_SCALE = 1.2; // a three-node graph should not fill the screen

function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined) el.setAttribute(k, v);
  }
  el.append(...children);
  return el;
}

function doText(interventions) {
  return interventions.map((iv) => `${iv.name} ${iv.op} ${iv.rhs}`).join(", ");
}

function startValue(node) {
  const v = node.start ?? 0;
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(3)));
}

function render({ model, el }) {
  // marker ids must be unique in the page; each widget may load its own copy of this module
  const uid = `docalc-gw-${Math.random().toString(36).slice(2, 10)}`;
  const root = h("div", { class: "docalc-gw" });
  root.appendChild(h("style", {}, css));
  const doInput = h("input", { class: "gw-do", type: "text", placeholder: "b = 0", spellcheck: "false", "aria-label": "intervention" });
  const params = h("input", { type: "checkbox", class: "gw-params" });
  const bar = h("div", { class: "gw-bar" },
    h("label", { class: "gw-do-label" }, "do(", doInput, ")"),
    h("span", { class: "gw-hint" }, "Enter applies"),
    h("span", { class: "gw-tools" },
      h("label", {}, params, " show parameters"),
      h("button", { class: "gw-fit", title: "zoom to fit", onclick: () => fit() }, "fit"),
      h("button", { class: "gw-relayout", title: "forget dragged positions", onclick: () => { state.key = null; redraw(); } }, "re-layout"),
      h("button", { class: "gw-clear-roles", onclick: () => setRoles({}) }, "clear roles")),
  );
  const error = h("pre", { class: "gw-error", hidden: "" });
  const ivs = h("div", { class: "gw-ivs" });
  const views = h("div", { class: "gw-views" });
  const figs = {};
  for (const which of ["factual", "intervened"]) {
    const cap = h("figcaption", {}, which);
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("class", "gw-svg");
    svg.setAttribute("data-view", which);
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    const fig = h("figure", { class: "gw-view", "data-view": which }, cap, svg);
    views.appendChild(fig);
    figs[which] = { fig, cap, svg, drawn: null };
  }
  const verdictEl = h("div", { class: "gw-verdict" });
  const legendEl = h("div", { class: "gw-legend" });
  const help = h("div", { class: "gw-help" },
    "click a node: intervene (click again: undo) · right-click, shift-click, alt-click: treatment and outcome · drag a node: move it · drag the background: pan · wheel: zoom");
  const menu = h("div", { class: "gw-menu", hidden: "" });
  // JupyterLab's panels set `contain`, which makes position: fixed relative to the panel,
  // not the window: the menu lives on <body> so it opens under the pointer
  const menuHost = h("div", { class: "docalc-gw docalc-gw-float" }, menu);
  root.append(bar, error, ivs, views, verdictEl, legendEl, help);
  el.appendChild(root);
  document.body.appendChild(menuHost);
  let legendKey = null;

  const state = { key: null, pos: {}, sizes: {}, view: null, vis: null, boxes: {} };
  const graph = () => model.get("graph") || { nodes: [], edges: [], plates: [], interventions: [] };

  function setDo(text) { model.set("do", text); model.save_changes(); }
  function setRoles(roles) { model.set("roles", roles); model.save_changes(); }

  function toggle(name) {
    const list = graph().interventions;
    if (list.some((iv) => iv.name === name)) {
      setDo(doText(list.filter((iv) => iv.name !== name)));
    } else {
      const node = graph().nodes.find((n) => n.name === name);
      setDo(doText([...list, { name, op: "=", rhs: startValue(node) }]));
    }
  }

  function setRole(name, role) {
    const roles = { ...(model.get("roles") || {}) };
    if (role === "treatment" || role === "outcome") {
      for (const [k, v] of Object.entries(roles)) if (v === role) delete roles[k];
    }
    if (role) roles[name] = role; else delete roles[name];
    setRoles(roles);
  }

  // -- drawing ------------------------------------------------------------------------
  function redraw() {
    const g = graph();
    const vis = visibleGraph(g, model.get("show_parameters"));
    state.vis = vis;
    const key = layoutKey(vis);
    for (const n of vis.nodes) {
      // sized for a typical do() label, so a click changes no node's size or position
      state.sizes[n.name] = nodeSize(n, [mechanismText(n), `do(${n.name} = 0)`]);
    }
    if (key !== state.key) {
      state.pos = computeLayout(vis, state.sizes);
      state.key = key;
      state.view = null;
    }
    state.boxes = plateBoxes(vis, state.pos, state.sizes);
    const ctx = { vis, pos: state.pos, sizes: state.sizes, boxes: state.boxes, uid };
    for (const which of ["factual", "intervened"]) {
      const f = figs[which];
      f.drawn = drawView(f.svg, which, { ...ctx, uid: `${uid}-${which}` });
      for (const [name, { g: nodeEl }] of Object.entries(f.drawn.nodeEls)) bindNode(nodeEl, name);
    }
    const statuses = g.statuses || [];
    if (statuses.join("|") !== legendKey) { legend(legendEl, statuses, uid); legendKey = statuses.join("|"); }
    figs.intervened.cap.textContent = g.do_label && g.do_label !== "factual" ? g.do_label : "intervened: click a node";
    if (!state.view) fit(); else applyView();
    drawInterventions(g);
  }

  function fit() {
    const b = bounds(state.vis, state.pos, state.sizes, state.boxes);
    state.view = { ...b };
    for (const { fig, svg } of Object.values(figs)) {
      svg.style.aspectRatio = `${b.w} / ${b.h}`;
      svg.style.maxWidth = `${b.w * MAX_SCALE}px`;
      // side by side while both fit at MIN_SCALE; otherwise the views wrap, one per row
      fig.style.minWidth = `min(100%, ${Math.ceil(b.w * MIN_SCALE) + 2}px)`;
    }
    applyView();
  }

  function applyView() {
    const v = state.view;
    for (const { svg } of Object.values(figs)) svg.setAttribute("viewBox", `${v.x} ${v.y} ${v.w} ${v.h}`);
  }

  function movePlaced() {
    state.boxes = plateBoxes(state.vis, state.pos, state.sizes);
    for (const f of Object.values(figs)) {
      place(f.drawn, { pos: state.pos, sizes: state.sizes, boxes: state.boxes });
    }
  }

  function drawInterventions(g) {
    ivs.replaceChildren();
    for (const iv of g.interventions) {
      const input = h("input", { type: "text", value: iv.rhs, "data-value-for": iv.name, title: "Enter applies" });
      if (!iv.editable) input.setAttribute("disabled", "");
      input.addEventListener("keydown", (ev) => {
        if (ev.key !== "Enter") return;
        setDo(doText(graph().interventions.map((x) => (x.name === iv.name ? { ...x, rhs: input.value } : x))));
      });
      ivs.appendChild(h("span", { class: "gw-iv", "data-iv": iv.name },
        `do(${iv.name} ${iv.op}`, input, ")",
        h("button", { title: `remove do(${iv.name})`, "aria-label": `remove ${iv.name}`, onclick: () => toggle(iv.name) }, "×")));
    }
  }

  function drawVerdict() {
    const v = model.get("verdict") || {};
    verdictEl.replaceChildren();
    verdictEl.className = "gw-verdict";
    if (!v.treatment) return;
    if (v.error) {
      verdictEl.classList.add("gw-no");
      verdictEl.append(h("pre", { style: "margin:0;white-space:pre-wrap" }, v.error));
      return;
    }
    verdictEl.classList.add(v.identifiable ? "gw-ok" : "gw-no");
    verdictEl.setAttribute("data-identifiable", v.identifiable ? "true" : "false");
    const head = h("div", {}, h("b", {}, v.query), v.identifiable ? ` is identifiable (${v.criterion} criterion)` : " is NOT identifiable from the observed variables");
    verdictEl.appendChild(head);
    if (v.identifiable) {
      const what = v.criterion === "frontdoor" ? "front-door mediators: " : "adjust for: ";
      const set = h("div", { class: "gw-set" }, what);
      if (v.highlight.length === 0) set.append("nothing (no adjustment needed)");
      for (const name of v.highlight) set.appendChild(h("span", { class: "gw-chip", "data-adjust": name }, name));
      if (v.sets.length > 1) set.append(`  (${v.sets.length - 1} other minimal set${v.sets.length > 2 ? "s" : ""})`);
      verdictEl.appendChild(set);
    }
    verdictEl.appendChild(h("details", {}, h("summary", {}, "why"), v.explanation || ""));
  }

  function drawError() {
    const text = model.get("error") || "";
    error.textContent = text;
    if (text) error.removeAttribute("hidden"); else error.setAttribute("hidden", "");
  }

  // -- pointer interaction ------------------------------------------------------------
  function toUser(svg, dx, dy) {
    const r = svg.getBoundingClientRect();
    const k = state.view.w / Math.max(1, r.width);
    return { x: dx * k, y: dy * k };
  }

  function bindNode(nodeEl, name) {
    nodeEl.addEventListener("pointerdown", (ev) => {
      if (ev.button !== 0) return;
      ev.stopPropagation(); ev.preventDefault();
      const svg = nodeEl.ownerSVGElement;
      const start = { x: ev.clientX, y: ev.clientY, pos: { ...state.pos[name] } };
      let dragged = false;
      nodeEl.setPointerCapture(ev.pointerId);
      const move = (e) => {
        const dx = e.clientX - start.x, dy = e.clientY - start.y;
        if (!dragged && Math.hypot(dx, dy) < 4) return;
        dragged = true;
        nodeEl.classList.add("gw-dragging");
        const d = toUser(svg, dx, dy);
        state.pos[name] = { x: start.pos.x + d.x, y: start.pos.y + d.y };
        movePlaced();
      };
      const up = (e) => {
        nodeEl.removeEventListener("pointermove", move);
        nodeEl.removeEventListener("pointerup", up);
        nodeEl.classList.remove("gw-dragging");
        if (dragged) {
          // a node dropped outside the view would be cut off: show everything again
          const b = bounds(state.vis, state.pos, state.sizes, state.boxes), v = state.view;
          if (b.x < v.x || b.y < v.y || b.x + b.w > v.x + v.w || b.y + b.h > v.y + v.h) fit();
          return;
        }
        if (e.shiftKey) setRole(name, "treatment");
        else if (e.altKey) setRole(name, "outcome");
        else toggle(name);
      };
      nodeEl.addEventListener("pointermove", move);
      nodeEl.addEventListener("pointerup", up);
    });
    nodeEl.addEventListener("contextmenu", (ev) => { ev.preventDefault(); ev.stopPropagation(); openMenu(name, ev.clientX, ev.clientY); });
  }

  for (const { svg } of Object.values(figs)) {
    svg.addEventListener("pointerdown", (ev) => {
      if (ev.button !== 0 || !state.view) return;
      const start = { x: ev.clientX, y: ev.clientY, view: { ...state.view } };
      svg.setPointerCapture(ev.pointerId);
      svg.classList.add("gw-panning");
      const move = (e) => {
        const d = toUser(svg, e.clientX - start.x, e.clientY - start.y);
        state.view = { ...start.view, x: start.view.x - d.x, y: start.view.y - d.y };
        applyView();
      };
      const up = () => {
        svg.removeEventListener("pointermove", move);
        svg.removeEventListener("pointerup", up);
        svg.classList.remove("gw-panning");
      };
      svg.addEventListener("pointermove", move);
      svg.addEventListener("pointerup", up);
    });
    svg.addEventListener("wheel", (ev) => {
      if (!state.view) return;
      ev.preventDefault();
      const r = svg.getBoundingClientRect();
      const v = state.view;
      const k = Math.exp(Math.sign(ev.deltaY) * Math.min(Math.abs(ev.deltaY), 100) / 500);
      // zoom about the pointer: the point under it stays under it
      const fx = (ev.clientX - r.left) / r.width, fy = (ev.clientY - r.top) / r.height;
      const w = v.w * k, hh = v.h * k;
      state.view = { x: v.x + fx * (v.w - w), y: v.y + fy * (v.h - hh), w, h: hh };
      applyView();
    }, { passive: false });
  }

  // -- context menu -------------------------------------------------------------------
  function openMenu(name, x, y) {
    const node = graph().nodes.find((n) => n.name === name);
    const role = (model.get("roles") || {})[name];
    const item = (label, action) => h("button", { "data-action": label, onclick: () => { closeMenu(); action(); } }, label);
    menu.replaceChildren(h("div", { class: "gw-menu-title" }, name));
    for (const r of ["treatment", "outcome", "confounder"]) {
      const b = item(`set as ${r}`, () => setRole(name, r));
      b.style.color = ROLE_COLORS[r];
      menu.appendChild(b);
    }
    if (role) menu.appendChild(item("clear role", () => setRole(name, null)));
    menu.appendChild(item(node && node.intervened ? "remove intervention" : "intervene", () => toggle(name)));
    menu.style.left = `${x}px`; menu.style.top = `${y}px`;
    menu.removeAttribute("hidden");
  }
  function closeMenu() { menu.setAttribute("hidden", ""); }
  const onDocDown = (ev) => { if (!menu.contains(ev.target)) closeMenu(); };
  const onKey = (ev) => { if (ev.key === "Escape") closeMenu(); };
  document.addEventListener("pointerdown", onDocDown, true);
  document.addEventListener("keydown", onKey);

  // -- the text box and the switch ----------------------------------------------------
  doInput.value = model.get("do") || "";
  doInput.addEventListener("keydown", (ev) => { if (ev.key === "Enter") setDo(doInput.value); });
  params.checked = !!model.get("show_parameters");
  params.addEventListener("change", () => { model.set("show_parameters", params.checked); model.save_changes(); });

  model.on("change:graph", redraw);
  model.on("change:show_parameters", () => { params.checked = !!model.get("show_parameters"); redraw(); });
  model.on("change:do", () => { doInput.value = model.get("do") || ""; });
  model.on("change:verdict", drawVerdict);
  model.on("change:error", drawError);
  redraw(); drawVerdict(); drawError();

  return () => {
    document.removeEventListener("pointerdown", onDocDown, true);
    document.removeEventListener("keydown", onKey);
    menuHost.remove();
  };
}

export default { render };
