import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir, removeTempDir } from './cleanup';
import { isolatedHome } from './paths';
import { findChromium } from './toolchain';

/**
 * Chromium flags for a closed network: without the background-networking ones Chromium
 * keeps reaching for hosts that are refused. No sandbox, so it also runs as root.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface BrowserOptions {
  /** Show the window (needs a display); headless by default. */
  headless?: boolean;
  viewport?: { width: number; height: number };
}

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught page errors seen so far, oldest first. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** Launches Chromium (Debian's, or `CHROME_PATH`) with a fresh profile and one open page. */
export async function launchBrowser(options: BrowserOptions = {}): Promise<BrowserSession> {
  // Chromium keeps caches and an NSS database in the home folder: give it one of its own.
  const home = makeTempDir('pictory-chromium-home-');
  const browser = await chromium.launch({
    executablePath: findChromium(),
    env: { ...process.env, ...isolatedHome(home) },
    headless: options.headless ?? true,
    chromiumSandbox: false,
    args: CHROMIUM_ARGS,
    // Playwright would otherwise exit the process on these signals, before the caller's cleanup.
    handleSIGINT: false,
    handleSIGTERM: false,
  });
  try {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1400, height: 900 } });
    const page = await context.newPage();
    const pageErrors = collectPageErrors(page);
    const close = async (): Promise<void> => {
      await browser.close();
      removeTempDir(home);
    };
    return { browser, context, page, pageErrors, close };
  } catch (error) {
    await browser.close();
    removeTempDir(home);
    throw error;
  }
}

function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/** Opens a code-server workbench address and waits until the workbench has rendered. */
export async function openWorkbench(page: Page, url: string, timeoutMs = 60_000): Promise<void> {
  await page.goto(url, { timeout: timeoutMs });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Saves a full-window screenshot and returns its path. */
export async function saveScreenshot(page: Page, file: string): Promise<string> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file });
  return file;
}
