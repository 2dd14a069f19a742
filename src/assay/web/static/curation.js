// The curation page: search, near-duplicates and suspects, through the JSON API with the
// session cookie (api.js adds the CSRF header to changes). Runs that the server does as a
// job (duplicates, embeddings) answer 202 with their progress: the page asks again until
// they are done. Task text is put on the page with textContent only.

import { errorOf, post } from "./api.js";
import { el } from "./kit.js";

const root = document.getElementById("curation");
const project = root.dataset.project;
const POLL_MS = 300;

const wait = (ms) => new Promise((done) => setTimeout(done, ms));

// `first` may start a new run (refresh=true); the polls that follow only ask.
async function untilDone(url, onProgress, first = url) {
  for (let next = first; ; next = url) {
    const r = await fetch(next, { credentials: "same-origin" });
    if (r.status !== 202) return r;
    onProgress(await r.json());
    await wait(POLL_MS);
  }
}

function textOf(data) {
  if (data && typeof data.text === "string") return data.text;
  return JSON.stringify(data);
}

function short(text, limit = 200) {
  return text.length <= limit ? text : text.slice(0, limit - 1) + "…";
}

// Search.
const searchStatus = document.getElementById("search-status");
const results = document.getElementById("search-results");
document.getElementById("search-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const q = document.getElementById("search-q").value;
  const url = `/v1/tasks/search?project=${encodeURIComponent(project)}&q=${encodeURIComponent(q)}&limit=20`;
  searchStatus.textContent = "Searching…";
  const r = await untilDone(url, (run) => {
    searchStatus.textContent = `Embedding the tasks: ${Math.round(run.progress * 100)}%`;
  });
  if (!r.ok) {
    searchStatus.textContent = (await errorOf(r)).message;
    return;
  }
  const docs = (await r.json()).docs;
  const body = results.querySelector("tbody");
  body.replaceChildren(...docs.map((d) => el("tr", { data: { task: d.id } }, [
    el("td", { class: "num", text: d.score.toFixed(3) }),
    el("td", {}, [el("a", { text: d.id, attrs: { href: `/projects/${project}/tasks/${d.id}` } })]),
    el("td", { text: d.status }),
    el("td", { text: short(textOf(d.data)) }),
  ])));
  results.hidden = false;
  searchStatus.textContent = `${docs.length} task(s), nearest first`;
});

// Near-duplicates.
const dupStatus = document.getElementById("dup-status");
const dupBar = document.getElementById("dup-progress");
const dupCancel = document.getElementById("dup-cancel");
const pairsTable = document.getElementById("dup-pairs");

async function findDuplicates(refresh) {
  const threshold = document.getElementById("dup-threshold").value;
  const url = `/v1/projects/${project}/duplicates?threshold=${encodeURIComponent(threshold)}&limit=1000`;
  dupBar.hidden = false;
  dupStatus.textContent = "Finding duplicates…";
  const r = await untilDone(url, (run) => {
    dupBar.value = run.progress;
    dupStatus.textContent = `Reading the tasks: ${run.done} of ${run.total}`;
  }, url + (refresh ? "&refresh=true" : ""));
  dupBar.hidden = true;
  if (!r.ok) {
    dupStatus.textContent = (await errorOf(r)).message;
    return;
  }
  const page = await r.json();
  const body = pairsTable.querySelector("tbody");
  body.replaceChildren(...page.docs.map((p) => el("tr", {}, [
    el("td", {}, [el("a", { text: p.a, attrs: { href: `/projects/${project}/tasks/${p.a}` } })]),
    el("td", {}, [el("a", { text: p.b, attrs: { href: `/projects/${project}/tasks/${p.b}` } })]),
    el("td", { class: "num", text: p.similarity.toFixed(3) }),
  ])));
  pairsTable.hidden = page.docs.length === 0;
  dupStatus.textContent = page.status === "failed" ? `The run failed: ${page.failure}`
    : `${page.docs.length}${page.next_token ? "+" : ""} pair(s)`;
  if (dupCancel) dupCancel.disabled = page.docs.length === 0;
}

document.getElementById("dup-find").addEventListener("click", () => findDuplicates(true));
if (dupCancel) {
  dupCancel.addEventListener("click", async () => {
    const r = await post(`/v1/projects/${project}/duplicates/cancel`, {});
    if (!r.ok) {
      dupStatus.textContent = (await errorOf(r)).message;
      return;
    }
    const done = await r.json();
    dupStatus.textContent = `Cancelled ${done.canceled.length} task(s); ` +
      `${done.not_canceled.length} left as they were (answered or not pending)`;
    dupCancel.disabled = true;
  });
}

// Suspects.
const susStatus = document.getElementById("suspects-status");
const susTable = document.getElementById("suspects-table");
const susSend = document.getElementById("suspects-send");
const precision = document.getElementById("suspects-precision");

async function loadSuspects() {
  const r = await fetch(`/v1/projects/${project}/suspects?limit=1000`, { credentials: "same-origin" });
  if (!r.ok) {
    susStatus.textContent = (await errorOf(r)).message;
    return;
  }
  const page = await r.json();
  const body = susTable.querySelector("tbody");
  body.replaceChildren(...page.docs.map((s) => el("tr", { data: { task: s.task } }, [
    el("td", {}, [el("input", { attrs: { type: "checkbox", "aria-label": `send ${s.task}` }, data: { task: s.task } })]),
    el("td", {}, [el("a", { text: s.task, attrs: { href: `/projects/${project}/tasks/${s.task}` } })]),
    el("td", { text: s.label }),
    el("td", { text: s.suggested }),
    el("td", { class: "num", text: s.score.toFixed(3) }),
    el("td", { text: `${s.source}: ${s.reason.replaceAll("_", " ")}` }),
  ])));
  susTable.hidden = page.docs.length === 0;
  susStatus.textContent = `${page.docs.length} suspect(s)`;
  const f = page.precision;
  precision.textContent = f.reviewed
    ? `Of ${f.reviewed} reviewed, ${f.errors} were real errors (precision ${f.precision}).`
    : f.sent ? `${f.sent} sent to review, none reviewed yet.` : "";
  if (susSend) susSend.disabled = page.docs.length === 0;
}

document.getElementById("suspects-load").addEventListener("click", loadSuspects);
if (susSend) {
  susSend.addEventListener("click", async () => {
    const ticked = [...susTable.querySelectorAll("input[type=checkbox]:checked")]
      .map((box) => box.dataset.task);
    if (ticked.length === 0) {
      susStatus.textContent = "Tick the suspects to send first.";
      return;
    }
    const r = await post(`/v1/projects/${project}/suspects/review`, { task_ids: ticked });
    if (!r.ok) {
      susStatus.textContent = (await errorOf(r)).message;
      return;
    }
    const sent = (await r.json()).sent.length;
    await loadSuspects();
    susStatus.textContent = `Sent ${sent} to review. ` + susStatus.textContent;
  });
}
