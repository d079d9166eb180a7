// End-to-end tests of the web UI in headless Chromium (Debian's, driven by playwright-core)
// against the real `corridor` binary serving a small simulator scenario.
// scripts/ui-e2e.sh prepares the data and the server and passes everything in the environment.

import { chromium } from "playwright-core";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
};
const BASE = env("CORRIDOR_URL");
const ANALYST = env("CORRIDOR_ANALYST_TOKEN");
const OPERATOR = env("CORRIDOR_OPERATOR_TOKEN");
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

await browser.close();
const summary = { results, load: loadFigures, console_errors: consoleErrors };
writeFileSync(join(OUT, "results.json"), JSON.stringify(summary, null, 2));
console.log(`load: ${JSON.stringify(loadFigures)}`);
if (consoleErrors.length) console.log(`browser console errors:\n  ${consoleErrors.join("\n  ")}`);
const failed = results.filter((result) => !result.ok);
console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
