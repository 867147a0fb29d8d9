// Drives VS Code's workbench (code-server in Chromium) the way a person does: keyboard,
// command palette, quick picks, notifications, status bar and webviews.
import type { Frame, Locator, Page } from 'playwright-core';
import { openWorkbench, saveScreenshot } from '../harness/browser';
import { testOutputDir } from '../harness/paths';
import * as fs from 'node:fs';
import * as path from 'node:path';

const QUICK_INPUT = '.quick-input-widget';

/** Runs in the page: the quick input is shown, fully opaque on an opaque background, and no longer animating. */
const QUICK_INPUT_SETTLED = `(() => {
  const widget = document.querySelector('${QUICK_INPUT}');
  if (!widget || widget.offsetParent === null || widget.classList.contains('quick-input-widget-closing')) return false;
  const style = getComputedStyle(widget);
  const alpha = /rgba\\([^)]*,\\s*([\\d.]+)\\)/.exec(style.backgroundColor)?.[1];
  const opaqueBackground = style.backgroundColor.startsWith('rgb(') || alpha === '1';
  const animating = widget.getAnimations({ subtree: true }).some((animation) => animation.playState === 'running');
  return style.opacity === '1' && opaqueBackground && !animating;
})()`;

/** Runs in the page: no finite animation is running (a spinning progress icon runs forever). */
const NOTHING_ANIMATING = `document.getAnimations().every((animation) =>
  animation.playState !== 'running' || animation.effect?.getComputedTiming().iterations === Infinity)`;

