// The settings page: the preview of the worker's page follows the form. Each change of the
// kind's fields, the params JSON or the instructions reloads the framed preview with them
// in its query (the server reads them as the form's fields), half a second after typing
// stops.

const form = document.getElementById("settings");
const frame = document.getElementById("preview-frame");
const base = `/projects/${form.dataset.project}/preview`;
let timer = null;

function previewUrl() {
  const query = new URLSearchParams();
  for (const input of form.querySelectorAll("[data-kind-field]")) {
    if (input.type === "checkbox") query.set(input.name, input.checked ? "1" : "");
    else query.set(input.name, input.value);
  }
  const params = form.querySelector('[name="params"]');
  if (params && params.value.trim()) query.set("params", params.value);
  const instructions = form.querySelector('[name="instructions"]');
  if (instructions) query.set("instructions", instructions.value);
  return `${base}?${query}`;
}

function follow() {
  clearTimeout(timer);
  timer = setTimeout(() => { frame.src = previewUrl(); }, 500);
}

form.addEventListener("input", follow);
form.addEventListener("change", follow);
