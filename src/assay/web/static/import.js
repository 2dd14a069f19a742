// The import page: a file chosen or dropped is previewed (its first rows, read in the
// browser, each with the problem found in it), then sent whole to
// POST /projects/<id>/import with the upload's progress shown; the server creates its tasks
// in one transaction and answers the rows it refused by line. Everything from the file is
// put on the page as text (textContent), never as HTML.

import { el } from "./kit.js";

const PREVIEW_ROWS = 10;
const PREVIEW_BYTES = 256 * 1024;

const form = document.getElementById("import-form");
const drop = document.getElementById("drop");
const input = document.getElementById("import-file");
const button = document.getElementById("import-button");
const bar = document.getElementById("upload-progress");
const status = document.getElementById("import-status");
const preview = document.getElementById("preview");
const previewBody = document.querySelector("#preview-table tbody");
const previewNote = document.getElementById("preview-note");
const result = document.getElementById("import-result");
const errorsBody = document.querySelector("#import-errors tbody");
let chosen = null;

function isCsv(file) {
  return /\.csv$/i.test(file.name);
}

function shortJson(value, limit = 160) {
  const text = JSON.stringify(value);
  if (text === undefined) return "";
  return text.length <= limit ? text : text.slice(0, limit - 1) + "…";
}

// One CSV record at a time from text (RFC 4180 quoting); yields [lineNumber, cells].
function* csvRecords(text) {
  let cells = [], cell = "", quoted = false, line = 1, start = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else { if (c === "\n") line++; cell += c; }
    } else if (c === '"') quoted = true;
    else if (c === ",") { cells.push(cell); cell = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      cells.push(cell);
      yield [start, cells];
      cells = []; cell = ""; line++; start = line;
    } else cell += c;
  }
  if (cell !== "" || cells.length) { cells.push(cell); yield [start, cells]; }
}

const TASK_KEYS = ["unique_id", "metadata", "priority", "callback_url", "batch"];

function csvPreview(text, complete) {
  const records = [...csvRecords(text)];
  if (!complete) records.pop(); // the slice may have cut the last record
  const [first, ...body] = records;
  const header = first ? first[1] : [];
  return body.slice(0, PREVIEW_ROWS).map(([line, cells]) => {
    const data = {}, task = {};
    let problem = cells.length > header.length ? "more values than columns" : "";
    header.forEach((name, i) => {
      const value = cells[i] ?? "";
      if (name === "data" || name === "metadata") {
        if (value === "") return;
        try { task[name] = JSON.parse(value); } catch { problem = `column ${name} is not valid JSON`; }
      } else if (TASK_KEYS.includes(name)) {
        if (value !== "") task[name] = value;
      } else data[name] = value;
    });
    if (!("data" in task)) task.data = data;
    return { line, task, problem };
  });
}

function jsonlPreview(text) {
  const rows = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length && rows.length < PREVIEW_ROWS; i++) {
    if (!lines[i].trim()) continue;
    if (i === lines.length - 1 && text.length >= PREVIEW_BYTES) break; // cut by the slice
    let task = null, problem = "";
    try {
      task = JSON.parse(lines[i]);
      if (!task || typeof task !== "object" || Array.isArray(task)) problem = "must be an object";
      else if (!("data" in task)) problem = "data: field required";
    } catch { problem = "not valid JSON"; }
    rows.push({ line: i + 1, task, problem });
  }
  return rows;
}

function showRows(tbody, rows, cells) {
  tbody.replaceChildren(...rows.map((row) => el("tr", { data: { line: String(row.line) }, class: row.problem ? "bad" : "" },
    cells(row).map(([text, cls]) => el("td", { class: cls || "", text })))));
}

