// One labeling widget per task kind, each the widget.js of its kind's folder
// (src/assay/kinds/<name>/), listed by the server in /static/kinds/index.js. A widget draws
// the task into its root element, calls ctx.submit(answer) when the worker answers, and
// handles its own keys in onKey(event) (returning true when it used the key).

import { WIDGETS } from "./kinds/index.js";
import { el, valueView } from "./kit.js";

export { el, valueView };

function unsupported(root, offer) {
  root.append(el("p", { class: "message", text: `Tasks of kind “${offer.kind}” cannot be labeled in the browser yet. Press s to skip.` }),
    valueView(offer.data));
  return { shortcuts: [], onKey: () => false };
}

export function widgetFor(kind) {
  return WIDGETS[kind] || unsupported;
}
