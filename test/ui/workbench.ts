// Drives VS Code's workbench (code-server in Chromium) the way a person does: keyboard,
// command palette, quick picks, notifications, status bar and webviews.
import type { Frame, Locator, Page } from 'playwright-core';
import { openWorkbench, saveScreenshot } from '../harness/browser';
import { testOutputDir } from '../harness/paths';
import * as path from 'node:path';

const QUICK_INPUT = '.quick-input-widget';

export class Workbench {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await openWorkbench(this.page, url);
    await this.page.locator('.explorer-folders-view, .statusbar').first().waitFor({ timeout: 60_000 });
  }

  async reload(): Promise<void> {
    await this.page.reload();
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  }

  /** Opens a workspace file with Quick Open (Ctrl+P), in the first editor group. */
  async openFile(name: string): Promise<void> {
    await this.page.keyboard.press('Control+1');
    await this.page.keyboard.press('Control+P');
    await this.quickInput().locator('input').waitFor();
    await this.page.keyboard.type(name);
    await this.focusedQuickRow(name).waitFor();
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tab.active', { hasText: name }).first().waitFor();
    await this.page.locator('.monaco-editor .view-lines').first().click();
  }

  /** Selects one whole line of the active editor (Ctrl+G to go there, Ctrl+L to select it). */
  async selectLine(line: number): Promise<void> {
    await this.goToLine(line);
    await this.page.keyboard.press('Control+L');
  }

  async goToLine(line: number): Promise<void> {
    await this.page.keyboard.press('Control+G');
    await this.page.keyboard.type(String(line));
    await this.page.keyboard.press('Enter');
  }

  /** Alt+Click at the start of the editor line showing `text`: one more cursor. */
  async addCursorAt(text: string): Promise<void> {
    const line = this.page.locator('.monaco-editor .view-line', { hasText: text }).first();
    await line.click({ position: { x: 1, y: 5 }, modifiers: ['Alt'] });
  }

  /** F1, the command's title, Enter. */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.quickInput().locator('input');
    await input.waitFor();
    await this.page.keyboard.type(title);
    await this.focusedQuickRow(title).waitFor();
    await this.page.keyboard.press('Enter');
  }

  quickInput(): Locator {
    return this.page.locator(QUICK_INPUT);
  }

  quickRow(text: string): Locator {
    return this.page.locator(`${QUICK_INPUT} .monaco-list-row`, { hasText: text });
  }

  /** The highlighted row, once the list has been filtered down to `text` (Enter picks it). */
  focusedQuickRow(text: string): Locator {
    return this.page.locator(`${QUICK_INPUT} .monaco-list-row.focused`, { hasText: text }).first();
  }

  /** Waits for a quick pick whose title contains `title`, then clicks the item labelled `label`. */
  async pick(title: string, label: string): Promise<void> {
    await this.quickInput().locator('.quick-input-title', { hasText: title }).waitFor();
    const item = this.page.locator(`${QUICK_INPUT} .monaco-list-row`).filter({
      has: this.page.locator('.label-name').getByText(label, { exact: true }),
    });
    await item.first().click();
  }

  /** Moves the focus out of any webview, into the first editor group. */
  async focusFirstEditor(): Promise<void> {
    await this.page.locator('.monaco-editor .view-lines').first().click();
  }

  /** The labels of the quick pick's items, once they are `expected` (or whatever they are after 5 s). */
  async quickLabels(expected: readonly string[]): Promise<string[]> {
    const read = () =>
      this.page.locator(`${QUICK_INPUT} .monaco-list-row`).evaluateAll((rows) =>
        rows.map((row) => row.querySelector('.label-name')?.textContent ?? ''),
      );
    const deadline = Date.now() + 5000;
    let labels = await read();
    while (labels.join('\n') !== expected.join('\n') && Date.now() < deadline) {
      await this.page.waitForTimeout(100);
      labels = await read();
    }
    return labels;
  }

  async quickTitle(title: string): Promise<void> {
    await this.quickInput().locator('.quick-input-title', { hasText: title }).waitFor();
  }

  /** Types into the open input box (e.g. the password box) and presses Enter. */
  async typeIntoInput(text: string, options: { password?: boolean } = {}): Promise<void> {
    const input = this.quickInput().locator(options.password ? 'input[type="password"]' : 'input').first();
    await input.waitFor();
    await input.fill(text);
    await this.page.keyboard.press('Enter');
  }

  notification(text: string | RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', { hasText: text });
  }

  /** Clicks a button of the notification that shows `text`. */
  async clickNotificationButton(text: string | RegExp, button: string): Promise<void> {
    await this.notification(text).first().locator('.monaco-button', { hasText: button }).first().click();
  }

  statusBarItem(text: string | RegExp): Locator {
    return this.page.locator('.statusbar-item', { hasText: text });
  }

  /** The frame of a webview that contains `selector`, once there is one. */
  async webviewFrame(selector: string, timeoutMs = 30_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const frame of this.page.frames()) {
        if (await frame.$(selector).catch(() => null)) return frame;
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error(`No webview shows ${selector}`);
  }

  async screenshot(name: string): Promise<string> {
    return saveScreenshot(this.page, path.join(testOutputDir('ui'), `${name}.png`));
  }
}
