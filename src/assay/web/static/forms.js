// The console's forms that change something through the API (/v1/...) with the session
// cookie and the page's CSRF token: the call, and the API's field errors shown under their
// fields (a list with id "<form id>-<field>-errors", the first segment of the field path).

import { el } from "./kit.js";

const meta = document.querySelector('meta[name="csrf-token"]');
const csrfToken = meta ? meta.getAttribute("content") : "";

export async function call(method, path, body) {
  const response = await fetch(path, {
    method, credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken, Accept: "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let answer = null;
  try { answer = await response.json(); } catch { answer = null; }
  return { ok: response.ok, status: response.status, answer };
}

export function say(text, kind = "") {
  const status = document.querySelector('[role="status"].console-status');
  status.hidden = !text;
  status.textContent = text;
  status.classList.toggle("error", kind === "error");
}

export function errorOf(result) {
  return (result.answer && result.answer.error) || { message: `the server answered ${result.status}` };
}

export function clearErrors(form) {
  for (const list of form.querySelectorAll("ul.field-errors")) { list.hidden = true; list.replaceChildren(); }
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

// The API's field errors under their fields (or under the form), the first one focused.
export function showErrors(form, error) {
  clearErrors(form);
  const fields = (error.details && error.details.fields) || [{ field: "form", message: error.message }];
  let first = null;
  for (const f of fields) {
    const name = String(f.field || "form").split(".")[0];
    const list = form.querySelector(`#${form.id}-${CSS.escape(name)}-errors`) || form.querySelector(`#${form.id}-form-errors`);
    list.hidden = false;
    list.append(el("li", { text: f.message }));
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (input) { input.setAttribute("aria-invalid", "true"); first = first || input; }
  }
  if (first) first.focus();
}

