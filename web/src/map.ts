// The map: an offline basemap (Natural Earth land and borders from the world-atlas package,
// and the corridor's roads from roads.json, which corridor-sim generates; all drawn as GeoJSON
// layers bundled into the app: no tiles, no glyphs, nothing fetched), the cameras by kind,
// and one GeoJSON source per overlay (history path, hubs, routes, convoys, clones, selection).

import * as maplibregl from "maplibre-gl";
import type { GeoJSONSource, StyleSpecification } from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?url";
import { feature, mesh } from "topojson-client";
import type { Topology, GeometryCollection } from "topojson-specification";
import countriesTopology from "world-atlas/countries-50m.json";
import type { Feature, FeatureCollection, Geometry } from "geojson";
import type { Camera } from "./api";
import roads from "./roads.json";

export const KIND_COLOURS: Record<string, string> = {
  fixed: "#4cc9f0",
  mobile: "#f9c74f",
  covert: "#f072b6",
};

/** Road colours by class, muted so that the overlays above them stand out. Crossings (ferries
 * and the tunnel) are dashed. */
export const ROAD_COLOURS: Record<string, string> = {
  motorway: "#c9a467",
  trunk: "#a99a7c",
  coastal: "#7fa08a",
  crossing: "#7395ab",
};

export const OVERLAYS = ["path", "hubs", "routes", "convoys", "clones", "selection"] as const;
export type Overlay = (typeof OVERLAYS)[number];

// MapLibre 6 runs its worker from a module file: serve it from this origin, as a hashed asset.
maplibregl.setWorkerUrl(workerUrl);

const EMPTY: FeatureCollection = { type: "FeatureCollection", features: [] };

/** West, south, east, north: Europe around the corridors. The rest of the world is left out
 * of the basemap, so that MapLibre's worker tiles a tenth of the polygons. */
const REGION = [-25, 30, 45, 72] as const;

function inRegion(country: Feature): boolean {
  let inside = false;
  const visit = (coordinates: unknown): void => {
    if (inside || !Array.isArray(coordinates)) return;
    if (typeof coordinates[0] === "number") {
      const [lon, lat] = coordinates as number[];
      inside = lon >= REGION[0] && lat >= REGION[1] && lon <= REGION[2] && lat <= REGION[3];
      return;
    }
    for (const child of coordinates) visit(child);
  };
  if (country.geometry.type === "Polygon" || country.geometry.type === "MultiPolygon") {
    visit(country.geometry.coordinates);
  }
  return inside;
}

function basemapStyle(): StyleSpecification {
  const topology = countriesTopology as unknown as Topology<{ countries: GeometryCollection }>;
  const world = feature(topology, topology.objects.countries);
  const land: FeatureCollection = { type: "FeatureCollection", features: world.features.filter(inRegion) };
  // Borders are the arcs shared by two countries of the region.
  const ids = new Set(land.features.map((country) => country.id));
  const regional: GeometryCollection = {
    ...topology.objects.countries,
    geometries: topology.objects.countries.geometries.filter((country) => ids.has(country.id)),
  };
  const borders = mesh(topology, regional, (a, b) => a !== b);
  return {
    version: 8,
    sources: {
      land: { type: "geojson", data: land },
      borders: { type: "geojson", data: { type: "Feature", properties: {}, geometry: borders } },
      roads: { type: "geojson", data: roads as FeatureCollection },
    },
    layers: [
      { id: "sea", type: "background", paint: { "background-color": "#0d2436" } },
      { id: "land", type: "fill", source: "land", paint: { "fill-color": "#1c2b33" } },
      {
        id: "coast",
        type: "line",
        source: "land",
        paint: { "line-color": "#5b7a8c", "line-width": 0.8 },
      },
      {
        id: "borders",
        type: "line",
        source: "borders",
        paint: { "line-color": "#9aa9b3", "line-width": 1, "line-dasharray": [3, 2] },
      },
      {
        id: "road-crossings",
        type: "line",
        source: "roads",
        filter: ["==", ["get", "class"], "crossing"],
        paint: { "line-color": ROAD_COLOURS.crossing, "line-width": 1.2, "line-dasharray": [2, 2] },
      },
      {
        id: "roads",
        type: "line",
        source: "roads",
        filter: ["!=", ["get", "class"], "crossing"],
        // Motorways are drawn last, over the roads they meet.
        layout: {
          "line-cap": "round",
          "line-join": "round",
          "line-sort-key": ["match", ["get", "class"], "motorway", 3, "trunk", 2, 1],
        },
        paint: {
          "line-color": ["match", ["get", "class"], "motorway", ROAD_COLOURS.motorway, "trunk",
            ROAD_COLOURS.trunk, ROAD_COLOURS.coastal],
          "line-width": ["interpolate", ["linear"], ["zoom"], 5,
            ["match", ["get", "class"], "motorway", 1.4, 1], 10,
            ["match", ["get", "class"], "motorway", 4, 2.5]],
        },
      },
    ],
  };
}

export class CorridorMap {
  readonly map: maplibregl.Map;
  private readonly ready: Promise<void>;

