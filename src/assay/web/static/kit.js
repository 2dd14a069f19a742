// The pieces every labeling widget builds with. Task data is always shown as text
// (textContent), never parsed as HTML.

import { dataView, image, isImageUrl, markdown } from "./render.js";

export { dataView, markdown };

export function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.class) node.className = options.class;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs || {})) node.setAttribute(name, value);
  for (const [name, value] of Object.entries(options.data || {})) node.dataset[name] = value;
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

// A task's data as something to read: its text (as Markdown where `markdown` is set: model
// replies and prompts), its images (http(s) or data:image URLs, under any field), and the
// other fields as a table (render.js; nothing is parsed as HTML).
export function valueView(value, className = "data", { markdown: md = false } = {}) {
  const box = el("div", { class: className });
  const text = (t) => (md ? markdown(t, "text md") : el("p", { class: "text", text: t }));
  if (typeof value === "string") {
    box.append(isImageUrl(value) ? image(value) : text(value));
    return box;
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const rest = { ...value };
    if (typeof rest.text === "string") {
      box.append(text(rest.text));
      delete rest.text;
    }
    for (const [key, v] of Object.entries(rest)) {
      if (isImageUrl(v, key)) {
        box.append(image(v, key));
        delete rest[key];
      }
    }
    if (Object.keys(rest).length) box.append(dataView(rest));
    return box;
  }
  box.append(dataView(value));
  return box;
}

export function choiceButton(key, label, onClick, extra = {}) {
  const button = el("button", { class: "choice", attrs: { type: "button", "aria-pressed": "false" }, data: extra },
    [key ? el("kbd", { text: key }) : null, el("span", { text: label })]);
  button.addEventListener("click", () => {
    button.blur();
    onClick();
  });
  return button;
}

// The primary button that sends the answer, with its key.
export function submitButton(send, key = "Enter") {
  const done = el("button", { class: "primary", attrs: { type: "button", id: "submit" } },
    [el("span", { text: "Submit " }), el("kbd", { text: key })]);
  done.addEventListener("click", send);
  return done;
}

// One colour per label (by its position), for the regions a widget draws.
const PALETTE = ["#2f5bea", "#d9480f", "#0b7a3e", "#9c36b5", "#c2255c", "#1098ad", "#b08900",
  "#5c7cfa", "#e8590c", "#2b8a3e", "#862e9c", "#495057"];

export function labelColour(labels, label) {
  const i = labels.indexOf(label);
  return i < 0 ? "#868e96" : PALETTE[i % PALETTE.length];
}

// Labels 1-9 with their number keys and colours, as a legend above a widget that labels
// regions.
// With `onPick(i)`, each label is a button too (a finger or a mouse labels with it).
export function legend(labels, onPick = null) {
  return el("div", { class: "legend" }, labels.slice(0, 9).map((label, i) => {
    const parts = [el("kbd", { text: String(i + 1) }), el("span", { class: "swatch" }), el("span", { text: label })];
    const item = onPick
      ? el("button", { class: "legend-item", data: { label }, attrs: { type: "button" } }, parts)
      : el("span", { class: "legend-item", data: { label } }, parts);
    item.style.setProperty("--label-colour", labelColour(labels, label));
    if (onPick) {
      item.addEventListener("click", () => {
        item.blur();
        onPick(i);
      });
    }
    return item;
  }));
}

// Enter on a widget where nothing is marked: an empty answer is a real answer ("nothing
// here"), so it takes Shift+Enter, never a plain Enter that may have been meant for
// something else. Returns true when the key was Enter (handled either way).
export function enterToSubmit(event, isEmpty, send, ctx) {
  if (event.key !== "Enter") return false;
  if (isEmpty() && !event.shiftKey) {
    ctx.say("Nothing is marked. To answer “nothing here”, press Shift+Enter.", "error");
    return true;
  }
  send();
  return true;
}
