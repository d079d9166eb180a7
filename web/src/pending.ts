// A request over scope waits for a supervisor: the form that asked says so, names the
// request, and offers to run it once approved (`POST /api/v1/approvals/{id}/run`).

import * as api from "./api";
import { el, setStatus, withProgress } from "./dom";

export interface ApprovalRunner {
  /** The button that runs the approved request; hidden until a request waits. */
  button: HTMLButtonElement;
  /** Says that `pending` waits for a supervisor and shows the button. */
  waiting: (pending: api.Pending) => void;
  hide: () => void;
}

/** `run` runs the approved request once; `onRun` shows its answer. */
export function approvalRunner<T>(
  id: string,
  label: string,
  status: HTMLElement,
  run: (approvalId: string) => Promise<T>,
  onRun: (answer: T) => void,
): ApprovalRunner {
  const button = el("button", { type: "button", id, hidden: true }, label);
  let approvalId = "";
  button.addEventListener("click", async () => {
    try {
      const answer = await withProgress(status, `Running request ${approvalId}...`, run(approvalId));
      button.hidden = true;
      onRun(answer);
    } catch (error) {
      setStatus(status, error instanceof api.ApiFailure && error.status === 409
        ? `Not run: ${error.message} (request ${approvalId})` : api.describe(error), "pending");
    }
  });
  return {
    button,
    waiting: (pending) => {
      approvalId = pending.approval_id;
      setStatus(status, `Waiting for a supervisor: ${pending.reasons.join("; ")} ` +
        `(request ${pending.approval_id}). Once approved, run it here.`, "pending");
      button.hidden = false;
    },
    hide: () => { button.hidden = true; },
  };
}
