// The HTTP API as the UI uses it: the token from sessionStorage on every call, the purpose
// headers on searches and analyses, and the alert stream read with fetch (EventSource cannot
// send an Authorization header, and a token in a URL would end up in logs).

const TOKEN_KEY = "corridor.token";

export interface Camera {
  camera_id: string;
  name: string;
  lat: number;
  lon: number;
  kind: "fixed" | "mobile" | "covert";
  country?: string;
  operator?: string;
}

export interface HistoryRead {
  read_id: string;
  plate: string;
  country?: string;
  camera_id: string;
  ts: string;
  confidence?: number;
  likelihood?: number;
  make?: string;
  model?: string;
  colour?: string;
}

export interface History {
  mode: string;
  plate: string;
  n_reads: number;
  truncated: boolean;
  reads: HistoryRead[];
}

export interface Purpose {
  caseRef: string;
  offence: string;
  justification: string;
}

export interface CitedRead {
  read_id: string;
  plate: string;
  camera_id: string;
  ts: string;
}

export interface Hub {
  lat: number;
  lon: number;
  radius_m: number;
  score: number;
  plates: string[];
  read_ids: string[];
}
export interface RouteFinding {
  cameras: string[];
  plates: string[];
  trips: number;
  score: number;
  read_ids: string[];
}
export interface Convoy {
  plates: string[];
  occasions: number;
  cameras: string[];
  score: number;
  read_ids: string[];
}
export interface CloneFinding {
  plate: string;
  kind: string;
  plates: string[];
  score: number;
  read_ids: string[];
  tracks: string[][];
}
export interface Report {
  n_reads: number;
  seeds: string[];
  seeds_unseen: string[];
  hubs: Hub[];
  routes: RouteFinding[];
  convoys: Convoy[];
  clones: CloneFinding[];
  reads: Record<string, CitedRead>;
}

export interface Pending {
  status: "pending";
  approval_id: string;
  reasons: string[];
}

export interface Approval {
  status: "pending" | "approved" | "denied" | "executed";
  approval_id: string;
  requester: string;
  action: string;
  case_ref: string;
  offence: string;
  justification: string;
  scope: { plates: string[]; from?: string; to?: string };
  created: string;
  reasons: string[];
  decided_by?: string;
}

export interface HotlistEntry {
  entry_id: number;
  version: number;
  plate: string;
  country: string;
  reason: string;
  handling: string;
  agency: string;
  expires_at: string | null;
  sharing: string;
  change: "created" | "updated" | "expired" | "deleted";
  changed_at: string;
  changed_by: string;
}

export interface HotlistEntryIn {
  plate: string;
  country: string;
  reason: string;
  handling: string;
  /** The owning agency; the server takes the caller's when absent. */
  agency?: string;
  expires_at?: string;
  sharing: string;
}

/** The signed-in user and every action the role may perform (the server's matrix). */
export interface Me {
  user: string;
  role: string;
  agency: string;
  agreement: string | null;
  actions: string[];
}

/** A downloaded file: its name and contents. */
export interface Download {
  fileName: string;
  blob: Blob;
}

export interface AuditEntry {
  seq: number;
  time: string;
  user: string;
  role: string;
  agency: string;
  action: string;
  case_ref?: string;
  offence?: string;
  justification?: string;
  what: unknown;
  outcome: string;
  n_results: number;
  entry_hash: string;
}

export interface AuditPage {
  n_entries: number;
  next_before?: number;
  entries: AuditEntry[];
}

export interface AuditFilter {
  user: string;
  caseRef: string;
  action: string;
  from: string | null;
  to: string | null;
}

export interface AuditVerification {
  ok: boolean;
  report?: { n_entries: number; n_checkpoints: number; head_hash: string; n_unsigned_tail: number };
  violation?: { kind: string; line?: number; seq?: number };
  message?: string;
}

export interface Alert {
  alert_id: string;
  seq: number;
  plate: string;
  country?: string;
  camera_id: string;
  read_id: string;
  read_ts: number;
  trigger: { type: string };
  watch?: { reason?: string };
}

