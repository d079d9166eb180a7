// The analyst's workstation: sign-in, then tabs: the map with search, analysis and exports;
// the hotlist; approvals; the audit log. Live alerts stay beside every tab.

import "./style.css";
import * as api from "./api";
import { byId, el } from "./dom";
import { CorridorMap, KIND_COLOURS } from "./map";
import { displayHistory, mountSearch } from "./search";
import { mountAnalysis } from "./analysis";
import { mountAlerts } from "./alerts";
import { mountHotlist } from "./hotlist";
import { mountApprovals } from "./approvals";
import { mountAudit } from "./audit";

/** The tabs after the map: each panel loads when first shown and again on each showing. */
const PANELS = [
  { id: "hotlist", label: "Hotlist", who: "For ANPR bureau operators, analysts and supervisors." },
  { id: "approvals", label: "Approvals", who: "Supervisors decide requests over scope (never their own); others see their own here." },
  { id: "audit", label: "Audit", who: "For auditors and supervisors; auditors and admins verify the chain." },
] as const;
type TabId = "map" | (typeof PANELS)[number]["id"];

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
  const tabs = el("nav", { role: "tablist", "aria-label": "Screens", class: "tabs" },
    ...[{ id: "map", label: "Map", who: "Search, analysis and exports." }, ...PANELS].map((panel) =>
      el("button", { type: "button", role: "tab", id: `tab-${panel.id}`, "aria-controls": `panel-${panel.id}`,
        "aria-selected": panel.id === "map" ? "true" : "false", tabindex: panel.id === "map" ? "0" : "-1",
        title: panel.who }, panel.label)));
  const workspace = el("div", { id: "workspace", hidden: true },
    ...PANELS.map((panel) => el("div", { role: "tabpanel", id: `panel-${panel.id}`, class: "panel",
      "aria-labelledby": `tab-${panel.id}`, hidden: true })));
  const layout = el("div", { class: "layout" },
    el("a", { class: "skip", href: "#search-plate" }, "Skip to search"),
    el("header", {},
      el("h1", {}, "Corridor"),
      tabs,
      el("span", { class: "meta", id: "camera-count" }, `${cameras.length} cameras`),
      el("span", { class: "spacer" }),
      signOut),
    el("aside", { "aria-label": "Search and analysis", id: "left", role: "tabpanel",
      "aria-labelledby": "tab-map" }),
    workspace,
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
  const panelLoaders: Record<string, () => void> = {
    hotlist: mountHotlist(byId("panel-hotlist")),
    approvals: mountApprovals(byId("panel-approvals"), (history) => {
      selectTab("map");
      displayHistory(history);
    }),
    audit: mountAudit(byId("panel-audit")),
  };
  for (const panel of PANELS) {
    byId(`panel-${panel.id}`).querySelector("h1")?.after(el("p", { class: "meta" }, panel.who));
  }
  const tabButtons = [...tabs.querySelectorAll<HTMLButtonElement>("[role=tab]")];
  const selectTab = (id: TabId, focus = false) => {
    for (const button of tabButtons) {
      const selected = button.id === `tab-${id}`;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
      if (selected && focus) button.focus();
    }
    for (const panel of PANELS) byId(`panel-${panel.id}`).hidden = panel.id !== id;
    workspace.hidden = id === "map";
    if (id !== "map") panelLoaders[id]();
  };
  tabs.addEventListener("click", (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>("[role=tab]");
    if (button) selectTab(button.id.slice(4) as TabId);
  });
  tabs.addEventListener("keydown", (event) => {
    const index = tabButtons.findIndex((button) => button === document.activeElement);
    if (index < 0) return;
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = tabButtons[(index + step + tabButtons.length) % tabButtons.length];
    selectTab(next.id.slice(4) as TabId, true);
  });
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
