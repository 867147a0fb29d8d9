// One demo (code-server with the installed .vsix and the loopback Pictory server) and one
// browser window on it, as every UI suite starts; and what a failed scenario leaves to read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BrowserSession, launchBrowser } from '../harness/browser';
import { findExtensionHostLogs, printLogTails } from '../harness/extensionHostLogs';
import { Demo, DemoOptions, startDemo } from '../demo/demo';
import { Workbench } from './workbench';

export interface DemoWindow {
  readonly demo: Demo;
  readonly browser: BrowserSession;
  readonly workbench: Workbench;
  /** Prints the screenshot's path and the end of the extension host's logs. */
  reportFailure(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the demo, writes `files` into its workspace before the window opens (so that the
 * Explorer lists them from the start), opens the workbench, and waits until the extension's
 * contributions are in (its activity bar entry shows).
 */
export async function openDemoWindow(options: DemoOptions, files: Readonly<Record<string, string>> = {}): Promise<DemoWindow> {
  const demo = await startDemo(options);
  let browser: BrowserSession | undefined;
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(demo.workspace, name), text);
    browser = await launchBrowser();
    const workbench = new Workbench(browser.page);
    await workbench.open(demo.url);
    await workbench.activityBarItem('Pictory').waitFor({ timeout: 60_000 });
    const session = browser;
    return {
      demo,
      browser: session,
      workbench,
      reportFailure: async (name) => {
        console.log(`Screenshot of the failure: ${await workbench.screenshot(name).catch(() => '')}`);
        printLogTails(findExtensionHostLogs(demo.userDataDir), 40);
      },
      close: async () => {
        await session.close();
        await demo.stop();
      },
    };
  } catch (error) {
    await browser?.close();
    await demo.stop();
    throw error;
  }
}
