// The labeling page: asks /v1/work/next for a task, shows it with its kind's widget, and
// sends the answer (or a skip) with the keyboard. Answers are kept in localStorage until
// the server acknowledges them and resent after a failure or a new sign-in; what a worker
// has marked or typed on an open task is kept too (a reload restores it), and never lost to
// a stray key: Esc in a text box leaves the box, held keys (auto-repeat) answer nothing,
// and an answer sooner than the project's minimum time per task waits. An answer is held
// back in the page for the project's undo window (z or Ctrl+Z takes it back) while the next
// task already shows; the server never sees an undone answer (docs/worker-page.md).

import { PendingAnswers, errorOf, get, post, toSignIn } from "./api.js";
import { Drafts, LeaseClock } from "./lease.js";
import { el, widgetFor } from "./widgets.js";

const root = document.getElementById("labeler");
const taskEl = document.getElementById("task");
const statusEl = document.getElementById("status");
const instructions = document.getElementById("instructions");
const shortcuts = document.getElementById("shortcuts");
const projectId = root.dataset.project;
const minMs = Number(root.dataset.minSeconds || 0) * 1000;
const undoMs = Number(root.dataset.undoSeconds || 0) * 1000;
const UNDO_MARGIN_MS = 2000; // a held answer is sent at least this long before its lease ends
const undoBar = document.getElementById("undo");
const pending = new PendingAnswers(root.dataset.worker);
const drafts = new Drafts(root.dataset.worker);
const RETRY_MS = 3000;
const RECHECK_MS = [3000, 6000, 12000, 24000, 30000]; // an empty queue asks again
// Keys that only move or select (never answer) may repeat while held.
const REPEATABLE = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"]);

const GLOBAL_SHORTCUTS = [
  ["s", "skip this task"],
  ["z, Ctrl+Z", "undo the last answer, for a few seconds after it"],
  ["Esc", "leave a text box; elsewhere skip"],
  ["i", "show the instructions"],
  ["?", "show these shortcuts"],
];

const announceEl = document.getElementById("announce");
let shown = 0;
let current = null; // { offer, widget, shownAt, expired }
let busy = false;
let answered = 0;
let leaving = false;
let recheck = null;
let rechecks = 0;
let held = null; // the answer held back for an undo: { offer, answer, draft, shownAt, timer }
const lease = new LeaseClock(document.getElementById("lease"), {
  warn: () => say("This task's time is nearly up: answer now, or it goes back to the queue.", "error"),
  expire: () => expire(),
});

function signIn() {
  leaving = true;
  toSignIn();
}

function say(text, kind = "info") {
  statusEl.textContent = text;
  statusEl.dataset.kind = kind;
}

function setState(state) {
  taskEl.dataset.state = state;
}

function fillShortcuts(extra) {
  const list = document.getElementById("shortcut-list");
  list.replaceChildren();
  for (const [key, text] of [...extra, ...GLOBAL_SHORTCUTS]) {
    list.append(el("dt", {}, [el("kbd", { text: key })]), el("dd", { text }));
  }
}

function showMessage(content, state) {
  current = null;
  lease.stop();
  taskEl.replaceChildren(...(typeof content === "string" ? [el("p", { class: "message", text: content })] : content));
  taskEl.removeAttribute("data-assignment");
  setState(state);
}

function show(offer, shownAt = performance.now()) {
  clearTimeout(recheck);
  rechecks = 0;
  taskEl.replaceChildren();
  const widget = widgetFor(offer.kind)(taskEl, offer, { submit, say });
  current = { offer, widget, shownAt, expired: false };
  const kept = drafts.get(offer.assignment_id);
  if (kept !== undefined && widget.restore) {
    widget.restore(kept);
    say("Restored what you had done on this task.");
  }
  taskEl.dataset.assignment = offer.assignment_id;
  const extra = [...(widget.shortcuts || [])];
  if (offer.suggestion) {
    // A pre-label from the requester's model: shown as a suggestion, accepted with one key.
    const pct = Math.round(offer.suggestion.probability * 100);
    taskEl.prepend(el("p", { class: "suggestion", attrs: { id: "suggestion" } }, [
      `Suggested: ${offer.suggestion.label} (${pct}%). Press `, el("kbd", { text: "a" }),
      " to accept it, or answer as you judge.",
    ]));
    extra.push(["a", "accept the suggestion"]);
  }
  fillShortcuts(extra);
  setState("ready");
  lease.start(offer.expires_at);
  // A screen reader hears that a new task arrived; focus goes to it (or to its text box).
  shown += 1;
  announceEl.textContent = `New task (${shown} in this session).`;
  if (widget.focus) widget.focus();
  else taskEl.focus({ preventScroll: true });
}

