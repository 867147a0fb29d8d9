import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLIPS_VIEW, LIBRARY_VIEW, LOADED_COMMAND_IDS, PARTICIPANT_ID, RUNNING_VIEW, STARTUP_COMMAND_IDS, TOOL_NAMES } from '../../src/contributionIds';
import { repoRoot } from '../harness/paths';

interface Manifest {
  readonly main: string;
  readonly contributes: {
    readonly commands: readonly { command: string; title: string }[];
    readonly menus: Record<string, readonly { command: string; when?: string }[]>;
    readonly views: Record<string, readonly { id: string; when?: string }[]>;
    readonly walkthroughs: readonly unknown[];
    readonly viewsWelcome: readonly unknown[];
    readonly languageModelTools: readonly { name: string }[];
    readonly chatParticipants: readonly { id: string }[];
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as Manifest;
const COMMAND_IDS = [...STARTUP_COMMAND_IDS, ...LOADED_COMMAND_IDS];
const nls = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.nls.json'), 'utf8')) as Record<string, string>;

describe('what the start-up entry registers, against the manifest', () => {
  it('registers exactly the contributed commands', () => {
    const contributed = manifest.contributes.commands.map((command) => command.command);
    assert.deepEqual([...contributed].sort(), [...COMMAND_IDS].sort());
  });

  it('registers at start-up every command a user can reach before the rest is loaded', () => {
    assert.deepEqual(STARTUP_COMMAND_IDS.filter((id) => (LOADED_COMMAND_IDS as readonly string[]).includes(id)), [], 'a command in both lists');
    // The rest's commands show only in the views' rows (which the rest fills), or in the palette
    // under a context key only the rest sets.
    const SET_ONLY_BY_THE_REST = ['pictory.hasRunningJobs', 'pictory.activeEditorIsStoryboard'];
    const reachable = new Set<string>();
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      if (menu === 'view/item/context') continue;
      for (const entry of entries) if (entry.when !== 'false' && !SET_ONLY_BY_THE_REST.includes(entry.when ?? '')) reachable.add(entry.command);
    }
    const hiddenFromPalette = new Set(manifest.contributes.menus.commandPalette.filter((entry) => entry.when === 'false' || SET_ONLY_BY_THE_REST.includes(entry.when ?? '')).map((entry) => entry.command));
    for (const { command } of manifest.contributes.commands) if (!hiddenFromPalette.has(command)) reachable.add(command);
    const links = JSON.stringify([manifest.contributes.walkthroughs, manifest.contributes.viewsWelcome, nls]);
    for (const [, command] of links.matchAll(/command:(pictory\.[\w.]+)/g)) reachable.add(command);
    const late = [...reachable].filter((id) => !(STARTUP_COMMAND_IDS as readonly string[]).includes(id));
    assert.deepEqual(late, [], 'reachable before the rest is loaded, but registered only with it');
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

describe('the README', () => {
  it('lists every command of the palette by its title, and no other', () => {
    const readme = fs.readFileSync(path.join(repoRoot(), 'README.md'), 'utf8');
    const commandsSection = readme.slice(readme.indexOf('### Commands'), readme.indexOf('### Settings'));
    const listed = [...commandsSection.matchAll(/^\| Pictory: ([^|]+?) \|/gm)].map(([, title]) => title).sort();
    const hidden = new Set(manifest.contributes.menus.commandPalette.filter((entry) => entry.when === 'false').map((entry) => entry.command));
    const titleOf = (title: string) => nls[title.replace(/^%|%$/g, '')] ?? title;
    const inPalette = manifest.contributes.commands.filter(({ command }) => !hidden.has(command)).map(({ title }) => titleOf(title)).sort();
    assert.deepEqual(listed, inPalette);
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
