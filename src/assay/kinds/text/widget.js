// text: a text box; Ctrl+Enter submits what was written, exactly as written.

import { el, submitButton, valueView } from "../kit.js";

export default function text(root, offer, ctx) {
  root.append(valueView(offer.data));
  const maxLength = offer.params.max_length;
  const area = el("textarea", { attrs: { id: "answer-text", rows: "6", "aria-label": "your answer" } });
  if (maxLength) area.setAttribute("maxlength", String(maxLength));
  root.append(area, submitButton(send, "Ctrl+Enter"));

  function send() {
    if (!area.value.trim()) {
      ctx.say("Write an answer first.");
      return;
    }
    ctx.submit({ text: area.value });
  }
  return {
    shortcuts: [["Ctrl+Enter", "submit the text"], ["Esc", "leave the text box (the text stays)"]],
    draft: () => (area.value ? { text: area.value } : null),
    restore(draft) {
      if (typeof draft.text === "string") area.value = draft.text;
    },
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
