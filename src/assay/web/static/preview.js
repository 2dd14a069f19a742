// The worker's page as a preview (framed by the settings page): the kind's own widget over
// one task, with the params given by the server; an answer is shown, never sent.

import { widgetFor } from "./widgets.js";

const root = document.getElementById("task");
const offer = JSON.parse(root.dataset.offer);
const status = document.getElementById("status");
const out = document.getElementById("preview-answer");

const widget = widgetFor(offer.kind)(root, offer, {
  submit(answer) {
    out.textContent = "This answer would be sent: " + JSON.stringify(answer);
    out.dataset.answer = JSON.stringify(answer);
  },
  say(text) {
    status.textContent = text;
  },
});

document.addEventListener("keydown", (event) => {
  if (widget.onKey && widget.onKey(event)) event.preventDefault();
});
