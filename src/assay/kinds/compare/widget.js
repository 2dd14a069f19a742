// compare: the prompt and the two responses side by side; a, b (t for a tie, x for "both
// bad" where the project allows them) answers.

import { choiceButton, el, valueView } from "../kit.js";

export default function compare(root, offer, ctx) {
  const data = offer.data || {};
  const allowTie = Boolean(offer.params.allow_tie);
  const allowBothBad = Boolean(offer.params.allow_both_bad);
  root.append(el("h3", { text: "Prompt" }), valueView(data.prompt, "data prompt"));
  const sides = el("div", { class: "sides" });
  for (const side of ["a", "b"]) {
    sides.append(el("section", { class: "side", data: { side } },
      [el("h3", { text: side.toUpperCase() }), valueView(data[side])]));
  }
  root.append(sides);
  const choices = el("div", { class: "choices" });
  const options = [["a", "A is better"], ["b", "B is better"], ...(allowTie ? [["t", "Tie"]] : []),
    ...(allowBothBad ? [["x", "Both are bad"]] : [])];
  const choiceOf = { a: "a", b: "b", t: "tie", x: "both_bad" };
  for (const [key, text] of options) {
    choices.append(choiceButton(key, text, () => choose(key), { choice: key }));
  }
  root.append(choices);

  function choose(key) {
    ctx.submit({ choice: choiceOf[key] });
  }
  return {
    shortcuts: options.map(([key, text]) => [key, text]),
    onKey(event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return false;
      const key = event.key.toLowerCase();
      if (options.some(([option]) => option === key)) {
        choose(key);
        return true;
      }
      return false;
    },
  };
}