// The lease ran out: the task went back to the queue. What the worker did stays on screen
// (and in localStorage) so nothing typed vanishes; n asks for the next task.
function expire() {
  if (!current || current.expired) return;
  current.expired = true;
  saveDraft();
  setState("expired");
  const next = el("button", { class: "primary", attrs: { type: "button", id: "next-task" } },
    [el("span", { text: "Next task " }), el("kbd", { text: "n" })]);
  next.addEventListener("click", () => loadNext());
  taskEl.prepend(el("div", { class: "message error", attrs: { id: "expired" } }, [
    el("p", { text: "Time ran out on this task and it went back to the queue. What you did is still below, so you can copy it." }),
    next]));
  say("Time ran out on this task.", "error");
}

function saveDraft() {
  if (!current || !current.widget.draft) return;
  drafts.put(current.offer.assignment_id, current.widget.draft());
}

// Sends the kept answers; false when they must wait (offline, signed out, throttled).
async function resendKept() {
  let sent = 0;
  for (const [id, entry] of Object.entries(pending.all())) {
    if (held && held.offer.assignment_id === id) continue; // its undo window is still open
    let res;
    try {
      res = await post(`/v1/work/${encodeURIComponent(id)}/submit`, { answer: entry.answer });
    } catch {
      say("Offline: your kept answers will be sent when the connection is back.", "error");
      return false;
    }
    const outcome = await settle(id, res);
    if (outcome === "kept") return false;
    if (outcome === "sent") sent += 1;
  }
  if (sent) say(`Sent ${sent} kept answer${sent > 1 ? "s" : ""}.`);
  return true;
}

// What became of a sent answer: "sent" (the server has it), "kept" (to send again later:
// signed out, throttled, a server error) or "dropped" (it can never be: already in,
// expired, refused). A refused answer (422) leaves the assignment open, with its draft.
async function settle(id, res) {
  if (res.ok) {
    pending.drop(id);
    drafts.drop(id);
    answered += 1;
    return "sent";
  }
  if (res.status === 401) {
    signIn();
    return "kept";
  }
  const err = await errorOf(res);
  if (res.status === 429 || res.status >= 500 || err.code === "csrf_failed") return "kept";
  pending.drop(id);
  if (res.status !== 422) drafts.drop(id);
  else say(`An earlier answer was refused: ${err.message} The task comes back later.`, "error");
  return "dropped";
}

// The held answer, taken out of the page's hands (its timer and bar gone); null if none.
function takeHeld() {
  const h = held;
  if (!h) return null;
  held = null;
  clearTimeout(h.timer);
  undoBar.hidden = true;
  return h;
}

// Send the held answer now: its undo window ended, or the tab is hidden or closing.
async function sendHeld(keepalive = false) {
  const h = takeHeld();
  if (!h) return;
  const id = h.offer.assignment_id;
  let res;
  try {
    res = await post(`/v1/work/${encodeURIComponent(id)}/submit`, { answer: h.answer },
      { keepalive });
  } catch {
    if (!keepalive) retryKeptLater(); // kept in localStorage either way
    return;
  }
  if ((await settle(id, res)) === "kept") retryKeptLater();
  else if (taskEl.dataset.state !== "sending") say(`Answered ${answered} in this session.`);
}

function retryKeptLater() {
  setTimeout(async () => {
    if (!(await resendKept()) && pending.count()) retryKeptLater();
  }, RETRY_MS);
}

// Hold the answer to the task on screen for the undo window, never past its lease's end
// less a margin; false when the window is too short to be worth it.
function hold(answer) {
  const left = Date.parse(current.offer.expires_at) - Date.now() - UNDO_MARGIN_MS;
  const windowMs = Math.min(undoMs, left);
  if (!(windowMs >= 1000)) return false;
  const h = { offer: current.offer, answer, shownAt: current.shownAt,
              draft: current.widget.draft ? current.widget.draft() : null };
  h.timer = setTimeout(() => { if (held === h) sendHeld(); }, windowMs);
  held = h;
  undoBar.hidden = false;
  return true;
}

// Take the held answer back: the task returns as it was answered, nothing reaches the
// server. The task shown meanwhile stays leased (its draft kept) and comes back next.
function undo() {
  if (!held || busy) return false;
  const h = takeHeld();
  pending.drop(h.offer.assignment_id);
  if (current && !current.expired) saveDraft();
  if (h.draft !== null && h.draft !== undefined) drafts.put(h.offer.assignment_id, h.draft);
  show(h.offer, h.shownAt);
  say("Undone: that answer was not sent. Change it and answer again.");
  return true;
}

function link(href, text, id) {
  return el("a", { text, attrs: { href, ...(id ? { id } : {}) } });
}