/** An answer the API refused, with its JSON error body. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly reasons: string[],
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token.get() ?? ""}`);
  const response = await fetch(path, { ...init, headers });
  if (response.status >= 400) {
    let code = "http_" + response.status;
    let message = response.statusText;
    let reasons: string[] = [];
    let field: string | null = null;
    try {
      const body = await response.json();
      code = body.error?.code ?? code;
      message = body.error?.message ?? message;
      reasons = body.error?.reasons ?? [];
      field = body.error?.field ?? null;
    } catch {
      // Not JSON: keep the status line.
    }
    throw new ApiFailure(response.status, code, message, reasons, field);
  }
  return response;
}

function purposeHeaders(purpose: Purpose): Record<string, string> {
  const headers: Record<string, string> = {};
  if (purpose.caseRef.trim()) headers["X-Corridor-Case"] = purpose.caseRef.trim();
  if (purpose.offence.trim()) headers["X-Corridor-Offence"] = purpose.offence.trim();
  if (purpose.justification.trim())
    headers["X-Corridor-Justification"] = purpose.justification.trim();
  return headers;
}

export async function me(): Promise<Me> {
  return (await call("/api/v1/me")).json();
}

export async function cameras(): Promise<Camera[]> {
  const body = await (await call("/api/v1/cameras")).json();
  return body.cameras;
}

export async function history(
  plate: string,
  mode: string,
  from: string | null,
  purpose: Purpose,
): Promise<History | Pending> {
  const params = new URLSearchParams({ plate, mode });
  if (from) params.set("from", from);
  const response = await call(`/api/v1/history?${params}`, { headers: purposeHeaders(purpose) });
  return response.json();
}

export async function analyse(
  seeds: string[],
  from: string | null,
  purpose: Purpose,
): Promise<Report | Pending> {
  const response = await call("/api/v1/analyses", {
    method: "POST",
    headers: { "content-type": "application/json", ...purposeHeaders(purpose) },
    body: JSON.stringify(from ? { seeds, from } : { seeds }),
  });
  return response.json();
}

export async function approvals(): Promise<Approval[]> {
  const body = await (await call("/api/v1/approvals")).json();
  return body.approvals;
}

export async function decide(approvalId: string, decision: "approve" | "deny", note: string): Promise<Approval> {
  const response = await call(`/api/v1/approvals/${encodeURIComponent(approvalId)}/decision`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ decision, note }),
  });
  return response.json();
}

/** Runs an approved request once; answered as the route that asked would have answered. */
async function runApprovedResponse(approvalId: string): Promise<Response> {
  return call(`/api/v1/approvals/${encodeURIComponent(approvalId)}/run`, { method: "POST" });
}

/** Runs an approved search once; its answer is the history. */
export async function runApproved(approvalId: string): Promise<History> {
  return (await runApprovedResponse(approvalId)).json();
}

/** Runs an approved analysis once; its answer is the report. */
export async function runApprovedAnalysis(approvalId: string): Promise<Report> {
  return (await runApprovedResponse(approvalId)).json();
}

/** Runs an approved evidence export once; its answer is the bundle. */
export async function runApprovedExport(approvalId: string): Promise<Download> {
  return download(await runApprovedResponse(approvalId), "evidence.tar");
}

/**
 * Asks for the signed evidence bundle of a case (the purpose names the case): the bundle as
 * a tar file, or the approval it waits on.
 */
export async function exportEvidence(
  plates: string[],
  from: string | null,
  analyse: boolean,
  purpose: Purpose,
): Promise<Download | Pending> {
  const body: Record<string, unknown> = { plates, analyse };
  if (from) body.from = from;
  const response = await call("/api/v1/evidence", {
    method: "POST",
    headers: { "content-type": "application/json", ...purposeHeaders(purpose) },
    body: JSON.stringify(body),
  });
  return response.status === 202 ? response.json() : download(response, "evidence.tar");
}

/** A file answer: its name from `Content-Disposition` (else `fallback`) and its bytes. */
async function download(response: Response, fallback: string): Promise<Download> {
  const disposition = response.headers.get("content-disposition") ?? "";
  const fileName = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallback;
  return { fileName, blob: await response.blob() };
}

/** One page of hotlist entries by id: those after `after`. */
export async function hotlist(after: number | null, limit: number): Promise<HotlistEntry[]> {
  const params = new URLSearchParams({ limit: String(limit) });
  if (after !== null) params.set("after", String(after));
  const body = await (await call(`/api/v1/hotlist?${params}`)).json();
  return body.entries;
}

