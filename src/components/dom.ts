/**
 * A tiny DOM builder for the site's own markup. Strings always become text nodes, never markup, and links
 * only keep http(s) or relative addresses: names, addresses and URLs come from open data files and can hold
 * `<script>` or `javascript:` (the implicit `html` template of Framework would also need a CDN).
 */
export type Child = Node | string | number | null | undefined | false | Child[];

export function el(tag: string, attributes: Record<string, string | number | boolean | null | undefined> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "href" && safeHref(String(value)) === null) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** The address itself when it is http(s) or relative to the site, otherwise null (`javascript:`, `data:`…). */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  const trimmed = String(url).trim();
  if (/^https?:\/\//i.test(trimmed)) return trimmed;
  if (/^(\.{1,2}\/|\/(?!\/)|#)/.test(trimmed) || /^[\w-]+(\/[\w.-]+)*\.html(\?[\w=&%-]*)?(#[\w-]*)?$/.test(trimmed)) return trimmed;
  return null;
}

/** An external link when the URL is safe, plain text otherwise. */
export function externalLink(url: string | null | undefined, text?: string): Node {
  const href = safeHref(url);
  if (!href || !/^https?:/i.test(href)) return document.createTextNode(text ?? (url ? String(url) : "—"));
  return el("a", { href, rel: "noopener noreferrer", target: "_blank" }, text ?? href);
}

/**
 * Gives an accessible name to every form control of an Observable Input that has none (a range input comes
 * with a number box labelled and a slider that is not).
 */
export function labelled<T extends HTMLElement>(input: T, label: string): T {
  for (const control of Array.from(input.querySelectorAll("input, select, textarea"))) {
    const id = control.getAttribute("id");
    const hasLabel = id && input.querySelector(`label[for="${CSS.escape(id)}"]`);
    if (!hasLabel && !control.getAttribute("aria-label")) control.setAttribute("aria-label", label);
  }
  return input;
}
