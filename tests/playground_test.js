// The playground page (build/wasm/gilsim-playground.html) in headless Chromium, driven over the
// DevTools protocol on a pipe (--remote-debugging-pipe: no port, no npm package). It checks the
// contract of docs/playground.md against the native CLI:
//   - every workload: #output is byte for byte the CLI's stdout, and #errors + #summary its stderr
//     (`gilsim run NAME --engine sim ...` run in workloads/), under a few policies and options;
//   - a syntax error and a runtime error: the CLI's messages, the line marked in the editor;
//   - an endless loop is stopped by the time limit, and the page answers while it runs; Stop;
//   - bad input: a script over 1 MB, 10,000 threads, a million events;
//   - no network request at all; a screenshot of the timeline is not blank.
//
//   node playground_test.js PAGE GILSIM WORKLOADS_DIR OUTDIR [--chromium PATH] [--only NAME]
// Exit status: 0 passed, 1 failed.
'use strict';

const { spawn } = require('child_process');
const { Browser, Page, sleep } = require('./devtools_pipe.js');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const [pagePath, gilsimArg, workloadsDir, outDir] = process.argv.slice(2, 6);
const gilsim = path.resolve(gilsimArg);
const opt = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const only = opt('--only');
fs.mkdirSync(outDir, { recursive: true });

let failures = 0;
function check(ok, what, detail) {
  if (ok) {
    console.log(`ok    ${what}`);
  } else {
    failures++;
    console.log(`FAIL  ${what}${detail ? '\n' + detail : ''}`);
  }
}

function firstDifference(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `  differ at byte ${i}:\n  page: ${JSON.stringify(a.slice(Math.max(0, i - 40), i + 80))}\n` +
         `  cli:  ${JSON.stringify(b.slice(Math.max(0, i - 40), i + 80))}`;
}


function fileUrl(p) { return 'file://' + path.resolve(p).split('/').map(encodeURIComponent).join('/'); }
function b64url(text) { return Buffer.from(text, 'utf8').toString('base64url'); }

function pageUrl(code, params) {
  const q = new URLSearchParams();
  q.set('code', b64url(code));
  for (const [k, v] of Object.entries(params)) {
    if (k === 'D') v.forEach((d) => q.append('D', d));
    else q.set(k, String(v));
  }
  q.set('run', '1');
  return fileUrl(pagePath) + '#' + q.toString();
}

// The CLI's run for the same options, in `dir` (the summary names the script as given).
// The CLI's run, started at once and awaited later: sameAsCli runs it while the page runs (the test
// runs alone, RUN_SERIAL, so each has one of the machine's two cores), which takes about 40 s off
// the test.
function cliRun(dir, name, params) {
  const args = ['run', name, '--engine', 'sim', '--policy', params.policy || 'modern',
                '--cores', String(params.cores || 4), '--seed', String(params.seed || 1)];
  if (params.switch_interval) args.push('--switch-interval', params.switch_interval);
  if (params.check_interval) args.push('--check-interval', String(params.check_interval));
  if (params.quantum) args.push('--quantum', params.quantum);
  if (params.max_events) args.push('--max-events', String(params.max_events));
  (params.D || []).forEach((d) => args.push('-D', d));
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(gilsim, args, { cwd: dir });
    const out = [], err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('close', (status) => resolve({
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
      status,
      seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    }));
  });
}

async function pageRun(page, code, params, waitMs = 300000) {
  const started = await page.goto(pageUrl(code, params));
  const status = await page.settle(waitMs);
  return {
    status,
    ms: Date.now() - started,
    output: await page.text('output'),
    errors: await page.text('errors'),
    summary: await page.text('summary'),
    stats: await page.text('stats'),
  };
}