async function showPaused() {
  const standing = `/work/${encodeURIComponent(projectId)}/standing`;
  const parts = [el("p", { class: "message error", attrs: { id: "paused" }, text: "You are paused in this project, so it has no work for you." })];
  try {
    const res = await get(`/v1/work/standing?project=${encodeURIComponent(projectId)}`);
    if (res.ok) {
      const s = await res.json();
      if (s.pause_reason) parts.push(el("p", { attrs: { id: "pause-reason" }, text: `Why: ${s.pause_reason.replace("_", " ")}${s.paused_at ? `, since ${s.paused_at.slice(0, 16).replace("T", " ")} UTC` : ""}.` }));
      if (s.appeal) parts.push(el("p", { text: `Your appeal is ${s.appeal.status}.` }));
    }
  } catch {
    // the links below still say where to look
  }
  parts.push(el("p", {}, [link(standing, "See your standing and its evidence", "standing-link"), el("span", { text: " · " }),
    link(`${standing}#appeal-form`, "Appeal the pause", "appeal-link")]));
  showMessage(parts, "paused");
}

function showEmpty() {
  const others = document.getElementById("other-projects");
  const parts = [el("p", { class: "message", text: "No task for you right now. This page checks again on its own." })];
  if (others) {
    const copy = others.content.cloneNode(true);
    parts.push(...copy.children);
  }
  showMessage(parts, "empty");
  clearTimeout(recheck);
  recheck = setTimeout(loadNext, RECHECK_MS[Math.min(rechecks, RECHECK_MS.length - 1)]);
  rechecks += 1;
}

async function loadNext() {
  clearTimeout(recheck);
  current = null;
  lease.stop();
  setState("loading");
  let res;
  try {
    // A held answer's task stays leased beside the next one (`holding`).
    const holding = held ? held.offer.assignment_id : undefined;
    res = await post("/v1/work/next", { project: projectId, holding });
  } catch {
    showMessage("Cannot reach the server; trying again…", "offline");
    setTimeout(loadNext, RETRY_MS);
    return;
  }
  if (res.status === 401) {
    signIn();
    return;
  }
  if (res.status === 204) {
    showEmpty();
    return;
  }
  if (!res.ok) {
    const err = await errorOf(res);
    if (err.code === "worker_paused") await showPaused();
    else showMessage(err.message, "error");
    return;
  }
  show(await res.json());
}

function retryLater() {
  setTimeout(async () => {
    if (await resendKept()) await loadNext();
    else if (pending.count()) retryLater();
  }, RETRY_MS);
}

async function submit(answer) {
  if (!current || busy) return;
  if (current.expired) {
    say("Time ran out on this task: press n for the next one.", "error");
    return;
  }
  const waited = performance.now() - current.shownAt;
  if (waited < minMs) {
    const left = Math.ceil((minMs - waited) / 1000);
    say(`This project asks for at least ${minMs / 1000} s per task: ${left} s to go. Your answer is still here.`, "error");
    return;
  }
  busy = true;
  const id = current.offer.assignment_id;
  pending.keep(id, { project: projectId, answer });
  setState("sending");
  const previous = takeHeld();
  if (hold(answer)) {
    await holdAndNext(previous);
    return;
  }
  if (previous) await deliverPrevious(previous);
  let res;
  try {
    // `next: true`: the receipt brings the next task, so it shows after one round trip.
    res = await post(`/v1/work/${encodeURIComponent(id)}/submit`, { answer, next: true });
  } catch {
    busy = false;
    setState("offline");
    say("Network error: your answer is kept and will be sent again.", "error");
    retryLater();
    return;
  }
  if (res.status === 401) {
    say("Your session ended: sign in again and your answer will be sent.", "error");
    signIn();
    return;
  }
  busy = false;
  if (res.ok) {
    pending.drop(id);
    drafts.drop(id);
    answered += 1;
    say(`Answered ${answered} in this session.`);
    await showOrLoad(res);
    return;
  }
  const err = await errorOf(res);
  if (res.status === 429 || res.status >= 500 || err.code === "csrf_failed") {
    setState("offline");
    say(`${err.message} Your answer is kept and will be sent again.`, "error");
    retryLater();
    return;
  }
  pending.drop(id);
  say(err.message, "error");
  if (res.status === 422) {
    setState("ready"); // the assignment stays open: answer again
    return;
  }
  if (err.code === "assignment_expired") {
    expire();
    return;
  }
  await loadNext();
}

// The answer on screen is held: show the next task at once. An answer held before it is
// sent in the same round trip (its receipt brings the next task, leased beside the new
// hold), so there is one round trip per task, as without undo.
async function holdAndNext(previous) {
  drafts.drop(current.offer.assignment_id);
  if (!previous) {
    busy = false;
    await loadNext();
    return;
  }
  const id = previous.offer.assignment_id;
  let res;
  try {
    res = await post(`/v1/work/${encodeURIComponent(id)}/submit`,
      { answer: previous.answer, next: true, holding: held.offer.assignment_id });
  } catch {
    busy = false;
    retryKeptLater();
    await loadNext();
    return;
  }
  busy = false;
  if ((await settle(id, res)) === "sent") {
    say(`Answered ${answered} in this session.`);
    await showOrLoad(res);
    return;
  }
  if (pending.all()[id]) retryKeptLater();
  await loadNext();
}

