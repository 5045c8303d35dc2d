// Opens pages in one headless Chromium, one after another, and keeps what tests/timeline_test.cpp
// checks: the DOM once the page has loaded (its test driver, run inline at load, writes what it saw
// on <body>), or a screenshot of the window. One browser for every page: starting Chromium takes
// about 2 s, so a browser per page was most of the test's time.
//   node timeline_pages.js JOBS.json CHROMIUM SCRATCH_DIR
// JOBS.json: [{"url": "file:///...", "dom": "OUT.html"} or {"url": ..., "screenshot": "OUT.png"}]
// Exit status: 0 when every page loaded and its output was written, 1 otherwise (the test then
// reports each missing output).
'use strict';

const fs = require('fs');
const { Browser, Page, sleep } = require('./devtools_pipe.js');

const [jobsPath, chromium, scratch] = process.argv.slice(2, 5);
const WIDTH = 1600, HEIGHT = 900;

async function main() {
  const jobs = JSON.parse(fs.readFileSync(jobsPath, 'utf8'));
  const browser = new Browser(chromium, scratch, `${WIDTH},${HEIGHT}`);
  let failed = 0;
  try {
    const page = await Page.open(browser);
    await page.send('Emulation.setDeviceMetricsOverride',
                    { width: WIDTH, height: HEIGHT, deviceScaleFactor: 1, mobile: false });
    for (const job of jobs) {
      try {
        await page.goto(job.url);
        // Loaded: the page's own code and the driver after it have run (both synchronously).
        const until = Date.now() + 120000;
        let state = false;
        // (goto passes through about:blank, which is itself 'complete'.)
        const loaded = "location.href !== 'about:blank' && document.readyState === 'complete'";
        while (Date.now() < until && !(state = await page.eval(loaded))) await sleep(20);
        if (!state) throw new Error('not loaded after 120 s');
        // Two animation frames: whatever the page scheduled for its first frame is drawn.
        await page.eval('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
        if (job.dom) fs.writeFileSync(job.dom, await page.eval('document.documentElement.outerHTML'));
        if (job.screenshot) {
          const shot = await page.send('Page.captureScreenshot', { format: 'png' });
          fs.writeFileSync(job.screenshot, Buffer.from(shot.data, 'base64'));
        }
      } catch (e) {
        failed++;
        console.error(`${job.url}: ${e.message}`);
      }
    }
  } finally {
    await browser.close();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
