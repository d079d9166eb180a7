// Hotlist management: the entries, a page at a time; create one (a plate or a `?` pattern),
// edit one (a new version, with the entry's version history), expire or delete one, or
// import a CSV file (all or nothing). A refused field is named.

import * as api from "./api";
import { el, formatTs, setStatus } from "./dom";
import { entryForm, mountEditor } from "./hotlist-entry";

const PAGE = 25;

export function mountHotlist(parent: HTMLElement): () => void {
  const fields = entryForm("hotlist");
  const status = el("p", { id: "hotlist-status", class: "status", role: "status", "aria-live": "polite" });
  const form = el("form", { "aria-labelledby": "hotlist-new-title", class: "card" },
    el("h2", { id: "hotlist-new-title" }, "Add an entry"),
    ...fields.layout,
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
  const cards = el("div", { class: "cards" }, form, importForm);
  parent.append(
    el("h1", { class: "panel-title" }, "Hotlist"),
    cards,
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
      rows.replaceChildren(...entries.map((entry) => entryRow(entry, { reload: load, edit, status: listStatus })));
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
  const edit = mountEditor(cards, load);
  previous.addEventListener("click", () => { pageIndex = Math.max(0, pageIndex - 1); void load(); });
  next.addEventListener("click", () => { if (lastPageFull) { pageIndex += 1; void load(); } });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    fields.clearInvalid();
    try {
      const created = await api.createHotlistEntry(fields.read());
      setStatus(status, `Added entry ${created.entry_id}: ${created.plate} (${created.country})`);
      fields.clear();
      await load();
    } catch (error) {
      setStatus(status, api.describe(error), "error");
      fields.markInvalid(error);
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
      setStatus(importStatus, api.describe(error), "error");
    }
  });
  return () => void load();
}

interface RowActions {
  reload: () => Promise<void>;
  edit: (entry: api.HotlistEntry, from: HTMLElement) => void;
  status: HTMLElement;
}

function entryRow(entry: api.HotlistEntry, actions: RowActions): HTMLElement {
  // Expired by its own expiry, or by `expire` (which sets the expiry to then).
  const live = !entry.expires_at || Date.parse(entry.expires_at) > Date.now();
  const label = (verb: string) => `${verb} entry ${entry.entry_id} (${entry.plate})`;
  const edit = el("button", { type: "button", class: "edit", "aria-label": label("edit") }, "edit");
  edit.addEventListener("click", () => actions.edit(entry, edit));
  const cell = el("td", { class: "actions" }, edit);
  for (const change of live ? ["expire", "delete"] as const : ["delete"] as const) {
    const button = el("button", { type: "button", class: change, "aria-label": label(change) }, change);
    button.addEventListener("click", async () => {
      try {
        await api.changeHotlistEntry(entry.entry_id, change);
        await actions.reload();
      } catch (error) {
        setStatus(actions.status, api.describe(error), "error");
      }
    });
    cell.append(button);
  }
  return el("tr", { "data-entry-id": String(entry.entry_id), class: live ? "" : "inactive" },
    el("td", {}, String(entry.entry_id)),
    el("td", {}, el("strong", {}, entry.plate)),
    el("td", {}, entry.country),
    el("td", {}, entry.reason),
    el("td", {}, entry.handling),
    el("td", {}, entry.expires_at ? formatTs(entry.expires_at) : "never"),
    el("td", {}, live ? `${entry.change} (v${entry.version})` : `expired (v${entry.version})`),
    el("td", { class: "meta" }, `${formatTs(entry.changed_at)} by ${entry.changed_by}`),
    cell);
}

/** Says why a panel is empty: the role may not use it, or what else went wrong. */
export function refusal(error: unknown, what: string): string {
  if (error instanceof api.ApiFailure && error.status === 403) {
    return `Your role may not ${what}: ${error.message}`;
  }
  return api.describe(error);
}
