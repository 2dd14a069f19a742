// The review page: leases the next task (or, at level 2, the next review to check) from
// /v1/review/next, shows the task with its kind's widget, the current result and every
// answer with the server's flags. The reviewer accepts (Ctrl+Enter), ticks answers to reject,
// or answers the task in the widget: that answer is the fix and becomes the result. A
// widget given offer.review (the task's answers) may instead show them for correcting: once
// it says it was edited, accepting sends its corrected answer as the fix.

import { errorOf, post, toSignIn } from "./api.js";
import { el, valueView, widgetFor } from "./widgets.js";

const root = document.getElementById("reviewer");
const taskEl = document.getElementById("task");
const statusEl = document.getElementById("status");
const resultEl = document.getElementById("result");
const answersEl = document.getElementById("answers");
const firstEl = document.getElementById("first-review");
const commentEl = document.getElementById("review-comment");
const acceptEl = document.getElementById("accept");
const expiresEl = document.getElementById("expires");
const instructions = document.getElementById("instructions");
const shortcuts = document.getElementById("shortcuts");
const projectId = root.dataset.project;
const level = Number(root.dataset.level);
// Tasks passed over in this tab: `next` leaves them out (and releases a held one).
const skippedKey = `assay.review.skipped.${root.dataset.worker}.${projectId}.${level}`;
const GLOBAL_SHORTCUTS = [
  ["Ctrl+Enter", level === 2 ? "uphold the review" : "accept the result"],
  ["s", "skip this task (another reviewer may take it)"],
  ["i", "show the instructions"],
  ["?", "show this help"],
];

let current = null; // { item, widget, rejected: Set }
let busy = false;
let decided = 0;

function say(text, kind = "info") {
  statusEl.textContent = text;
  statusEl.dataset.kind = kind;
}

function skippedIds() {
  try {
    return JSON.parse(sessionStorage.getItem(skippedKey) || "[]");
  } catch {
    return [];
  }
}

function fillShortcuts(extra) {
  const list = document.getElementById("shortcut-list");
  list.replaceChildren();
  for (const [key, text] of [...extra, ...GLOBAL_SHORTCUTS]) {
    list.append(el("dt", {}, [el("kbd", { text: key })]), el("dd", { text }));
  }
}

function clearSide() {
  resultEl.replaceChildren();
  answersEl.replaceChildren();
  if (firstEl) firstEl.replaceChildren();
  expiresEl.textContent = "";
  commentEl.value = "";
}

function showMessage(text, state) {
  current = null;
  clearSide();
  taskEl.replaceChildren(el("p", { class: "message", text }));
  taskEl.removeAttribute("data-task");
  taskEl.dataset.state = state;
  acceptEl.disabled = true;
}

function answerItem(answer, index, rejected) {
  const flags = (answer.flags || []).map((f) => el("span", { class: "flag", text: f.replace("_", " ") }));
  const head = el("div", { class: "answer-head" }, [el("strong", { text: `Answer ${index + 1}` }), ...flags]);
  const item = el("li", { data: { answer: answer.answer_id } }, [head, valueView(answer.answer)]);
  if (level === 2) {
    if (answer.verdict) head.append(el("span", { class: "muted", text: ` · ${answer.verdict}` }));
    return item;
  }
  const box = el("input", { attrs: { type: "checkbox", "aria-label": `Reject answer ${index + 1}` } });
  box.addEventListener("change", () => {
    if (box.checked) rejected.add(answer.answer_id);
    else rejected.delete(answer.answer_id);
    item.classList.toggle("rejected", box.checked);
    box.blur();
  });
  head.append(el("label", { class: "reject" }, [box, el("span", { text: " reject" })]));
  return item;
}

