// boxes: drag on the image to draw a box, a number key labels the selected box, Delete
// removes it; Enter submits. Boxes are sent in the image's own pixels.

import { el, legend, submitButton } from "../kit.js";

export default function boxes(root, offer, ctx) {
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
