// Hotlist management: the entries, a page at a time; create one (a plate or a `?` pattern),
// expire or delete one, or import a CSV file (all or nothing). A refused field is named.

import * as api from "./api";
import { el, formatTs, setStatus } from "./dom";
import { describe } from "./search";

const REASONS = ["stolen", "wanted", "smuggling", "missing", "intelligence", "other"];
const SHARING = ["agency", "national", "international"];
const PAGE = 25;

export function mountHotlist(parent: HTMLElement): () => void {
  const plate = el("input", { id: "hotlist-plate", required: true, autocomplete: "off", placeholder: "AB12CDE or AB12?C?" });
  const country = el("input", { id: "hotlist-country", required: true, autocomplete: "off", value: "any",
    placeholder: "GB, FR, ... or any" });
  const reason = el("select", { id: "hotlist-reason" },
    ...REASONS.map((name) => el("option", { value: name }, name)));
  const sharing = el("select", { id: "hotlist-sharing" },
    ...SHARING.map((name) => el("option", { value: name }, name)));
  sharing.value = "national";
  const handling = el("input", { id: "hotlist-handling", autocomplete: "off", placeholder: "observe; do not stop" });
  const expires = el("input", { id: "hotlist-expires", type: "datetime-local" });
  const status = el("p", { id: "hotlist-status", class: "status", role: "status", "aria-live": "polite" });
  const form = el("form", { "aria-labelledby": "hotlist-new-title", class: "card" },
    el("h2", { id: "hotlist-new-title" }, "Add an entry"),
    el("div", { class: "row" },
      el("div", {}, el("label", { for: "hotlist-plate" }, "Plate or pattern (? is one character)"), plate),
      el("div", {}, el("label", { for: "hotlist-country" }, "Country"), country)),
    el("div", { class: "row" },
      el("div", {}, el("label", { for: "hotlist-reason" }, "Reason"), reason),
      el("div", {}, el("label", { for: "hotlist-sharing" }, "Sharing"), sharing),
      el("div", {}, el("label", { for: "hotlist-expires" }, "Expires (UTC, optional)"), expires)),
    el("label", { for: "hotlist-handling" }, "Handling instructions"), handling,
    el("p", {}, el("button", { type: "submit", class: "primary", id: "hotlist-add" }, "Add to hotlist")),
    status);

  const file = el("input", { id: "hotlist-file", type: "file", accept: ".csv,text/csv" });
  const importStatus = el("p", { id: "hotlist-import-status", class: "status", role: "status", "aria-live": "polite" });
  const importForm = el("form", { "aria-labelledby": "hotlist-import-title", class: "card" },
    el("h2", { id: "hotlist-import-title" }, "Import a CSV file"),
    el("p", { class: "meta" }, "Columns: plate,country,reason,handling,agency,expires_at,sharing (docs/alerts.md). ",
      "Every row is checked first; one bad row stores nothing."),
    el("label", { for: "hotlist-file" }, "CSV file"), file,
    el("p", {}, el("button", { type: "submit", id: "hotlist-import" }, "Import")),
    importStatus);

  const rows = el("tbody", { id: "hotlist-rows" });
  const listStatus = el("p", { id: "hotlist-list-status", class: "status", role: "status", "aria-live": "polite" });
  const previous = el("button", { type: "button", id: "hotlist-previous" }, "Previous page");
  const next = el("button", { type: "button", id: "hotlist-next" }, "Next page");
  const table = el("table", { class: "grid", "aria-labelledby": "hotlist-list-title" },
    el("thead", {}, el("tr", {}, ...["Id", "Plate", "Country", "Reason", "Handling", "Expires", "State",
      "Changed", ""].map((name) => el("th", { scope: "col" }, name)))),
    rows);
  parent.append(
    el("h1", { class: "panel-title" }, "Hotlist"),
    el("div", { class: "cards" }, form, importForm),
    el("section", { "aria-labelledby": "hotlist-list-title" },
      el("h2", { id: "hotlist-list-title" }, "Entries"),
      listStatus, table, el("p", { class: "row pager" }, previous, next)));

  // Pages are keyed by the id after which they start: [null, id of page 1's last, ...].
  const pageStarts: (number | null)[] = [null];
  let pageIndex = 0;
  let lastPageFull = false;

  const load = async () => {
    setStatus(listStatus, "Loading...");
    try {
      const entries = await api.hotlist(pageStarts[pageIndex], PAGE);
      rows.replaceChildren(...entries.map((entry) => entryRow(entry, load, listStatus)));
      lastPageFull = entries.length === PAGE;
      if (lastPageFull) pageStarts[pageIndex + 1] = entries[entries.length - 1].entry_id;
      previous.disabled = pageIndex === 0;
      next.disabled = !lastPageFull;
      setStatus(listStatus, entries.length
        ? `Page ${pageIndex + 1}: entries ${entries[0].entry_id} to ${entries[entries.length - 1].entry_id}`
        : "No entries.");
    } catch (error) {
      setStatus(listStatus, refusal(error, "manage hotlists"), "error");
    }
  };
  previous.addEventListener("click", () => { pageIndex = Math.max(0, pageIndex - 1); void load(); });
  next.addEventListener("click", () => { if (lastPageFull) { pageIndex += 1; void load(); } });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearInvalid(form);
    const entry: api.HotlistEntryIn = {
      plate: plate.value.trim(), country: country.value.trim(), reason: reason.value,
      handling: handling.value.trim(), sharing: sharing.value,
    };
    if (expires.value) entry.expires_at = new Date(`${expires.value}Z`).toISOString();
    try {
      const created = await api.createHotlistEntry(entry);
      setStatus(status, `Added entry ${created.entry_id}: ${created.plate} (${created.country})`);
      plate.value = "";
      handling.value = "";
      expires.value = "";
      await load();
    } catch (error) {
      setStatus(status, describe(error), "error");
      markInvalid(form, error);
    }
  });

  importForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) {
      setStatus(importStatus, "Choose a CSV file first.", "error");
      return;
    }
    setStatus(importStatus, `Importing ${chosen.name}...`);
    try {
      const created = await api.importHotlist(await chosen.text());
      setStatus(importStatus, `Imported ${created.length} entries from ${chosen.name}`);
      file.value = "";
      await load();
    } catch (error) {
      setStatus(importStatus, describe(error), "error");
    }
  });
  return () => void load();
}