function show(item) {
  clearSide();
  taskEl.replaceChildren();
  const rejected = new Set();
  const offer = { kind: item.kind, params: item.params, data: item.data, instructions: item.instructions,
    review: { task_id: item.task_id, answers: item.answers, result: item.result } };
  const widget = widgetFor(item.kind)(taskEl, offer, { submit: fix, say });
  current = { item, widget, rejected };
  fillShortcuts(widget.shortcuts || []);
  taskEl.dataset.task = item.task_id;
  taskEl.dataset.state = "ready";
  const result = item.result;
  if (result && result.answer !== null && result.answer !== undefined) {
    resultEl.append(valueView(result.answer),
      el("p", { class: "muted", text: `${result.method}, confidence ${result.confidence ?? "–"}, ${result.n_responses} answers` }));
  } else {
    resultEl.append(el("p", { class: "muted", text: "No aggregated answer: decide from the answers." }));
  }
  item.answers.forEach((a, i) => answersEl.append(answerItem(a, i, rejected)));
  if (firstEl && item.review) {
    firstEl.append(el("p", { text: `Verdict: ${item.review.verdict}` }));
    if (item.review.answer) firstEl.append(valueView(item.review.answer));
    if (item.review.comment) firstEl.append(el("p", { class: "muted", text: `“${item.review.comment}”` }));
  }
  expiresEl.textContent = `Yours until ${new Date(item.expires_at).toLocaleTimeString()}`;
  acceptEl.disabled = false;
  if (widget.focus) widget.focus();
}

async function load() {
  current = null;
  taskEl.dataset.state = "loading";
  let res;
  try {
    res = await post("/v1/review/next", { project: projectId, level, skip: skippedIds().slice(-1000) });
  } catch {
    showMessage("Cannot reach the server; reload to try again.", "offline");
    return;
  }
  if (res.status === 401) return toSignIn();
  if (res.status === 204) return showMessage("Nothing to review right now. Check again later.", "empty");
  if (!res.ok) return showMessage((await errorOf(res)).message, "error");
  show(await res.json());
}

async function decide(verdict, answer) {
  if (!current || busy) return;
  busy = true;
  taskEl.dataset.state = "sending";
  const body = { verdict, level, comment: commentEl.value.trim() || null };
  if (level === 1) body.rejected_answers = [...current.rejected];
  if (answer !== undefined) body.answer = answer;
  let res;
  try {
    res = await post(`/v1/review/${encodeURIComponent(current.item.task_id)}`, body);
  } catch {
    busy = false;
    taskEl.dataset.state = "ready";
    say("Network error: the decision was not sent. Try again.", "error");
    return;
  }
  busy = false;
  if (res.status === 401) return toSignIn();
  if (res.ok) {
    decided += 1;
    say(`Decided ${decided} in this session.`);
    await load();
    return;
  }
  const err = await errorOf(res);
  say(err.message, "error");
  if (res.status === 422) {
    taskEl.dataset.state = "ready";
    return;
  }
  await load();
}

async function skip() {
  if (!current || busy) return;
  const ids = skippedIds().filter((id) => id !== current.item.task_id);
  ids.push(current.item.task_id);
  sessionStorage.setItem(skippedKey, JSON.stringify(ids.slice(-1000)));
  say("Skipped: it goes back to the queue for the other reviewers.");
  await load();
}

function toggle(dialog) {
  if (dialog.open) dialog.close();
  else dialog.showModal();
}

function fix(answer) {
  return decide("fix", answer);
}

// Accept, or send a widget's corrections of the answers as the fix.
function accept() {
  if (current && !busy && current.widget.edited && current.widget.edited()) current.widget.send();
  else decide("accept");
}

function onKey(event) {
  if (event.defaultPrevented || event.isComposing) return;
  if (event.repeat && !event.key.startsWith("Arrow")) return; // a held key decides once
  if (document.querySelector("dialog[open]")) return;
  const inComment = event.target === commentEl;
  // Ctrl+Enter accepts, except in the task's own text box, where it sends the text as the fix.
  const inTaskText = event.target instanceof HTMLTextAreaElement && taskEl.contains(event.target);
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && !inTaskText) {
    event.preventDefault();
    accept();
    return;
  }
  if (inComment) return;
  if (current && !busy && current.widget.onKey(event)) {
    event.preventDefault();
    return;
  }
  const typing = event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLInputElement;
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "i") toggle(instructions);
  else if (event.key === "?") toggle(shortcuts);
  else if (event.key === "s" || event.key === "S") skip();
  else return;
  event.preventDefault();
}

document.addEventListener("keydown", onKey);
acceptEl.addEventListener("click", () => accept());
document.getElementById("show-instructions").addEventListener("click", () => instructions.showModal());
document.getElementById("show-shortcuts").addEventListener("click", () => shortcuts.showModal());
document.getElementById("skip").addEventListener("click", () => skip());
fillShortcuts([]);
load();
