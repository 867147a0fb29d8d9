import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'pictory-vscode.pictory-vscode';

/** `[major, minor]` of a version such as `1.139.1`. */
function majorMinor(version: string): [number, number] {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return [major, minor];
}

describe('The extension host', () => {
  it('runs VS Code 1.138 or later', () => {
    assert.ok(vscode.version, 'vscode.version is not set');
    const [major, minor] = majorMinor(vscode.version);
    assert.ok(major > 1 || (major === 1 && minor >= 138), `VS Code ${vscode.version} is older than 1.138`);
  });

  it('is a remote (code-server) extension host when run by the code-server harness', function () {
    // PICTORY_TEST_RESULTS is set by the code-server launcher; desktop runs have no remote.
    if (!process.env.PICTORY_TEST_RESULTS) this.skip();
    assert.ok(vscode.env.remoteName, 'vscode.env.remoteName is not set');
  });

  it(`has loaded ${EXTENSION_ID}`, () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not among the installed extensions`);
    assert.equal((extension.packageJSON as { name?: string }).name, 'pictory-vscode');
  });
});
