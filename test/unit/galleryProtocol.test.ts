import assert from 'node:assert/strict';
import { GALLERY_ACTIONS, parseGalleryMessage } from '../../src/studio/galleryProtocol';
import { PREVIEW_ACTIONS } from '../../src/preview/protocol';

describe('messages from the gallery page', () => {
  it('are read when well formed', () => {
    assert.deepEqual(parseGalleryMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseGalleryMessage({ type: 'generate' }), { type: 'generate' });
    assert.deepEqual(parseGalleryMessage({ type: 'open', jobId: 'job-1' }), { type: 'open', jobId: 'job-1' });
    assert.deepEqual(parseGalleryMessage({ type: 'rendered', count: 1000, ms: 41.5 }), { type: 'rendered', count: 1000, ms: 41.5 });
    for (const action of GALLERY_ACTIONS) {
      assert.deepEqual(parseGalleryMessage({ type: 'action', action, jobId: 'job-1' }), { type: 'action', action, jobId: 'job-1' });
    }
  });

  it('keep only the known fields', () => {
    assert.deepEqual(parseGalleryMessage({ type: 'open', jobId: 'job-1', command: 'workbench.action.quit' }), { type: 'open', jobId: 'job-1' });
    assert.deepEqual(parseGalleryMessage({ type: 'ready', extra: 1 }), { type: 'ready' });
  });

  it('are refused when anything is off', () => {
    for (const value of [
      undefined,
      null,
      'ready',
      42,
      [],
      {},
      { type: 'show' },
      { type: 'open' },
      { type: 'open', jobId: '' },
      { type: 'open', jobId: 7 },
      { type: 'open', jobId: 'x'.repeat(1001) },
      { type: 'action', action: 'runCommand', jobId: 'job-1' },
      { type: 'action', action: 'toString', jobId: 'job-1' },
      { type: 'action', action: 'copyUrl' },
      { type: 'action', action: ['copyUrl'], jobId: 'job-1' },
      { type: 'rendered', count: -1, ms: 3 },
      { type: 'rendered', count: 1.5, ms: 3 },
      { type: 'rendered', count: 3, ms: Number.NaN },
      { type: 'rendered', count: 3, ms: Infinity },
      { type: 'rendered', count: '3', ms: 3 },
    ]) {
      assert.equal(parseGalleryMessage(value), undefined, JSON.stringify(value));
    }
  });

  it('name the actions they share with the preview panel the same way', () => {
    const preview = new Set<string>(PREVIEW_ACTIONS);
    const shared = GALLERY_ACTIONS.filter((action) => preview.has(action));
    assert.deepEqual(shared, ['continueFromLastFrame', 'regenerate', 'download', 'copyUrl']);
  });
});
