// End-to-end tests of the web UI in headless Chromium (Debian's, driven by playwright-core)
// against the real `corridor` binary serving a small simulator scenario.
// scripts/ui-e2e.sh prepares the data and the server and passes everything in the environment.

import { chromium } from "playwright-core";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
};
const BASE = env("CORRIDOR_URL");
const ANALYST = env("CORRIDOR_ANALYST_TOKEN");
const OPERATOR = env("CORRIDOR_OPERATOR_TOKEN");
const SUPERVISOR = env("CORRIDOR_SUPERVISOR_TOKEN");
const AUDITOR = env("CORRIDOR_AUDITOR_TOKEN");
const SEED = env("CORRIDOR_SEED_PLATE");
const SEED_COUNTRY = env("CORRIDOR_SEED_COUNTRY");
const FROM_DATE = env("CORRIDOR_FROM_DATE");
const CAMERA = env("CORRIDOR_CAMERA_ID");
const OUT = env("CORRIDOR_E2E_OUT");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const STEP_MS = 60_000;

mkdirSync(OUT, { recursive: true });
const results = [];

async function test(name, body) {
  const started = Date.now();
  try {
    await body();
    results.push({ name, ok: true, ms: Date.now() - started });
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    results.push({ name, ok: false, ms: Date.now() - started, error: String(error) });
    console.log(`FAIL ${name}: ${error.stack ?? error}`);
    await page.screenshot({ path: join(OUT, `failed-${name}.png`) }).catch(() => {});
  }
}

async function api(path, token, body) {
  const response = await fetch(BASE + path, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-gl=swiftshader", "--enable-unsafe-swiftshader"],
});
const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
const page = await context.newPage();
page.setDefaultTimeout(STEP_MS);
const consoleErrors = [];
page.on("console", (message) => {
  if (message.type() === "error") consoleErrors.push(message.text());
});
page.on("pageerror", (error) => consoleErrors.push(String(error)));
let loadFigures = null;

await test("first_screen_loads_and_signs_in", async () => {
  // The first screen is the sign-in form: time it from navigation start (a cold cache).
  await page.goto(BASE + "/", { waitUntil: "load" });
  await page.waitForSelector("#token");
  const timing = await page.evaluate(() => {
    const [navigation] = performance.getEntriesByType("navigation");
    return { dom_content_loaded_ms: navigation.domContentLoadedEventEnd, load_ms: navigation.loadEventEnd };
  });
  await page.screenshot({ path: join(OUT, "signin.png") });
  // Then the map screen: from submitting the token to cameras drawn on the map.
  const signInStarted = Date.now();
  await page.fill("#token", ANALYST);
  await page.keyboard.press("Enter");
  await page.waitForSelector("body[data-ready=true]");
  await page.waitForSelector("#map[data-cameras]");
  const mapScreenMs = Date.now() - signInStarted;
  const marks = await page.evaluate(() => {
    const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
    const start = at("corridor:start");
    return {
      cameras_fetched_ms: at("corridor:cameras") - start,
      map_loaded_ms: at("corridor:map-loaded") - start,
      cameras_drawn_ms: at("corridor:ready") - start,
    };
  });
  // Figures only: tests never assert speed (docs/ui.md records them with the command).
  loadFigures = { ...timing, map_screen_after_sign_in_ms: mapScreenMs, ...marks };
});

await test("search_without_purpose_is_refused", async () => {
  await page.fill("#purpose-case", "");
  await page.selectOption("#purpose-offence", "");
  await page.fill("#purpose-justification", "");
  await page.fill("#search-plate", SEED);
  await page.click("#search-run");
  await page.waitForSelector("#search-status.error");
  const text = await page.textContent("#search-status");
  if (!text.includes("purpose_refused")) throw new Error(`status: ${text}`);
});

await test("search_seed_plate_draws_its_path", async () => {
  await page.fill("#purpose-case", "OP-TIDE/2026/0042");
  await page.selectOption("#purpose-offence", "people_smuggling");
  await page.fill("#purpose-justification", "seed vehicle of the Coquelles network, e2e test");
  await page.fill("#search-plate", SEED);
  await page.fill("#search-from", FROM_DATE);
  // Keyboard only: submit from the plate field.
  await page.focus("#search-plate");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => Number(document.getElementById("map")?.dataset.path ?? 0) > 1);
  const n_items = await page.locator("#timeline li").count();
  if (n_items < 2) throw new Error(`timeline has ${n_items} reads`);
  await page.waitForTimeout(500); // Let the map finish painting before the screenshot.
  await page.screenshot({ path: join(OUT, "search-path.png") });
});

await test("analysis_from_seed_draws_hubs", async () => {
  await page.fill("#analysis-seeds", SEED);
  await page.fill("#analysis-from", FROM_DATE);
  await page.click("#analysis-run");
  await page.waitForFunction(() => {
    const status = document.getElementById("analysis-status");
    return status && !status.classList.contains("pending");
  });
  const status = await page.textContent("#analysis-status");
  const n_hubs = Number(await page.getAttribute("#map", "data-hubs"));
  if (!(n_hubs >= 1)) throw new Error(`no hubs drawn; status: ${status}`);
  await page.click("#findings li:first-child button");
  await page.waitForSelector("#supporting-reads li");
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(OUT, "analysis-hubs.png") });
});

