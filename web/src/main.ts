// The analyst's workstation: sign-in, then tabs: the map with search, analysis and exports;
// the hotlist; approvals; the audit log. Live alerts stay beside every tab. What the
// signed-in role may not do (`GET /api/v1/me`, from the server's matrix) is not shown.

import "./style.css";
import * as api from "./api";
import { byId, el } from "./dom";
import { CorridorMap, KIND_COLOURS, ROAD_COLOURS } from "./map";
import { mountPurpose } from "./purpose";
import { displayHistory, mountSearch } from "./search";
import { displayReport, mountAnalysis } from "./analysis";
import { mountEvidence } from "./evidence";
import { mountAlerts } from "./alerts";
import { mountHotlist } from "./hotlist";
import { mountApprovals } from "./approvals";
import { mountAudit } from "./audit";

/** Actions that touch plate data under a purpose, and so may wait for a supervisor. */
const PURPOSE_ACTIONS = ["read_history", "run_analysis", "export_evidence"];

/**
 * The tabs after the map, each shown to a role that may perform one of its `actions`; a
 * panel loads when first shown and again on each showing.
 */
const PANELS = [
  { id: "hotlist", label: "Hotlist", actions: ["manage_hotlists"],
    who: "For ANPR bureau operators, analysts and supervisors." },
  { id: "approvals", label: "Approvals", actions: [...PURPOSE_ACTIONS, "approve_requests"],
    who: "Supervisors decide requests over scope (never their own); others see their own here." },
  { id: "audit", label: "Audit", actions: ["read_audit", "verify_audit"],
    who: "Auditors and supervisors read the log; auditors and admins verify the chain." },
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
  const [cameras, me] = await Promise.all([api.cameras(), api.me()]);
  performance.mark("corridor:cameras");
  const panels = PANELS.filter((panel) => api.may(me, ...panel.actions));
  const alerts = api.may(me, "view_alerts");
  const signOut = el("button", { type: "button", id: "sign-out" }, "Sign out");
  const tabs = el("nav", { role: "tablist", "aria-label": "Screens", class: "tabs" },
    ...[{ id: "map", label: "Map", who: "Cameras, search, analysis and exports." }, ...panels].map((panel) =>
      el("button", { type: "button", role: "tab", id: `tab-${panel.id}`, "aria-controls": `panel-${panel.id}`,
        "aria-selected": panel.id === "map" ? "true" : "false", tabindex: panel.id === "map" ? "0" : "-1",
        title: panel.who }, panel.label)));
  const workspace = el("div", { id: "workspace", hidden: true },
    ...panels.map((panel) => el("div", { role: "tabpanel", id: `panel-${panel.id}`, class: "panel",
      "aria-labelledby": `tab-${panel.id}`, hidden: true })));
  const layout = el("div", { class: alerts ? "layout" : "layout no-alerts" },
    el("a", { class: "skip", href: api.may(me, "read_history") ? "#search-plate" : "#tab-map" },
      api.may(me, "read_history") ? "Skip to search" : "Skip to the tabs"),
    el("header", {},
      el("h1", {}, "Corridor"),
      tabs,
      el("span", { class: "meta", id: "camera-count" }, `${cameras.length} cameras`),
      el("span", { class: "spacer" }),
      el("span", { class: "who", id: "who", title: `May: ${me.actions.join(", ").replace(/_/g, " ")}` },
        el("strong", {}, me.user), ` ${me.role}, ${me.agency}`),
      signOut),
    el("aside", { "aria-label": "Search and analysis", id: "left", role: "tabpanel",
      "aria-labelledby": "tab-map" }),
    workspace,
    el("main", { "aria-label": "Map" },
      el("div", { id: "map", role: "region", "aria-label": "Map of cameras and findings" }),
      legend()),
    alerts ? el("aside", { "aria-label": "Live alerts", id: "right" }) : null,
  );
  app.replaceChildren(layout);
  signOut.addEventListener("click", () => {
    api.token.clear();
    location.reload();
  });
  const map = new CorridorMap(byId("map"));
  const camerasById = new Map(cameras.map((camera) => [camera.camera_id, camera]));
  mountMapPanels(byId("left"), me, map, camerasById);
  if (alerts) mountAlerts(byId("right"), camerasById);
  const selectTab = mountTabs(tabs, workspace, panels, mountPanels(me, () => selectTab("map")));
  await map.whenReady();
  performance.mark("corridor:map-loaded");
  await map.showCameras(cameras);
  performance.mark("corridor:ready");
  document.body.dataset.ready = "true";
}