function entryRow(entry: api.HotlistEntry, reload: () => Promise<void>, status: HTMLElement): HTMLElement {
  const live = entry.change === "created" || entry.change === "updated";
  const actions = el("td", { class: "actions" });
  if (live) {
    for (const change of ["expire", "delete"] as const) {
      const button = el("button", { type: "button", class: change,
        "aria-label": `${change} entry ${entry.entry_id} (${entry.plate})` }, change);
      button.addEventListener("click", async () => {
        try {
          await api.changeHotlistEntry(entry.entry_id, change);
          await reload();
        } catch (error) {
          setStatus(status, describe(error), "error");
        }
      });
      actions.append(button);
    }
  }
  return el("tr", { "data-entry-id": String(entry.entry_id), class: live ? "" : "inactive" },
    el("td", {}, String(entry.entry_id)),
    el("td", {}, el("strong", {}, entry.plate)),
    el("td", {}, entry.country),
    el("td", {}, entry.reason),
    el("td", {}, entry.handling),
    el("td", {}, entry.expires_at ? formatTs(entry.expires_at) : "never"),
    el("td", {}, entry.change),
    el("td", { class: "meta" }, `${formatTs(entry.changed_at)} by ${entry.changed_by}`),
    actions);
}

/** Says why a panel is empty: the role may not use it, or what else went wrong. */
export function refusal(error: unknown, what: string): string {
  if (error instanceof api.ApiFailure && error.status === 403) {
    return `Your role may not ${what}: ${error.message}`;
  }
  return describe(error);
}

const FIELD_INPUTS: Record<string, string> = {
  plate: "hotlist-plate", country: "hotlist-country", reason: "hotlist-reason",
  handling: "hotlist-handling", expires_at: "hotlist-expires", sharing: "hotlist-sharing",
};

function markInvalid(form: HTMLElement, error: unknown): void {
  if (!(error instanceof api.ApiFailure) || !error.field) return;
  const input = form.querySelector<HTMLElement>(`#${FIELD_INPUTS[error.field] ?? "none"}`);
  if (input) {
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }
}

function clearInvalid(form: HTMLElement): void {
  form.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
}