// Same as the CLI, byte for byte. `expectStatus` is 'done' or an 'error...' prefix.
async function sameAsCli(page, what, dir, name, params, expectStatus = 'done') {
  const code = fs.readFileSync(path.join(dir, name), 'utf8');
  const running = cliRun(dir, name, params);
  // The page's default time limit (10 s) is for people; the biggest workloads take longer on a
  // loaded 2-core machine.
  const got = await pageRun(page, code, Object.assign({ name, time_limit: 300 }, params));
  const cli = await running;
  check(got.status.startsWith(expectStatus), `${what}: #status '${got.status}' (${(got.ms / 1000).toFixed(1)} s; ${got.stats})`);
  check(got.output === cli.stdout, `${what}: #output is the CLI's stdout (${cli.stdout.length} bytes)`,
        firstDifference(got.output, cli.stdout));
  const stderr = got.errors + got.summary;
  check(stderr === cli.stderr && (expectStatus !== 'done' || got.summary.length > 0),
        `${what}: #errors + #summary are the CLI's stderr (${cli.stderr.length} bytes)`,
        firstDifference(stderr, cli.stderr));
  got.cliSeconds = cli.seconds;
  return got;
}

// The page's engine speed against the native CLI's on the same run: simulated bytecodes per
// second in the page (its own figure, engine time only) over the same count in the CLI's host
// time (process start and compiling included: a little in its disfavour). Runs of fewer than
// 50 M bytecodes are too short to time.
function speedRatio(got) {
  const m = /([0-9]+) bytecodes in ([0-9.]+) s/.exec(got.stats || '');
  if (!m || Number(m[1]) < 50e6 || !(got.cliSeconds > 0)) return null;
  const page = Number(m[1]) / Number(m[2]), native = Number(m[1]) / got.cliSeconds;
  return { page, native, ratio: page / native };
}