// Without an undo window for the new answer, the one held before goes first, so that the
// next task is not that one handed back.
async function deliverPrevious(previous) {
  const id = previous.offer.assignment_id;
  try {
    await settle(id, await post(`/v1/work/${encodeURIComponent(id)}/submit`,
      { answer: previous.answer }));
  } catch {
    // kept in localStorage: sent with the others
  }
}

async function skip() {
  if (!current || busy) return;
  if (current.expired) {
    await loadNext();
    return;
  }
  busy = true;
  const id = current.offer.assignment_id;
  setState("sending");
  let res;
  try {
    res = await post(`/v1/work/${encodeURIComponent(id)}/skip`,
      { next: true, holding: held ? held.offer.assignment_id : undefined });
  } catch {
    busy = false;
    setState("ready");
    say("Network error: the skip was not sent.", "error");
    return;
  }
  if (res.status === 401) {
    signIn();
    return;
  }
  busy = false;
  drafts.drop(id);
  if (!res.ok) {
    say((await errorOf(res)).message, "error");
    await loadNext();
    return;
  }
  await showOrLoad(res);
}

// A receipt that carries the next task shows it at once; otherwise ask `next`, which also
// says why there is none (nothing left, or paused).
async function showOrLoad(res) {
  let receipt = null;
  try {
    receipt = await res.json();
  } catch {
    receipt = null;
  }
  if (receipt && receipt.next) show(receipt.next);
  else await loadNext();
}

function toggle(dialog) {
  if (dialog.open) dialog.close();
  else dialog.showModal();
}

function onKey(event) {
  if (event.defaultPrevented || event.isComposing) return;
  if (document.querySelector("dialog[open]")) return; // Esc closes it (the browser's part)
  const target = event.target;
  const typing = target instanceof HTMLTextAreaElement || target instanceof HTMLInputElement;
  if (event.repeat && !REPEATABLE.has(event.key)) {
    // A held key answers once: its repeats do nothing (in a text box they still type).
    if (!typing) event.preventDefault();
    return;
  }
  if (held && !busy && isUndo(event, typing)) {
    event.preventDefault();
    undo();
    return;
  }
  if (event.key === "Escape") {
    event.preventDefault();
    if (typing) {
      target.blur();
      say("Left the text box; your text is kept. Esc again skips the task.");
    } else {
      skip();
    }
    return;
  }
  if (current && current.expired) {
    if (!typing && (event.key === "n" || event.key === "Enter")) {
      event.preventDefault();
      loadNext();
    }
    return;
  }
  if (current && !busy && current.widget.onKey(event)) {
    event.preventDefault();
    return;
  }
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "a" && current && !busy && current.offer.suggestion) {
    event.preventDefault();
    submit({ label: current.offer.suggestion.label });
    return;
  }
  if (event.key === "s" || event.key === "S") skip();
  else if (event.key === "?") toggle(shortcuts);
  else if (event.key === "i") toggle(instructions);
  else return;
  event.preventDefault();
}

// z, or Ctrl+Z (Cmd+Z) where it is not a text box's own undo: outside a text box, or in
// one where nothing has been done yet on the new task.
function isUndo(event, typing) {
  if (event.key !== "z" && event.key !== "Z") return false;
  if (event.altKey || event.shiftKey) return false;
  if (event.ctrlKey || event.metaKey) {
    return !typing || !current || !current.widget.draft || current.widget.draft() === null;
  }
  return !typing;
}

document.addEventListener("keydown", onKey);
// Whatever changes the widget's state (typing, a key, a pointer) is kept as a draft.
function keepDraft() {
  if (current && !current.expired) saveDraft();
}
for (const type of ["input", "pointerup", "change"]) taskEl.addEventListener(type, keepDraft);
document.addEventListener("keyup", keepDraft);
document.addEventListener("visibilitychange", () => {
  if (document.hidden) sendHeld(true); // the worker left: a held answer goes now
  else if (taskEl.dataset.state === "empty") loadNext();
});
window.addEventListener("pagehide", () => sendHeld(true));
document.getElementById("undo-button").addEventListener("click", () => undo());
document.getElementById("show-instructions").addEventListener("click", () => toggle(instructions));
document.getElementById("show-shortcuts").addEventListener("click", () => toggle(shortcuts));
document.getElementById("skip").addEventListener("click", () => skip());
fillShortcuts([]);

(async () => {
  if (pending.count() && !(await resendKept())) {
    if (leaving) return;
    retryLater();
  }
  await loadNext();
})();
