// spans: select text with the mouse, a number key labels the selection, click a span to
// remove it; Enter submits. Offsets sent to the server count Unicode code points, as Python
// does; the browser's selection counts UTF-16 units, so each text run carries its
// code-point start and offsets are converted.

import { el, legend, submitButton } from "../kit.js";

export default function spans(root, offer, ctx) {
  const labels = offer.params.labels || [];
  const chars = Array.from(String((offer.data || {}).text ?? ""));
  const marked = []; // { start, end, label } in code points, kept sorted and disjoint
  let selection = null; // { start, end } waiting for a label
  const textBox = el("div", { class: "spans-text", attrs: { id: "spans-text" } });
  root.append(legend(labels), textBox, submitButton(send));
  render();

  function render() {
    const cuts = new Set([0, chars.length]);
    for (const m of marked) cuts.add(m.start).add(m.end);
    const points = [...cuts].sort((a, b) => a - b);
    textBox.replaceChildren();
    for (let i = 0; i + 1 < points.length; i += 1) {
      const [start, end] = [points[i], points[i + 1]];
      const index = marked.findIndex((m) => m.start === start && m.end === end);
      const run = chars.slice(start, end).join("");
      if (index >= 0) {
        const mark = el("mark", { text: run, data: { start: String(start), label: marked[index].label },
          attrs: { title: `${marked[index].label} (click to remove)` } });
        mark.addEventListener("click", () => {
          marked.splice(index, 1);
          render();
        });
        textBox.append(mark);
      } else {
        textBox.append(el("span", { text: run, data: { start: String(start) } }));
      }
    }
  }

  function pointOf(node, offset) {
    const run = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (!run || !textBox.contains(run) || run.dataset.start === undefined) return null;
    const before = node.nodeType === Node.TEXT_NODE ? node.textContent.slice(0, offset) : "";
    return Number(run.dataset.start) + Array.from(before).length;
  }

  textBox.addEventListener("mouseup", () => {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return;
    const range = sel.getRangeAt(0);
    const a = pointOf(range.startContainer, range.startOffset);
    const b = pointOf(range.endContainer, range.endOffset);
    if (a === null || b === null || a === b) return;
    selection = { start: Math.min(a, b), end: Math.max(a, b) };
    ctx.say(`Selected “${chars.slice(selection.start, selection.end).join("")}”: press 1–${Math.min(9, labels.length)} to label it.`);
  });

  function label(i) {
    if (!selection) {
      ctx.say("Select some text with the mouse first.");
      return;
    }
    if (marked.some((m) => m.start < selection.end && selection.start < m.end)) {
      ctx.say("Spans cannot overlap: remove the other one first.", "error");
      return;
    }
    marked.push({ ...selection, label: labels[i] });
    marked.sort((x, y) => x.start - y.start);
    selection = null;
    window.getSelection().removeAllRanges();
    render();
  }
  function send() {
    ctx.submit({ spans: marked.map((m) => ({ start: m.start, end: m.end, label: m.label })) });
  }
  return {
    shortcuts: [["mouse", "select text"], ["1–9", "label the selection"], ["click", "remove a span"], ["Enter", "submit"]],
    onKey(event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return false;
      if (/^[1-9]$/.test(event.key) && Number(event.key) <= labels.length) {
        label(Number(event.key) - 1);
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
