// Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: fds 3
// to Chromium and 4 from it, each message ending in \0; no port, no npm package). One browser
// serves a whole test: tests/playground_test.js and tests/timeline_pages.js.
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Browser {
  // A headless Chromium with its own profile in a new folder under `scratch`; `windowSize` 'W,H'.
  constructor(binary, scratch, windowSize) {
    this.profile = fs.mkdtempSync(path.join(scratch, 'profile-'));
    this.proc = spawn(binary, [
      '--headless=new', '--no-sandbox', '--disable-gpu', '--remote-debugging-pipe',
      '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-default-apps', '--disable-extensions', '--hide-scrollbars',
      '--mute-audio', '--force-device-scale-factor=1', `--window-size=${windowSize}`,
      `--user-data-dir=${this.profile}`, 'about:blank'],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', () => {});
    this.nextId = 1;
    this.waiting = new Map();
    this.listeners = [];
    let buf = '';
    this.proc.stdio[4].on('data', (chunk) => {
      buf += chunk.toString('utf8');
      let end;
      while ((end = buf.indexOf('\0')) >= 0) {
        const msg = JSON.parse(buf.slice(0, end));
        buf = buf.slice(end + 1);
        if (msg.id && this.waiting.has(msg.id)) {
          const w = this.waiting.get(msg.id);
          this.waiting.delete(msg.id);
          if (msg.error) w.reject(new Error(JSON.stringify(msg.error)));
          else w.resolve(msg.result);
        } else if (msg.method) {
          this.listeners.forEach((l) => l(msg));
        }
      }
    });
  }

  send(method, params = {}, sessionId) {
    const id = this.nextId++;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.proc.stdio[3].write(JSON.stringify(msg) + '\0');
    });
  }

  async close() {
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill();
    await exited;
    try {
      fs.rmSync(this.profile, { recursive: true, force: true, maxRetries: 5 });
    } catch (e) {
      // Chromium's helpers may still be writing to the profile: it is in the build tree anyway.
    }
  }
}

class Page {
  constructor(browser, sessionId) {
    this.b = browser;
    this.s = sessionId;
    this.requests = [];
    this.consoleErrors = [];
    browser.listeners.push((msg) => {
      if (msg.sessionId !== sessionId) return;
      if (msg.method === 'Network.requestWillBeSent') this.requests.push(msg.params.request.url);
      if (msg.method === 'Runtime.exceptionThrown')
        this.consoleErrors.push(msg.params.exceptionDetails.exception?.description ||
                                msg.params.exceptionDetails.text);
    });
  }

  static async open(browser) {
    const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(browser, sessionId);
    await page.send('Page.enable');
    await page.send('Runtime.enable');
    await page.send('Network.enable');
    // Workers' requests too: they are separate targets, attached automatically.
    await page.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true });
    return page;
  }

  send(method, params) { return this.b.send(method, params, this.s); }

  async eval(expression) {
    const r = await this.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (r.exceptionDetails) throw new Error(`${expression}: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result.value;
  }

  async goto(url) {
    await this.send('Page.navigate', { url: 'about:blank' });
    await sleep(50);
    const started = Date.now();
    await this.send('Page.navigate', { url });
    return started;
  }

  // Waits until #status reads done or error...; returns it (or 'timeout').
  async settle(ms) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      let s = '';
      try { s = await this.eval("(document.getElementById('status')||{}).textContent||''"); } catch (e) { s = ''; }
      if (s === 'done' || s.startsWith('error')) return s;
      await sleep(100);
    }
    return 'timeout';
  }

  text(id) { return this.eval(`(document.getElementById(${JSON.stringify(id)}) || {}).textContent || ''`); }
}

module.exports = { Browser, Page, sleep };