async function choose(file) {
  chosen = file;
  result.hidden = true;
  status.textContent = "";
  document.getElementById("file-name").textContent = `${file.name} · ${file.size.toLocaleString("en")} bytes`;
  drop.dataset.state = "chosen";
  const text = await file.slice(0, PREVIEW_BYTES).text();
  const rows = isCsv(file) ? csvPreview(text, file.size <= PREVIEW_BYTES) : jsonlPreview(text);
  showRows(previewBody, rows, (r) => [
    [String(r.line), "num"], [r.task && r.task.unique_id != null ? String(r.task.unique_id) : ""],
    [r.task ? shortJson(r.task.data) : "", "data"], [r.problem, r.problem ? "problem" : ""],
  ]);
  const bad = rows.filter((r) => r.problem).length;
  previewNote.textContent = `The first ${rows.length} rows as they will be read` +
    (bad ? `; ${bad} of them have a problem.` : ".") + " The server checks every row when you import.";
  preview.hidden = false;
  button.disabled = rows.length === 0;
}

function showErrors(errors, total) {
  showRows(errorsBody, errors, (e) => [
    [String(e.line), "num"],
    [(e.fields && e.fields.length ? e.fields.map((f) => `${f.field || "row"}: ${f.message}`).join("; ") : e.message)],
  ]);
  result.hidden = errors.length === 0;
  if (total > errors.length) {
    errorsBody.append(el("tr", {}, [el("td", {}), el("td", { text: `… and ${total - errors.length} more` })]));
  }
}

function send() {
  if (!chosen) return;
  const body = new FormData(form);
  body.set("file", chosen, chosen.name);
  body.set("format", isCsv(chosen) ? "csv" : "jsonl");
  const xhr = new XMLHttpRequest();
  xhr.open("POST", form.getAttribute("action"));
  xhr.setRequestHeader("Accept", "application/json");
  xhr.upload.addEventListener("progress", (event) => {
    if (event.lengthComputable) bar.value = Math.round((100 * event.loaded) / event.total);
  });
  xhr.upload.addEventListener("load", () => {
    bar.removeAttribute("value"); // the server is creating the tasks: no measure of that
    status.textContent = "Uploaded; creating the tasks…";
  });
  xhr.addEventListener("load", () => {
    button.disabled = false;
    bar.hidden = true;
    let answer = null;
    try { answer = JSON.parse(xhr.responseText); } catch { answer = null; }
    if (xhr.status === 200 && answer) {
      const dup = answer.duplicates.length, bad = answer.errors.length;
      status.dataset.kind = bad ? "partial" : "done";
      status.textContent = `Imported ${answer.created} tasks` +
        (dup ? `; ${dup} already in the project (same unique id) were skipped` : "") +
        (bad ? `; ${bad} invalid rows were left out.` : ".");
      showErrors(answer.errors, bad);
      return;
    }
    const error = (answer && answer.error) || { message: `the server answered ${xhr.status}` };
    status.dataset.kind = "error";
    status.textContent = /nothing was imported/i.test(error.message) ? error.message
      : "Nothing was imported: " + error.message;
    const details = error.details || {};
    showErrors(details.errors || [], details.invalid_rows || 0);
  });
  xhr.addEventListener("error", () => {
    button.disabled = false;
    bar.hidden = true;
    status.dataset.kind = "error";
    status.textContent = "The upload failed (network); nothing was imported. Try again.";
  });
  button.disabled = true;
  bar.hidden = false;
  bar.value = 0;
  status.dataset.kind = "";
  status.textContent = "Uploading…";
  xhr.send(body);
}

input.addEventListener("change", () => { if (input.files.length) choose(input.files[0]); });
for (const name of ["dragenter", "dragover"]) {
  drop.addEventListener(name, (event) => { event.preventDefault(); drop.dataset.over = "1"; });
}
drop.addEventListener("dragleave", () => { delete drop.dataset.over; });
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  delete drop.dataset.over;
  const file = event.dataTransfer && event.dataTransfer.files[0];
  if (file) choose(file);
});
form.addEventListener("submit", (event) => { event.preventDefault(); send(); });
