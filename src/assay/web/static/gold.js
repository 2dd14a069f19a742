// The gold and training page: adding a task (POST /v1/projects/<id>/gold or /training) and
// retiring a gold task, through the API, its field errors shown under their fields.

import { el } from "./kit.js";
import { call, errorOf, say, showErrors } from "./forms.js";

const form = document.getElementById("add-reference");
const project = form.dataset.project;
const FLASH = "assay.gold.flash";

function json(name) {
  const text = form.elements[name].value.trim();
  if (!text) return { error: "is required" };
  try { return { value: JSON.parse(text) }; } catch { return { error: "is not valid JSON" }; }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const purpose = form.elements.purpose.value;
  const data = json("data"), answer = json("answer");
  const bad = [["data", data], ["answer", answer]].filter(([, v]) => v.error);
  if (bad.length) {
    showErrors(form, { details: { fields: bad.map(([field, v]) => ({ field, message: v.error })) } });
    return;
  }
  const body = { data: data.value, answer: answer.value };
  if (purpose === "training") body.explanation = form.elements.explanation.value;
  const result = await call("POST", `/v1/projects/${project}/${purpose}`, body);
  if (!result.ok) { showErrors(form, errorOf(result)); return; }
  const replaces = form.elements.replaces.value;
  if (replaces) {
    // An edit: the corrected copy is in; the old gold task stops being served.
    const retired = await call("POST", `/v1/projects/${project}/gold/${replaces}/retire`);
    if (!retired.ok) { say(errorOf(retired).message, "error"); return; }
  }
  sessionStorage.setItem(FLASH, replaces ? `The gold task ${replaces} was replaced by ${result.answer.id}.`
    : `The ${purpose} task ${result.answer.id} was added.`);
  location.reload();
});

// Editing a gold task: workers' past answers were judged against its answer, so it is not
// changed in place; the form is filled with it, and saving adds the corrected copy and
// retires the old one.
for (const button of document.querySelectorAll("button.gold-edit")) {
  button.addEventListener("click", () => {
    form.elements.purpose.value = "gold";
    form.elements.data.value = JSON.stringify(JSON.parse(button.dataset.data), null, 2);
    form.elements.answer.value = JSON.stringify(JSON.parse(button.dataset.answer));
    form.elements.replaces.value = button.dataset.gold;
    const note = document.getElementById("replacing");
    note.textContent = `Saving adds the corrected copy and retires ${button.dataset.gold}.`;
    note.hidden = false;
    form.elements.answer.focus();
  });
}

for (const button of document.querySelectorAll("button.gold-retire")) {
  button.addEventListener("click", async () => {
    const result = await call("POST", `/v1/projects/${project}/gold/${button.dataset.gold}/retire`);
    if (!result.ok) { say(errorOf(result).message, "error"); return; }
    const row = button.closest("tr");
    row.classList.add("revoked");
    row.querySelector('[data-field="status"]').textContent = "retired";
    button.remove();
    say(`The gold task ${result.answer.id} is retired.`);
  });
}

const importForm = document.getElementById("import-reference");
const meta = document.querySelector('meta[name="csrf-token"]');
importForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const table = document.getElementById("import-reference-errors");
  const response = await fetch(importForm.getAttribute("action"), {
    method: "POST", credentials: "same-origin", body: new FormData(importForm),
    headers: { Accept: "application/json", "X-CSRF-Token": meta ? meta.getAttribute("content") : "" },
  });
  let answer = null;
  try { answer = await response.json(); } catch { answer = null; }
  if (response.ok && answer) {
    sessionStorage.setItem(FLASH, `${answer.created} ${importForm.elements.purpose.value} tasks were imported.`);
    location.reload();
    return;
  }
  const error = (answer && answer.error) || { message: `the server answered ${response.status}` };
  say(error.message, "error");
  const rows = (error.details && error.details.errors) || [];
  table.querySelector("tbody").replaceChildren(...rows.map((e) => el("tr", { data: { line: String(e.line) } }, [
    el("td", { class: "num", text: String(e.line) }),
    el("td", { text: (e.fields && e.fields.length) ? e.fields.map((f) => `${f.field}: ${f.message}`).join("; ") : e.message }),
  ])));
  table.hidden = rows.length === 0;
});

const flash = sessionStorage.getItem(FLASH);
if (flash) { sessionStorage.removeItem(FLASH); say(flash); }
