// Search: a plate (exact, wildcard or fuzzy) under the declared purpose; the history is drawn
// as a path on the map and listed as a timeline.

import * as api from "./api";
import { el, formatTs, setStatus } from "./dom";
import { collection, line, point, type CorridorMap } from "./map";
import { mountPurpose } from "./purpose";
import { downloadButton, historyCsv, historyGeoJson, safeName } from "./exports";

export let readPurpose: () => api.Purpose = () => ({ caseRef: "", offence: "", justification: "" });
export let currentPlate = "";
let currentHistory: api.History | null = null;
/** Draws a history got elsewhere (an approved search run from the approvals panel). */
export let displayHistory: (history: api.History) => void = () => {};

export function mountSearch(
  parent: HTMLElement,
  map: CorridorMap,
  cameras: Map<string, api.Camera>,
): void {
  readPurpose = mountPurpose(parent);
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
  const runApproved = el("button", { type: "button", id: "search-run-approved", hidden: true },
    "Run the approved search");
  let approvalId = "";
  const form = el("form", { "aria-labelledby": "search-title" },
    el("h2", { id: "search-title" }, "Search a vehicle"),
    el("label", { for: "search-plate" }, "Plate"), plate,
    el("div", { class: "row" },
      el("div", {}, el("label", { for: "search-mode" }, "Mode"), mode),
      el("div", {}, el("label", { for: "search-from" }, "From (optional)"), from)),
    el("p", {}, el("button", { type: "submit", class: "primary", id: "search-run" }, "Search")),
    status, runApproved);
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
  runApproved.addEventListener("click", async () => {
    try {
      const history = await api.runApproved(approvalId);
      runApproved.hidden = true;
      show(history);
    } catch (error) {
      setStatus(status, error instanceof api.ApiFailure && error.status === 409
        ? `Not run: ${error.message} (request ${approvalId})` : describe(error), "pending");
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    timeline.replaceChildren();
    exports.hidden = true;
    runApproved.hidden = true;
    currentHistory = null;
    setStatus(status, "Searching...");
    currentPlate = plate.value.trim();
    try {
      const fromTs = from.value ? `${from.value}T00:00:00Z` : null;
      const answer = await api.history(currentPlate, mode.value, fromTs, readPurpose());
      if (api.isPending(answer)) {
        setStatus(status, `Waiting for a supervisor: ${answer.reasons.join("; ")} (request ${answer.approval_id}). ` +
          "Once approved, run it here.", "pending");
        approvalId = answer.approval_id;
        runApproved.hidden = false;
        return;
      }
      show(answer);
    } catch (error) {
      setStatus(status, describe(error), "error");
    }
  });
}

export function describe(error: unknown): string {
  if (error instanceof api.ApiFailure) {
    const reasons = error.reasons.length ? `: ${error.reasons.join("; ")}` : "";
    return `Refused (${error.code}) ${error.message}${reasons}`;
  }
  return String(error);
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