await test("alert_of_watched_vehicle_arrives_live_and_is_acknowledged", async () => {
  await page.waitForSelector("#alerts-live.on");
  const plate = "WA7CHED";
  await api("/api/v1/hotlist", ANALYST, {
    plate, country: "GB", reason: "smuggling", handling: "observe; do not stop",
    sharing: "national",
  });
  const read_id = `e2e-${Date.now()}`;
  await api("/api/v1/reads", OPERATOR, [{
    read_id, plate, country: "GB", camera_id: CAMERA, ts: new Date().toISOString(), confidence: 0.97,
  }]);
  await page.waitForSelector(`#alerts li.alert`);
  const text = await page.textContent("#alerts li.alert");
  if (!text.includes(plate)) throw new Error(`alert text: ${text}`);
  await page.click("#alerts li.alert button.ack");
  await page.waitForSelector("#alerts li.alert.acked");
  await page.screenshot({ path: join(OUT, "alert-live.png") });
});

/** A second signed-in tab of its own context (its own sessionStorage), for another role. */
async function signedIn(token) {
  const other = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  other.setDefaultTimeout(STEP_MS);
  other.on("pageerror", (error) => consoleErrors.push(String(error)));
  await other.goto(BASE + "/", { waitUntil: "load" });
  await other.fill("#token", token);
  await other.keyboard.press("Enter");
  await other.waitForSelector("body[data-ready=true]");
  return other;
}

/** Clicks a download button and returns the downloaded file's text. */
async function download(on, selector) {
  const [file] = await Promise.all([on.waitForEvent("download"), on.click(selector)]);
  const path = join(OUT, file.suggestedFilename());
  await file.saveAs(path);
  return { name: file.suggestedFilename(), text: readFileSync(path, "utf8") };
}

await test("hotlist_entry_is_added_imported_and_listed_and_a_bad_field_is_named", async () => {
  // Hotlists are managed by analysts and supervisors (the safeguards matrix), not operators.
  await page.click("#tab-hotlist");
  await page.waitForSelector("#hotlist-list-status:not(:empty)");
  const plate = "E2E12?X";
  await page.fill("#hotlist-plate", plate);
  await page.fill("#hotlist-country", "GBR");
  await page.selectOption("#hotlist-reason", "stolen");
  await page.fill("#hotlist-handling", "stop and check; e2e test");
  await page.click("#hotlist-add");
  await page.waitForSelector("#hotlist-status.error");
  const refusal = await page.textContent("#hotlist-status");
  if (!refusal.includes("country")) throw new Error(`status: ${refusal}`);
  if (await page.getAttribute("#hotlist-country", "aria-invalid") !== "true") throw new Error("country not marked");
  await page.fill("#hotlist-country", "any");
  await page.fill("#hotlist-expires", "2031-01-01T00:00");
  // Keyboard only: submit from the handling field.
  await page.focus("#hotlist-handling");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#hotlist-status:not(.error):has-text('Added entry')");
  await page.waitForSelector(`#hotlist-rows tr:has-text('${plate}')`);
  const row = await page.textContent(`#hotlist-rows tr:has-text('${plate}')`);
  if (!row.includes("stolen") || !row.includes("2031-01-01")) throw new Error(`row: ${row}`);
  // A CSV file through the file picker (all or nothing).
  await page.setInputFiles("#hotlist-file", { name: "watch.csv", mimeType: "text/csv",
    buffer: Buffer.from("plate,country,reason,handling,agency,expires_at,sharing\n" +
      "IM07RTX,GB,wanted,observe; do not stop,Kent Police,,national\n") });
  await page.click("#hotlist-import");
  await page.waitForSelector("#hotlist-import-status:has-text('Imported 1 entries')");
  await page.waitForSelector("#hotlist-rows tr:has-text('IM07RTX')");
  await page.screenshot({ path: join(OUT, "hotlist.png") });
  await page.click(`#hotlist-rows tr:has-text('${plate}') button.expire`);
  await page.waitForSelector(`#hotlist-rows tr.inactive:has-text('${plate}')`);
});

