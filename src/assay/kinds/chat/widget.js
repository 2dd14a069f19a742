// chat: a conversation with live model replies. The worker writes the user turn when the
// task needs one, the server streams each turn's candidate replies (server-sent events),
// the worker ranks them with the number keys (Shift+number ties with the group above),
// scores them on the rubric (g: score mode, number keys score the marked cell), writes or
// edits the ideal reply (e), and either continues the conversation from the chosen reply
// (c: the next message, Ctrl+Enter) or submits (Ctrl+Enter). Replies are rendered as
// Markdown through render.js (DOM nodes only, never HTML); model names never reach here.
// On the review page (offer.review) it shows a worker's finished conversation instead,
// for the reviewer to correct (reviewChat below).

import { errorOf, get } from "../api.js";
import { el, markdown } from "../kit.js";

export default function chat(root, offer, ctx) {
  if (offer.review) return reviewChat(root, offer, ctx);
  const params = offer.params || {};
  const rubric = params.rubric || [];
  const maxTurns = Number(params.max_turns || 1);
  const write = params.write || "optional";
  const messages = (offer.data && offer.data.messages) || [];
  const opensShared = messages.length > 0 && messages[messages.length - 1].role === "user";
  const path = `/v1/work/${encodeURIComponent(offer.assignment_id)}/generate`;

  const log = el("div", { class: "chat-log", attrs: { "aria-label": "conversation" } });
  const replies = el("div", { class: "chat-candidates" });
  const idealBox = el("textarea", { attrs: { id: "chat-ideal", rows: "5", "aria-label": "the ideal reply" } });
  const nextBox = el("textarea", { attrs: { id: "chat-next", rows: "3", "aria-label": "your next message" } });
  const status = el("p", { class: "chat-status" });
  root.append(log, replies, status);
  if (write !== "never") root.append(el("label", { class: "chat-label", attrs: { for: "chat-ideal" }, text: "Ideal reply (e to edit)" }), idealBox);
  root.append(el("label", { class: "chat-label", attrs: { for: "chat-next" }, text: "" }), nextBox);
  const nextLabel = nextBox.previousSibling;
  for (const m of messages) log.append(bubble(m.role, m.content));

  const turns = []; // {prompt, candidates: [{id, content}], ranking, scores, ideal}
  let turn = null;
  let busy = false;
  let scoring = false;
  let cell = 0; // the marked (candidate, criterion) cell in score mode
  let idealEdited = false;

  function bubble(role, content) {
    return el("div", { class: `chat-msg chat-${role}`, data: { role } },
      [el("span", { class: "chat-role", text: role }), markdown(String(content ?? ""), "md")]);
  }

  function setPromptMode(asking) {
    // turns holds the turns shown so far: another may follow while it is below max_turns.
    const more = turns.length < maxTurns;
    nextLabel.textContent = asking ? "Your message (Ctrl+Enter sends it)" : (more ?
      "Next message (c to write, Ctrl+Enter continues; empty: Ctrl+Enter submits)" : "");
    nextBox.hidden = !asking && !more;
    nextLabel.hidden = nextBox.hidden;
  }

  async function generate(body) {
    busy = true;
    status.textContent = "The models are writing…";
    replies.replaceChildren();
    const boxes = new Map();
    let res;
    try {
      res = await fetch(path, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "text/event-stream",
          "X-CSRF-Token": csrf() },
        body: JSON.stringify(body),
      });
    } catch {
      busy = false;
      status.textContent = "";
      ctx.say("Network error: ask again (Ctrl+Enter).", "error");
      return false;
    }
    if (!res.ok) {
      busy = false;
      status.textContent = "";
      ctx.say((await errorOf(res)).message, "error");
      return false;
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let done = null;
    let failed = null;
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = "delta";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) event = line.slice(7);
          else if (line.startsWith("data: ")) data += line.slice(6);
        }
        if (!data) continue;
        const payload = JSON.parse(data);
        if (event === "delta") {
          let box = boxes.get(payload.candidate);
          if (!box) {
            box = { text: "", node: el("pre", { class: "chat-stream" }) };
            boxes.set(payload.candidate, box);
            replies.append(box.node);
          }
          box.text += payload.delta;
          box.node.textContent = box.text;
        } else if (event === "done") done = payload;
        else if (event === "error") failed = payload.error;
      }
    }
    busy = false;
    status.textContent = "";
    if (failed || !done) {
      replies.replaceChildren();
      ctx.say((failed && failed.message) || "The replies did not arrive: ask again.", "error");
      return false;
    }
    return done;
  }

  function showTurn(done, prompt) {
    turn = { prompt, candidates: done.candidates, ranking: [], scores: {}, ideal: null };
    turns[done.turn] = turn;
    idealEdited = false;
    idealBox.value = "";
    scoring = false;
    cell = 0;
    draw();
    setPromptMode(false);
    nextBox.value = "";
    root.focus?.();
    document.activeElement?.blur?.();
  }

  function rankOf(id) {
    const i = turn.ranking.findIndex((g) => g.includes(id));
    return i < 0 ? null : i + 1;
  }

  function draw() {
    replies.replaceChildren();
    turn.candidates.forEach((c, i) => {
      const rank = rankOf(c.id);
      const head = el("div", { class: "chat-head" }, [
        el("kbd", { text: String(i + 1) }),
        el("span", { class: "chat-rank", text: rank ? `rank ${rank}` : "not ranked" }),
      ]);
      const card = el("section", { class: "chat-candidate", data: { candidate: c.id, rank: rank ? String(rank) : "" } },
        [head, el("div", { class: "chat-reply" }, [markdown(c.content, "md")])]);
      if (rubric.length) {
        const rows = el("div", { class: "chat-scores" });
        rubric.forEach((criterion, j) => {
          const value = (turn.scores[c.id] || {})[criterion.id];
          const marked = scoring && cell === i * rubric.length + j;
          rows.append(el("div", { class: "chat-score" + (marked ? " active" : ""), data: { criterion: criterion.id } }, [
            el("span", { text: `${criterion.id} (${criterion.min ?? 1}–${criterion.max ?? 5})` }),
            el("b", { text: value === undefined ? "–" : String(value) }),
          ]));
        });
        card.append(rows);
      }
      replies.append(card);
    });
  }

  function best() {
    if (!turn.ranking.length) return null;
    const ids = [...turn.ranking[0]].sort();
    return turn.candidates.find((c) => c.id === ids[0]);
  }

  function rank(i, tie) {
    const c = turn.candidates[i];
    if (!c) return;
    turn.ranking = turn.ranking.map((g) => g.filter((id) => id !== c.id)).filter((g) => g.length);
    if (tie && turn.ranking.length) turn.ranking[turn.ranking.length - 1].push(c.id);
    else turn.ranking.push([c.id]);
    if (!idealEdited && write !== "never" && best()) idealBox.value = best().content;
    draw();
  }

  function score(v) {
    const i = Math.floor(cell / rubric.length);
    const criterion = rubric[cell % rubric.length];
    const low = criterion.min ?? 1;
    const high = criterion.max ?? 5;
    if (v < low || v > high) {
      ctx.say(`${criterion.id} takes ${low}–${high}.`, "error");
      return;
    }
    const id = turn.candidates[i].id;
    turn.scores[id] = { ...(turn.scores[id] || {}), [criterion.id]: v };
    cell = Math.min(cell + 1, turn.candidates.length * rubric.length - 1);
    draw();
  }

  function choice() {
    const out = {};
    if (params.ranking !== false) {
      const left = turn.candidates.filter((c) => !rankOf(c.id));
      if (left.length) {
        ctx.say(`Rank every reply first (${left.length} left): press its number.`, "error");
        return null;
      }
      out.ranking = turn.ranking.map((g) => [...g]);
    }
    if (rubric.length) {
      const missing = turn.candidates.some((c) => rubric.some((r) => (turn.scores[c.id] || {})[r.id] === undefined));
      if (missing) {
        ctx.say("Score every reply on every criterion (g, then number keys).", "error");
        return null;
      }
      out.scores = turn.scores;
    }
    const written = idealBox.value;
    if (write === "always" && !written.trim()) {
      ctx.say("Write the ideal reply first (e).", "error");
      return null;
    }
    if (write !== "never" && written.trim() && (write === "always" || idealEdited)) out.ideal = written;
    return out;
  }

  async function ask() {
    const prompt = nextBox.value;
    if (!turn) {
      if (!prompt.trim()) {
        ctx.say("Write your message first.", "error");
        return;
      }
      const done = await generate({ prompt });
      if (done) {
        log.append(bubble("user", prompt));
        showTurn(done, prompt);
      }
      return;
    }
    const chosen = choice();
    if (!chosen) return;
    const done = await generate({ ...chosen, prompt });
    if (!done) return;
    turn.ranking = chosen.ranking || turn.ranking;
    turn.ideal = chosen.ideal ?? null;
    const reply = chosen.ideal ?? (best() ? best().content : turn.candidates[0].content);
    log.append(bubble("assistant", reply), bubble("user", prompt));
    showTurn(done, prompt);
  }

  function send() {
    if (!turn) {
      ctx.say("There is nothing to rank yet.", "error");
      return;
    }
    const chosen = choice();
    if (!chosen) return;
    const answer = { turns: turns.map((t) => {
      const one = t === turn ? { ...chosen } : { ranking: t.ranking, ...(t.ideal ? { ideal: t.ideal } : {}), ...(rubric.length ? { scores: t.scores } : {}) };
      if (t.prompt) one.prompt = t.prompt;
      one.candidates = t.candidates.map((c) => c.id);
      return one;
    }) };
    ctx.submit(answer);
  }

  function csrf() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // First turn: the task's own user turn is answered at once; otherwise the worker writes it.
  if (opensShared) {
    setPromptMode(false);
    generate({}).then((done) => done && showTurn(done, null));
  } else {
    setPromptMode(true);
  }
  idealBox.addEventListener("input", () => { idealEdited = true; });

  return {
    shortcuts: [
      ["1–8", "rank the next best reply"], ["Shift+1–8", "tie it with the group above"],
      ["Backspace", "clear the ranking"],
      ...(rubric.length ? [["g", "score mode: number keys score the marked cell, ↑ ↓ move"]] : []),
      ...(write !== "never" ? [["e", "edit the ideal reply"]] : []),
      ...(maxTurns > 1 ? [["c", "write the next message (Ctrl+Enter continues)"]] : []),
      ["Ctrl+Enter", "send the message, continue, or submit"],
    ],
    focus() {
      if (!turn && !opensShared) nextBox.focus();
    },
    onKey(event) {
      if (busy) return event.key !== "Escape";
      const typing = event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLInputElement;
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        if (!turn || (event.target === nextBox && nextBox.value.trim())) ask();
        else send();
        return true;
      }
      if (typing || !turn || event.ctrlKey || event.metaKey || event.altKey) return false;
      const digit = /^Digit([0-9])$/.exec(event.code || "");
      if (digit) {
        const n = Number(digit[1]);
        if (scoring) score(n);
        else rank(n - 1, event.shiftKey);
        return true;
      }
      if (event.key === "Backspace") {
        turn.ranking = [];
        draw();
        return true;
      }
      if (event.key === "g" && rubric.length) {
        scoring = !scoring;
        ctx.say(scoring ? "Score mode: number keys score the marked cell; g leaves it." : "Rank mode.");
        draw();
        return true;
      }
      if (scoring && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        const last = turn.candidates.length * rubric.length - 1;
        cell = Math.max(0, Math.min(last, cell + (event.key === "ArrowDown" ? 1 : -1)));
        draw();
        return true;
      }
      if (event.key === "e" && write !== "never") {
        idealBox.focus();
        return true;
      }
      if (event.key === "c" && !nextBox.hidden) {
        nextBox.focus();
        return true;
      }
      return false;
    },
  };
}

