// One labeling widget per task kind. A widget draws the task into its root element, calls
// ctx.submit(answer) when the worker answers, and handles its own keys in onKey(event)
// (returning true when it used the key). Task data is always shown as text (textContent),
// never parsed as HTML.

import { boxes, spans } from "./regions.js";

export function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.class) node.className = options.class;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs || {})) node.setAttribute(name, value);
  for (const [name, value] of Object.entries(options.data || {})) node.dataset[name] = value;
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function isHttpUrl(value) {
  return typeof value === "string" && /^https?:\/\//i.test(value);
}

// A JSON value as readable text: strings as they are, objects with a "text" as that text
// plus the rest as JSON, anything else as indented JSON.
export function valueView(value, className = "data") {
  const box = el("div", { class: className });
  if (typeof value === "string") {
    box.append(el("p", { class: "text", text: value }));
    return box;
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const rest = { ...value };
    if (typeof rest.text === "string") {
      box.append(el("p", { class: "text", text: rest.text }));
      delete rest.text;
    }
    if (isHttpUrl(rest.image_url)) {
      box.append(el("img", { class: "task-image", attrs: { src: rest.image_url, alt: "task image", referrerpolicy: "no-referrer" } }));
      delete rest.image_url;
    }
    if (Object.keys(rest).length) box.append(el("pre", { class: "json", text: JSON.stringify(rest, null, 2) }));
    return box;
  }
  box.append(el("pre", { class: "json", text: JSON.stringify(value, null, 2) }));
  return box;
}

function choiceButton(key, label, onClick, extra = {}) {
  const button = el("button", { class: "choice", attrs: { type: "button", "aria-pressed": "false" }, data: extra },
    [key ? el("kbd", { text: key }) : null, el("span", { text: label })]);
  button.addEventListener("click", () => {
    button.blur();
    onClick();
  });
  return button;
}

function categorize(root, offer, ctx) {
  const labels = offer.params.labels || [];
  const multiple = Boolean(offer.params.multiple);
  const selected = new Set();
  root.append(valueView(offer.data));
  const list = el("div", { class: "choices", attrs: { role: "group", "aria-label": "labels" } });
  const buttons = labels.map((label, i) =>
    choiceButton(i < 9 ? String(i + 1) : "", label, () => pick(i), { label }));
  list.append(...buttons);
  root.append(list);

  function send() {
    ctx.submit({ labels: labels.filter((l) => selected.has(l)) });
  }
  function pick(i) {
    const label = labels[i];
    if (!multiple) {
      buttons[i].setAttribute("aria-pressed", "true");
      ctx.submit({ label });
      return;
    }
    if (selected.has(label)) selected.delete(label);
    else selected.add(label);
    buttons[i].setAttribute("aria-pressed", String(selected.has(label)));
  }
  if (multiple) {
    const done = el("button", { class: "primary", attrs: { type: "button", id: "submit" } },
      [el("span", { text: "Submit " }), el("kbd", { text: "Enter" })]);
    done.addEventListener("click", send);
    root.append(done);
  }
  return {
    shortcuts: [
      ["1–9", multiple ? "toggle a label" : "pick a label and submit"],
      ...(multiple ? [["Enter", "submit the chosen labels"]] : []),
    ],
    onKey(event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return false;
      if (/^[1-9]$/.test(event.key) && Number(event.key) <= labels.length) {
        pick(Number(event.key) - 1);
        return true;
      }
      if (multiple && event.key === "Enter") {
        send();
        return true;
      }
      return false;
    },
  };
}

function compare(root, offer, ctx) {
  const data = offer.data || {};
  const allowTie = Boolean(offer.params.allow_tie);
  root.append(el("h3", { text: "Prompt" }), valueView(data.prompt, "data prompt"));
  const sides = el("div", { class: "sides" });
  for (const side of ["a", "b"]) {
    sides.append(el("section", { class: "side", data: { side } },
      [el("h3", { text: side.toUpperCase() }), valueView(data[side])]));
  }
  root.append(sides);
  const choices = el("div", { class: "choices" });
  const options = [["a", "A is better"], ["b", "B is better"], ...(allowTie ? [["t", "Tie"]] : [])];
  for (const [key, text] of options) {
    choices.append(choiceButton(key, text, () => choose(key), { choice: key }));
  }
  root.append(choices);

  function choose(key) {
    ctx.submit({ choice: key === "t" ? "tie" : key });
  }
  return {
    shortcuts: options.map(([key, text]) => [key, text]),
    onKey(event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return false;
      const key = event.key.toLowerCase();
      if (key === "a" || key === "b" || (key === "t" && allowTie)) {
        choose(key);
        return true;
      }
      return false;
    },
  };
}