await test("exports_download_the_history_and_the_findings_as_geojson", async () => {
  await page.click("#tab-map");
  const history = await download(page, "#export-history-geojson");
  const geojson = JSON.parse(history.text);
  const points = geojson.features.filter((feature) => feature.geometry.type === "Point");
  const lines = geojson.features.filter((feature) => feature.geometry.type === "LineString");
  const n_reads = await page.locator("#timeline li").count();
  if (points.length !== n_reads) throw new Error(`${points.length} points for ${n_reads} reads`);
  if (lines.length !== 1 || lines[0].geometry.coordinates.length !== n_reads) {
    throw new Error(`path: ${JSON.stringify(lines.map((line) => line.geometry.coordinates.length))}`);
  }
  if (!points.every((feature) => feature.properties.plate === SEED)) throw new Error("a read of another plate");
  const csv = await download(page, "#export-history-csv");
  if (csv.text.trim().split("\n").length !== n_reads + 1) throw new Error(`csv: ${csv.text.slice(0, 200)}`);
  const findings = JSON.parse((await download(page, "#export-findings-geojson")).text);
  const hubs = findings.features.filter((feature) => feature.properties.finding === "hub");
  const n_hubs = Number(await page.getAttribute("#map", "data-hubs"));
  if (hubs.length !== n_hubs || !hubs.every((hub) => hub.properties.radius_m > 0)) {
    throw new Error(`${hubs.length} hubs exported, ${n_hubs} drawn`);
  }
  const graphml = await download(page, "#export-network-graphml");
  if (!graphml.text.includes("<graphml") || !graphml.text.includes(SEED)) throw new Error("graphml");
  writeFileSync(join(OUT, "exports.json"), JSON.stringify({ history: history.name, n_reads, n_hubs }, null, 2));
});

await test("supervisor_approves_a_pending_search_which_the_analyst_then_runs", async () => {
  // An over-scope search (200 days back) waits for a supervisor.
  const from = new Date(Date.now() - 200 * 86_400_000).toISOString().slice(0, 10);
  await page.fill("#search-plate", SEED);
  await page.fill("#search-from", from);
  await page.click("#search-run");
  await page.waitForSelector("#search-status.pending");
  const status = await page.textContent("#search-status");
  const approvalId = /req-[0-9a-f]+/.exec(status)?.[0];
  if (!approvalId) throw new Error(`status: ${status}`);
  const supervisor = await signedIn(SUPERVISOR);
  try {
    await supervisor.click("#tab-approvals");
    const item = `#approvals li[data-approval-id="${approvalId}"]`;
    await supervisor.waitForSelector(item);
    const text = await supervisor.textContent(item);
    for (const expected of ["ana", "OP-TIDE/2026/0042", SEED, "people smuggling"]) {
      if (!text.includes(expected)) throw new Error(`request shows no ${expected}: ${text}`);
    }
    await supervisor.screenshot({ path: join(OUT, "approvals.png") });
    await supervisor.fill(`${item} .decision-note`, "linked to the Coquelles network; e2e test");
    await supervisor.click(`${item} button.approve`);
    await supervisor.waitForSelector(`#approvals li.approved[data-approval-id="${approvalId}"]`);
  } finally {
    await supervisor.context().close();
  }
  // The requester runs it from the waiting message.
  await page.click("#search-run-approved");
  await page.waitForSelector("#search-status:not(.pending):not(.error):has-text('reads')");
  if (await page.locator("#timeline li").count() < 2) throw new Error("the approved search drew no path");
});

await test("auditor_sees_the_earlier_search_and_the_chain_verifies", async () => {
  // The analyst's own role may not read the audit log: the panel says why.
  await page.click("#tab-audit");
  await page.waitForSelector("#audit-status.error");
  const refusal = await page.textContent("#audit-status");
  if (!refusal.includes("may not")) throw new Error(`analyst's audit panel: ${refusal}`);
  await page.click("#tab-map");
  const auditor = await signedIn(AUDITOR);
  try {
    await auditor.click("#tab-audit");
    await auditor.fill("#audit-user", "ana");
    await auditor.selectOption("#audit-action", "read_history");
    await auditor.click("#audit-run");
    await auditor.waitForSelector("#audit-rows tr[data-action=read_history]");
    const rows = await auditor.locator("#audit-rows tr").allTextContents();
    if (!rows.some((row) => row.includes("OP-TIDE/2026/0042") && row.includes("ok"))) {
      throw new Error(`rows: ${rows.slice(0, 3).join(" / ")}`);
    }
    const seqs = await auditor.locator("#audit-rows tr").evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.seq)));
    if (!seqs.every((seq, index) => index === 0 || seqs[index - 1] > seq)) throw new Error(`not newest first: ${seqs}`);
    await auditor.click("#audit-verify");
    await auditor.waitForSelector("#audit-verify-status.ok");
    const verified = await auditor.textContent("#audit-verify-status");
    if (!verified.includes("Chain OK")) throw new Error(`verify: ${verified}`);
    await auditor.screenshot({ path: join(OUT, "audit.png") });
  } finally {
    await auditor.context().close();
  }
});

await browser.close();
const summary = { results, load: loadFigures, console_errors: consoleErrors };
writeFileSync(join(OUT, "results.json"), JSON.stringify(summary, null, 2));
console.log(`load: ${JSON.stringify(loadFigures)}`);
if (consoleErrors.length) console.log(`browser console errors:\n  ${consoleErrors.join("\n  ")}`);
const failed = results.filter((result) => !result.ok);
console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
