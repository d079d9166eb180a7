// The live alerts panel: alerts arrive on the server-sent event stream and are acknowledged
// from the panel.

import * as api from "./api";
import { el, formatTs } from "./dom";

const OUTCOMES = ["observed", "stopped", "misread", "not_found", "no_action"];

export function mountAlerts(parent: HTMLElement, cameras: Map<string, api.Camera>): void {
  const live = el("span", { id: "alerts-live", class: "live off" }, "connecting");
  const list = el("ol", { id: "alerts", class: "list", "aria-live": "polite", "aria-label": "Alerts" });
  parent.append(el("section", { "aria-labelledby": "alerts-title" },
    el("h2", { id: "alerts-title" }, "Live alerts ", live),
    el("p", { class: "meta" }, "Hotlist hits as they are read; newest first."),
    list));
  const onState = (connected: boolean, refusal?: string) => {
    live.textContent = connected ? "live" : refusal ? "not for your role" : "disconnected";
    if (refusal) live.title = refusal;
    live.className = `live ${connected ? "on" : "off"}`;
  };
  const onAlert = (alert: api.Alert) => list.prepend(alertItem(alert, cameras));
  void api.streamAlerts(onAlert, onState, new AbortController().signal);
}

function alertItem(alert: api.Alert, cameras: Map<string, api.Camera>): HTMLElement {
  const camera = cameras.get(alert.camera_id);
  const outcome = el("select", { "aria-label": `Outcome for ${alert.plate}` },
    ...OUTCOMES.map((name) => el("option", { value: name }, name.replace(/_/g, " "))));
  const ack = el("button", { type: "button", class: "ack" }, "Acknowledge");
  const state = el("div", { class: "meta", role: "status" });
  const item = el("li", { class: "alert", "data-alert-id": alert.alert_id },
    el("strong", {}, alert.plate), ` ${alert.trigger.type}`,
    el("div", { class: "meta" }, `${camera ? camera.name : alert.camera_id} | ${formatTs(alert.read_ts)}`),
    alert.watch?.reason ? el("div", { class: "meta" }, alert.watch.reason) : null,
    el("div", { class: "row" }, outcome, ack), state);
  ack.addEventListener("click", async () => {
    try {
      await api.acknowledge(alert.alert_id, outcome.value);
      item.classList.add("acked");
      state.textContent = `acknowledged: ${outcome.value.replace(/_/g, " ")}`;
      ack.disabled = true;
    } catch (error) {
      state.textContent = error instanceof api.ApiFailure ? error.message : String(error);
    }
  });
  return item;
}
