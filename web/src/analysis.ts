// Analysis from seed plates: hubs (with their uncertainty radius), routes, convoys and clones
// as map layers and as a list; choosing a finding lists the reads that support it. An
// analysis over scope waits for a supervisor and is run from here once approved.

import * as api from "./api";
import { el, formatTs, setStatus, withProgress } from "./dom";
import { circle, collection, line, point, type CorridorMap, type Overlay } from "./map";
import { approvalRunner } from "./pending";
import { readPurpose } from "./purpose";
import { currentPlate } from "./search";
import { downloadButton, networkCsv, networkGraphMl, reportGeoJson, safeName } from "./exports";

/** Draws a report got elsewhere (an approved analysis run from the approvals panel). */
export let displayReport: (report: api.Report) => void = () => {};

interface Finding {
  layer: Overlay;
  title: string;
  detail: string;
  readIds: string[];
}

export function mountAnalysis(
  parent: HTMLElement,
  map: CorridorMap,
  cameras: Map<string, api.Camera>,
): void {
  const seeds = el("input", { id: "analysis-seeds", autocomplete: "off", placeholder: "AB12CDE, XY34ZZZ" });
  const from = el("input", { id: "analysis-from", type: "date" });
  const status = el("p", { id: "analysis-status", class: "status", role: "status", "aria-live": "polite" });
  const findings = el("ul", { id: "findings", class: "list", "aria-label": "Findings" });
  const supporting = el("ol", { id: "supporting-reads", class: "list", "aria-label": "Supporting reads" });
  let report: api.Report | null = null;
  const exportName = () => `analysis-${safeName(report?.seeds.join("-") ?? "")}`;
  const exports = el("div", { class: "row exports", id: "analysis-exports", hidden: true,
    role: "group", "aria-label": "Download the findings" },
    el("span", { class: "meta" }, "Download"),
    downloadButton("export-findings-geojson", "Findings GeoJSON", () => `${exportName()}.geojson`,
      "application/geo+json", () => reportGeoJson(report!, cameras)),
    downloadButton("export-network-graphml", "Network GraphML", () => `${exportName()}-network.graphml`,
      "application/graphml+xml", () => networkGraphMl(report!)),
    downloadButton("export-network-csv", "Network CSV", () => `${exportName()}-network.csv`,
      "text/csv", () => networkCsv(report!)));
  const form = el("form", { "aria-labelledby": "analysis-title" },
    el("h2", { id: "analysis-title" }, "Analyse from seeds"),
    el("label", { for: "analysis-seeds" }, "Seed plates (comma-separated; empty: the searched plate)"), seeds,
    el("label", { for: "analysis-from" }, "From (optional)"), from,
    el("p", {}, el("button", { type: "submit", class: "primary", id: "analysis-run" }, "Run analysis")),
    status);
  parent.append(el("section", {}, form, exports, findings,
    el("h2", { id: "supporting-title" }, "Supporting reads"), supporting));
  const clear = () => {
    findings.replaceChildren();
    supporting.replaceChildren();
    exports.hidden = true;
    pending.hide();
    report = null;
  };
  const show = (answer: api.Report) => {
    const list = drawReport(answer, map, cameras);
    report = answer;
    exports.hidden = false;
    setStatus(status, `${answer.n_reads} reads analysed: ${answer.hubs.length} hubs, ` +
      `${answer.routes.length} routes, ${answer.convoys.length} convoys, ${answer.clones.length} clones` +
      (answer.seeds_unseen.length ? `; not seen: ${answer.seeds_unseen.join(", ")}` : ""));
    for (const finding of list) {
      const button = el("button", { type: "button", class: "finding", "aria-pressed": "false" },
        el("strong", {}, finding.title), el("div", { class: "meta" }, finding.detail));
      button.addEventListener("click", () => {
        findings.querySelectorAll("button").forEach((other) => other.setAttribute("aria-pressed", "false"));
        button.setAttribute("aria-pressed", "true");
        showSupporting(finding, answer, map, cameras, supporting);
      });
      findings.append(el("li", {}, button));
    }
  };
  const pending = approvalRunner("analysis-run-approved", "Run the approved analysis", status,
    api.runApprovedAnalysis, (answer) => { clear(); show(answer); });
  form.append(pending.button);
  displayReport = (answer) => {
    clear();
    seeds.value = answer.seeds.join(", ");
    show(answer);
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const seedList = (seeds.value.trim() || currentPlate).split(",").map((s) => s.trim()).filter(Boolean);
    if (seedList.length === 0) {
      setStatus(status, "Give a seed plate, or search one first.", "error");
      return;
    }
    clear();
    try {
      const fromTs = from.value ? `${from.value}T00:00:00Z` : null;
      const answer = await withProgress(status, `Analysing ${seedList.join(", ")}...`,
        api.analyse(seedList, fromTs, readPurpose()));
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

function drawReport(report: api.Report, map: CorridorMap, cameras: Map<string, api.Camera>): Finding[] {
  const where = (cameraId: string): [number, number] | null => {
    const camera = cameras.get(cameraId);
    return camera ? [camera.lon, camera.lat] : null;
  };
  const path = (cameraIds: string[]) => cameraIds.map(where).filter((c): c is [number, number] => c !== null);
  const readPath = (readIds: string[]) => path(readIds
    .map((id) => report.reads[id]).filter(Boolean)
    .sort((a, b) => a.ts.localeCompare(b.ts)).map((read) => read.camera_id));
  map.setOverlay("hubs", collection(report.hubs.map((hub, index) =>
    circle(hub.lon, hub.lat, hub.radius_m, { index, score: hub.score }))));
  map.setOverlay("routes", collection(report.routes.map((route) => line(path(route.cameras)))));
  map.setOverlay("convoys", collection(report.convoys.map((convoy) => line(path(convoy.cameras)))));
  map.setOverlay("clones", collection(report.clones.flatMap((clone) =>
    (clone.tracks.length ? clone.tracks : [clone.read_ids]).map((track) => line(readPath(track))))));
  map.setOverlay("selection", collection([]));
  const all = [
    ...report.hubs.map((hub) => [hub.lon, hub.lat] as [number, number]),
    ...report.routes.flatMap((route) => path(route.cameras)),
  ];
  map.fitTo(all);
  return [
    ...report.hubs.map((hub, index) => ({ layer: "hubs" as const, title: `Hub ${index + 1}`,
      detail: `${hub.plates.join(", ")} | radius ${Math.round(hub.radius_m)} m | score ${hub.score.toFixed(1)}`,
      readIds: hub.read_ids })),
    ...report.routes.map((route, index) => ({ layer: "routes" as const, title: `Route ${index + 1}`,
      detail: `${route.cameras.length} cameras, ${route.trips} trips | ${route.plates.join(", ")}`,
      readIds: route.read_ids })),
    ...report.convoys.map((convoy, index) => ({ layer: "convoys" as const, title: `Convoy ${index + 1}`,
      detail: `${convoy.plates.join(" + ")} | ${convoy.occasions} occasions`, readIds: convoy.read_ids })),
    ...report.clones.map((clone) => ({ layer: "clones" as const, title: `Clone ${clone.plate}`,
      detail: `${clone.kind.replace(/_/g, " ")} | ${clone.plates.join(", ")}`, readIds: clone.read_ids })),
  ];
}

function showSupporting(
  finding: Finding,
  report: api.Report,
  map: CorridorMap,
  cameras: Map<string, api.Camera>,
  list: HTMLElement,
): void {
  const reads = finding.readIds.map((id) => report.reads[id]).filter(Boolean)
    .sort((a, b) => a.ts.localeCompare(b.ts));
  const points = [];
  list.replaceChildren();
  for (const read of reads) {
    const camera = cameras.get(read.camera_id);
    if (camera) points.push(point(camera.lon, camera.lat, { read_id: read.read_id }));
    list.append(el("li", {}, el("strong", {}, read.plate), " ", formatTs(read.ts),
      el("div", { class: "meta" }, `${camera ? camera.name : read.camera_id} | ${read.read_id}`)));
  }
  map.setOverlay("selection", collection(points));
}
