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

export function setStatus(element: HTMLElement, text: string, kind: "" | "error" | "pending" | "ok" = ""): void {
  element.textContent = text;
  element.className = `status ${kind}`.trim();
}

export function formatTs(ts: string | number): string {
  const date = typeof ts === "number" ? new Date(ts / 1000) : new Date(ts);
  return date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

/**
 * Shows `label`, the seconds elapsed and an indeterminate progress bar in `status` (marked
 * `aria-busy`, class `busy`) until `work` settles. The server answers a search, an analysis
 * or an export in one response, so this says that it runs and for how long, not how much
 * is done.
 */
export async function withProgress<T>(status: HTMLElement, label: string, work: Promise<T>): Promise<T> {
  const started = performance.now();
  const text = document.createTextNode(label);
  const elapsed = el("span", { class: "elapsed", "aria-hidden": "true" });
  status.replaceChildren(text, " ", elapsed, el("progress", { "aria-label": label }));
  status.className = "status busy";
  status.setAttribute("aria-busy", "true");
  const timer = setInterval(() => {
    elapsed.textContent = `${Math.round((performance.now() - started) / 1000)} s`;
  }, 1000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
    status.removeAttribute("aria-busy");
    if (status.classList.contains("busy")) setStatus(status, "");
  }
}
