import assert from 'node:assert/strict';
import { mock } from 'node:test';
import type * as vscode from 'vscode';
import { PageReadiness } from '../../src/webview/readiness';

/** A panel as PageReadiness sees it: visible or not, and telling when that changes. */
class FakePanel {
  visible = true;
  private listener: (() => void) | undefined;
  readonly onDidChangeViewState = (listener: () => void) => {
    this.listener = listener;
    return { dispose: () => (this.listener = undefined) };
  };

  show(visible: boolean): void {
    this.visible = visible;
    this.listener?.();
  }
}

/** Moves the clock on a second at a time, so that timers set by timers fire too. */
function advance(ms: number): void {
  for (let step = 0; step < ms; step += 1000) mock.timers.tick(Math.min(1000, ms - step));
}

describe('a panel page that must say it is ready', () => {
  let panel: FakePanel;
  let readiness: PageReadiness;
  let sets: number;
  let log: string[];

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout'] });
    panel = new FakePanel();
    sets = 0;
    log = [];
    readiness = new PageReadiness(panel as unknown as vscode.WebviewPanel, {
      name: 'Gallery',
      set: () => {
        sets++;
        readiness.expect();
      },
      log: (line) => log.push(line),
    });
  });
  afterEach(() => {
    readiness.dispose();
    mock.timers.reset();
  });

  it('is left alone when it says so within 5 s', () => {
    readiness.expect();
    advance(4000);
    readiness.onReady();
    advance(10000);
    assert.equal(sets, 0);
    assert.equal(readiness.isReady, true);
  });

  it('is set again when it stays silent, three times in a row at most', () => {
    readiness.expect();
    advance(5000);
    assert.equal(sets, 1);
    assert.deepEqual(log, ['Gallery did not load within 5 s: setting its page again (attempt 1)']);
    advance(15000);
    assert.equal(sets, 3);
    assert.equal(log.at(-1), 'Gallery did not load after 3 attempts');
  });

  it('counts the attempts again once it has said so', () => {
    readiness.expect();
    advance(10000);
    readiness.onReady();
    readiness.expect();
    advance(15000);
    assert.equal(sets, 5);
  });

  it('must say so again when shown after being hidden', () => {
    readiness.expect();
    readiness.onReady();
    panel.show(false);
    assert.equal(readiness.isReady, false);
    panel.show(true);
    advance(5000);
    assert.equal(sets, 1);
  });

  it('is not set again while hidden', () => {
    readiness.expect();
    panel.show(false);
    advance(10000);
    assert.equal(sets, 0);
  });

  it('does nothing once disposed', () => {
    readiness.expect();
    readiness.dispose();
    advance(10000);
    panel.show(false);
    panel.show(true);
    advance(10000);
    assert.equal(sets, 0);
  });
});
