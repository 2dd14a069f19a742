// Widgets that mark regions: spans of text (select with the mouse, a number key labels the
// selection, click a span to remove it) and boxes on an image (drag to draw, a number key
// labels the selected box, Delete removes it). Enter submits. Offsets sent to the server
// count Unicode code points, as Python does; the browser's selection counts UTF-16 units,
// so each text run carries its code-point start and offsets are converted.

import { el } from "./widgets.js";

function labelKeys(labels) {
  return labels.slice(0, 9).map((label, i) => [String(i + 1), label]);
}

function legend(labels) {
  return el("div", { class: "legend" }, labelKeys(labels).map(([key, label]) =>
    el("span", { class: "legend-item", data: { label } }, [el("kbd", { text: key }), el("span", { text: label })])));
}

function submitButton(send) {
  const done = el("button", { class: "primary", attrs: { type: "button", id: "submit" } },
    [el("span", { text: "Submit " }), el("kbd", { text: "Enter" })]);
  done.addEventListener("click", send);
  return done;
}

export function spans(root, offer, ctx) {
  const labels = offer.params.labels || [];
  const chars = Array.from(String((offer.data || {}).text ?? ""));
  const marked = []; // { start, end, label } in code points, kept sorted and disjoint
  let selection = null; // { start, end } waiting for a label
  const textBox = el("div", { class: "spans-text", attrs: { id: "spans-text" } });
  root.append(legend(labels), textBox, submitButton(send));
  render();

  function render() {
    const cuts = new Set([0, chars.length]);
    for (const m of marked) cuts.add(m.start).add(m.end);
    const points = [...cuts].sort((a, b) => a - b);
    textBox.replaceChildren();
    for (let i = 0; i + 1 < points.length; i += 1) {
      const [start, end] = [points[i], points[i + 1]];
      const index = marked.findIndex((m) => m.start === start && m.end === end);
      const run = chars.slice(start, end).join("");
      if (index >= 0) {
        const mark = el("mark", { text: run, data: { start: String(start), label: marked[index].label },
          attrs: { title: `${marked[index].label} (click to remove)` } });
        mark.addEventListener("click", () => {
          marked.splice(index, 1);
          render();
        });
        textBox.append(mark);
      } else {
        textBox.append(el("span", { text: run, data: { start: String(start) } }));
      }
    }
  }

  function pointOf(node, offset) {
    const run = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (!run || !textBox.contains(run) || run.dataset.start === undefined) return null;
    const before = node.nodeType === Node.TEXT_NODE ? node.textContent.slice(0, offset) : "";
    return Number(run.dataset.start) + Array.from(before).length;
  }

  textBox.addEventListener("mouseup", () => {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return;
    const range = sel.getRangeAt(0);
    const a = pointOf(range.startContainer, range.startOffset);
    const b = pointOf(range.endContainer, range.endOffset);
    if (a === null || b === null || a === b) return;
    selection = { start: Math.min(a, b), end: Math.max(a, b) };
    ctx.say(`Selected “${chars.slice(selection.start, selection.end).join("")}”: press 1–${Math.min(9, labels.length)} to label it.`);
  });

  function label(i) {
    if (!selection) {
      ctx.say("Select some text with the mouse first.");
      return;
    }
    if (marked.some((m) => m.start < selection.end && selection.start < m.end)) {
      ctx.say("Spans cannot overlap: remove the other one first.", "error");
      return;
    }
    marked.push({ ...selection, label: labels[i] });
    marked.sort((x, y) => x.start - y.start);
    selection = null;
    window.getSelection().removeAllRanges();
    render();
  }
  function send() {
    ctx.submit({ spans: marked.map((m) => ({ start: m.start, end: m.end, label: m.label })) });
  }
  return {
    shortcuts: [["mouse", "select text"], ["1–9", "label the selection"], ["click", "remove a span"], ["Enter", "submit"]],
    onKey(event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return false;
      if (/^[1-9]$/.test(event.key) && Number(event.key) <= labels.length) {
        label(Number(event.key) - 1);
        return true;
      }
      if (event.key === "Enter") {
        send();
        return true;
      }
      return false;
    },
  };
}

