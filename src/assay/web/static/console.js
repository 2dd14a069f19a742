// The requester's pages refresh their figures on their own. The element with
// data-refresh="<url>" names where the figures are read (/progress, /projects/<id>/progress);
// each project's figures are written, as text, into the elements with data-fig="<name>"
// inside its element (data-progress="<project id>", or its dashboard row data-project). Every few seconds while a project
// has pending tasks, every half minute when none has, never while the tab is hidden.

const root = document.querySelector("[data-refresh]");

function put(scope, name, value) {
  for (const node of scope.querySelectorAll(`[data-fig="${name}"]`)) {
    if (node.tagName === "PROGRESS") node.value = Number(value);
    node.textContent = String(value);
  }
}

function show(project) {
  const id = CSS.escape(project.id);
  const scope = document.querySelector(`[data-progress="${id}"], tr[data-project="${id}"]`);
  if (!scope) return;
  for (const [status, n] of Object.entries(project.counts)) put(scope, "count-" + status, n);
  for (const name of ["total", "percent", "answers_24h", "per_hour", "left", "eta_text"]) {
    put(scope, name, project[name]);
  }
}

async function refresh() {
  const response = await fetch(root.dataset.refresh, {
    credentials: "same-origin", headers: { Accept: "application/json" },
  });
  if (!response.ok) return null;
  const body = await response.json();
  body.projects.forEach(show);
  root.dataset.refreshes = String(Number(root.dataset.refreshes || 0) + 1);
  return body.projects.some((p) => p.running);
}

function start() {
  const fast = Number(root.dataset.refreshMs || 5000);
  const tick = async () => {
    let running = true;
    if (!document.hidden) {
      try {
        running = await refresh();
      } catch {
        running = true; // a dropped connection: try again at the usual pace
      }
      if (running === null) return; // signed out or gone: stop asking
    }
    setTimeout(tick, running ? fast : fast * 6);
  };
  setTimeout(tick, fast);
}

if (root) start();
