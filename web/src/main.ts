// The analyst's workstation: sign-in, then the map with search, analysis and live alerts.

import "./style.css";
import * as api from "./api";
import { byId, el } from "./dom";
import { CorridorMap, KIND_COLOURS } from "./map";
import { mountSearch } from "./search";
import { mountAnalysis } from "./analysis";
import { mountAlerts } from "./alerts";

const app = byId<HTMLDivElement>("app");

function showSignIn(message = ""): void {
  const input = el("input", { id: "token", type: "password", autocomplete: "off", required: true,
    "aria-describedby": "signin-status" });
  const status = el("p", { id: "signin-status", class: "status error", role: "alert" }, message);
  const form = el("form", { class: "signin", "aria-labelledby": "signin-title" },
    el("h1", { id: "signin-title" }, "Corridor: sign in"),
    el("p", {}, "Paste your API token (from `corridor users add` or `corridor demo`). ",
      "It is kept in this tab only and forgotten when the tab closes."),
    el("label", { for: "token" }, "API token"),
    input,
    status,
    el("button", { type: "submit", class: "primary" }, "Sign in"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    api.token.set(input.value.trim());
    try {
      await start();
    } catch (error) {
      api.token.clear();
      showSignIn(error instanceof api.ApiFailure ? `Refused: ${error.message}` : String(error));
    }
  });
  app.replaceChildren(form);
  input.focus();
}

async function start(): Promise<void> {
  performance.mark("corridor:start");
  const cameras = await api.cameras();
  performance.mark("corridor:cameras");
  const signOut = el("button", { type: "button", id: "sign-out" }, "Sign out");
  const layout = el("div", { class: "layout" },
    el("a", { class: "skip", href: "#search-plate" }, "Skip to search"),
    el("header", {},
      el("h1", {}, "Corridor"),
      el("span", { class: "meta", id: "camera-count" }, `${cameras.length} cameras`),
      el("span", { class: "spacer" }),
      signOut),
    el("aside", { "aria-label": "Search and analysis", id: "left" }),
    el("main", { "aria-label": "Map" },
      el("div", { id: "map", role: "region", "aria-label": "Map of cameras and findings" }),
      legend()),
    el("aside", { "aria-label": "Live alerts", id: "right" }),
  );
  app.replaceChildren(layout);
  signOut.addEventListener("click", () => {
    api.token.clear();
    location.reload();
  });
  const map = new CorridorMap(byId("map"));
  const camerasById = new Map(cameras.map((camera) => [camera.camera_id, camera]));
  const left = byId("left");
  mountSearch(left, map, camerasById);
  mountAnalysis(left, map, camerasById);
  mountAlerts(byId("right"), camerasById);
  await map.whenReady();
  performance.mark("corridor:map-loaded");
  await map.showCameras(cameras);
  performance.mark("corridor:ready");
  document.body.dataset.ready = "true";
}

function legend(): HTMLElement {
  const kinds = Object.entries(KIND_COLOURS).map(([kind, colour]) =>
    el("div", {}, el("span", { class: "dot", style: `background:${colour}` }), kind));
  return el("div", { class: "legend", "aria-label": "Legend" }, el("strong", {}, "Cameras"), ...kinds);
}

if (api.token.get()) {
  start().catch(() => {
    api.token.clear();
    showSignIn("Your token was refused; sign in again.");
  });
} else {
  showSignIn();
}