export function boxes(root, offer, ctx) {
  const labels = offer.params.labels || [];
  const url = String((offer.data || {}).image_url ?? "");
  const drawn = []; // { x, y, w, h, label, node } in image pixels
  let selected = -1;
  const stage = el("div", { class: "box-stage", attrs: { id: "box-stage" } });
  const image = el("img", { class: "box-image", attrs: { alt: "task image", draggable: "false", referrerpolicy: "no-referrer" } });
  if (/^(https?:|data:image\/)/i.test(url)) image.setAttribute("src", url);
  stage.append(image);
  root.append(legend(labels), stage, submitButton(send));

  const scale = () => (image.naturalWidth || image.clientWidth || 1) / (image.clientWidth || 1);
  function place(box) {
    const s = scale();
    Object.assign(box.node.style, { left: `${box.x / s}px`, top: `${box.y / s}px`, width: `${box.w / s}px`, height: `${box.h / s}px` });
    box.node.dataset.label = box.label || "";
    box.node.firstChild.textContent = box.label || "?";
  }
  function select(i) {
    selected = i;
    drawn.forEach((b, j) => b.node.classList.toggle("selected", j === i));
  }
  let start = null;
  let ghost = null;
  stage.addEventListener("mousedown", (event) => {
    if (event.button !== 0 || event.target.closest(".box")) return;
    event.preventDefault();
    const r = image.getBoundingClientRect();
    start = { x: event.clientX - r.left, y: event.clientY - r.top };
    ghost = el("div", { class: "box drawing" }, [el("span", { class: "box-label", text: "" })]);
    stage.append(ghost);
  });
  window.addEventListener("mousemove", (event) => {
    if (!start) return;
    const r = image.getBoundingClientRect();
    const x = Math.min(Math.max(event.clientX - r.left, 0), r.width);
    const y = Math.min(Math.max(event.clientY - r.top, 0), r.height);
    Object.assign(ghost.style, { left: `${Math.min(x, start.x)}px`, top: `${Math.min(y, start.y)}px`,
      width: `${Math.abs(x - start.x)}px`, height: `${Math.abs(y - start.y)}px` });
  });
  window.addEventListener("mouseup", (event) => {
    if (!start) return;
    const r = image.getBoundingClientRect();
    const x = Math.min(Math.max(event.clientX - r.left, 0), r.width);
    const y = Math.min(Math.max(event.clientY - r.top, 0), r.height);
    const s = scale();
    const box = { x: Math.round(Math.min(x, start.x) * s), y: Math.round(Math.min(y, start.y) * s),
      w: Math.round(Math.abs(x - start.x) * s), h: Math.round(Math.abs(y - start.y) * s), label: null, node: ghost };
    start = null;
    ghost = null;
    if (box.w < 3 || box.h < 3) {
      box.node.remove();
      return;
    }
    box.node.classList.remove("drawing");
    box.node.addEventListener("mousedown", (e) => {
      e.stopPropagation();
      select(drawn.indexOf(box));
    });
    drawn.push(box);
    place(box);
    select(drawn.length - 1);
    ctx.say("Box drawn: press 1–9 to label it, Delete to remove it.");
  });

  function send() {
    const missing = drawn.findIndex((b) => !b.label);
    if (missing >= 0) {
      select(missing);
      ctx.say("Label every box first (1–9).", "error");
      return;
    }
    ctx.submit({ boxes: drawn.map(({ x, y, w, h, label }) => ({ x, y, w, h, label })) });
  }
  return {
    shortcuts: [["drag", "draw a box"], ["1–9", "label the selected box"], ["Delete", "remove the selected box"], ["Enter", "submit"]],
    onKey(event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return false;
      if (/^[1-9]$/.test(event.key) && Number(event.key) <= labels.length) {
        if (selected < 0) {
          ctx.say("Draw a box first.");
        } else {
          drawn[selected].label = labels[Number(event.key) - 1];
          place(drawn[selected]);
        }
        return true;
      }
      if ((event.key === "Delete" || event.key === "Backspace") && selected >= 0) {
        drawn[selected].node.remove();
        drawn.splice(selected, 1);
        select(drawn.length - 1);
        return true;
      }
      if (event.key === "Enter") {
        send();
        return true;
      }
      return false;
    },
  };
}
