import assert from 'node:assert/strict';
import { checkChoice, checkImageChoice, durationSeconds, estimateCredits, findModel, IMAGE_MODELS, IMAGE_STYLES, VIDEO_MODELS } from '../../src/pictory/catalog';

describe('model catalog', () => {
  it('lists the three documented models with their ratios and durations, defaults first', () => {
    assert.deepEqual(
      VIDEO_MODELS.map((m) => [m.id, m.aspectRatios.join(' '), m.durations.join(' '), m.creditsPerSecond]),
      [
        ['veo3.1', '16:9 9:16', '4s 6s 8s', 20],
        ['veo3.1_fast', '16:9 9:16', '4s 6s 8s', 10],
        ['pixverse5.5', '16:9 9:16 1:1 3:4 4:3', '5s 8s 10s', 1.6],
      ],
    );
  });

  it('estimates credits as rate × seconds without floating-point noise', () => {
    assert.equal(estimateCredits(findModel('veo3.1')!, '8s'), 160);
    assert.equal(estimateCredits(findModel('pixverse5.5')!, '8s'), 12.8);
    assert.equal(estimateCredits(findModel('pixverse5.5')!, '10s'), 16);
    assert.equal(estimateCredits(findModel('veo3.1_fast')!, '6s'), 60);
  });

  it('reads durations like "8s" and rejects anything else', () => {
    assert.equal(durationSeconds('8s'), 8);
    assert.ok(Number.isNaN(durationSeconds('8')));
    assert.ok(Number.isNaN(durationSeconds('eight')));
  });

  it('reports defaults the chosen model does not support', () => {
    assert.equal(checkChoice({}), undefined);
    assert.equal(checkChoice({ model: 'pixverse5.5', aspectRatio: '1:1', duration: '5s' }), undefined);
    assert.deepEqual(checkChoice({ model: 'sora' }), { kind: 'unknownModel', model: 'sora' });
    assert.equal(checkChoice({ model: 'veo3.1', aspectRatio: '1:1' })?.kind, 'unsupportedAspectRatio');
    assert.equal(checkChoice({ model: 'veo3.1', duration: '5s' })?.kind, 'unsupportedDuration');
  });
});

describe('image model catalog', () => {
  it('lists the four documented image models with their ratios, credits per image and reference support', () => {
    assert.deepEqual(
      IMAGE_MODELS.map((m) => [m.id, m.aspectRatios.join(' '), m.creditsPerImage, m.takesReference]),
      [
        ['seedream3.0', '1:1 16:9 9:16', 2, true],
        ['flux-schnell', '1:1 16:9 9:16', 0.6, false],
        ['nanobanana', '1:1', 4, false],
        ['nanobanana-pro', '1:1 16:9 9:16', 14, false],
      ],
    );
    assert.deepEqual(IMAGE_STYLES, ['photorealistic', 'artistic', 'cartoon', 'minimalist', 'vintage', 'futuristic']);
  });

  it('refuses what a model cannot do, before anything is sent', () => {
    assert.equal(checkImageChoice({ model: 'seedream3.0', aspectRatio: '16:9', style: 'vintage', referenceImageUrl: 'https://cdn.example/a.png' }), undefined);
    assert.deepEqual(checkImageChoice({ model: 'dall-e', aspectRatio: '1:1' }), { kind: 'unknownModel', model: 'dall-e' });
    assert.equal(checkImageChoice({ model: 'nanobanana', aspectRatio: '16:9' })?.kind, 'unsupportedAspectRatio');
    assert.deepEqual(checkImageChoice({ model: 'flux-schnell', aspectRatio: '1:1', style: 'noir' }), { kind: 'unknownStyle', style: 'noir' });
    assert.equal(checkImageChoice({ model: 'flux-schnell', aspectRatio: '1:1', referenceImageUrl: 'https://cdn.example/a.png' })?.kind, 'referenceNotSupported');
  });
});
