// The time an assignment lasts, counted down on the page, and the drafts of open tasks.

// Counts down to the lease's end in `node`: `warn()` once when a third of the lease (at
// most a minute) is left, `expire()` when it is over. The clock is the browser's, set from
// the server's `expires_at`, so a skewed clock makes it early or late by the skew.
export class LeaseClock {
  constructor(node, { warn, expire }) {
    this.node = node;
    this.warn = warn;
    this.expire = expire;
    this.timer = null;
  }

  start(expiresAt) {
    this.stop();
    this.end = Date.parse(expiresAt);
    if (!Number.isFinite(this.end)) return;
    this.warnAt = Math.min(60_000, (this.end - Date.now()) / 3);
    this.warned = false;
    this.tick();
    this.timer = setInterval(() => this.tick(), 250);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    if (this.node) {
      this.node.textContent = "";
      delete this.node.dataset.warn;
    }
  }

  tick() {
    const left = this.end - Date.now();
    if (left <= 0) {
      this.stop();
      this.expire();
      return;
    }
    const s = Math.ceil(left / 1000);
    const text = s >= 60 ? `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}` : `${s} s`;
    if (this.node) this.node.textContent = `${text} left`;
    if (!this.warned && left <= this.warnAt) {
      this.warned = true;
      if (this.node) this.node.dataset.warn = "true";
      this.warn();
    }
  }
}

// What the worker has done on each open assignment, in localStorage per worker, so that a
// reload (or a crash of the tab) gives it back. Drafts older than a day are dropped.
const DAY_MS = 86_400_000;

export class Drafts {
  constructor(workerId) {
    this.key = "assay.drafts." + workerId;
  }

  all() {
    try {
      return JSON.parse(localStorage.getItem(this.key) || "{}");
    } catch {
      return {};
    }
  }

  get(assignmentId) {
    const entry = this.all()[assignmentId];
    return entry ? entry.draft : undefined;
  }

  put(assignmentId, draft) {
    const all = this.all();
    if ((draft === null || draft === undefined) && !(assignmentId in all)) return;
    const now = Date.now();
    for (const [id, entry] of Object.entries(all)) if (now - entry.at > DAY_MS) delete all[id];
    if (draft === null || draft === undefined) delete all[assignmentId];
    else all[assignmentId] = { draft, at: now };
    this.save(all);
  }

  drop(assignmentId) {
    const all = this.all();
    if (!(assignmentId in all)) return;
    delete all[assignmentId];
    this.save(all);
  }

  save(all) {
    try {
      localStorage.setItem(this.key, JSON.stringify(all));
    } catch {
      // storage full or refused: the draft stays on screen only
    }
  }
}
