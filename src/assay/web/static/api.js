// The JSON API as the signed-in browser calls it: the session cookie is the credential and
// every state-changing call carries the page's CSRF token in X-CSRF-Token.

const meta = document.querySelector('meta[name="csrf-token"]');
const csrfToken = meta ? meta.getAttribute("content") : "";

// `keepalive`: the request outlives the page (sent as the tab closes or reloads).
export async function post(path, body, { keepalive = false } = {}) {
  return fetch(path, {
    method: "POST",
    credentials: "same-origin",
    keepalive,
    headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken },
    body: JSON.stringify(body ?? {}),
  });
}

export async function errorOf(response) {
  try {
    const body = await response.json();
    return body.error || { code: "http_" + response.status, message: response.statusText };
  } catch {
    return { code: "http_" + response.status, message: response.statusText };
  }
}

// Answers not yet acknowledged by the server, kept in localStorage per worker so that a
// failed submit (network, expired session) is sent again later: nothing the worker did
// is lost, even across a reload or a new sign-in.
export class PendingAnswers {
  constructor(workerId) {
    this.key = "assay.pending." + workerId;
  }

  all() {
    try {
      return JSON.parse(localStorage.getItem(this.key) || "{}");
    } catch {
      return {};
    }
  }

  keep(assignmentId, entry) {
    const all = this.all();
    all[assignmentId] = { ...entry, keptAt: Date.now() };
    localStorage.setItem(this.key, JSON.stringify(all));
  }

  drop(assignmentId) {
    const all = this.all();
    delete all[assignmentId];
    localStorage.setItem(this.key, JSON.stringify(all));
  }

  count() {
    return Object.keys(this.all()).length;
  }
}

export function toSignIn() {
  const next = location.pathname + location.search;
  location.assign("/login?next=" + encodeURIComponent(next));
}

export async function get(path) {
  return fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
}
