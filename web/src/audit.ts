// The auditor's view: the audit log newest first (who did what, when, under which purpose,
// how it ended, how many results), filtered and paged, and a check of its hash chain. Each
// part shows only to a role that may use it: reading (`read_audit`: supervisors, auditors)
// and verifying (`verify_audit`: auditors, admins).

import * as api from "./api";
import { el, formatTs, setStatus } from "./dom";
import { refusal } from "./hotlist";

const PAGE = 50;

export function mountAudit(parent: HTMLElement, me: api.Me): () => void {
  const reading = api.may(me, "read_audit");
  const user = el("input", { id: "audit-user", autocomplete: "off" });
  const caseRef = el("input", { id: "audit-case", autocomplete: "off" });
  const action = el("select", { id: "audit-action" },
    el("option", { value: "" }, "(any)"),
    ...["read_history", "run_analysis", "export_evidence", "read_image", "manage_hotlists", "approve_requests",
      "ingest_reads", "view_alerts", "read_audit", "verify_audit"].map((name) => el("option", { value: name }, name.replace(/_/g, " "))));
  const from = el("input", { id: "audit-from", type: "date" });
  const to = el("input", { id: "audit-to", type: "date" });
  const status = el("p", { id: "audit-status", class: "status", role: "status", "aria-live": "polite" });
  const verifyStatus = el("p", { id: "audit-verify-status", class: "status", role: "status", "aria-live": "polite" });
  const verify = el("button", { type: "button", id: "audit-verify" }, "Verify chain");
  const rows = el("tbody", { id: "audit-rows" });
  const older = el("button", { type: "button", id: "audit-older" }, "Older entries");
  const newest = el("button", { type: "button", id: "audit-newest" }, "Newest");
  const form = el("form", { class: "card", "aria-labelledby": "audit-filter-title" },
    el("h2", { id: "audit-filter-title" }, "Filter"),
    el("div", { class: "row" },
      el("div", {}, el("label", { for: "audit-user" }, "User"), user),
      el("div", {}, el("label", { for: "audit-case" }, "Case reference"), caseRef),
      el("div", {}, el("label", { for: "audit-action" }, "Action"), action),
      el("div", {}, el("label", { for: "audit-from" }, "From (UTC)"), from),
      el("div", {}, el("label", { for: "audit-to" }, "Before (UTC)"), to)),
    el("p", {}, el("button", { type: "submit", class: "primary", id: "audit-run" }, "Show entries")),
    status);
  const table = el("table", { class: "grid", "aria-label": "Audit entries, newest first" },
    el("thead", {}, el("tr", {}, ...["Seq", "When", "Who", "Action", "Case | offence | justification",
      "Outcome", "Results"].map((name) => el("th", { scope: "col" }, name)))),
    rows);
  const integrity = el("section", { class: "card", "aria-labelledby": "audit-verify-title",
    hidden: !api.may(me, "verify_audit") },
    el("h2", { id: "audit-verify-title" }, "Integrity"),
    el("p", { class: "meta" }, "Recomputes the hash chain and checks the signed checkpoints."),
    verify, verifyStatus);
  form.hidden = !reading;
  parent.append(
    el("h1", { class: "panel-title" }, "Audit log"),
    el("div", { class: "cards" }, form, integrity),
    el("div", { hidden: !reading }, table, el("p", { class: "row pager" }, newest, older)));

  let before: number | null = null;
  let nextBefore: number | null = null;
  const filter = (): api.AuditFilter => ({
    user: user.value, caseRef: caseRef.value, action: action.value,
    from: from.value ? `${from.value}T00:00:00Z` : null,
    to: to.value ? `${to.value}T00:00:00Z` : null,
  });
  const load = async () => {
    setStatus(status, "Loading...");
    try {
      const page = await api.audit(filter(), before, PAGE);
      nextBefore = page.next_before ?? null;
      rows.replaceChildren(...page.entries.map(entryRow));
      older.disabled = nextBefore === null;
      newest.disabled = before === null;
      setStatus(status, page.n_entries
        ? `Entries ${page.entries[0].seq} to ${page.entries[page.n_entries - 1].seq}` +
          (nextBefore === null ? " (the oldest that match)" : "")
        : "No entries match.");
    } catch (error) {
      setStatus(status, refusal(error, "read the audit log"), "error");
    }
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    before = null;
    void load();
  });
  older.addEventListener("click", () => { if (nextBefore !== null) { before = nextBefore; void load(); } });
  newest.addEventListener("click", () => { before = null; void load(); });
  verify.addEventListener("click", async () => {
    setStatus(verifyStatus, "Verifying...");
    try {
      const answer = await api.verifyAudit();
      if (answer.ok && answer.report) {
        const tail = answer.report.n_unsigned_tail
          ? `; the last ${answer.report.n_unsigned_tail} not yet under a signed checkpoint` : "";
        setStatus(verifyStatus, `Chain OK: ${answer.report.n_entries} entries; ` +
          `signed checkpoints: ${answer.report.n_checkpoints}${tail}`);
        verifyStatus.classList.add("ok");
      } else {
        const where = answer.violation
          ? ` (${answer.violation.kind}${answer.violation.line ? ` at line ${answer.violation.line}` : ""}` +
            `${answer.violation.seq ? `, seq ${answer.violation.seq}` : ""})` : "";
        setStatus(verifyStatus, `Chain FAILED: ${answer.message ?? "unknown problem"}${where}`, "error");
      }
    } catch (error) {
      setStatus(verifyStatus, refusal(error, "verify the audit log"), "error");
    }
  });
  return () => { if (reading) void load(); };
}

function entryRow(entry: api.AuditEntry): HTMLElement {
  const why = entry.case_ref
    ? el("td", {}, `${entry.case_ref} | ${(entry.offence ?? "").replace(/_/g, " ")}`,
      el("div", { class: "meta" }, entry.justification ?? ""))
    : el("td", { class: "meta" }, "-");
  return el("tr", { "data-seq": String(entry.seq), "data-action": entry.action },
    el("td", {}, String(entry.seq)),
    el("td", {}, formatTs(entry.time)),
    el("td", {}, entry.user, el("div", { class: "meta" }, `${entry.role}, ${entry.agency}`)),
    el("td", {}, entry.action.replace(/_/g, " ")),
    why,
    el("td", { class: `outcome ${entry.outcome}` }, entry.outcome),
    el("td", {}, String(entry.n_results)));
}
