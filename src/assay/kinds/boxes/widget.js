// boxes: drag on the image (mouse, pen or finger) to draw a box; drag a box to move it, its
// corner handle to resize it. By keyboard: b adds a box, [ and ] select the previous or
// next one, arrows move it, Shift+arrows resize it. A number key labels the selected box,
// Delete removes it; Enter submits (Shift+Enter when there is no box). By touch: a tap on
// a label labels the selected box, the Remove button removes it. Boxes are kept and
// sent in the image's own pixels; each label has its colour.

import { el, enterToSubmit, labelColour, legend, submitButton } from "../kit.js";

export default function boxes(root, offer, ctx) {
  const labels = offer.params.labels || [];
  const url = String((offer.data || {}).image_url ?? "");
  let drawn = []; // { x, y, w, h, label, node } in image pixels
  let selected = -1;
  const stage = el("div", { class: "box-stage", attrs: { id: "box-stage" } });
  const image = el("img", { class: "box-image", attrs: { alt: "task image", draggable: "false", referrerpolicy: "no-referrer" } });
  if (/^(https?:|data:image\/)/i.test(url)) image.setAttribute("src", url);
  stage.append(image);
  const nothing = el("button", { attrs: { type: "button", id: "nothing-here" } },
    [el("span", { text: "Nothing here " }), el("kbd", { text: "Shift+Enter" })]);
  nothing.addEventListener("click", () => send(true));
  const removeButton = el("button", { attrs: { type: "button", id: "remove-box" } },
    [el("span", { text: "Remove box " }), el("kbd", { text: "Delete" })]);
  removeButton.addEventListener("click", () => removeSelected());
  root.append(legend(labels, (i) => labelSelected(i)), stage,
    el("div", { class: "actions" }, [submitButton(() => send(false)), nothing, removeButton]));

  const natural = () => ({ w: image.naturalWidth || image.clientWidth || 1, h: image.naturalHeight || image.clientHeight || 1 });
  const scale = () => natural().w / (image.clientWidth || 1);
  function place(box) {
    const s = scale();
    Object.assign(box.node.style, { left: `${box.x / s}px`, top: `${box.y / s}px`, width: `${box.w / s}px`, height: `${box.h / s}px` });
    box.node.dataset.label = box.label || "";
    box.node.style.setProperty("--label-colour", labelColour(labels, box.label));
    box.node.firstChild.textContent = box.label || "?";
  }
  image.addEventListener("load", () => drawn.forEach(place));
  function select(i) {
    selected = i;
    drawn.forEach((b, j) => b.node.classList.toggle("selected", j === i));
  }
  function clamp(box) {
    const n = natural();
    box.w = Math.max(1, Math.min(Math.round(box.w), n.w));
    box.h = Math.max(1, Math.min(Math.round(box.h), n.h));
    box.x = Math.max(0, Math.min(Math.round(box.x), n.w - box.w));
    box.y = Math.max(0, Math.min(Math.round(box.y), n.h - box.h));
  }
  function add(values) {
    const node = el("div", { class: "box" }, [el("span", { class: "box-label", text: "" }), el("span", { class: "box-handle" })]);
    const box = { label: null, ...values, node };
    stage.append(node);
    drawn.push(box);
    place(box);
    select(drawn.length - 1);
    return box;
  }

  // One pointer gesture at a time: draw, move or resize, in display pixels.
  let gesture = null;
  function at(event) {
    const r = image.getBoundingClientRect();
    return { x: Math.min(Math.max(event.clientX - r.left, 0), r.width),
      y: Math.min(Math.max(event.clientY - r.top, 0), r.height) };
  }
  stage.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    stage.setPointerCapture(event.pointerId);
    const p = at(event);
    const hit = event.target.closest(".box");
    const index = drawn.findIndex((b) => b.node === hit);
    if (index >= 0) {
      select(index);
      const b = drawn[index];
      gesture = { mode: event.target.classList.contains("box-handle") ? "resize" : "move", from: p, box: b, was: { ...b } };
      return;
    }
    const ghost = el("div", { class: "box drawing" }, [el("span", { class: "box-label", text: "" })]);
    stage.append(ghost);
    gesture = { mode: "draw", from: p, ghost };
  });
  stage.addEventListener("pointermove", (event) => {
    if (!gesture) return;
    const p = at(event);
    if (gesture.mode === "draw") {
      Object.assign(gesture.ghost.style, { left: `${Math.min(p.x, gesture.from.x)}px`, top: `${Math.min(p.y, gesture.from.y)}px`,
        width: `${Math.abs(p.x - gesture.from.x)}px`, height: `${Math.abs(p.y - gesture.from.y)}px` });
      return;
    }
    const s = scale();
    const dx = (p.x - gesture.from.x) * s;
    const dy = (p.y - gesture.from.y) * s;
    const b = gesture.box;
    if (gesture.mode === "move") Object.assign(b, { x: gesture.was.x + dx, y: gesture.was.y + dy });
    else Object.assign(b, { w: gesture.was.w + dx, h: gesture.was.h + dy });
    clamp(b);
    place(b);
  });
  function endGesture(event) {
    if (!gesture) return;
    const g = gesture;
    gesture = null;
    if (g.mode !== "draw") return;
    g.ghost.remove();
    const p = at(event);
    const s = scale();
    const values = { x: Math.min(p.x, g.from.x) * s, y: Math.min(p.y, g.from.y) * s,
      w: Math.abs(p.x - g.from.x) * s, h: Math.abs(p.y - g.from.y) * s };
    if (values.w < 3 || values.h < 3) return;
    clamp(values);
    add(values);
    ctx.say("Box drawn: press 1–9 to label it, Delete to remove it.");
  }
  stage.addEventListener("pointerup", endGesture);
  stage.addEventListener("pointercancel", endGesture);

  function labelSelected(i) {
    if (selected < 0) {
      ctx.say("Draw a box first.");
      return;
    }
    drawn[selected].label = labels[i];
    place(drawn[selected]);
  }
  function removeSelected() {
    if (selected < 0) return;
    drawn[selected].node.remove();
    drawn = drawn.filter((_, j) => j !== selected);
    select(drawn.length - 1);
  }

  function nudge(event) {
    const b = drawn[selected];
    const n = natural();
    const step = Math.max(1, Math.round(Math.min(n.w, n.h) / 100));
    const dx = event.key === "ArrowRight" ? step : event.key === "ArrowLeft" ? -step : 0;
    const dy = event.key === "ArrowDown" ? step : event.key === "ArrowUp" ? -step : 0;
    if (event.shiftKey) Object.assign(b, { w: b.w + dx, h: b.h + dy });
    else Object.assign(b, { x: b.x + dx, y: b.y + dy });
    clamp(b);
    place(b);
  }

  function send(empty) {
    if (!drawn.length && !empty) {
      ctx.say("There is no box. To answer “nothing here”, press Shift+Enter.", "error");
      return;
    }
    const missing = drawn.findIndex((b) => !b.label);
    if (missing >= 0) {
      select(missing);
      ctx.say("Label every box first (1–9).", "error");
      return;
    }
    ctx.submit({ boxes: drawn.map(({ x, y, w, h, label }) => ({ x, y, w, h, label })) });
  }
  return {
    shortcuts: [["drag", "draw a box; drag a box or its corner to move or resize it"], ["b", "add a box"],
      ["[ ]", "select the previous or next box"], ["arrows", "move the selected box"], ["Shift+arrows", "resize it"],
      ["1–9", "label the selected box"], ["Delete", "remove the selected box"], ["Enter", "submit"],
      ["Shift+Enter", "submit with no box"]],
    draft: () => (drawn.length ? { boxes: drawn.map(({ x, y, w, h, label }) => ({ x, y, w, h, label })) } : null),
    restore(draft) {
      for (const b of draft.boxes || []) {
        if ([b.x, b.y, b.w, b.h].every(Number.isFinite)) add({ x: b.x, y: b.y, w: b.w, h: b.h, label: labels.includes(b.label) ? b.label : null });
      }
    },
    onKey(event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return false;
      if (event.key.startsWith("Arrow")) {
        if (selected >= 0) nudge(event);
        else ctx.say("Add a box first (b), or draw one.");
        return true;
      }
      if (event.key === "b") {
        const n = natural();
        add({ x: Math.round(n.w / 4), y: Math.round(n.h / 4), w: Math.round(n.w / 4), h: Math.round(n.h / 4) });
        ctx.say("Box added: arrows move it, Shift+arrows resize it, 1–9 label it.");
        return true;
      }
      if ((event.key === "[" || event.key === "]") && drawn.length) {
        select((selected + (event.key === "]" ? 1 : drawn.length - 1)) % drawn.length);
        return true;
      }
      if (/^[1-9]$/.test(event.key) && Number(event.key) <= labels.length) {
        labelSelected(Number(event.key) - 1);
        return true;
      }
      if ((event.key === "Delete" || event.key === "Backspace") && selected >= 0) {
        removeSelected();
        return true;
      }
      return enterToSubmit(event, () => !drawn.length, () => send(true), ctx);
    },
  };
}