function text(root, offer, ctx) {
  root.append(valueView(offer.data));
  const maxLength = offer.params.max_length;
  const area = el("textarea", { attrs: { id: "answer-text", rows: "6", "aria-label": "your answer" } });
  if (maxLength) area.setAttribute("maxlength", String(maxLength));
  const done = el("button", { class: "primary", attrs: { type: "button", id: "submit" } },
    [el("span", { text: "Submit " }), el("kbd", { text: "Ctrl+Enter" })]);
  root.append(area, done);

  function send() {
    if (!area.value.trim()) {
      ctx.say("Write an answer first.");
      return;
    }
    ctx.submit({ text: area.value });
  }
  done.addEventListener("click", send);
  return {
    shortcuts: [["Ctrl+Enter", "submit the text"]],
    focus() {
      area.focus();
    },
    onKey(event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        send();
        return true;
      }
      return false;
    },
  };
}

// rate: without criteria one scale; with criteria one scale per criterion, the active one
// marked. A number key scores the active scale (and moves to the next); Enter submits.
function rate(root, offer, ctx) {
  const min = Number(offer.params.min ?? 1);
  const max = Number(offer.params.max ?? 5);
  const criteria = offer.params.criteria || [];
  const keyed = min >= 0 && max <= 9;
  root.append(valueView(offer.data));
  const scales = (criteria.length ? criteria : [{ id: null, description: "" }]).map((c) => {
    const row = el("div", { class: "scale", data: { criterion: c.id ?? "" } },
      [el("span", { class: "scale-name", text: c.id ? `${c.id}${c.description ? " — " + c.description : ""}` : "Rating" })]);
    const scale = { id: c.id, row, value: null, buttons: [] };
    for (let v = min; v <= max; v += 1) {
      const button = choiceButton(keyed ? String(v) : "", keyed ? "" : String(v), () => {
        setScore(scale, v);
      }, { value: String(v) });
      scale.buttons.push(button);
      row.append(button);
    }
    row.addEventListener("click", () => activate(scales.indexOf(scale)));
    root.append(row);
    return scale;
  });
  const done = el("button", { class: "primary", attrs: { type: "button", id: "submit" } },
    [el("span", { text: "Submit " }), el("kbd", { text: "Enter" })]);
  done.addEventListener("click", send);
  root.append(done);
  let active = 0;
  activate(0);

  function activate(i) {
    active = i;
    scales.forEach((s, j) => s.row.classList.toggle("active", j === i));
  }
  function setScore(scale, v) {
    scale.value = v;
    scale.buttons.forEach((b, j) => b.setAttribute("aria-pressed", String(min + j === v)));
  }
  function send() {
    const missing = scales.find((s) => s.value === null);
    if (missing) {
      ctx.say(missing.id ? `Score “${missing.id}” first.` : "Pick a rating first.");
      activate(scales.indexOf(missing));
      return;
    }
    if (!criteria.length) ctx.submit({ rating: scales[0].value });
    else ctx.submit({ scores: Object.fromEntries(scales.map((s) => [s.id, s.value])) });
  }
  return {
    shortcuts: [
      ...(keyed ? [[`${min}–${max}`, criteria.length ? "score the marked criterion" : "pick the rating"]] : []),
      ...(criteria.length > 1 ? [["↑ ↓", "move between criteria"]] : []),
      ["Enter", "submit"],
    ],
    onKey(event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return false;
      if (keyed && /^[0-9]$/.test(event.key)) {
        const v = Number(event.key);
        if (v < min || v > max) return false;
        setScore(scales[active], v);
        if (active + 1 < scales.length) activate(active + 1);
        return true;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        const step = event.key === "ArrowDown" ? 1 : -1;
        activate(Math.min(scales.length - 1, Math.max(0, active + step)));
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

function unsupported(root, offer) {
  root.append(el("p", { class: "message", text: `Tasks of kind “${offer.kind}” cannot be labeled in the browser yet. Press s to skip.` }),
    valueView(offer.data));
  return { shortcuts: [], onKey: () => false };
}

const WIDGETS = { categorize, compare, rate, text, spans, boxes };

export function widgetFor(kind) {
  return WIDGETS[kind] || unsupported;
}
