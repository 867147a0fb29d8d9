import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLIPS_VIEW, COMMAND_IDS, LIBRARY_VIEW, PARTICIPANT_ID, RUNNING_VIEW, TOOL_NAMES } from '../../src/contributionIds';
import { repoRoot } from '../harness/paths';

interface Manifest {
  readonly main: string;
  readonly contributes: {
    readonly commands: readonly { command: string }[];
    readonly views: Record<string, readonly { id: string }[]>;
    readonly languageModelTools: readonly { name: string }[];
    readonly chatParticipants: readonly { id: string }[];
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as Manifest;

describe('what the start-up entry registers, against the manifest', () => {
  it('registers exactly the contributed commands', () => {
    const contributed = manifest.contributes.commands.map((command) => command.command);
    assert.deepEqual([...contributed].sort(), [...COMMAND_IDS].sort());
  });

  it('fills every contributed view, tool and participant', () => {
    const views = Object.values(manifest.contributes.views).flat().map((view) => view.id);
    assert.deepEqual([...views].sort(), [CLIPS_VIEW, LIBRARY_VIEW, RUNNING_VIEW].sort());
    assert.deepEqual(manifest.contributes.languageModelTools.map((tool) => tool.name).sort(), Object.values(TOOL_NAMES).sort());
    assert.deepEqual(manifest.contributes.chatParticipants.map((participant) => participant.id), [PARTICIPANT_ID]);
  });

  it('starts from the small entry', () => {
    assert.equal(manifest.main, './dist/extension.js');
  });
});

describe('what the package ships', () => {
  it('packages every bundle the build makes, the lazily loaded ones included', () => {
    const { EXTENSION_ENTRY_POINTS } = require(path.join(repoRoot(), 'esbuild.js')) as { EXTENSION_ENTRY_POINTS: Record<string, string> };
    const shipped = fs.readFileSync(path.join(repoRoot(), '.vscodeignore'), 'utf8').split('\n');
    const missing = Object.keys(EXTENSION_ENTRY_POINTS).filter((name) => !shipped.includes(`!dist/${name}.js`));
    assert.deepEqual(missing, [], 'bundles left out of the .vsix');
  });
});
