// chat: placeholder until the conversation widget lands.
import { el } from "../kit.js";

export default function chat(root) {
  root.append(el("p", { text: "Conversations are labeled through the API for now." }));
  return { shortcuts: [], onKey() { return false; } };
}