export async function createHotlistEntry(entry: HotlistEntryIn): Promise<HotlistEntry> {
  const response = await call("/api/v1/hotlist", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(entry),
  });
  return response.json();
}

/** Replaces an entry's fields: a new version of it. */
export async function updateHotlistEntry(entryId: number, entry: HotlistEntryIn): Promise<HotlistEntry> {
  const response = await call(`/api/v1/hotlist/${entryId}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(entry),
  });
  return response.json();
}

/** Every version of an entry, oldest first. */
export async function hotlistVersions(entryId: number): Promise<HotlistEntry[]> {
  return (await (await call(`/api/v1/hotlist/${entryId}/versions`)).json()).entries;
}

export async function changeHotlistEntry(entryId: number, change: "expire" | "delete"): Promise<HotlistEntry> {
  const path = `/api/v1/hotlist/${entryId}`;
  const response = change === "expire"
    ? await call(`${path}/expire`, { method: "POST" })
    : await call(path, { method: "DELETE" });
  return response.json();
}

/** Imports a CSV file (all or nothing); answers the created entries. */
export async function importHotlist(csv: string): Promise<HotlistEntry[]> {
  const response = await call("/api/v1/hotlist/import", {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: csv,
  });
  return (await response.json()).entries;
}

/** One page of the audit log, newest first: entries older than `before`. */
export async function audit(filter: AuditFilter, before: number | null, limit: number): Promise<AuditPage> {
  const params = new URLSearchParams({ limit: String(limit) });
  if (filter.user.trim()) params.set("user", filter.user.trim());
  if (filter.caseRef.trim()) params.set("case", filter.caseRef.trim());
  if (filter.action.trim()) params.set("action", filter.action.trim());
  if (filter.from) params.set("from", filter.from);
  if (filter.to) params.set("to", filter.to);
  if (before !== null) params.set("before", String(before));
  return (await call(`/api/v1/audit?${params}`)).json();
}

export async function verifyAudit(): Promise<AuditVerification> {
  return (await call("/api/v1/audit/verify")).json();
}

export async function acknowledge(alertId: string, outcome: string): Promise<void> {
  await call(`/api/v1/alerts/${encodeURIComponent(alertId)}/ack`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ outcome }),
  });
}

/** Reads the live alert stream until `signal` aborts, resuming after the last seen alert. */
export async function streamAlerts(
  onAlert: (alert: Alert) => void,
  onState: (connected: boolean, refusal?: string) => void,
  signal: AbortSignal,
): Promise<void> {
  let lastId: string | null = null;
  while (!signal.aborted) {
    try {
      const headers: Record<string, string> = { Accept: "text/event-stream" };
      if (lastId !== null) headers["Last-Event-ID"] = lastId;
      const response = await call("/api/v1/alerts/stream", { headers, signal });
      onState(true);
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const event = parseEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (event.name === "alert" && event.data) {
            if (event.id !== null) lastId = event.id;
            onAlert(JSON.parse(event.data));
          }
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiFailure && error.status < 500) {
        onState(false, error.message);
        return;
      }
    }
    onState(false);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

function parseEvent(block: string): { name: string; id: string | null; data: string } {
  let name = "message";
  let id: string | null = null;
  const data: string[] = [];
  for (const line of block.split("\n")) {
    const colon = line.indexOf(":");
    if (colon === 0) continue;
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") name = value;
    else if (field === "id") id = value;
    else if (field === "data") data.push(value);
  }
  return { name, id, data: data.join("\n") };
}

export function isPending(body: object): body is Pending {
  return (body as Pending).status === "pending";
}

/** A failure as the status line says it: the API's code, message and reasons. */
export function describe(error: unknown): string {
  if (error instanceof ApiFailure) {
    const reasons = error.reasons.length ? `: ${error.reasons.join("; ")}` : "";
    return `Refused (${error.code}) ${error.message}${reasons}`;
  }
  return String(error);
}

/** Whether the signed-in role may perform any of `actions`. */
export function may(me: Me, ...actions: string[]): boolean {
  return actions.some((action) => me.actions.includes(action));
}
