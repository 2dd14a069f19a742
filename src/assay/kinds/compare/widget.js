// compare: the prompt and the two responses side by side; a, b (t for a tie, x for "both
// bad" where the project allows them) answers. 1–3 first says how much better (strength).
// When the project has criteria, each criterion is a row answered with a, b (or t) in turn,
// then the overall choice; Enter sends them all.

import { choiceButton, el, valueView } from "../kit.js";

const STRENGTHS = [["1", "slightly"], ["2", "clearly"], ["3", "much"]];

export default function compare(root, offer, ctx) {
  const data = offer.data || {};
  const allowTie = Boolean(offer.params.allow_tie);
  const allowBothBad = Boolean(offer.params.allow_both_bad);
  const criteria = offer.params.criteria || [];
  root.append(el("h3", { text: "Prompt" }), valueView(data.prompt, "data prompt", { markdown: true }));
  const { prompt: _p, a: _a, b: _b, ...extra } = data; // other fields: images, context
  if (Object.keys(extra).length) root.append(valueView(extra));
  const sides = el("div", { class: "sides" });
  for (const side of ["a", "b"]) {
    sides.append(el("section", { class: "side", data: { side } },
      [el("h3", { text: side.toUpperCase() }), valueView(data[side], "data", { markdown: true })]));
  }
  root.append(sides);
  const options = [["a", "A is better"], ["b", "B is better"], ...(allowTie ? [["t", "Tie"]] : []),
    ...(allowBothBad ? [["x", "Both are bad"]] : [])];
  const choiceOf = { a: "a", b: "b", t: "tie", x: "both_bad" };
  let strength = null;

  // One row per criterion (a, b, tie), then the overall row; without criteria only the latter.
  const rows = [...criteria.map((name) => ({ name, keys: options.filter(([k]) => k !== "x") })),
    { name: null, keys: options }].map((row) => {
    const node = el("div", { class: "choices compare-row", data: { criterion: row.name ?? "" } },
      [row.name || criteria.length ? el("span", { class: "scale-name", text: row.name ?? "Overall" }) : null]);
    row.buttons = row.keys.map(([key, text]) => {
      const button = choiceButton(key, text, () => answer(rows.indexOf(row), key), { choice: key });
      node.append(button);
      return button;
    });
    row.node = node;
    row.value = null;
    root.append(node);
    return row;
  });
  const overall = rows[rows.length - 1];
  const strengthRow = el("div", { class: "choices strength", attrs: { role: "group", "aria-label": "how much better" } },
    [el("span", { class: "scale-name", text: "How much better (optional)" })]);
  const strengthButtons = STRENGTHS.map(([key, text]) => {
    const button = choiceButton(key, text, () => setStrength(Number(key)), { strength: key });
    strengthRow.append(button);
    return button;
  });
  root.append(strengthRow);
  let active = 0;
  if (criteria.length) {
    const send = el("button", { class: "primary", attrs: { type: "button", id: "submit" } },
      [el("span", { text: "Submit " }), el("kbd", { text: "Enter" })]);
    send.addEventListener("click", () => submit());
    root.append(send);
    activate(0);
  }

  function activate(i) {
    active = i;
    rows.forEach((row, j) => row.node.classList.toggle("active", criteria.length > 0 && j === i));
  }
  function setStrength(value) {
    strength = strength === value ? null : value;
    strengthButtons.forEach((b, j) => b.setAttribute("aria-pressed", String(strength === j + 1)));
  }
  function answer(i, key) {
    const row = rows[i];
    row.value = choiceOf[key];
    row.buttons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.choice === key)));
    if (!criteria.length) submit();
    else if (i + 1 < rows.length) activate(i + 1);
  }
  function submit() {
    const missing = rows.find((row) => row.value === null);
    if (missing) {
      ctx.say(missing.name ? `Judge “${missing.name}” first.` : "Pick the overall choice first.", "error");
      activate(rows.indexOf(missing));
      return;
    }
    const body = { choice: overall.value };
    if (strength !== null && (body.choice === "a" || body.choice === "b")) body.strength = strength;
    if (criteria.length) body.criteria = Object.fromEntries(rows.slice(0, -1).map((row) => [row.name, row.value]));
    ctx.submit(body);
  }
  return {
    shortcuts: [
      ...options.map(([key, text]) => [key, criteria.length ? `${text} (the marked row)` : text]),
      ["1–3", "how much better (before a or b)"],
      ...(criteria.length ? [["↑ ↓", "move between rows"], ["Enter", "submit"]] : []),
    ],
    draft: () => (rows.some((row) => row.value !== null) || strength !== null
      ? { values: rows.map((row) => row.value), strength } : null),
    restore(draft) {
      const keyOf = Object.fromEntries(Object.entries(choiceOf).map(([k, v]) => [v, k]));
      (draft.values || []).forEach((value, i) => {
        const key = keyOf[value];
        if (rows[i] && key && rows[i].keys.some(([k]) => k === key)) {
          rows[i].value = value;
          rows[i].buttons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.choice === key)));
        }
      });
      if ([1, 2, 3].includes(draft.strength)) setStrength(draft.strength);
      const open = rows.findIndex((row) => row.value === null);
      if (criteria.length) activate(open < 0 ? rows.length - 1 : open);
    },
    onKey(event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return false;
      const key = event.key.toLowerCase();
      const row = rows[active];
      if (row.keys.some(([option]) => option === key)) {
        answer(active, key);
        return true;
      }
      if (/^[1-3]$/.test(key)) {
        setStrength(Number(key));
        return true;
      }
      if (criteria.length && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        activate(Math.min(rows.length - 1, Math.max(0, active + (event.key === "ArrowDown" ? 1 : -1))));
        return true;
      }
      if (criteria.length && event.key === "Enter") {
        submit();
        return true;
      }
      return false;
    },
  };
}