// The review page's chat: the conversation of the first answer, each turn's candidates with
// every answer's rank and scores of them, and the written ideals. Number keys re-rank the
// marked turn (Shift ties, Backspace clears, t marks the next turn), e edits its ideal
// reply. Once something changed, accepting (Ctrl+Enter) sends the corrected answer as the
// fix: the task's result. Candidates' texts come from /v1/work/review/{task}/candidates,
// which answers only the reviewer holding the task; no model name is in it.
function reviewChat(root, offer, ctx) {
  const answers = offer.review.answers.map((a) => a.answer || {});
  const base = answers[0] || { turns: [] };
  const turns = (base.turns || []).map((t) => ({
    prompt: t.prompt || null,
    candidates: [...t.candidates],
    ranking: (t.ranking || []).map((g) => [...g]),
    scores: t.scores || null,
    ideal: t.ideal || "",
  }));
  const before = JSON.stringify(turns.map((t) => [t.ranking, t.ideal]));
  let at = Math.max(0, turns.length - 1);
  let texts = {};
  const log = el("div", { class: "chat-log", attrs: { "aria-label": "conversation" } });
  const body = el("div", { class: "chat-review" });
  root.append(log, body);
  for (const m of (offer.data && offer.data.messages) || []) log.append(bubble(m.role, m.content));

  function bubble(role, content) {
    return el("div", { class: `chat-msg chat-${role}`, data: { role } },
      [el("span", { class: "chat-role", text: role }), markdown(String(content ?? ""), "md")]);
  }

  function rankIn(ranking, id) {
    const i = (ranking || []).findIndex((g) => g.includes(id));
    return i < 0 ? null : i + 1;
  }

  function draw() {
    body.replaceChildren();
    turns.forEach((turn, n) => {
      const section = el("section", { class: "chat-review-turn" + (n === at ? " active" : ""), data: { turn: String(n) } });
      if (turn.prompt) section.append(bubble("user", turn.prompt));
      const cards = el("div", { class: "chat-candidates" });
      turn.candidates.forEach((id, i) => {
        const rank = rankIn(turn.ranking, id);
        const seen = answers.map((a, k) => {
          const theirs = (a.turns || []).find((t) => t.candidates.includes(id));
          const r = theirs ? rankIn(theirs.ranking, id) : null;
          const sc = theirs && theirs.scores ? theirs.scores[id] : null;
          const scored = sc ? " · " + Object.entries(sc).map(([c, v]) => `${c} ${v}`).join(", ") : "";
          return el("li", { text: `answer ${k + 1}: ${r ? `rank ${r}` : "not ranked"}${scored}` });
        });
        cards.append(el("section", { class: "chat-candidate", data: { candidate: id, rank: rank ? String(rank) : "" } }, [
          el("div", { class: "chat-head" }, [
            el("kbd", { text: String(i + 1) }),
            el("span", { class: "chat-rank", text: rank ? `rank ${rank}` : "not ranked" }),
          ]),
          el("div", { class: "chat-reply" }, [markdown(texts[id] ?? "…", "md")]),
          el("ul", { class: "chat-seen muted" }, seen),
        ]));
      });
      section.append(cards);
      const written = answers.map((a, k) => {
        const theirs = (a.turns || []).find((t) => t.candidates.join() === turn.candidates.join());
        return theirs && theirs.ideal ? el("p", { class: "muted", text: `answer ${k + 1} wrote: ${theirs.ideal}` }) : null;
      }).filter(Boolean);
      section.append(...written);
      const box = el("textarea", { class: "chat-review-ideal", attrs: { rows: "4", "aria-label": `the ideal reply of turn ${n + 1}` } });
      box.value = turn.ideal;
      box.addEventListener("input", () => { turn.ideal = box.value; });
      section.append(el("label", { class: "chat-label", text: `Ideal reply of turn ${n + 1} (e to edit)` }), box);
      body.append(section);
    });
  }

  function rank(i, tie) {
    const turn = turns[at];
    const id = turn && turn.candidates[i];
    if (!id) return;
    turn.ranking = turn.ranking.map((g) => g.filter((x) => x !== id)).filter((g) => g.length);
    if (tie && turn.ranking.length) turn.ranking[turn.ranking.length - 1].push(id);
    else turn.ranking.push([id]);
    draw();
  }

  function edited() {
    return JSON.stringify(turns.map((t) => [t.ranking, t.ideal])) !== before;
  }

  function send() {
    const left = turns.find((t) => t.candidates.some((id) => !rankIn(t.ranking, id)));
    if (left && (offer.params || {}).ranking !== false) {
      ctx.say("Rank every reply of each turn first: press its number.", "error");
      return;
    }
    ctx.submit({ turns: turns.map((t) => ({
      ...(t.prompt ? { prompt: t.prompt } : {}),
      candidates: t.candidates,
      ...((offer.params || {}).ranking !== false ? { ranking: t.ranking } : {}),
      ...(t.scores ? { scores: t.scores } : {}),
      ...(t.ideal.trim() ? { ideal: t.ideal } : {}),
    })) });
  }

  draw();
  get(`/v1/work/review/${encodeURIComponent(offer.review.task_id)}/candidates`).then(async (res) => {
    if (!res.ok) {
      ctx.say((await errorOf(res)).message, "error");
      return;
    }
    texts = Object.fromEntries(Object.entries((await res.json()).candidates).map(([id, c]) => [id, c.content]));
    draw();
    root.dataset.candidates = "loaded";
  });

  return {
    shortcuts: [
      ["1–8", "rank the next best reply of the marked turn"], ["Shift+1–8", "tie it with the group above"],
      ["Backspace", "clear the marked turn's ranking"], ["t", "mark the next turn"],
      ["e", "edit the marked turn's ideal reply"],
      ["Ctrl+Enter", "accept: with changes, the corrected answer becomes the result"],
    ],
    edited,
    send,
    onKey(event) {
      const typing = event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLInputElement;
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        if (edited()) send();
        else return false;
        return true;
      }
      if (event.key === "Escape" && typing) {
        event.target.blur();
        return true;
      }
      if (typing || !turns.length || event.ctrlKey || event.metaKey || event.altKey) return false;
      const digit = /^Digit([1-9])$/.exec(event.code || "");
      if (digit) {
        rank(Number(digit[1]) - 1, event.shiftKey);
        return true;
      }
      if (event.key === "Backspace") {
        turns[at].ranking = [];
        draw();
        return true;
      }
      if (event.key === "t") {
        at = (at + 1) % turns.length;
        draw();
        return true;
      }
      if (event.key === "e") {
        const boxes = body.querySelectorAll(".chat-review-ideal");
        if (boxes[at]) boxes[at].focus();
        return true;
      }
      return false;
    },
  };
}
