// End-to-end tests of the web UI in headless Chromium (Debian's, driven by playwright-core)
// against the real `corridor` binary serving a small simulator scenario.
// scripts/ui-e2e.sh prepares the data and the server and passes everything in the environment.

import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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
const CORRIDOR_BIN = env("CORRIDOR_BIN");
// A second server with the demo's data (`corridor demo`'s scenario), for the first-screen timing.
const DEMO_URL = env("CORRIDOR_DEMO_URL");
const DEMO_ANALYST = env("CORRIDOR_DEMO_ANALYST_TOKEN");
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
// The basemap is offline: every request the app makes goes to the server under test.
const offOriginRequests = [];
page.on("request", (request) => {
  const url = request.url();
  if (!url.startsWith(BASE + "/") && !url.startsWith("data:") && !url.startsWith("blob:")) offOriginRequests.push(url);
});
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
  const who = await page.textContent("#who");
  if (!who.includes("ana") || !who.includes("analyst")) throw new Error(`signed in as: ${who}`);
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

/**
 * Opens the app of the server at `base` in a fresh context (cold cache) as a signed-in user
 * (the token already in the tab's sessionStorage, as after a reload) and answers the
 * navigation timing and the page's own marks, in ms from navigation start.
 */
async function timedFirstScreen(base, token) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    await context.addInitScript((value) => sessionStorage.setItem("corridor.token", value), token);
    const timed = await context.newPage();
    timed.setDefaultTimeout(STEP_MS);
    const cdp = await context.newCDPSession(timed);
    await cdp.send("Performance.enable");
    await timed.goto(base + "/", { waitUntil: "load" });
    await timed.waitForSelector("body[data-ready=true]");
    const marks = await timed.evaluate(() => {
      const [navigation] = performance.getEntriesByType("navigation");
      const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
      return {
        dom_content_loaded_ms: navigation.domContentLoadedEventEnd,
        load_ms: navigation.loadEventEnd,
        cameras_fetched_ms: at("corridor:cameras"),
        map_loaded_ms: at("corridor:map-loaded"),
        ready_ms: at("corridor:ready"),
        n_cameras: Number(document.getElementById("map")?.dataset.cameras ?? NaN),
      };
    });
    // The DevTools protocol's own clock: script and layout time the page spent.
    const { metrics } = await cdp.send("Performance.getMetrics");
    const metric = (name) => metrics.find((entry) => entry.name === name)?.value ?? NaN;
    return { ...marks, script_ms: metric("ScriptDuration") * 1000, layout_ms: metric("LayoutDuration") * 1000 };
  } finally {
    await context.close();
  }
}

await test("basemap_draws_the_road_corridors", async () => {
  // The roads come bundled with the app (web/src/roads.json): drawn with nothing fetched.
  await page.waitForSelector("#map[data-roads]");
  const { n_roads, classes } = await page.evaluate(() => {
    const map = document.getElementById("map");
    return { n_roads: Number(map.dataset.roads), classes: map.dataset.roadClasses };
  });
  if (!(n_roads >= 20)) throw new Error(`${n_roads} road features drawn`);
  if (classes !== "coastal crossing motorway trunk") throw new Error(`road classes drawn: ${classes}`);
  if (offOriginRequests.length) throw new Error(`fetched from elsewhere: ${offOriginRequests.join(", ")}`);
  await page.screenshot({ path: join(OUT, "map.png") });
});

let firstScreenRuns = [];
await test("first_screen_of_a_signed_in_analyst_is_timed_on_the_demo_data", async () => {
  // Figures only, never asserted (docs/ui.md): five cold loads of the map screen.
  for (let run = 0; run < 5; run += 1) firstScreenRuns.push(await timedFirstScreen(DEMO_URL, DEMO_ANALYST));
  const ready = firstScreenRuns.map((run) => Math.round(run.ready_ms));
  const median = [...ready].sort((a, b) => a - b)[Math.floor(ready.length / 2)];
  const cameras = firstScreenRuns[0].n_cameras;
  console.log(`first screen on the demo data (${cameras} cameras; navigation start to the map with ` +
    `its cameras drawn), ms: ${ready.join(", ")}; median ${median}`);
  if (!ready.every((ms) => ms > 0)) throw new Error(`no corridor:ready mark: ${JSON.stringify(firstScreenRuns)}`);
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
  // While it runs, the status shows the elapsed time and a progress bar.
  await page.waitForSelector("#analysis-status[aria-busy=true] progress");
  await page.waitForSelector("#analysis-status:not([aria-busy])");
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
  // Hotlists are kept by operators, analysts and supervisors (the safeguards matrix).
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
      "IM07RTX,GB,wanted,observe; do not stop,NCA,,national\n") });
  await page.click("#hotlist-import");
  await page.waitForSelector("#hotlist-import-status:has-text('Imported 1 entries')");
  await page.waitForSelector("#hotlist-rows tr:has-text('IM07RTX')");
  await page.screenshot({ path: join(OUT, "hotlist.png") });
  await page.click(`#hotlist-rows tr:has-text('${plate}') button.expire`);
  await page.waitForSelector(`#hotlist-rows tr.inactive:has-text('${plate}')`);
});

