// categorize: a number key picks a label (and submits); with `multiple`, number keys
// toggle labels and Enter submits the chosen set.

import { choiceButton, el, enterToSubmit, submitButton, valueView } from "../kit.js";

export default function categorize(root, offer, ctx) {
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
  if (multiple) root.append(submitButton(send));
  return {
    shortcuts: [
      ["1–9", multiple ? "toggle a label" : "pick a label and submit"],
      ...(multiple ? [["Enter", "submit the chosen labels"], ["Shift+Enter", "submit with none chosen"]] : []),
    ],
    draft: () => (multiple && selected.size ? { labels: [...selected] } : null),
    restore(draft) {
      for (const label of draft.labels || []) {
        const i = labels.indexOf(label);
        if (i >= 0 && !selected.has(label)) pick(i);
      }
    },
    onKey(event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return false;
      if (/^[1-9]$/.test(event.key) && Number(event.key) <= labels.length) {
        pick(Number(event.key) - 1);
        return true;
      }
      if (multiple) return enterToSubmit(event, () => !selected.size, send, ctx);
      return false;
    },
  };
}