export class Workbench {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await openWorkbench(this.page, url);
    await this.page.locator('.explorer-folders-view, .statusbar').first().waitFor({ timeout: 60_000 });
  }

  /** Developer: Reload Window, as a user does: the workbench saves its state (open editors...) first. */
  async reloadWindow(): Promise<void> {
    const navigated = this.page.waitForEvent('framenavigated', { predicate: (frame) => frame === this.page.mainFrame(), timeout: 60_000 });
    await this.runCommand('Developer: Reload Window');
    await navigated;
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
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

  /** Opens a file by clicking it in the Explorer (which lists files created outside VS Code too). */
  async openFromExplorer(name: string): Promise<void> {
    await this.page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first().click({ timeout: 15_000 });
    await this.page.locator('.tab.active', { hasText: name }).first().waitFor();
    await this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  }

  /**
   * Replaces the user settings as a person does: Preferences: Open User Settings (JSON), the
   * new text, Ctrl+S, Escape (the file opens over the editors). Returns once `file` holds
   * them. (code-server does not notice a settings.json written behind its back.)
   */
  async replaceUserSettings(file: string, settings: Record<string, unknown>): Promise<void> {
    await this.runCommand('Preferences: Open User Settings (JSON)');
    const editor = this.page.locator('.monaco-editor.focused[data-uri$="/settings.json"]');
    await editor.waitFor();
    await this.page.keyboard.press('Control+A');
    // One line, inserted as text: typed text would get brackets and indentation added.
    const text = JSON.stringify(settings);
    await this.page.keyboard.insertText(text);
    await this.page.keyboard.press('Control+Shift+End');
    await this.page.keyboard.press('Delete');
    await this.page.keyboard.press('Control+S');
    const deadline = Date.now() + 10_000;
    while (fs.readFileSync(file, 'utf8') !== text) {
      if (Date.now() > deadline) throw new Error(`${file} was not saved with the new settings`);
      await this.page.waitForTimeout(100);
    }
    // Escape closes a suggestion the editor may be showing first, then the file.
    for (let attempt = 0; attempt < 5 && (await editor.count()) > 0; attempt++) {
      await this.page.keyboard.press('Escape');
      await editor.waitFor({ state: 'detached', timeout: 1000 }).catch(() => undefined);
    }
    await editor.waitFor({ state: 'detached', timeout: 1000 });
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

  /**
   * Waits until the quick input has finished opening: it fades and scales in, and until then
   * the editor's text shows through its rows. Settled means fully opaque, on an opaque
   * background, not closing, and no animation of it still running.
   */
  async settledQuickInput(): Promise<void> {
    await this.quickInput().locator('.monaco-list-row').first().waitFor();
    await this.page.waitForFunction(QUICK_INPUT_SETTLED, undefined, { timeout: 10_000 });
    await this.nextFrames();
  }

  /**
   * Waits until the window is at rest: extensions activated, and no finite animation running
   * (a spinning progress icon runs forever and is not waited for).
   */
  async settled(): Promise<void> {
    await this.statusBarItem('Activating Extensions').waitFor({ state: 'hidden', timeout: 30_000 });
    await this.page.waitForFunction(NOTHING_ANIMATING, undefined, { timeout: 10_000 });
    await this.nextFrames();
  }

  /** Waits until the editors' text is coloured by its language's grammar (it starts out plain). */
  async syntaxColoured(): Promise<void> {
    await this.page.locator('.monaco-editor .view-line span[class^="mtk"]:not([class="mtk1"])').first().waitFor({ timeout: 30_000 });
  }

  /** Two animation frames: what changed last has been painted. */
  private async nextFrames(): Promise<void> {
    await this.page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
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

  /** Visible error notifications whose source is `source` (an extension's name). */
  errorNotifications(source: string): Locator {
    return this.page
      .locator('.notifications-toasts .notification-toast')
      .filter({ has: this.page.locator('.codicon-error') })
      .filter({ hasText: source });
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

  /** The frame of the webview whose `selector` element shows `text`, once there is one. */
  async webviewFrameShowing(selector: string, text: string, timeoutMs = 30_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const frame of this.page.frames()) {
        const shown = await frame.$eval(selector, (element) => element.textContent).catch(() => null);
        if (shown?.includes(text)) return frame;
      }
      await this.page.waitForTimeout(250);
    }
    throw new Error(`No webview shows "${text}" in ${selector}`);
  }

  /** The activity bar's entry of a view container ("Explorer", "Pictory"...). */
  activityBarItem(title: string, options: { selected?: boolean } = {}): Locator {
    const name = new RegExp(`^${escapeRegExp(title)}( \\(.*\\))?$`);
    return this.page.locator('.part.activitybar').getByRole('tab', { name, ...options });
  }

  /** Shows a view container in the side bar by clicking its activity bar entry, unless it is shown already. */
  async showViewContainer(title: string): Promise<void> {
    const item = this.activityBarItem(title);
    await item.waitFor({ timeout: 30_000 });
    if ((await this.activityBarItem(title, { selected: true }).count()) === 0) await item.click();
    await this.activityBarItem(title, { selected: true }).waitFor({ timeout: 10_000 });
  }

  /** A view of the side bar, by its name (its header may be hidden while it is the only view shown). */
  viewPane(name: string): Locator {
    return this.page.locator('.part.sidebar .pane').filter({
      has: this.page.locator('.pane-header .title').getByText(name, { exact: true }),
    });
  }

  /** The rows of a view's tree that show `text` (in their label or description). */
  viewRow(view: string, text: string | RegExp): Locator {
    return this.viewPane(view).locator('.monaco-list-row', { hasText: text });
  }

  /** The label, description and tree level of each row of a view's tree, top to bottom. */
  async viewRows(view: string): Promise<Array<{ label: string; description: string; level: string }>> {
    return this.viewPane(view)
      .locator('.monaco-list-row')
      .evaluateAll((rows) =>
        rows
          .map((row) => ({
            position: Number(row.getAttribute('data-index')) || 0,
            label: row.querySelector('.label-name')?.textContent ?? '',
            description: row.querySelector('.label-description')?.textContent ?? '',
            level: row.getAttribute('aria-level') ?? '',
          }))
          .sort((a, b) => a.position - b.position)
          .map(({ label, description, level }) => ({ label, description, level })),
      );
  }

  /** The welcome page of a view (shown while it has no rows). */
  viewWelcome(view: string): Locator {
    return this.viewPane(view).locator('.welcome-view-content');
  }

  /** An entry of the open context menu. */
  contextMenuItem(label: string): Locator {
    return this.page.locator('.monaco-menu .action-menu-item').filter({
      has: this.page.locator('.action-label').getByText(label, { exact: true }),
    });
  }

  /**
   * Clicks an entry of the context menu that is opening. A menu takes no click in its first
   * 100 ms (so that the release of the right button does not choose an entry): as a person
   * does, this moves to the entry first, and clicks once the menu has been shown a moment.
   */
  async chooseFromContextMenu(label: string): Promise<void> {
    const item = this.contextMenuItem(label);
    await item.waitFor();
    await item.hover();
    await this.page.waitForTimeout(300);
    await item.click();
    await item.waitFor({ state: 'detached', timeout: 5000 });
  }

  /** Drags the edge between the side bar and the editors until the side bar is `width` pixels wide. */
  async resizeSideBar(width: number): Promise<void> {
    const sideBar = await this.page.locator('.part.sidebar').boundingBox();
    if (!sideBar) throw new Error('The side bar is not shown');
    const edge = sideBar.x + sideBar.width;
    const sashes = await this.page.locator('.monaco-sash.vertical').evaluateAll((elements) =>
      elements.map((element) => {
        const box = element.getBoundingClientRect();
        return { x: box.x + box.width / 2, y: box.y + box.height / 2, height: box.height };
      }),
    );
    const sash = sashes.filter((candidate) => candidate.height > 0).sort((a, b) => Math.abs(a.x - edge) - Math.abs(b.x - edge))[0];
    if (!sash || Math.abs(sash.x - edge) > 8) throw new Error(`No sash at the side bar's edge (x ${edge})`);
    await this.page.mouse.move(sash.x, sash.y);
    await this.page.mouse.down();
    await this.page.mouse.move(sash.x + (width - sideBar.width) / 2, sash.y, { steps: 5 });
    await this.page.mouse.move(sash.x + (width - sideBar.width), sash.y, { steps: 5 });
    await this.page.mouse.up();
    const resized = await this.page.locator('.part.sidebar').boundingBox();
    if (!resized || Math.abs(resized.width - width) > 4) throw new Error(`The side bar is ${resized?.width} pixels wide, not ${width}`);
  }

  async screenshot(name: string): Promise<string> {
    return saveScreenshot(this.page, path.join(testOutputDir('ui'), `${name}.png`));
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
