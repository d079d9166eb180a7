// The evidence bundle of a case: the server gathers the reads of the case plates over a
// window (and, if asked, the case analysis), the case's audit entries and camera clock
// statements, signs a manifest of them, and the browser saves the tar file. The purpose
// names the case; an export over scope waits for a supervisor like a search.

import * as api from "./api";
import { el, setStatus, withProgress } from "./dom";
import { saveFile } from "./exports";
import { approvalRunner } from "./pending";
import { readPurpose } from "./purpose";
import { currentPlate } from "./search";

export function mountEvidence(parent: HTMLElement): void {
  const plates = el("input", { id: "evidence-plates", autocomplete: "off", placeholder: "AB12CDE, XY34ZZZ" });
  const from = el("input", { id: "evidence-from", type: "date" });
  const analyse = el("input", { id: "evidence-analyse", type: "checkbox", checked: true });
  const status = el("p", { id: "evidence-status", class: "status", role: "status", "aria-live": "polite" });
  const saved = (bundle: api.Download) => {
    saveFile(bundle.fileName, bundle.blob);
    setStatus(status, `Saved ${bundle.fileName} (${Math.ceil(bundle.blob.size / 1024)} KiB): ` +
      "unpack it with tar xf and check it with corridor evidence verify.", "ok");
  };
  const pending = approvalRunner("evidence-run-approved", "Run the approved export", status,
    api.runApprovedExport, saved);
  const form = el("form", { "aria-labelledby": "evidence-title" },
    el("h2", { id: "evidence-title" }, "Evidence bundle"),
    el("p", { class: "meta" }, "A signed bundle of the case (the purpose's case reference): the plates' reads, ",
      "the case's audit entries and a manifest that verifies offline."),
    el("label", { for: "evidence-plates" }, "Case plates (comma-separated; empty: the searched plate)"), plates,
    el("label", { for: "evidence-from" }, "From (optional)"), from,
    el("label", { for: "evidence-analyse", class: "check" }, analyse, "Include the case analysis"),
    el("p", {}, el("button", { type: "submit", class: "primary", id: "evidence-run" }, "Export bundle (.tar)")),
    status, pending.button);
  parent.append(el("section", {}, form));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    pending.hide();
    const plateList = (plates.value.trim() || currentPlate).split(",").map((s) => s.trim()).filter(Boolean);
    if (plateList.length === 0) {
      setStatus(status, "Give the case plates, or search one first.", "error");
      return;
    }
    try {
      const fromTs = from.value ? `${from.value}T00:00:00Z` : null;
      const answer = await withProgress(status, `Exporting ${plateList.join(", ")}...`,
        api.exportEvidence(plateList, fromTs, analyse.checked, readPurpose()));
      if ("approval_id" in answer) {
        pending.waiting(answer);
        return;
      }
      saved(answer);
    } catch (error) {
      setStatus(status, api.describe(error), "error");
    }
  });
}
