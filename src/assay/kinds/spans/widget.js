// spans: select text with the mouse, a finger, or the keyboard (←/→ move the caret,
// Shift+←/→ select, Ctrl+Shift+←/→ by word); a finger's tap selects a word and a second tap
// stretches the selection to another word. A number key (or a tap on the label) labels the
// selection; a click on a span, or Delete with the caret in it, removes it; Enter submits
// (Shift+Enter when nothing is marked). Offsets sent to the server count Unicode code points, as Python does;
// the browser's selection counts UTF-16 units, so each text run carries its code-point
// start and offsets are converted.

import { el, enterToSubmit, labelColour, legend, submitButton } from "../kit.js";

const WORD = /[\p{L}\p{N}\p{M}_'’-]/u; // what a word step keeps together

export default function spans(root, offer, ctx) {
  const labels = offer.params.labels || [];
  const chars = Array.from(String((offer.data || {}).text ?? ""));
  let marked = []; // { start, end, label } in code points, kept sorted and disjoint
  let selection = null; // { start, end } waiting for a label
  let caret = 0; // the keyboard's position, a code point index
  let anchor = null; // where a keyboard selection started
  const textBox = el("div", { class: "spans-text", attrs: { id: "spans-text" } });
  const nothing = el("button", { attrs: { type: "button", id: "nothing-here" } },
    [el("span", { text: "Nothing here " }), el("kbd", { text: "Shift+Enter" })]);
  nothing.addEventListener("click", () => send());
  root.append(legend(labels, (i) => label(i)), textBox, el("div", { class: "actions" }, [submitButton(guardedSend), nothing]));
  render();

  function render() {
    const cuts = new Set([0, chars.length]);
    for (const m of marked) cuts.add(m.start).add(m.end);
    if (selection) cuts.add(selection.start).add(selection.end);
    if (caret < chars.length) cuts.add(caret).add(caret + 1);
    const points = [...cuts].sort((a, b) => a - b);
    textBox.replaceChildren();
    for (let i = 0; i + 1 < points.length; i += 1) {
      const [start, end] = [points[i], points[i + 1]];
      const owner = marked.find((m) => m.start <= start && end <= m.end);
      const run = chars.slice(start, end).join("");
      const node = owner
        ? el("mark", { text: run, data: { start: String(start), label: owner.label },
          attrs: { title: `${owner.label} (click to remove)` } })
        : el("span", { text: run, data: { start: String(start) } });
      if (owner) {
        node.style.setProperty("--label-colour", labelColour(labels, owner.label));
        if (owner.start === start) node.classList.add("first");
        if (owner.end === end) node.classList.add("last");
        node.addEventListener("click", () => remove(owner));
      }
      if (selection && selection.start <= start && end <= selection.end) node.classList.add("selected");
      if (start === caret && end === caret + 1) node.classList.add("caret");
      textBox.append(node);
    }
  }

  function remove(span) {
    marked = marked.filter((m) => m !== span);
    render();
  }

  function pointOf(node, offset) {
    const run = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (!run || !textBox.contains(run) || run.dataset.start === undefined) return null;
    const before = node.nodeType === Node.TEXT_NODE ? node.textContent.slice(0, offset) : "";
    return Number(run.dataset.start) + Array.from(before).length;
  }

  function announce() {
    ctx.say(`Selected “${chars.slice(selection.start, selection.end).join("")}”: press 1–${Math.min(9, labels.length)} (or tap a label) to label it.`);
  }

  // Mouse and touch both end in the document's selection.
  function fromDocument() {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return;
    const range = sel.getRangeAt(0);
    if (!textBox.contains(range.commonAncestorContainer)) return;
    const a = pointOf(range.startContainer, range.startOffset);
    const b = pointOf(range.endContainer, range.endOffset);
    if (a === null || b === null || a === b) return;
    selection = { start: Math.min(a, b), end: Math.max(a, b) };
    caret = Math.min(selection.end, chars.length - 1);
    anchor = null;
    announce();
  }
  let tapped = false;
  textBox.addEventListener("pointerup", (event) => {
    fromDocument();
    tapped = event.pointerType !== "mouse" && tap(event);
  });
  textBox.addEventListener("touchend", (event) => {
    // A tap made a selection: no click follows it (the page may have moved meanwhile,
    // and a click would land on whatever is now under the finger).
    if (tapped) event.preventDefault();
    tapped = false;
    setTimeout(fromDocument, 0);
  });

  // A tap (finger or pen, nothing selected by the browser) selects the word under it; with
  // a selection already made, it stretches the selection to that word.
  function tap(event) {
    const sel = window.getSelection();
    if ((sel && !sel.isCollapsed) || event.target.closest("mark")) return false;
    const at = pointAt(event.clientX, event.clientY);
    if (at === null || at >= chars.length || !WORD.test(chars[at])) return false;
    let [start, end] = [at, at + 1];
    while (start > 0 && WORD.test(chars[start - 1])) start -= 1;
    while (end < chars.length && WORD.test(chars[end])) end += 1;
    if (selection) [start, end] = [Math.min(start, selection.start), Math.max(end, selection.end)];
    selection = { start, end };
    caret = Math.min(end, chars.length) - 1;
    anchor = null;
    render();
    announce();
    return true;
  }

  // The code point under a screen position, or null.
  function pointAt(x, y) {
    if (document.caretPositionFromPoint) {
      const pos = document.caretPositionFromPoint(x, y);
      return pos ? pointOf(pos.offsetNode, pos.offset) : null;
    }
    const range = document.caretRangeFromPoint ? document.caretRangeFromPoint(x, y) : null;
    return range ? pointOf(range.startContainer, range.startOffset) : null;
  }

  // The boundary a word step reaches from `from`: forward to the end of the next word,
  // backward to the start of the previous one.
  function wordStep(from, step) {
    const space = (k) => !WORD.test(chars[k]);
    let i = from;
    if (step > 0) {
      while (i < chars.length && space(i)) i += 1;
      while (i < chars.length && !space(i)) i += 1;
    } else {
      while (i > 0 && space(i - 1)) i -= 1;
      while (i > 0 && !space(i - 1)) i -= 1;
    }
    return i;
  }

  // The start of the next (or previous) word, where the caret goes by word.
  function wordStart(from, step) {
    if (step < 0) return wordStep(from, -1);
    let i = from;
    while (i < chars.length && WORD.test(chars[i])) i += 1;
    while (i < chars.length && !WORD.test(chars[i])) i += 1;
    return i;
  }

  let focus = 0; // the moving end of a keyboard selection, a boundary
  function moveCaret(event) {
    const step = event.key === "ArrowRight" ? 1 : -1;
    const byWord = event.ctrlKey || event.altKey;
    const clampChar = (k) => Math.max(0, Math.min(chars.length - 1, k));
    if (event.shiftKey) {
      if (anchor === null) {
        anchor = selection ? selection.start : caret;
        focus = selection ? selection.end : caret;
      }
      focus = Math.max(0, Math.min(chars.length, byWord ? wordStep(focus, step) : focus + step));
      selection = focus === anchor ? null : { start: Math.min(anchor, focus), end: Math.max(anchor, focus) };
      caret = clampChar(focus > anchor ? focus - 1 : focus);
      if (selection) announce();
    } else {
      caret = clampChar(byWord ? wordStart(caret, step) : caret + step);
      selection = null;
      anchor = null;
    }
    window.getSelection().removeAllRanges();
    render();
  }

  function label(i) {
    if (!selection) {
      ctx.say("Select some text first (the mouse, or Shift+←/→).");
      return;
    }
    if (marked.some((m) => m.start < selection.end && selection.start < m.end)) {
      ctx.say("Spans cannot overlap: remove the other one first.", "error");
      return;
    }
    marked.push({ ...selection, label: labels[i] });
    marked.sort((x, y) => x.start - y.start);
    selection = null;
    anchor = null;
    window.getSelection().removeAllRanges();
    render();
  }
  function send() {
    ctx.submit({ spans: marked.map((m) => ({ start: m.start, end: m.end, label: m.label })) });
  }
  function guardedSend() {
    if (!marked.length) ctx.say("Nothing is marked. To answer “nothing here”, press Shift+Enter.", "error");
    else send();
  }
  return {
    shortcuts: [["mouse or Shift+←/→", "select text (Ctrl+Shift: by word)"], ["tap", "select a word; tap another to stretch"],
      ["←/→", "move the caret"],
      ["1–9", "label the selection"], ["click, or Delete", "remove a span (Delete: the one at the caret)"],
      ["Enter", "submit"], ["Shift+Enter", "submit with nothing marked"]],
    draft: () => (marked.length ? { spans: marked } : null),
    restore(draft) {
      marked = (draft.spans || []).filter((m) => Number.isInteger(m.start) && Number.isInteger(m.end)
        && m.start < m.end && m.end <= chars.length && labels.includes(m.label));
      render();
    },
    onKey(event) {
      if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        moveCaret(event);
        return true;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) return false;
      if (/^[1-9]$/.test(event.key) && Number(event.key) <= labels.length) {
        label(Number(event.key) - 1);
        return true;
      }
      if (event.key === "Delete" || event.key === "Backspace") {
        const at = marked.find((m) => m.start <= caret && caret < m.end);
        if (at) remove(at);
        return true;
      }
      return enterToSubmit(event, () => !marked.length, send, ctx);
    },
  };
}
