// One hotlist entry's fields as a form (the new entry's and the edited entry's are the
// same), the editor that saves a changed entry as a new version (`PUT /api/v1/hotlist/{id}`),
// and the entry's version history (`GET /api/v1/hotlist/{id}/versions`).

import * as api from "./api";
import { el, formatTs, setStatus } from "./dom";

const REASONS = ["stolen", "wanted", "smuggling", "missing", "intelligence", "other"];
const SHARING = ["agency", "national", "international"];
const FIELDS = ["plate", "country", "reason", "sharing", "expires_at", "handling"] as const;

/** The inputs of an entry's fields, with ids `${prefix}-plate`, `${prefix}-country`, ... */
export interface EntryForm {
  /** The labelled inputs, laid out in rows. */
  layout: HTMLElement[];
  read: () => api.HotlistEntryIn;
  fill: (entry: api.HotlistEntry) => void;
  /** Empties what differs from one entry to the next (plate, handling, expiry). */
  clear: () => void;
  /** Marks and focuses the input of the field the API refused, if it named one. */
  markInvalid: (error: unknown) => void;
  clearInvalid: () => void;
}

export function entryForm(prefix: string): EntryForm {
  const id = (field: string) => `${prefix}-${field === "expires_at" ? "expires" : field}`;
  const plate = el("input", { id: id("plate"), required: true, autocomplete: "off", placeholder: "AB12CDE or AB12?C?" });
  const country = el("input", { id: id("country"), required: true, autocomplete: "off", value: "any",
    placeholder: "GB, FR, ... or any" });
  const reason = el("select", { id: id("reason") }, ...REASONS.map((name) => el("option", { value: name }, name)));
  const sharing = el("select", { id: id("sharing") }, ...SHARING.map((name) => el("option", { value: name }, name)));
  sharing.value = "national";
  const handling = el("input", { id: id("handling"), autocomplete: "off", placeholder: "observe; do not stop" });
  const expires = el("input", { id: id("expires_at"), type: "datetime-local" });
  // In the order of FIELDS.
  const inputs: HTMLElement[] = [plate, country, reason, sharing, expires, handling];
  const field = (label: string, input: HTMLElement) => el("div", {}, el("label", { for: input.id }, label), input);
  let agency: string | undefined;
  return {
    layout: [
      el("div", { class: "row" }, field("Plate or pattern (? is one character)", plate), field("Country", country)),
      el("div", { class: "row" }, field("Reason", reason), field("Sharing", sharing),
        field("Expires (UTC, optional)", expires)),
      field("Handling instructions", handling),
    ],
    read: () => {
      const entry: api.HotlistEntryIn = { plate: plate.value.trim(), country: country.value.trim(),
        reason: reason.value, handling: handling.value.trim(), sharing: sharing.value };
      if (expires.value) entry.expires_at = new Date(`${expires.value}Z`).toISOString();
      // An edit keeps the entry's agency; a new entry takes the caller's.
      if (agency !== undefined) entry.agency = agency;
      return entry;
    },
    fill: (entry) => {
      plate.value = entry.plate;
      country.value = entry.country;
      reason.value = entry.reason;
      sharing.value = entry.sharing;
      handling.value = entry.handling;
      expires.value = entry.expires_at ? entry.expires_at.slice(0, 16) : "";
      agency = entry.agency;
    },
    clear: () => {
      plate.value = "";
      handling.value = "";
      expires.value = "";
    },
    markInvalid: (error) => {
      if (!(error instanceof api.ApiFailure) || !error.field) return;
      const index = FIELDS.indexOf(error.field as (typeof FIELDS)[number]);
      const input = index >= 0 ? inputs[index] : null;
      if (input) {
        input.setAttribute("aria-invalid", "true");
        input.focus();
      }
    },
    clearInvalid: () => inputs.forEach((input) => input.removeAttribute("aria-invalid")),
  };
}

/** The editor: `edit(entry, from)` opens it on an entry; saving reloads the list (`onSaved`). */
export function mountEditor(parent: HTMLElement, onSaved: () => Promise<void>): (entry: api.HotlistEntry, from: HTMLElement) => void {
  const form = entryForm("edit");
  const title = el("h2", { id: "hotlist-edit-title" });
  const status = el("p", { id: "hotlist-edit-status", class: "status", role: "status", "aria-live": "polite" });
  const save = el("button", { type: "submit", class: "primary", id: "hotlist-save" }, "Save as a new version");
  const cancel = el("button", { type: "button", id: "hotlist-edit-close" }, "Close");
  const versions = el("tbody", { id: "hotlist-versions" });
  const card = el("form", { class: "card", id: "hotlist-edit", "aria-labelledby": "hotlist-edit-title", hidden: true },
    title, ...form.layout, el("p", { class: "row" }, save, cancel), status,
    el("h3", { id: "hotlist-versions-title" }, "Versions, oldest first"),
    el("table", { class: "grid", "aria-labelledby": "hotlist-versions-title" },
      el("thead", {}, el("tr", {}, ...["Version", "Change", "When and who", "Plate", "Country", "Reason",
        "Sharing", "Expires", "Handling"].map((name) => el("th", { scope: "col" }, name)))),
      versions));
  parent.append(card);
  let entryId = 0;
  let opener: HTMLElement | null = null;
  const showVersions = async () => {
    try {
      versions.replaceChildren(...(await api.hotlistVersions(entryId)).map(versionRow));
    } catch (error) {
      setStatus(status, api.describe(error), "error");
    }
  };
  const close = () => {
    card.hidden = true;
    // A save reloads the list, so the row that opened the editor may be a new one.
    const row = document.querySelector<HTMLElement>(`#hotlist-rows tr[data-entry-id="${entryId}"] button.edit`);
    (opener?.isConnected ? opener : row)?.focus();
  };
  cancel.addEventListener("click", close);
  card.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  card.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.clearInvalid();
    try {
      const saved = await api.updateHotlistEntry(entryId, form.read());
      setStatus(status, `Saved version ${saved.version} of entry ${saved.entry_id}: ${saved.plate}`, "ok");
      title.textContent = `Edit entry ${saved.entry_id} (${saved.plate}), version ${saved.version}`;
      await Promise.all([onSaved(), showVersions()]);
    } catch (error) {
      setStatus(status, api.describe(error), "error");
      form.markInvalid(error);
    }
  });
  return (entry, from) => {
    entryId = entry.entry_id;
    opener = from;
    form.clearInvalid();
    form.fill(entry);
    title.textContent = `Edit entry ${entry.entry_id} (${entry.plate}), version ${entry.version}`;
    setStatus(status, "");
    card.hidden = false;
    card.scrollIntoView({ block: "nearest" });
    document.getElementById("edit-plate")?.focus();
    void showVersions();
  };
}

function versionRow(version: api.HotlistEntry): HTMLElement {
  return el("tr", { "data-version": String(version.version) },
    el("td", {}, String(version.version)),
    el("td", {}, version.change),
    el("td", { class: "meta" }, `${formatTs(version.changed_at)} by ${version.changed_by}`),
    el("td", {}, version.plate),
    el("td", {}, version.country),
    el("td", {}, version.reason),
    el("td", {}, version.sharing),
    el("td", {}, version.expires_at ? formatTs(version.expires_at) : "never"),
    el("td", {}, version.handling));
}