  constructor(container: HTMLElement) {
    this.map = new maplibregl.Map({
      container,
      style: basemapStyle(),
      center: [2.2, 50.6],
      zoom: 6.3,
      attributionControl: false,
    });
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
    this.map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
    this.ready = new Promise((resolve) => this.map.on("load", () => resolve()));
    this.ready.then(() => {
      this.addOverlayLayers();
      this.map.once("idle", () => this.countRoadsDrawn());
    });
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  async showCameras(cameras: Camera[]): Promise<void> {
    await this.ready;
    const features = cameras.map((camera) => point(camera.lon, camera.lat, {
      camera_id: camera.camera_id,
      name: camera.name,
      kind: camera.kind,
    }));
    (this.map.getSource("cameras") as GeoJSONSource).setData(collection(features));
    this.map.getContainer().dataset.cameras = String(cameras.length);
  }

  async setOverlay(overlay: Overlay, data: FeatureCollection): Promise<void> {
    await this.ready;
    (this.map.getSource(overlay) as GeoJSONSource).setData(data);
    this.map.getContainer().dataset[overlay] = String(data.features.length);
  }

  fitTo(coordinates: [number, number][]): void {
    if (coordinates.length === 0) return;
    const bounds = new maplibregl.LngLatBounds(coordinates[0], coordinates[0]);
    for (const coordinate of coordinates) bounds.extend(coordinate);
    this.map.fitBounds(bounds, { padding: 60, maxZoom: 11, duration: 0 });
  }

  /** Says on the container how many road features the first view drew, and of which
   * classes, as it does for the cameras and overlays (the end-to-end tests read it). */
  private countRoadsDrawn(): void {
    const drawn = this.map.queryRenderedFeatures({ layers: ["roads", "road-crossings"] });
    const classes = new Set(drawn.map((road) => String(road.properties.class)));
    const container = this.map.getContainer();
    container.dataset.roads = String(drawn.length);
    container.dataset.roadClasses = [...classes].sort().join(" ");
  }

  private addOverlayLayers(): void {
    const map = this.map;
    for (const source of ["cameras", ...OVERLAYS]) {
      map.addSource(source, { type: "geojson", data: EMPTY });
    }
    map.addLayer({
      id: "hubs-area",
      type: "fill",
      source: "hubs",
      paint: { "fill-color": "#ff9f1c", "fill-opacity": 0.25 },
    });
    map.addLayer({
      id: "hubs-edge",
      type: "line",
      source: "hubs",
      paint: { "line-color": "#ff9f1c", "line-width": 2 },
    });
    map.addLayer({
      id: "routes",
      type: "line",
      source: "routes",
      paint: { "line-color": "#80ed99", "line-width": 3, "line-opacity": 0.8 },
    });
    map.addLayer({
      id: "convoys",
      type: "line",
      source: "convoys",
      paint: { "line-color": "#c77dff", "line-width": 3, "line-dasharray": [1, 1] },
    });
    map.addLayer({
      id: "clones",
      type: "line",
      source: "clones",
      paint: { "line-color": "#ff595e", "line-width": 3 },
    });
    map.addLayer({
      id: "cameras",
      type: "circle",
      source: "cameras",
      paint: {
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 5, 2.5, 10, 6],
        "circle-color": ["match", ["get", "kind"], "fixed", KIND_COLOURS.fixed, "mobile",
          KIND_COLOURS.mobile, "covert", KIND_COLOURS.covert, "#ffffff"],
        "circle-stroke-color": "#0d2436",
        "circle-stroke-width": 1,
      },
    });
    map.addLayer({
      id: "path-line",
      type: "line",
      source: "path",
      filter: ["==", ["geometry-type"], "LineString"],
      paint: { "line-color": "#ffffff", "line-width": 3 },
    });
    map.addLayer({
      id: "path-reads",
      type: "circle",
      source: "path",
      filter: ["==", ["geometry-type"], "Point"],
      paint: { "circle-radius": 5, "circle-color": "#ffd166", "circle-stroke-color": "#000",
        "circle-stroke-width": 1 },
    });
    map.addLayer({
      id: "selection",
      type: "circle",
      source: "selection",
      paint: { "circle-radius": 8, "circle-color": "rgba(0,0,0,0)", "circle-stroke-color": "#ffffff",
        "circle-stroke-width": 3 },
    });
    const popup = new maplibregl.Popup({ closeButton: false, closeOnClick: false });
    map.on("mouseenter", "cameras", (event) => {
      const properties = event.features?.[0]?.properties;
      if (!properties) return;
      map.getCanvas().style.cursor = "pointer";
      const label = document.createElement("span");
      label.textContent = `${properties.name} (${properties.camera_id}, ${properties.kind})`;
      popup.setLngLat(event.lngLat).setDOMContent(label).addTo(map);
    });
    map.on("mouseleave", "cameras", () => {
      map.getCanvas().style.cursor = "";
      popup.remove();
    });
  }
}

export function point(lon: number, lat: number, properties: Record<string, unknown> = {}): Feature {
  return { type: "Feature", properties, geometry: { type: "Point", coordinates: [lon, lat] } };
}

export function line(coordinates: [number, number][], properties: Record<string, unknown> = {}): Feature {
  return { type: "Feature", properties, geometry: { type: "LineString", coordinates } };
}

export function collection(features: Feature<Geometry>[]): FeatureCollection {
  return { type: "FeatureCollection", features };
}

/** A circle of `radius_m` metres around a point, as a 64-sided polygon. */
export function circle(lon: number, lat: number, radius_m: number, properties: Record<string, unknown> = {}): Feature {
  const ring: [number, number][] = [];
  const earth_m = 6_371_008.8;
  const dLat = (radius_m / earth_m) * (180 / Math.PI);
  const dLon = dLat / Math.cos((lat * Math.PI) / 180);
  for (let step = 0; step <= 64; step++) {
    const angle = (step / 64) * 2 * Math.PI;
    ring.push([lon + dLon * Math.cos(angle), lat + dLat * Math.sin(angle)]);
  }
  return { type: "Feature", properties, geometry: { type: "Polygon", coordinates: [ring] } };
}