// --- a PNG's pixels, enough to tell a drawn timeline from a blank one ---------------------------
function pngColours(png, box) {
  let pos = 8, width = 0, height = 0, type = 0;
  const idat = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const kind = png.toString('ascii', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (kind === 'IHDR') { width = data.readUInt32BE(0); height = data.readUInt32BE(4); type = data[9]; }
    if (kind === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const bpp = type === 6 ? 4 : 3;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const px = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= bpp ? px[y * stride + x - bpp] : 0;
      const b = y > 0 ? px[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? px[(y - 1) * stride + x - bpp] : 0;
      let p = v;
      if (f === 1) p = v + a;
      else if (f === 2) p = v + b;
      else if (f === 3) p = v + ((a + b) >> 1);
      else if (f === 4) {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        p = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
      px[y * stride + x] = p & 255;
    }
  }
  const colours = new Map();
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * stride + x * bpp;
      const key = (px[i] << 16) | (px[i + 1] << 8) | px[i + 2];
      colours.set(key, (colours.get(key) || 0) + 1);
    }
  return { width, height, colours };
}

async function main() {
  const chromium = opt('--chromium') || 'chromium';
  const size = fs.statSync(pagePath).size;
  check(size < 2e6, `the page is one file under 2 MB (${(size / 1e6).toFixed(2)} MB)`);
  const browser = new Browser(chromium, outDir, '1600,1000');
  const page = await Page.open(browser);
  const want = (name) => !only || only === name;

  // 0. Load time: from navigation to 'ready' (the engine unpacked, compiled and started).
  {
    const t0 = await page.goto(fileUrl(pagePath));
    let s = '';
    while (Date.now() - t0 < 60000 && (s = await page.text('status')) !== 'ready') await sleep(20);
    check(s === 'ready', `the page loads: 'ready' after ${Date.now() - t0} ms`);
  }

  // 1. Every workload under the contract's options, byte for byte.
  const workloads = fs.readdirSync(workloadsDir).filter((f) => /\.(py|gil)$/.test(f)).sort();
  let timings = {};
  if (want('workloads')) {
    const ratios = [];
    for (const name of workloads) {
      const got = await sameAsCli(page, name, workloadsDir, name, { policy: 'modern', cores: 2 });
      timings[name] = got.ms;
      const speed = speedRatio(got);
      if (speed) {
        ratios.push(speed.ratio);
        console.log(`speed ${name}: page ${(speed.page / 1e6).toFixed(1)} M bytecodes/s, native CLI ` +
                    `${(speed.native / 1e6).toFixed(1)} M/s: ${speed.ratio.toFixed(2)}x`);
      }
    }
    if (ratios.length) {
      const sorted = ratios.slice().sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      console.log(`speed: the page runs at ${median.toFixed(2)}x the native sim engine (median of ` +
                  `${ratios.length} workloads, ${sorted[0].toFixed(2)}..${sorted[sorted.length - 1].toFixed(2)}x)`);
    }
  }
  // Other policies and options reach the engine as the CLI's flags do.
  if (want('options')) {
    await sameAsCli(page, 'cpu_vs_io legacy --check-interval 50 --cores 1', workloadsDir, 'cpu_vs_io.py',
                    { policy: 'legacy', cores: 1, check_interval: 50 });
    await sameAsCli(page, 'convoy io-priority --switch-interval 2ms --seed 7', workloadsDir, 'convoy.py',
                    { policy: 'io-priority', cores: 2, switch_interval: '2ms', seed: 7 });
    await sameAsCli(page, 'thread_pool gvl --quantum 50ms -D', workloadsDir, 'thread_pool.py',
                    { policy: 'gvl', cores: 4, quantum: '50ms', D: ['workers=3', 'jobs=12'] });
    await sameAsCli(page, 'race_counter none --max-events 100000', workloadsDir, 'race_counter.py',
                    { policy: 'none', cores: 2, max_events: 100000 });
  }

  const scratch = fs.mkdtempSync(path.join(outDir, 'scripts-'));
  const write = (name, text) => { fs.writeFileSync(path.join(scratch, name), text); return name; };

  // 2. Errors: the CLI's messages, and the line marked in the editor.
  if (want('errors')) {
    const syn = write('syntax.gil', 'x = 1\nif x > 0\n    print(x)\n');
    const got = await sameAsCli(page, 'syntax error', scratch, syn, {}, 'error');
    check(got.summary === '', 'syntax error: no summary (the CLI prints none)');
    const marked = await page.eval("document.getElementById('error-at').textContent");
    check(marked.startsWith('line 2: syntax.gil:2:'), `syntax error: the editor marks line 2 ('${marked}')`);
    const gutter = await page.eval("document.getElementById('gutter').textContent.split('\\n')[1]");
    check(gutter === '\u25b62', `syntax error: the gutter points at line 2 ('${gutter}')`);

    const rt = write('runtime.gil', 'def f(n):\n    return 10 // n\n\nt = spawn(f, 0)\nt.join()\nprint("after")\n');
    await sameAsCli(page, 'runtime error in a thread', scratch, rt, { cores: 2 }, 'error');
    const marked2 = await page.eval("document.getElementById('error-at').textContent");
    check(marked2.startsWith('line 2: ZeroDivisionError'), `runtime error: the editor marks line 2 ('${marked2}')`);

    const dl = write('deadlock.gil', 'l = Lock()\nl.acquire()\nl.acquire()\n');
    await sameAsCli(page, 'deadlock', scratch, dl, {}, 'error: deadlock');

    await page.goto(fileUrl(pagePath) + '#code=@@@&run=1');
    const damaged = await page.settle(30000);
    check(damaged.startsWith("error: the link's script cannot be read"), `a damaged link: '${damaged}'`);

    const bad = await pageRun(page, 'print(1)\n', { policy: 'nosuch' });
    check(bad.status.startsWith('error') && bad.errors.includes("unknown policy 'nosuch'"),
          `bad option: the CLI's message ('${bad.status}', '${bad.errors.trim()}')`);
  }

  // 3. An endless loop: stopped by the time limit, results so far shown; the page answers meanwhile.
  if (want('limits')) {
    const loop = 'def spin():\n    while True:\n        pass\n\nspawn(spin)\nspin()\n';
    const started = await page.goto(pageUrl(loop, { time_limit: 3, cores: 2 }));
    await sleep(1500);
    let worst = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      await page.eval('document.getElementById("status").textContent');
      await page.eval('new Promise(r => requestAnimationFrame(() => r(1)))');
      worst = Math.max(worst, Date.now() - t0);
      await sleep(100);
    }
    const status = await page.settle(20000);
    const took = Date.now() - started;
    check(worst < 1000, `endless loop: the page answers while it runs (slowest ${worst} ms)`);
    check(status === 'error: stopped by the time limit of 3 s' && took < 12000,
          `endless loop: stopped by the time limit ('${status}' after ${(took / 1000).toFixed(1)} s)`);
    const summary = await page.text('summary');
    check(summary.includes('Thread-1 (spin)'), 'endless loop: the summary of the run so far is shown');

    // Stop: the worker is terminated at once and a new one runs the next script.
    await page.goto(pageUrl(loop, { time_limit: 60 }));
    await sleep(1500);
    await page.eval("document.getElementById('stop').click()");
    const stopped = await page.settle(3000);
    check(stopped === 'error: stopped', `Stop: the run stops at once ('${stopped}')`);
    await page.eval("document.getElementById('code').value = 'print(6 * 7)\\n'");
    await sleep(500);
    await page.eval("document.getElementById('run').click()");
    await sleep(200);
    const after = await page.settle(20000);
    check(after === 'done' && (await page.text('output')) === '42\n', `Stop: the next run works ('${after}')`);

    // A script over 1 MB is refused with a message; just under it runs. Both are put into the
    // editor as a paste would (a megabyte-long link takes Chromium itself many seconds to open).
    await page.goto(fileUrl(pagePath));
    await page.settle(1);
    for (let i = 0; i < 100 && (await page.text('status')) !== 'ready'; i++) await sleep(100);
    const paste = (lines) => page.eval(`(function(){var l='# '+'x'.repeat(78)+'\\n';` +
      `Editor.setText(l.repeat(${lines})+'print("big")\\n');document.getElementById('run').click();})()`);
    await paste(Math.ceil((1 << 20) / 81) + 1);
    const refused = await page.settle(30000);
    check(refused === "error: the script is larger than 1 MB (the playground's limit)",
          `1 MB script: refused with a message ('${refused}')`);
    let t0 = Date.now();
    await paste(Math.floor(1000000 / 81));
    const ran = await page.settle(60000);
    check(ran === 'done' && (await page.text('output')) === 'big\n',
          `a 1.0 MB script runs ('${ran}' in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    // A share link (z=, compressed) whose script is over 1 MB: a short link, refused once unpacked.
    const z = zlib.deflateRawSync(Buffer.from('x = 1\n' + '#'.repeat(1 << 20) + '\n')).toString('base64url');
    await page.goto(fileUrl(pagePath) + '#z=' + z + '&run=1');
    const overLink = await page.settle(60000);
    check(overLink === "error: the linked script is larger than 1 MB (the playground's limit)",
          `a link with a script over 1 MB: refused ('${overLink}')`);

    // 9,990 threads, 999 alive at a time (the default --max-threads is 1,000, main thread included).
    const many = write('many.gil', 'def f(i):\n    io(1)\n\nn = 0\nfor b in range(10):\n    ts = []\n' +
                                   '    for i in range(999):\n        ts.append(spawn(f, i))\n' +
                                   '    for t in ts:\n        t.join()\n    n += len(ts)\nprint(n)\n');
    const m = await sameAsCli(page, '9,990 threads', scratch, many, { cores: 4 });
    // A million events.
    const ev = write('events.gil', 'def f():\n    for i in range(62500):\n        io(0.01)\n\n' +
                                   'ts = []\nfor i in range(4):\n    ts.append(spawn(f))\nfor t in ts:\n    t.join()\nprint("ok")\n');
    const e = await sameAsCli(page, 'a million events', scratch, ev, { cores: 2 });
    check(/\b1\d{6} events/.test(e.stats), `a million events: the page says how many ('${e.stats}')`);
    const answers = await page.eval('1 + 1');
    check(answers === 2, 'a million events: the page still answers');
    void m;
  }

  // 3b. Side by side: the same script under a second policy, both on one time axis (the renderer
  // of `gilsim compare --timeline`); #output and #summary stay the main policy's, byte for byte.
  // Then the replay: the playhead stepped to a hand-off names the thread that took the GIL.
  if (want('compare')) {
    const got = await sameAsCli(page, 'cpu_bound side by side with legacy', workloadsDir, 'cpu_bound.py',
                                { policy: 'modern', compare: 'legacy', cores: 2, D: ['n=200000'] });
    const cli = await cliRun(workloadsDir, 'cpu_bound.py', { policy: 'legacy', cores: 2, D: ['n=200000'] });
    check((await page.text('summary-compare')) === cli.stderr,
          'side by side: the second summary is the CLI\'s under that policy');
    for (let i = 0; i < 100 && !(await page.eval('!!window.gilsimView')); i++) await sleep(100);
    const blocks = await page.eval(`window.gilsimView.lanes().filter(function (l) { return l.kind === 'run'; })` +
                                   `.map(function (l) { return l.title; }).join(',')`);
    check(blocks === 'modern,legacy', `side by side: a block of lanes per policy on one axis ('${blocks}')`);
    const replay = await page.eval(`(function () { var v = window.gilsimView, k = v.stepHandoff(1), s = v.replayState();` +
                                   `return k >= 0 && s.holder.length > 0 && document.querySelector('.replay-state').textContent.indexOf('GIL: ') >= 0; })()`);
    check(replay === true, 'replay: the playhead steps to a hand-off and names the holder');
    check(got.status === 'done', 'side by side: done');
  }

  // 4. The timeline is drawn: a screenshot of it has the states' colours.
  if (want('screenshot')) {
    await sameAsCli(page, 'cpu_bound for the screenshot', workloadsDir, 'cpu_bound.py', { cores: 2, D: ['n=200000'] });
    await sleep(1500);
    const box = await page.eval(`(function(){var r=document.getElementById('timeline').getBoundingClientRect();` +
                                `return {x:r.x,y:r.y+window.scrollY,width:r.width,height:r.height};})()`);
    const shot = await page.send('Page.captureScreenshot', {
      format: 'png', captureBeyondViewport: true,
      clip: { x: box.x, y: box.y, width: Math.max(1, box.width), height: Math.max(1, box.height), scale: 1 } });
    const png = Buffer.from(shot.data, 'base64');
    fs.writeFileSync(path.join(outDir, 'playground-timeline.png'), png);
    const { width, height, colours } = pngColours(png);
    const common = [...colours.values()].filter((n) => n > 200).length;
    check(width > 300 && height > 100 && common >= 4,
          `screenshot of the timeline is not blank (${width}x${height}, ${colours.size} colours, ` +
          `${common} covering 200+ pixels; ${path.join(outDir, 'playground-timeline.png')})`);
  }

  // 5. Nothing left the page.
  const remote = page.requests.filter((u) => !/^(file|data|blob|about|chrome-error):/.test(u));
  check(remote.length === 0, `no network request (${page.requests.length} requests, all file:/data:/blob:)`,
        remote.slice(0, 5).join('\n'));
  check(page.consoleErrors.length === 0, 'no uncaught error in the page', page.consoleErrors.join('\n'));

  if (Object.keys(timings).length)
    fs.writeFileSync(path.join(outDir, 'playground-timings.json'), JSON.stringify(timings, null, 1));
  await browser.close();
  console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
  process.exit(failures ? 1 : 0);
}

if (require.main === module) {
  main().catch((e) => {
    console.log(`FAIL  ${e.stack || e}`);
    process.exit(1);
  });
}
module.exports = { Browser, Page, pageUrl, sleep };
