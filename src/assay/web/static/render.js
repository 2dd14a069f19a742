// Task data on the page, safely: a small Markdown renderer and a readable view of JSON.
// Nothing here parses HTML. Every node is made with createElement and every piece of text
// goes in with textContent, so markup in the data shows as text; the only attributes set are
// href (http, https, mailto), src (http, https, data:image) and alt. A script tag, an on*
// attribute or a javascript: link in the data can therefore never become one on the page.

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;
const SAFE_IMAGE = /^(https?:\/\/[^\s]+|data:image\/(png|jpe?g|gif|webp|avif|bmp);base64,[a-z0-9+/=\s]+)$/i;
const IMAGE_PATH = /\.(png|jpe?g|gif|webp|avif|bmp|svg)(\?[^#]*)?(#.*)?$/i;

function node(tag, className, text) {
  const n = document.createElement(tag);
  if (className) n.className = className;
  if (text !== undefined) n.textContent = text;
  return n;
}

export function isImageUrl(value, key = "") {
  if (typeof value !== "string" || value.length > 5_000_000 || !SAFE_IMAGE.test(value.trim())) return false;
  return /^data:/i.test(value) || /image|img|photo|picture/i.test(key) || IMAGE_PATH.test(value);
}

export function image(url, alt) {
  const img = node("img", "task-image");
  img.setAttribute("src", url.trim());
  img.setAttribute("alt", alt || "task image");
  img.setAttribute("referrerpolicy", "no-referrer");
  img.setAttribute("loading", "lazy");
  return img;
}

// Inline Markdown: `code`, **strong**, *em* / _em_, [text](url), ![alt](url).
const INLINE = /`([^`]+)`|\*\*(.+?)\*\*|\*([^*\s][^*]*?)\*|(?<![\w])_([^_\s][^_]*?)_(?![\w])|!\[([^\]]*)\]\(([^)\s]+)\)|\[([^\]]+)\]\(([^)\s]+)\)/g;

function inline(text, parent) {
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) parent.append(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[1] !== undefined) parent.append(node("code", "", m[1]));
    else if (m[2] !== undefined) inline(m[2], parent.appendChild(node("strong")));
    else if (m[3] !== undefined) inline(m[3], parent.appendChild(node("em")));
    else if (m[4] !== undefined) inline(m[4], parent.appendChild(node("em")));
    else if (m[6] !== undefined) {
      if (SAFE_IMAGE.test(m[6])) parent.append(image(m[6], m[5]));
      else parent.append(m[0]);
    } else if (SAFE_LINK.test(m[8])) {
      const a = parent.appendChild(node("a"));
      a.setAttribute("href", m[8]);
      a.setAttribute("rel", "noopener noreferrer nofollow");
      a.setAttribute("target", "_blank");
      inline(m[7], a);
    } else parent.append(m[0]); // an unsafe link stays text
  }
  if (last < text.length) parent.append(text.slice(last));
}

// Block Markdown: fenced code, headings, lists, quotes, paragraphs. Returns a <div>.
export function markdown(source, className = "md") {
  const root = node("div", className);
  const lines = String(source).replace(/\r\n?/g, "\n").split("\n");
  let para = [];
  let list = null;
  const flush = () => {
    if (para.length) inline(para.join("\n"), root.appendChild(node("p")));
    para = [];
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    const fence = /^\s*(```|~~~)\s*([\w+-]*)\s*$/.exec(line);
    if (fence) {
      flush();
      list = null;
      const code = [];
      for (i += 1; i < lines.length && !lines[i].trim().startsWith(fence[1]); i += 1) code.push(lines[i]);
      const pre = root.appendChild(node("pre", "code"));
      const c = pre.appendChild(node("code", "", code.join("\n")));
      if (fence[2]) c.dataset.lang = fence[2];
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*([-*+]|\d+[.)])\s+(.*)$/.exec(line);
    const quote = /^>\s?(.*)$/.exec(line);
    if (heading) {
      flush();
      list = null;
      inline(heading[2], root.appendChild(node(`h${Math.min(6, heading[1].length + 2)}`)));
    } else if (item) {
      flush();
      const ordered = /\d/.test(item[1]);
      if (!list || list.ordered !== ordered) list = { ordered, el: root.appendChild(node(ordered ? "ol" : "ul")) };
      inline(item[2], list.el.appendChild(node("li")));
    } else if (quote) {
      flush();
      list = null;
      inline(quote[1], root.appendChild(node("blockquote")));
    } else if (!line.trim()) {
      flush();
      list = null;
    } else {
      list = null;
      para.push(line);
    }
  }
  flush();
  return root;
}

// A JSON value as something to read: text, an image, a table of fields (nested ones as
// tables too, three deep), a list; deeper than that, indented JSON.
export function dataView(value, key = "", depth = 0) {
  if (value === null || value === undefined) return node("span", "null", "—");
  if (typeof value === "string") return isImageUrl(value, key) ? image(value, key) : node("span", "value", value);
  if (typeof value !== "object") return node("span", "value", String(value));
  if (depth >= 3) return node("pre", "json", JSON.stringify(value, null, 2));
  if (Array.isArray(value)) {
    const ol = node("ol", "list");
    for (const v of value.slice(0, 500)) ol.appendChild(node("li")).append(dataView(v, key, depth + 1));
    if (value.length > 500) ol.append(node("li", "muted", `… ${value.length - 500} more`));
    return ol;
  }
  const table = node("table", "fields");
  const body = table.appendChild(node("tbody"));
  for (const [k, v] of Object.entries(value)) {
    const row = body.appendChild(node("tr"));
    row.dataset.field = k;
    row.appendChild(node("th", "", k));
    row.appendChild(node("td")).append(dataView(v, k, depth + 1));
  }
  return table;
}
