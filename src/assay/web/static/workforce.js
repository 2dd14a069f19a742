// The workforce page: pause a worker with a reason, resume them, grant or deny an appeal,
// each through the API (/v1/projects/<id>/workers/<worker>/pause|resume|appeal).

import { call, errorOf, say, showErrors } from "./forms.js";

const project = location.pathname.split("/")[2];
const FLASH = "assay.workforce.flash";

async function act(worker, action, body, done) {
  const result = await call("POST", `/v1/projects/${project}/workers/${worker}/${action}`, body);
  if (!result.ok) { say(errorOf(result).message, "error"); return; }
  sessionStorage.setItem(FLASH, done);
  location.reload();
}

for (const button of document.querySelectorAll("button.worker-pause")) {
  button.addEventListener("click", () => {
    const note = prompt(`Why pause ${button.dataset.worker}? The worker sees this reason.`);
    if (note === null) return;
    act(button.dataset.worker, "pause", { note }, `${button.dataset.worker} is paused.`);
  });
}
for (const button of document.querySelectorAll("button.worker-resume")) {
  button.addEventListener("click", () =>
    act(button.dataset.worker, "resume", {}, `${button.dataset.worker} can work again.`));
}
for (const [cls, grant] of [["appeal-grant", true], ["appeal-deny", false]]) {
  for (const button of document.querySelectorAll(`button.${cls}`)) {
    button.addEventListener("click", () => {
      const note = prompt(grant ? "A note for the worker (optional)" : "Why is the appeal denied?");
      if (note === null) return;
      act(button.dataset.worker, "appeal", { grant, note: note || null },
        `The appeal of ${button.dataset.worker} is ${grant ? "granted" : "denied"}.`);
    });
  }
}

const reviewerForm = document.getElementById("add-reviewer");
reviewerForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = { worker_id: reviewerForm.elements.worker_id.value.trim(), level: Number(reviewerForm.elements.level.value) };
  const result = await call("POST", `/v1/projects/${project}/reviewers`, body);
  if (!result.ok) { showErrors(reviewerForm, errorOf(result)); return; }
  sessionStorage.setItem(FLASH, `${body.worker_id} reviews at level ${body.level}.`);
  location.reload();
});

const flash = sessionStorage.getItem(FLASH);
if (flash) { sessionStorage.removeItem(FLASH); say(flash); }