/** The versions of a hotlist entry, through the API. */
async function versionsOf(entryId) {
  const response = await fetch(`${BASE}/api/v1/hotlist/${entryId}/versions`,
    { headers: { Authorization: `Bearer ${ANALYST}` } });
  if (!response.ok) throw new Error(`versions of ${entryId}: ${response.status}`);
  return (await response.json()).entries;
}

await test("hotlist_entry_is_edited_by_keyboard_and_its_versions_are_listed", async () => {
  const row = "#hotlist-rows tr:has-text('IM07RTX')";
  const entryId = Number(await page.getAttribute(row, "data-entry-id"));
  await page.click(`${row} button.edit`);
  await page.waitForSelector("#hotlist-edit:not([hidden])");
  if (await page.inputValue("#edit-plate") !== "IM07RTX") throw new Error("the editor holds another entry");
  if (await page.evaluate(() => document.activeElement?.id) !== "edit-plate") throw new Error("focus is not in the editor");
  await page.waitForSelector("#hotlist-versions tr[data-version='1']");
  await page.selectOption("#edit-reason", "intelligence");
  await page.fill("#edit-expires", "2032-06-30T12:00");
  await page.fill("#edit-handling", "stop and search; e2e edit");
  // Keyboard only: submit from the handling field.
  await page.focus("#edit-handling");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#hotlist-edit-status.ok:has-text('Saved version 2')");
  await page.waitForSelector("#hotlist-versions tr[data-version='2']");
  const versions = await page.locator("#hotlist-versions tr").allTextContents();
  if (versions.length !== 2 || !versions[0].includes("created") || !versions[1].includes("updated")
    || !versions[1].includes("e2e edit") || !versions[1].includes("2032-06-30 12:00")) {
    throw new Error(`versions: ${versions.join(" / ")}`);
  }
  await page.waitForSelector(`${row}:has-text('updated (v2)')`);
  const stored = await versionsOf(entryId);
  if (stored[1].agency !== "NCA" || stored[1].reason !== "intelligence") {
    throw new Error(`the edit changed the agency or lost the reason: ${JSON.stringify(stored[1])}`);
  }
  await page.screenshot({ path: join(OUT, "hotlist-edit.png") });
  await page.keyboard.press("Escape");
  await page.waitForSelector("#hotlist-edit", { state: "hidden" });
  // Focus goes back to the edit button of the entry's (reloaded) row.
  const focused = await page.evaluate(() => {
    const active = document.activeElement;
    return active?.classList.contains("edit") ? active.closest("tr")?.dataset.entryId : null;
  });
  if (Number(focused) !== entryId) throw new Error(`focus after closing the editor: ${focused}`);
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

/** Waits until `on` shows request `approvalId` in its Approvals tab; answers its selector. */
async function approvalItem(on, approvalId) {
  await on.click("#tab-approvals");
  const item = `#approvals li[data-approval-id="${approvalId}"]`;
  await on.waitForSelector(item);
  return item;
}

/** A supervisor (a second browser context) approves `approvalId` with a note. */
async function supervisorApproves(approvalId) {
  const supervisor = await signedIn(SUPERVISOR);
  try {
    const item = await approvalItem(supervisor, approvalId);
    await supervisor.fill(`${item} .decision-note`, "linked to the Coquelles network; e2e test");
    await supervisor.click(`${item} button.approve`);
    await supervisor.waitForSelector(`#approvals li.approved[data-approval-id="${approvalId}"]`);
  } finally {
    await supervisor.context().close();
  }
}

const longAgo = () => new Date(Date.now() - 200 * 86_400_000).toISOString().slice(0, 10);

await test("an_analysis_over_scope_is_approved_and_run_from_the_approvals_tab", async () => {
  await page.click("#tab-map");
  await page.fill("#analysis-seeds", SEED);
  await page.fill("#analysis-from", longAgo());
  await page.click("#analysis-run");
  await page.waitForSelector("#analysis-status.pending:has-text('Waiting for a supervisor')");
  const approvalId = /req-[0-9a-f]+/.exec(await page.textContent("#analysis-status"))?.[0];
  if (!approvalId) throw new Error("no approval id");
  // The requester sees the request but may not decide it.
  const own = await approvalItem(page, approvalId);
  if (await page.locator(`${own} button.approve`).count() !== 0) throw new Error("an approve button for one's own request");
  await supervisorApproves(approvalId);
  await page.click("#approvals-refresh");
  await page.click(`#approvals li.approved[data-approval-id="${approvalId}"] button.run`);
  await page.waitForSelector("#tab-map[aria-selected=true]");
  await page.waitForSelector("#analysis-status:not([aria-busy]):has-text('reads analysed')");
  if (!(Number(await page.getAttribute("#map", "data-hubs")) >= 1)) throw new Error("the approved analysis drew no hubs");
});

/** Unpacks a downloaded bundle and verifies it with the real binary; answers its report. */
function verifyBundle(tarPath) {
  const dir = mkdtempSync(join(tmpdir(), "corridor-bundle-"));
  execFileSync("tar", ["xf", tarPath, "-C", dir]);
  const [bundle] = execFileSync("ls", [dir], { encoding: "utf8" }).trim().split("\n");
  return execFileSync(CORRIDOR_BIN, ["evidence", "verify", join(dir, bundle)], { encoding: "utf8" });
}

await test("evidence_bundle_downloads_and_verifies_and_one_over_scope_waits_for_approval", async () => {
  await page.click("#tab-map");
  await page.fill("#evidence-plates", SEED);
  await page.fill("#evidence-from", FROM_DATE);
  const [file] = await Promise.all([page.waitForEvent("download"), page.click("#evidence-run")]);
  const path = join(OUT, file.suggestedFilename());
  await file.saveAs(path);
  if (!/^evidence-OP-TIDE-2026-0042\.tar$/.test(file.suggestedFilename())) throw new Error(file.suggestedFilename());
  await page.waitForSelector("#evidence-status.ok:has-text('Saved')");
  const verified = verifyBundle(path);
  if (!verified.includes("bundle OK") || !verified.includes("reproduced: analysis")) throw new Error(verified);
  await page.screenshot({ path: join(OUT, "evidence.png") });
  // Over scope: it waits; once a supervisor approves, the analyst runs it from the form.
  await page.fill("#evidence-from", longAgo());
  await page.click("#evidence-run");
  await page.waitForSelector("#evidence-status.pending:has-text('Waiting for a supervisor')");
  const approvalId = /req-[0-9a-f]+/.exec(await page.textContent("#evidence-status"))?.[0];
  await supervisorApproves(approvalId);
  const [approved] = await Promise.all([page.waitForEvent("download"), page.click("#evidence-run-approved")]);
  const approvedPath = join(OUT, `approved-${approved.suggestedFilename()}`);
  await approved.saveAs(approvedPath);
  if (!verifyBundle(approvedPath).includes("bundle OK")) throw new Error("the approved bundle does not verify");
});

/** The labels of the tabs `on` shows. */
const tabLabels = (on) => on.locator("[role=tab]").allTextContents();

await test("each_role_sees_only_what_it_may_use", async () => {
  const expect = (what, actual, expected) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      throw new Error(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    }
  };
  expect("analyst's tabs", await tabLabels(page), ["Map", "Hotlist", "Approvals"]);
  const roles = [
    [OPERATOR, ["Map", "Hotlist"], { search: 0, alerts: 1, verify: 0, note: 1 }],
    [SUPERVISOR, ["Map", "Hotlist", "Approvals", "Audit"], { search: 1, alerts: 1, verify: 0, note: 0 }],
    [AUDITOR, ["Map", "Audit"], { search: 0, alerts: 0, verify: 1, note: 1 }],
  ];
  for (const [token, tabs, shown] of roles) {
    const other = await signedIn(token);
    try {
      const who = await other.textContent("#who");
      expect(`${who}'s tabs`, await tabLabels(other), tabs);
      const count = (selector) => other.locator(selector).count();
      expect(`${who}'s search, alerts, note`,
        [await count("#search-plate"), await count("#alerts-live"), await count("#role-note")],
        [shown.search, shown.alerts, shown.note]);
      if (tabs.includes("Audit")) {
        await other.click("#tab-audit");
        expect(`${who}'s verify button`, await other.locator("#audit-verify:visible").count(), shown.verify);
      }
      if (token === OPERATOR) await other.screenshot({ path: join(OUT, "operator.png") });
    } finally {
      await other.context().close();
    }
  }
});

await browser.close();
const summary = { results, load: loadFigures, first_screen_runs: firstScreenRuns, console_errors: consoleErrors };
writeFileSync(join(OUT, "results.json"), JSON.stringify(summary, null, 2));
console.log(`load: ${JSON.stringify(loadFigures)}`);
console.log(`first screen runs: ${JSON.stringify(firstScreenRuns)}`);
if (consoleErrors.length) console.log(`browser console errors:\n  ${consoleErrors.join("\n  ")}`);
const failed = results.filter((result) => !result.ok);
console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
