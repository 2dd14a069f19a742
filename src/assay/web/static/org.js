// The organization's pages (/org/members, /org/keys): each change goes through the API
// (/v1/org/...) with the session cookie and the page's CSRF token, so its rules and its
// field errors are the API's; field errors are shown under their fields.

import { el } from "./kit.js";
import { call, clearErrors, errorOf, say, showErrors } from "./forms.js";

const FLASH = "assay.org.flash";

function reloadSaying(text) {
  sessionStorage.setItem(FLASH, text);
  location.reload();
}

function valuesOf(form) {
  const out = {};
  for (const [name, value] of new FormData(form)) if (value !== "") out[name] = value;
  return out;
}

function members() {
  const form = document.getElementById("add-member");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await call("POST", "/v1/org/members", valuesOf(form));
    if (result.ok) reloadSaying(`${result.answer.email} was added as ${result.answer.role}.`);
    else showErrors(form, errorOf(result));
  });
  for (const select of document.querySelectorAll("select.member-role")) {
    select.addEventListener("change", async () => {
      const result = await call("PATCH", `/v1/org/members/${select.dataset.member}`, { role: select.value });
      if (result.ok) { select.dataset.role = select.value; say(`${result.answer.email} is now ${result.answer.role}.`); }
      else { select.value = select.dataset.role; say(errorOf(result).message, "error"); }
    });
  }
  for (const button of document.querySelectorAll("button.member-remove")) {
    button.addEventListener("click", async () => {
      if (!confirm(`Remove ${button.dataset.email} from the organization? Their sessions end at once.`)) return;
      const result = await call("DELETE", `/v1/org/members/${button.dataset.member}`);
      if (result.ok) reloadSaying(`${result.answer.email} was removed.`);
      else say(errorOf(result).message, "error");
    });
  }
}

function revokeButton(button) {
  button.addEventListener("click", async () => {
    if (!confirm(`Revoke the key "${button.dataset.name}"? Its next request is refused.`)) return;
    const result = await call("DELETE", `/v1/org/keys/${button.dataset.key}`);
    if (!result.ok) { say(errorOf(result).message, "error"); return; }
    const row = button.closest("tr");
    row.classList.add("revoked");
    row.querySelector('[data-field="revoked"]').textContent = result.answer.revoked_at.slice(0, 16).replace("T", " ") + " UTC";
    button.remove();
    say(`The key "${result.answer.name}" is revoked.`);
  });
}

function apiKeys() {
  const form = document.getElementById("add-key");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await call("POST", "/v1/org/keys", valuesOf(form));
    if (!result.ok) { showErrors(form, errorOf(result)); return; }
    clearErrors(form);
    form.reset();
    const k = result.answer;
    document.getElementById("new-key-value").textContent = k.key;
    document.getElementById("new-key").hidden = false;
    const revoke = el("button", { class: "key-revoke", text: "Revoke", attrs: { type: "button" }, data: { key: k.id, name: k.name } });
    revokeButton(revoke);
    document.querySelector("#keys tbody").append(el("tr", { data: { key: k.id } }, [
      el("td", { text: k.name }), el("td", { text: k.role }), el("td", {}, [el("code", { text: k.prefix + "…" })]),
      el("td", { text: k.created_at.slice(0, 16).replace("T", " ") + " UTC" }), el("td", { data: { field: "revoked" } }),
      el("td", {}, [revoke]),
    ]));
    say(`The key "${k.name}" was created.`);
  });
  for (const button of document.querySelectorAll("button.key-revoke")) revokeButton(button);
}

const flash = sessionStorage.getItem(FLASH);
if (flash) { sessionStorage.removeItem(FLASH); say(flash); }
if (document.getElementById("add-member")) members();
if (document.getElementById("add-key")) apiKeys();
