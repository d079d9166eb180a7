// A small DOM builder: every text from the API goes in through textContent, never HTML.

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false) continue;
    element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`no element #${id}`);
  return element as T;
}

export function setStatus(element: HTMLElement, text: string, kind: "" | "error" | "pending" = ""): void {
  element.textContent = text;
  element.className = `status ${kind}`.trim();
}

export function formatTs(ts: string | number): string {
  const date = typeof ts === "number" ? new Date(ts / 1000) : new Date(ts);
  return date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}
