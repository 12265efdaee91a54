// The details of one event: what each port's host did with it, then the
// frame's layers as the server decoded them (Ethernet, IPv4, UDP/TCP/
// IGMP/ARP), then the payload as text and as hex.

import { TEXTS } from "./i18n.js";
import { verdictText } from "./list.js";

/** @param {string} tag @param {string} [text] @param {string} [cls] */
function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

/** A hint where the details will be. @param {HTMLElement} root */
export function renderHint(root, lang) {
  root.replaceChildren(el("p", TEXTS[lang].clickHint, "hint"));
  delete root.dataset.n;
}

/**
 * @param {HTMLElement} root
 * @param {{ message: any, event: any, hosts: any[], lang: "en" | "id" }} what
 */
export function renderDetail(root, { message, event, hosts, lang }) {
  const text = TEXTS[lang];
  root.dataset.n = String(message.n);
  const parts = [el("h2", text.frame(message.n))];
  if (event && event.to.length > 0) {
    const list = el("ul", undefined, "delivery");
    event.to.forEach((to, k) => {
      const v = event.v[k] === "-" ? "" : event.v[k];
      const item = el(
        "li",
        `${hosts[to]?.name ?? to}: ${verdictText(v, event, text)}`,
        v === "r" ? "took" : v ? "dropped" : "arrived",
      );
      item.dataset.host = hosts[to]?.name ?? String(to);
      item.dataset.verdict = v;
      list.append(item);
    });
    parts.push(el("h3", text.delivery), list);
  }
  if (message.missing) {
    parts.push(el("p", text.gone, "hint"));
    root.replaceChildren(...parts);
    return;
  }
  const detail = message.detail;
  for (const layer of detail.layers) {
    const box = el("details", undefined, "layer");
    box.open = true;
    box.dataset.layer = layer.layer;
    box.append(el("summary", text.layers[layer.layer] ?? layer.layer));
    const fields = el("dl");
    for (const [key, value, word] of layer.fields) {
      const shown = word
        ? `${value}${value ? " " : ""}(${text.words[word] ?? word})`
        : value;
      const dd = el("dd", shown);
      dd.dataset.field = key;
      fields.append(el("dt", text.fields[key] ?? key), dd);
    }
    box.append(fields);
    parts.push(box);
  }
  const payload = detail.payload;
  if (payload.length > 0) {
    const box = el("details", undefined, "layer payload");
    box.open = true;
    box.dataset.layer = "payload";
    box.append(
      el("summary", `${text.payload} (${text.bytes(payload.length)})`),
    );
    const line = el("p");
    line.append(el("span", `${text.text}: `, "label"));
    const code = el("code", payload.text);
    code.dataset.field = "text";
    line.append(code);
    const hex = el("pre", payload.hex.join("\n"));
    hex.dataset.field = "hex";
    box.append(line, el("span", `${text.hex}:`, "label"), hex);
    parts.push(box);
  }
  if (detail.problems.length > 0) {
    parts.push(el("h3", text.problems));
    const list = el("ul", undefined, "problems");
    for (const problem of detail.problems) list.append(el("li", problem[lang]));
    parts.push(list);
  }
  root.replaceChildren(...parts);
}
