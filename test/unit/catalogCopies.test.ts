// The model catalog (src/pictory/catalog.ts) is the one source of truth; the manifest, its
// strings and the README repeat parts of it for VS Code and for readers. These tests say
// exactly what each copy must read, so a change to the catalog cannot leave one behind.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { durationSeconds, estimateCredits, IMAGE_MODELS, ImageModel, VIDEO_MODELS, VideoModel } from '../../src/pictory/catalog';

const root = path.resolve(__dirname, '../../..');
const read = (file: string): string => fs.readFileSync(path.join(root, file), 'utf8');

interface Property {
  readonly enum?: readonly string[];
  readonly enumDescriptions?: readonly string[];
}

const manifest = JSON.parse(read('package.json')) as { contributes: { configuration: { properties: Record<string, Property> } } };
const strings = JSON.parse(read('package.nls.json')) as Record<string, string>;
const readme = read('README.md');

/** "16:9, 9:16 or 1:1" */
function list(items: readonly string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** What the default-model setting says of a model, e.g. "Veo 3.1: 1080p, 16:9 or 9:16, 4/6/8 s, 20 credits per second". */
function settingDescription(model: VideoModel): string {
  const seconds = model.durations.map((duration) => durationSeconds(duration)).join('/');
  return `${model.label}: ${model.resolution}, ${list(model.aspectRatios)}, ${seconds} s, ${model.creditsPerSecond} credits per second`;
}

function videoRow(model: VideoModel): string {
  const seconds = model.durations.map((duration) => durationSeconds(duration)).join(', ');
  const example = model.durations.includes('8s') ? estimateCredits(model, '8s') : '';
  return `| ${model.label} (\`${model.id}\`) | ${model.resolution} | ${model.aspectRatios.join(', ')} | ${seconds} s | ${model.creditsPerSecond} | ${example} |`;
}

function imageRow(model: ImageModel): string {
  return `| ${model.label} (\`${model.id}\`) | ${model.aspectRatios.join(', ')} | ${model.creditsPerImage} | ${model.takesReference ? 'yes' : 'no'} |`;
}

describe('copies of the model catalog', () => {
  it('the default-model setting offers exactly the catalog\'s video models, described from it', () => {
    const setting = manifest.contributes.configuration.properties['pictory.defaultModel'];
    assert.deepEqual(setting.enum, ['', ...VIDEO_MODELS.map((model) => model.id)]);
    const descriptions = (setting.enumDescriptions ?? []).map((key) => strings[key.replace(/^%|%$/g, '')]);
    assert.deepEqual(descriptions.slice(1), VIDEO_MODELS.map(settingDescription));
  });

  it('the default aspect ratio and duration settings offer every value some model supports', () => {
    const properties = manifest.contributes.configuration.properties;
    const ratios = [...new Set(VIDEO_MODELS.flatMap((model) => model.aspectRatios))];
    const durations = [...new Set(VIDEO_MODELS.flatMap((model) => model.durations))].sort((a, b) => durationSeconds(a) - durationSeconds(b));
    assert.deepEqual(properties['pictory.defaultAspectRatio'].enum, ['', ...ratios]);
    assert.deepEqual(properties['pictory.defaultDuration'].enum, ['', ...durations]);
  });

  it("the README's tables list every model as the catalog does", () => {
    for (const model of VIDEO_MODELS) assert.ok(readme.includes(videoRow(model)), `README has the row:\n${videoRow(model)}`);
    for (const model of IMAGE_MODELS) assert.ok(readme.includes(imageRow(model)), `README has the row:\n${imageRow(model)}`);
    const rows = readme.split('\n').filter((line) => /^\| .+ \(`[\w.-]+`\) \|/.test(line));
    assert.equal(rows.length, VIDEO_MODELS.length + IMAGE_MODELS.length, `no other model rows:\n${rows.join('\n')}`);
  });
});
