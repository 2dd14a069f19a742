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
  sessionStorage.setItem(FLASH, `The ${purpose} task ${result.answer.id} was added.`);
  location.reload();
});

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
