// The labeling page: asks /v1/work/next for a task, shows it with its kind's widget, and
// sends the answer (or a skip) with the keyboard. Answers are kept in localStorage until
// the server acknowledges them and resent after a failure or a new sign-in; what a worker
// has marked or typed on an open task is kept too (a reload restores it), and never lost to
// a stray key: Esc in a text box leaves the box, held keys (auto-repeat) answer nothing,
// and an answer sooner than the project's minimum time per task waits.

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
const pending = new PendingAnswers(root.dataset.worker);
const drafts = new Drafts(root.dataset.worker);
const RETRY_MS = 3000;
const RECHECK_MS = [3000, 6000, 12000, 24000, 30000]; // an empty queue asks again
// Keys that only move or select (never answer) may repeat while held.
const REPEATABLE = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"]);

const GLOBAL_SHORTCUTS = [
  ["s", "skip this task"],
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

function show(offer) {
  clearTimeout(recheck);
  rechecks = 0;
  taskEl.replaceChildren();
  const widget = widgetFor(offer.kind)(taskEl, offer, { submit, say });
  current = { offer, widget, shownAt: performance.now(), expired: false };
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
    let res;
    try {
      res = await post(`/v1/work/${encodeURIComponent(id)}/submit`, { answer: entry.answer });
    } catch {
      say("Offline: your kept answers will be sent when the connection is back.", "error");
      return false;
    }
    if (res.status === 401) {
      signIn();
      return false;
    }
    if (!res.ok) {
      const err = await errorOf(res);
      if (res.status === 429 || res.status >= 500 || err.code === "csrf_failed") return false;
    }
    // Sent, or it can never be (already in, expired, not this worker's): either way done.
    if (res.ok) sent += 1;
    pending.drop(id);
  }
  if (sent) {
    answered += sent;
    say(`Sent ${sent} kept answer${sent > 1 ? "s" : ""}.`);
  }
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
    res = await post("/v1/work/next", { project: projectId });
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
    res = await post(`/v1/work/${encodeURIComponent(id)}/skip`, { next: true });
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

document.addEventListener("keydown", onKey);
// Whatever changes the widget's state (typing, a key, a pointer) is kept as a draft.
function keepDraft() {
  if (current && !current.expired) saveDraft();
}
for (const type of ["input", "pointerup", "change"]) taskEl.addEventListener(type, keepDraft);
document.addEventListener("keyup", keepDraft);
document.addEventListener("visibilitychange", () => {
  if (!document.hidden && taskEl.dataset.state === "empty") loadNext();
});
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
