// Exports built in the browser from data already fetched: a vehicle history as GeoJSON and
// CSV, an analysis report's findings as GeoJSON, and its convoy network as GraphML and CSV.
// Nothing is sent anywhere; the file is handed to the browser as a download (`saveFile`,
// which also saves the evidence bundles the server signs).

import type * as api from "./api";
import { el } from "./dom";

type Position = [number, number];
type Feature = { type: "Feature"; geometry: object; properties: Record<string, unknown> };

function feature(geometry: object, properties: Record<string, unknown>): Feature {
  return { type: "Feature", geometry, properties };
}

function featureCollection(features: Feature[]): string {
  return JSON.stringify({ type: "FeatureCollection", features }, null, 1);
}

/** A history's reads as points at their cameras, in time order, and the path as a line. */
export function historyGeoJson(history: api.History, cameras: Map<string, api.Camera>): string {
  const reads = [...history.reads].sort((a, b) => a.ts.localeCompare(b.ts));
  const path: Position[] = [];
  const points: Feature[] = [];
  for (const read of reads) {
    const camera = cameras.get(read.camera_id);
    if (!camera) continue;
    path.push([camera.lon, camera.lat]);
    points.push(feature({ type: "Point", coordinates: [camera.lon, camera.lat] }, {
      read_id: read.read_id, plate: read.plate, country: read.country ?? null, ts: read.ts,
      camera_id: read.camera_id, camera_name: camera.name, confidence: read.confidence ?? null,
      likelihood: read.likelihood ?? null,
    }));
  }
  const line = path.length > 1
    ? [feature({ type: "LineString", coordinates: path }, { plate: history.plate, n_reads: path.length })]
    : [];
  return featureCollection([...line, ...points]);
}

const HISTORY_COLUMNS = ["read_id", "plate", "country", "ts", "camera_id", "camera_name", "lat", "lon",
  "confidence", "likelihood", "make", "model", "colour"] as const;

export function historyCsv(history: api.History, cameras: Map<string, api.Camera>): string {
  const rows = [...history.reads].sort((a, b) => a.ts.localeCompare(b.ts)).map((read) => {
    const camera = cameras.get(read.camera_id);
    return [read.read_id, read.plate, read.country, read.ts, read.camera_id, camera?.name, camera?.lat,
      camera?.lon, read.confidence, read.likelihood, read.make, read.model, read.colour];
  });
  return toCsv([...HISTORY_COLUMNS], rows);
}

/** Hubs as points with their radius, routes, convoys and clone tracks as lines. */
export function reportGeoJson(report: api.Report, cameras: Map<string, api.Camera>): string {
  const where = (cameraId: string): Position | null => {
    const camera = cameras.get(cameraId);
    return camera ? [camera.lon, camera.lat] : null;
  };
  const path = (cameraIds: string[]) => cameraIds.map(where).filter((c): c is Position => c !== null);
  const readPath = (readIds: string[]) => path(readIds.map((id) => report.reads[id]).filter(Boolean)
    .sort((a, b) => a.ts.localeCompare(b.ts)).map((read) => read.camera_id));
  const features: Feature[] = [
    ...report.hubs.map((hub, index) => feature({ type: "Point", coordinates: [hub.lon, hub.lat] },
      { finding: "hub", index: index + 1, radius_m: hub.radius_m, score: hub.score, plates: hub.plates,
        read_ids: hub.read_ids })),
    ...report.routes.map((route, index) => feature({ type: "LineString", coordinates: path(route.cameras) },
      { finding: "route", index: index + 1, cameras: route.cameras, plates: route.plates, trips: route.trips,
        score: route.score, read_ids: route.read_ids })),
    ...report.convoys.map((convoy, index) => feature({ type: "LineString", coordinates: path(convoy.cameras) },
      { finding: "convoy", index: index + 1, plates: convoy.plates, occasions: convoy.occasions,
        score: convoy.score, read_ids: convoy.read_ids })),
    ...report.clones.flatMap((clone) => (clone.tracks.length ? clone.tracks : [clone.read_ids]).map((track) =>
      feature({ type: "LineString", coordinates: readPath(track) },
        { finding: "clone", plate: clone.plate, kind: clone.kind, score: clone.score, read_ids: track }))),
  ];
  return featureCollection(features.filter((f) =>
    (f.geometry as { type: string; coordinates: unknown[] }).type === "Point" ||
    (f.geometry as { coordinates: unknown[] }).coordinates.length > 1));
}

interface Link { source: string; target: string; occasions: number; score: number }

/** The network the report carries: plates linked by travelling together (its convoys). */
export function convoyLinks(report: api.Report): Link[] {
  const links: Link[] = [];
  for (const convoy of report.convoys) {
    for (let i = 0; i < convoy.plates.length; i++) {
      for (let j = i + 1; j < convoy.plates.length; j++) {
        links.push({ source: convoy.plates[i], target: convoy.plates[j], occasions: convoy.occasions,
          score: convoy.score });
      }
    }
  }
  return links;
}

export function networkGraphMl(report: api.Report): string {
  const links = convoyLinks(report);
  const plates = [...new Set([...report.seeds, ...links.flatMap((link) => [link.source, link.target])])];
  const seeds = new Set(report.seeds);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    '  <key id="seed" for="node" attr.name="seed" attr.type="boolean"/>',
    '  <key id="occasions" for="edge" attr.name="occasions" attr.type="int"/>',
    '  <key id="score" for="edge" attr.name="score" attr.type="double"/>',
    '  <graph id="convoys" edgedefault="undirected">',
    ...plates.map((plate) => `    <node id="${xml(plate)}"><data key="seed">${seeds.has(plate)}</data></node>`),
    ...links.map((link) => `    <edge source="${xml(link.source)}" target="${xml(link.target)}">` +
      `<data key="occasions">${link.occasions}</data><data key="score">${link.score}</data></edge>`),
    "  </graph>",
    "</graphml>",
  ];
  return lines.join("\n") + "\n";
}

export function networkCsv(report: api.Report): string {
  return toCsv(["source", "target", "occasions", "score"],
    convoyLinks(report).map((link) => [link.source, link.target, link.occasions, link.score]));
}

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function toCsv(header: string[], rows: unknown[][]): string {
  const cell = (value: unknown): string => {
    if (value === null || value === undefined) return "";
    const text = String(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [header, ...rows].map((row) => row.map(cell).join(",")).join("\n") + "\n";
}

/** A button that hands `build()`'s text to the browser as a file. */
export function downloadButton(id: string, label: string, fileName: () => string, mime: string,
  build: () => string): HTMLButtonElement {
  const button = el("button", { type: "button", id, class: "export" }, label);
  button.addEventListener("click", () => saveFile(fileName(), new Blob([build()], { type: mime })));
  return button;
}

/** Hands a file to the browser as a download. */
export function saveFile(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file-name-safe form of a plate or pattern. */
export function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, "_") || "export";
}
