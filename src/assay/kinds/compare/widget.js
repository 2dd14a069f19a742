// compare: the prompt and the two responses side by side; a, b (or t for a tie) answers.

import { choiceButton, el, valueView } from "../kit.js";

export default function compare(root, offer, ctx) {
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
