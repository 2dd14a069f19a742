// rate: without criteria one scale; with criteria one scale per criterion, the active one
// marked. A number key scores the active scale (and moves to the next); Enter submits.

import { choiceButton, el, submitButton, valueView } from "../kit.js";

export default function rate(root, offer, ctx) {
  const min = Number(offer.params.min ?? 1);
  const max = Number(offer.params.max ?? 5);
  const criteria = offer.params.criteria || [];
  const keyed = min >= 0 && max <= 9;
  root.append(valueView(offer.data));
  const scales = (criteria.length ? criteria : [{ id: null, description: "" }]).map((c) => {
    const row = el("div", { class: "scale", data: { criterion: c.id ?? "" } },
      [el("span", { class: "scale-name", text: c.id ? `${c.id}${c.description ? " — " + c.description : ""}` : "Rating" })]);
    const scale = { id: c.id, row, value: null, buttons: [] };
    for (let v = min; v <= max; v += 1) {
      const button = choiceButton(keyed ? String(v) : "", keyed ? "" : String(v), () => {
        setScore(scale, v);
      }, { value: String(v) });
      scale.buttons.push(button);
      row.append(button);
    }
    row.addEventListener("click", () => activate(scales.indexOf(scale)));
    root.append(row);
    return scale;
  });
  root.append(submitButton(send));
  let active = 0;
  activate(0);

  function activate(i) {
    active = i;
    scales.forEach((s, j) => s.row.classList.toggle("active", j === i));
  }
  function setScore(scale, v) {
    scale.value = v;
    scale.buttons.forEach((b, j) => b.setAttribute("aria-pressed", String(min + j === v)));
  }
  function send() {
    const missing = scales.find((s) => s.value === null);
    if (missing) {
      ctx.say(missing.id ? `Score “${missing.id}” first.` : "Pick a rating first.");
      activate(scales.indexOf(missing));
      return;
    }
    if (!criteria.length) ctx.submit({ rating: scales[0].value });
    else ctx.submit({ scores: Object.fromEntries(scales.map((s) => [s.id, s.value])) });
  }
  return {
    shortcuts: [
      ...(keyed ? [[`${min}–${max}`, criteria.length ? "score the marked criterion" : "pick the rating"]] : []),
      ...(criteria.length > 1 ? [["↑ ↓", "move between criteria"]] : []),
      ["Enter", "submit"],
    ],
    draft: () => (scales.some((sc) => sc.value !== null) ? { values: scales.map((sc) => sc.value) } : null),
    restore(draft) {
      (draft.values || []).forEach((v, i) => {
        if (scales[i] && Number.isInteger(v) && v >= min && v <= max) setScore(scales[i], v);
      });
    },
    onKey(event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return false;
      if (keyed && /^[0-9]$/.test(event.key)) {
        const v = Number(event.key);
        if (v < min || v > max) return false;
        setScore(scales[active], v);
        if (active + 1 < scales.length) activate(active + 1);
        return true;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        const step = event.key === "ArrowDown" ? 1 : -1;
        activate(Math.min(scales.length - 1, Math.max(0, active + step)));
        return true;
      }
      if (event.key === "Enter") {
        send();
        return true;
      }
      return false;
    },
  };
}
