// The purpose prompt: every search and analysis declares a case, an offence category and a
// justification, sent as the X-Corridor-* headers (searches, analyses, evidence exports).
// Kept for the tab's session.

import type { Purpose } from "./api";
import { el } from "./dom";

const KEY = "corridor.purpose";
export const OFFENCES = [
  "people_smuggling", "human_trafficking", "drug_trafficking", "firearms_trafficking",
  "terrorism", "organised_crime", "vehicle_crime", "serious_violence", "missing_person",
];

/** The purpose as the form holds it now (empty before the form is mounted). */
export let readPurpose: () => Purpose = () => ({ caseRef: "", offence: "", justification: "" });

export function mountPurpose(parent: HTMLElement): void {
  const saved: Purpose = JSON.parse(sessionStorage.getItem(KEY) ?? "null") ??
    { caseRef: "", offence: "", justification: "" };
  const caseRef = el("input", { id: "purpose-case", placeholder: "OP-TIDE/2026/0042" });
  caseRef.value = saved.caseRef;
  const offence = el("select", { id: "purpose-offence" },
    el("option", { value: "" }, "(choose)"),
    ...OFFENCES.map((name) => el("option", { value: name }, name.replace(/_/g, " "))));
  offence.value = saved.offence;
  const justification = el("textarea", { id: "purpose-justification", rows: "2",
    placeholder: "Why this search is necessary and proportionate (20+ characters)" });
  justification.value = saved.justification;
  parent.append(el("section", { "aria-labelledby": "purpose-title" },
    el("h2", { id: "purpose-title" }, "Purpose"),
    el("label", { for: "purpose-case" }, "Case reference"), caseRef,
    el("label", { for: "purpose-offence" }, "Offence category"), offence,
    el("label", { for: "purpose-justification" }, "Justification"), justification));
  readPurpose = () => {
    const purpose = { caseRef: caseRef.value, offence: offence.value, justification: justification.value };
    sessionStorage.setItem(KEY, JSON.stringify(purpose));
    return purpose;
  };
}
