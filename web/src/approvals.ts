// Approvals: searches over scope waiting for a supervisor, with who asked, why, what they
// would touch and which rules they exceed; a supervisor approves or denies each with a note.
// Others see their own requests, and run one once it is approved.

import * as api from "./api";
import { el, formatTs, setStatus } from "./dom";
import { refusal } from "./hotlist";
import { describe } from "./search";

/** `onRun` draws the history of an approved search the user has just run. */
export function mountApprovals(parent: HTMLElement, onRun: (history: api.History) => void): () => void {
  const status = el("p", { id: "approvals-status", class: "status", role: "status", "aria-live": "polite" });
  const list = el("ol", { id: "approvals", class: "list cards-list", "aria-label": "Requests" });
  const refresh = el("button", { type: "button", id: "approvals-refresh" }, "Refresh");
  parent.append(
    el("h1", { class: "panel-title" }, "Approvals"),
    el("p", {}, refresh), status, list);
  const load = async () => {
    setStatus(status, "Loading...");
    try {
      const approvals = await api.approvals();
      const pending = approvals.filter((approval) => approval.status === "pending").length;
      list.replaceChildren(...approvals.map((approval) => item(approval, load, onRun)));
      setStatus(status, `${approvals.length} requests, ${pending} pending`);
    } catch (error) {
      setStatus(status, refusal(error, "see approvals"), "error");
    }
  };
  refresh.addEventListener("click", () => void load());
  return () => void load();
}

function item(approval: api.Approval, reload: () => Promise<void>,
  onRun: (history: api.History) => void): HTMLElement {
  const id = approval.approval_id;
  const scope = approval.scope;
  const window = `${scope.from ? formatTs(scope.from) : "the beginning"} to ${scope.to ? formatTs(scope.to) : "now"}`;
  const state = el("p", { class: "status", role: "status" });
  const body = el("li", { class: `approval ${approval.status}`, "data-approval-id": id },
    el("h3", {}, `${approval.action.replace(/_/g, " ")} by ${approval.requester}`,
      el("span", { class: `badge ${approval.status}` }, approval.status)),
    el("dl", {},
      el("dt", {}, "Purpose"),
      el("dd", {}, `${approval.case_ref} | ${approval.offence.replace(/_/g, " ")}`),
      el("dd", { class: "meta" }, approval.justification),
      el("dt", {}, "Scope"),
      el("dd", {}, `${scope.plates.join(", ")} | ${window}`),
      el("dt", {}, "Over scope because"),
      el("dd", {}, approval.reasons.join("; ")),
      el("dt", {}, "Request"),
      el("dd", { class: "meta" }, `${id}, submitted ${formatTs(approval.created)}` +
        (approval.decided_by ? `, decided by ${approval.decided_by}` : ""))),
    state);
  if (approval.status === "pending") {
    const noteId = `note-${id}`;
    const note = el("input", { id: noteId, class: "decision-note", autocomplete: "off",
      placeholder: "Why (required)" });
    const approve = el("button", { type: "button", class: "primary approve" }, "Approve");
    const deny = el("button", { type: "button", class: "deny" }, "Deny");
    const decide = async (decision: "approve" | "deny") => {
      try {
        const decided = await api.decide(id, decision, note.value.trim());
        setStatus(state, `${decided.status} by ${decided.decided_by ?? "you"}`);
        await reload();
      } catch (error) {
        setStatus(state, refusal(error, "decide requests"), "error");
      }
    };
    approve.addEventListener("click", () => void decide("approve"));
    deny.addEventListener("click", () => void decide("deny"));
    body.append(el("label", { for: noteId }, "Note"), note, el("div", { class: "row" }, approve, deny));
  } else if (approval.status === "approved") {
    const run = el("button", { type: "button", class: "run" }, "Run it (once)");
    run.addEventListener("click", async () => {
      try {
        const history = await api.runApproved(id);
        run.disabled = true;
        onRun(history);
      } catch (error) {
        setStatus(state, describe(error), "error");
      }
    });
    body.append(run);
  }
  return body;
}