/** The map tab's panels the role may use: purpose, search, analysis, evidence. */
function mountMapPanels(left: HTMLElement, me: api.Me, map: CorridorMap,
  cameras: Map<string, api.Camera>): void {
  if (api.may(me, ...PURPOSE_ACTIONS)) mountPurpose(left);
  if (api.may(me, "read_history")) mountSearch(left, map, cameras);
  if (api.may(me, "run_analysis")) mountAnalysis(left, map, cameras);
  if (api.may(me, "export_evidence")) mountEvidence(left);
  if (!api.may(me, ...PURPOSE_ACTIONS)) {
    left.append(el("section", { id: "role-note" },
      el("h2", {}, "Your role"),
      el("p", {}, `${me.user} (${me.role}, ${me.agency}) does not search, analyse or export plate data.`),
      el("p", { class: "meta" }, `It may: ${me.actions.join(", ").replace(/_/g, " ") || "nothing"}.`)));
  }
}

/** The loaders of the tabs' panels, by tab id; `showMap` switches to the map. */
function mountPanels(me: api.Me, showMap: () => void): Record<string, () => void> {
  const loaders: Record<string, () => void> = {};
  const panel = (id: string) => document.getElementById(`panel-${id}`);
  const hotlist = panel("hotlist");
  if (hotlist) loaders.hotlist = mountHotlist(hotlist);
  const approvals = panel("approvals");
  if (approvals) {
    loaders.approvals = mountApprovals(approvals, me, {
      history: (history) => { showMap(); displayHistory(history); },
      report: (report) => { showMap(); displayReport(report); },
    });
  }
  const audit = panel("audit");
  if (audit) loaders.audit = mountAudit(audit, me);
  for (const { id, who } of PANELS) panel(id)?.querySelector("h1")?.after(el("p", { class: "meta" }, who));
  return loaders;
}

/** Wires the tablist (click, arrow keys); answers the function that selects a tab. */
function mountTabs(tabs: HTMLElement, workspace: HTMLElement, panels: readonly { id: string }[],
  loaders: Record<string, () => void>): (id: TabId, focus?: boolean) => void {
  const tabButtons = [...tabs.querySelectorAll<HTMLButtonElement>("[role=tab]")];
  const selectTab = (id: TabId, focus = false) => {
    for (const button of tabButtons) {
      const selected = button.id === `tab-${id}`;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
      if (selected && focus) button.focus();
    }
    for (const panel of panels) byId(`panel-${panel.id}`).hidden = panel.id !== id;
    workspace.hidden = id === "map";
    if (id !== "map") loaders[id]();
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
  return selectTab;
}

function legend(): HTMLElement {
  const kinds = Object.entries(KIND_COLOURS).map(([kind, colour]) =>
    el("div", {}, el("span", { class: "dot", style: `background:${colour}` }), kind));
  const roads = Object.entries(ROAD_COLOURS).map(([road_class, colour]) =>
    el("div", {}, el("span", { class: `road ${road_class}`, style: `border-color:${colour}` }), road_class));
  return el("div", { class: "legend", "aria-label": "Legend" }, el("strong", {}, "Cameras"), ...kinds,
    el("strong", {}, "Roads"), ...roads);
}

if (api.token.get()) {
  start().catch(() => {
    api.token.clear();
    showSignIn("Your token was refused; sign in again.");
  });
} else {
  showSignIn();
}
