// Approvals: requests over scope (searches, analyses, evidence exports) waiting for a
// supervisor, with who asked, why, what they would touch and which rules they exceed; a
// supervisor approves or denies each with a note (never their own). Others see their own
// requests, and run one once it is approved.

import * as api from "./api";
import { el, formatTs, setStatus, withProgress } from "./dom";
import { saveFile } from "./exports";
import { refusal } from "./hotlist";

/** Where the answer of an approved request goes once its requester runs it. */
export interface ApprovedAnswers {
  history: (history: api.History) => void;
  report: (report: api.Report) => void;
}

export function mountApprovals(parent: HTMLElement, me: api.Me, answers: ApprovedAnswers): () => void {
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
      list.replaceChildren(...approvals.map((approval) => item(approval, me, load, answers)));
      setStatus(status, `${approvals.length} requests, ${pending} pending`);
    } catch (error) {
      setStatus(status, refusal(error, "see approvals"), "error");
    }
  };
  refresh.addEventListener("click", () => void load());
  return () => void load();
}

function item(approval: api.Approval, me: api.Me, reload: () => Promise<void>,
  answers: ApprovedAnswers): HTMLElement {
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
  const own = approval.requester === me.user;
  if (approval.status === "pending" && api.may(me, "approve_requests") && !own) {
    body.append(...decision(id, state, reload));
  } else if (approval.status === "pending" && own) {
    body.append(el("p", { class: "meta" }, "Waiting for a supervisor (never the requester) to decide."));
  } else if (approval.status === "approved" && own) {
    const run = el("button", { type: "button", class: "run" }, "Run it (once)");
    run.addEventListener("click", async () => {
      try {
        await withProgress(state, "Running...", runApproved(approval, answers));
        run.disabled = true;
        setStatus(state, "Run; its answer is on the map (or saved, for an export).", "ok");
      } catch (error) {
        setStatus(state, api.describe(error), "error");
      }
    });
    body.append(run);
  }
  return body;
}

/** The note and the Approve / Deny buttons of a pending request. */
function decision(id: string, state: HTMLElement, reload: () => Promise<void>): HTMLElement[] {
  const noteId = `note-${id}`;
  const note = el("input", { id: noteId, class: "decision-note", autocomplete: "off",
    placeholder: "Why (required)" });
  const approve = el("button", { type: "button", class: "primary approve" }, "Approve");
  const deny = el("button", { type: "button", class: "deny" }, "Deny");
  const decide = async (choice: "approve" | "deny") => {
    try {
      const decided = await api.decide(id, choice, note.value.trim());
      setStatus(state, `${decided.status} by ${decided.decided_by ?? "you"}`);
      await reload();
    } catch (error) {
      setStatus(state, refusal(error, "decide requests"), "error");
    }
  };
  approve.addEventListener("click", () => void decide("approve"));
  deny.addEventListener("click", () => void decide("deny"));
  return [el("label", { for: noteId }, "Note"), note, el("div", { class: "row" }, approve, deny)];
}

/** Runs an approved request once and hands its answer on, by the request's action. */
async function runApproved(approval: api.Approval, answers: ApprovedAnswers): Promise<void> {
  const id = approval.approval_id;
  switch (approval.action) {
    case "run_analysis":
      answers.report(await api.runApprovedAnalysis(id));
      return;
    case "export_evidence": {
      const bundle = await api.runApprovedExport(id);
      saveFile(bundle.fileName, bundle.blob);
      return;
    }
    default:
      answers.history(await api.runApproved(id));
  }
}
