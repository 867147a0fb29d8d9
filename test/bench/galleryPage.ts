// The gallery's page in headless Chromium, as the benches measure it: the panel's own HTML,
// Content Security Policy, media/gallery.css and gallery.js (and the codicons when the build
// copied them), with a stand-in for acquireVsCodeApi that notes what the page posts, and when.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { galleryHtml } from '../../src/studio/galleryCards';
import { pageCsp } from '../../src/webview/page';
import type { BrowserSession } from '../harness/browser';
import { repoRoot } from '../harness/paths';

export const VIEWPORT = { width: 1400, height: 900 };

export interface PageOrigins {
  readonly imageOrigins: string[];
  readonly mediaOrigins: string[];
}

/** The panel's page, with `file:` in the place of the webview's own origin; returns its URL. */
export function writePage(folder: string, origins: PageOrigins): string {
  const root = repoRoot();
  const nonce = randomBytes(16).toString('base64');
  const media = (file: string) => pathToFileURL(path.join(root, 'media', file)).href;
  // The codicons, as the panel links them when the build has copied them into dist/.
  const codicons = path.join(root, 'dist', 'codicons', 'codicon.css');
  const hasCodicons = fs.existsSync(codicons);
  const html = galleryHtml({
    csp: pageCsp({ cspSource: 'file:', nonce, ...origins }),
    nonce,
    lang: 'en',
    styles: [...(hasCodicons ? [pathToFileURL(codicons).href] : []), media('gallery.css')],
    scripts: [media('gallery.js')],
    codicons: hasCodicons,
  });
  const file = path.join(folder, 'gallery.html');
  fs.writeFileSync(file, html);
  return pathToFileURL(file).href;
}

/** A page that only says it is ready, to compare with; returns its URL. */
export function writeEmptyPage(folder: string): string {
  fs.writeFileSync(path.join(folder, 'ready.js'), "acquireVsCodeApi().postMessage({ type: 'ready' });");
  fs.writeFileSync(path.join(folder, 'empty.html'), '<!DOCTYPE html><html><body><script src="ready.js"></script></body></html>');
  return pathToFileURL(path.join(folder, 'empty.html')).href;
}

/** Stands in for the webview host: collects what the page posts, and when. */
const STUB = `
  window.__posted = [];
  let state;
  window.acquireVsCodeApi = () => ({
    postMessage(message) { window.__posted.push({ at: performance.now(), message }); },
    getState() { return state; },
    setState(value) { state = value; },
  });
`;

export interface PageSample {
  loadMs: number;
  reportedMs: number;
  postToPaintMs: number;
}

// Page code is passed as strings: this project type-checks without the DOM's types.
export function run<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}

export async function posted(page: Page, type: string, after = 0, timeoutMs = 20_000): Promise<{ at: number; message: Record<string, unknown> }> {
  // A function, not a string: the page's policy forbids eval.
  const handle = await page.waitForFunction(
    ([wanted, skip]) => (globalThis as any).__posted.slice(skip).find((entry: { message: { type: string } }) => entry.message.type === wanted),
    [type, after] as const,
    { timeout: timeoutMs, polling: 5 },
  );
  return (await handle.jsonValue()) as { at: number; message: Record<string, unknown> };
}

export function postedCount(page: Page): Promise<number> {
  return run(page, 'window.__posted.length');
}

export async function newContext(session: BrowserSession): Promise<{ context: BrowserContext; errors: string[] }> {
  const context = await session.browser.newContext({ viewport: VIEWPORT });
  const errors: string[] = [];
  await context.addInitScript(STUB);
  context.on('page', (page) => {
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    page.on('pageerror', (error) => errors.push(error.message));
  });
  return { context, errors };
}

/** How long a page that only runs one script takes to say it is ready: this browser's floor. */
export async function emptyPageMs(session: BrowserSession, url: string): Promise<number> {
  const { context } = await newContext(session);
  try {
    const page = await context.newPage();
    await page.goto(url);
    return (await posted(page, 'ready')).at;
  } finally {
    await context.close();
  }
}

/** Loads the page until it says ready, then posts the `clips` message (`json`) and waits for the cards. */
export async function pageSample(context: BrowserContext, url: string, json: string): Promise<{ page: Page; sample: PageSample }> {
  const page = await context.newPage();
  await page.goto(url);
  const ready = await posted(page, 'ready');
  // The message is made in the page beforehand: in VS Code it arrives as an object.
  await run(page, `window.__message = JSON.parse(${JSON.stringify(json)}), 0`);
  const before = await postedCount(page);
  const postedAt = await run<number>(page, `(() => { const at = performance.now(); window.postMessage(window.__message, '*'); return at; })()`);
  const rendered = await posted(page, 'rendered', before);
  const expected = (JSON.parse(json) as { clips: unknown[] }).clips.length;
  if (rendered.message.count !== expected) throw new Error(`The page reported ${String(rendered.message.count)} cards`);
  return {
    page,
    sample: { loadMs: ready.at, reportedMs: Number(rendered.message.ms), postToPaintMs: rendered.at - postedAt },
  };
}
