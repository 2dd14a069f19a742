// The labeling page: asks /v1/work/next for a task, shows it with its kind's widget, and
// sends the answer (or a skip) with the keyboard. Answers are kept in localStorage until
// the server acknowledges them and resent after a failure or a new sign-in.

import { PendingAnswers, errorOf, post, toSignIn } from "./api.js";
import { el, widgetFor } from "./widgets.js";

const root = document.getElementById("labeler");
const taskEl = document.getElementById("task");
const statusEl = document.getElementById("status");
const instructions = document.getElementById("instructions");
const shortcuts = document.getElementById("shortcuts");
const projectId = root.dataset.project;
const pending = new PendingAnswers(root.dataset.worker);
const RETRY_MS = 3000;

const GLOBAL_SHORTCUTS = [
  ["s or Esc", "skip this task"],
  ["i", "show the instructions"],
  ["?", "show these shortcuts"],
];

let current = null; // { offer, widget }
let busy = false;
let answered = 0;
let leaving = false;

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

function showMessage(text, state) {
  current = null;
  taskEl.replaceChildren(el("p", { class: "message", text }));
  taskEl.removeAttribute("data-assignment");
  setState(state);
}

function show(offer) {
  taskEl.replaceChildren();
  const widget = widgetFor(offer.kind)(taskEl, offer, { submit, say });
  current = { offer, widget };
  taskEl.dataset.assignment = offer.assignment_id;
  fillShortcuts(widget.shortcuts);
  setState("ready");
  if (widget.focus) widget.focus();
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

async function loadNext() {
  current = null;
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
    showMessage("No task for you right now. Check again later.", "empty");
    return;
  }
  if (!res.ok) {
    showMessage((await errorOf(res)).message, "error");
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
  await loadNext();
}

async function skip() {
  if (!current || busy) return;
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
  if (event.key === "Escape") {
    event.preventDefault();
    skip();
    return;
  }
  if (current && !busy && current.widget.onKey(event)) {
    event.preventDefault();
    return;
  }
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "s" || event.key === "S") skip();
  else if (event.key === "?") toggle(shortcuts);
  else if (event.key === "i") toggle(instructions);
  else return;
  event.preventDefault();
}

document.addEventListener("keydown", onKey);
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
