// Search: a plate (exact, wildcard or fuzzy) under the declared purpose; the history is drawn
// as a path on the map and listed as a timeline. A search over scope waits for a supervisor
// and is run from here once approved.

import * as api from "./api";
import { el, formatTs, setStatus, withProgress } from "./dom";
import { collection, line, point, type CorridorMap } from "./map";
import { approvalRunner } from "./pending";
import { readPurpose } from "./purpose";
import { downloadButton, historyCsv, historyGeoJson, safeName } from "./exports";

export let currentPlate = "";
let currentHistory: api.History | null = null;
/** Draws a history got elsewhere (an approved search run from the approvals panel). */
export let displayHistory: (history: api.History) => void = () => {};

export function mountSearch(
  parent: HTMLElement,
  map: CorridorMap,
  cameras: Map<string, api.Camera>,
): void {
  const plate = el("input", { id: "search-plate", required: true, autocomplete: "off",
    placeholder: "AB12CDE, AB12?DE, *CDE" });
  const mode = el("select", { id: "search-mode" },
    el("option", { value: "exact" }, "exact"),
    el("option", { value: "wildcard" }, "wildcard"),
    el("option", { value: "fuzzy" }, "fuzzy (likely misreads)"));
  const from = el("input", { id: "search-from", type: "date" });
  const status = el("p", { id: "search-status", class: "status", role: "status", "aria-live": "polite" });
  const timeline = el("ol", { id: "timeline", class: "list", "aria-label": "Timeline of reads" });
  const exportName = () => `history-${safeName(currentHistory?.plate ?? "")}`;
  const exports = el("div", { class: "row exports", id: "history-exports", hidden: true,
    role: "group", "aria-label": "Download the history" },
    el("span", { class: "meta" }, "Download"),
    downloadButton("export-history-geojson", "GeoJSON", () => `${exportName()}.geojson`, "application/geo+json",
      () => historyGeoJson(currentHistory!, cameras)),
    downloadButton("export-history-csv", "CSV", () => `${exportName()}.csv`, "text/csv",
      () => historyCsv(currentHistory!, cameras)));
  const form = el("form", { "aria-labelledby": "search-title" },
    el("h2", { id: "search-title" }, "Search a vehicle"),
    el("label", { for: "search-plate" }, "Plate"), plate,
    el("div", { class: "row" },
      el("div", {}, el("label", { for: "search-mode" }, "Mode"), mode),
      el("div", {}, el("label", { for: "search-from" }, "From (optional)"), from)),
    el("p", {}, el("button", { type: "submit", class: "primary", id: "search-run" }, "Search")),
    status);
  parent.append(el("section", {}, form, exports, timeline));
  const show = (history: api.History) => {
    currentHistory = history;
    showHistory(history, map, cameras, timeline);
    exports.hidden = false;
    setStatus(status, `${history.n_reads} reads${history.truncated ? " (more matched)" : ""}`);
  };
  displayHistory = (history) => {
    currentPlate = history.plate;
    plate.value = history.plate;
    show(history);
  };
  const pending = approvalRunner("search-run-approved", "Run the approved search", status,
    api.runApproved, show);
  form.append(pending.button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    timeline.replaceChildren();
    exports.hidden = true;
    pending.hide();
    currentHistory = null;
    currentPlate = plate.value.trim();
    try {
      const fromTs = from.value ? `${from.value}T00:00:00Z` : null;
      const answer = await withProgress(status, "Searching...",
        api.history(currentPlate, mode.value, fromTs, readPurpose()));
      if (api.isPending(answer)) {
        pending.waiting(answer);
        return;
      }
      show(answer);
    } catch (error) {
      setStatus(status, api.describe(error), "error");
    }
  });
}

function showHistory(
  history: api.History,
  map: CorridorMap,
  cameras: Map<string, api.Camera>,
  timeline: HTMLElement,
): void {
  const reads = [...history.reads].sort((a, b) => a.ts.localeCompare(b.ts));
  const coordinates: [number, number][] = [];
  const features = [];
  for (const read of reads) {
    const camera = cameras.get(read.camera_id);
    if (camera) {
      coordinates.push([camera.lon, camera.lat]);
      features.push(point(camera.lon, camera.lat, { read_id: read.read_id }));
    }
    const item = el("li", {},
      el("button", { type: "button", class: "finding" },
        el("strong", {}, read.plate), " ", formatTs(read.ts),
        el("div", { class: "meta" }, camera ? camera.name : read.camera_id,
          read.likelihood !== undefined ? ` | likelihood ${read.likelihood.toFixed(2)}` : "")));
    item.querySelector("button")!.addEventListener("click", () => {
      if (camera) {
        map.setOverlay("selection", collection([point(camera.lon, camera.lat)]));
        map.map.easeTo({ center: [camera.lon, camera.lat], duration: 0 });
      }
    });
    timeline.append(item);
  }
  if (coordinates.length > 1) features.unshift(line(coordinates, { plate: history.plate }));
  map.setOverlay("path", collection(features));
  map.fitTo(coordinates);
}
