import assert from 'node:assert/strict';
import { checkStoryboard, sceneChoice, sceneCredits } from '../../src/storyboard/checkStoryboard';
import { isStoryboard, parseStoryboard } from '../../src/storyboard/storyboard';

const EXAMPLE = `---
pictory: storyboard
model: pixverse5.5
aspectRatio: "16:9"
duration: 5s
continuity: lastFrame
transition: fade
---

## The lantern
A paper lantern floating over a calm lake at night,
slow camera push-in

## It rises
<!-- model: veo3.1_fast, duration: 8s -->
The lantern rises into the stars as the camera tilts up to follow it

## Among the stars
The lantern becomes one more star in the sky
`;

describe('storyboard files', () => {
  it('are told apart by their front matter alone', () => {
    assert.equal(isStoryboard(EXAMPLE), true);
    assert.equal(isStoryboard('---\npictory: "storyboard"  # a film\n---\n'), true);
    assert.equal(isStoryboard('# Notes\n\npictory: storyboard\n'), false, 'not in front matter');
    assert.equal(isStoryboard('---\ntitle: notes\n---\n'), false);
  });

  it('give their defaults, and each scene with its prompt, overrides and lines', () => {
    const board = parseStoryboard(EXAMPLE);
    assert.deepEqual(board.problems, []);
    assert.deepEqual(board.defaults, { model: 'pixverse5.5', aspectRatio: '16:9', duration: '5s', continuity: 'lastFrame', transition: 'fade' });
    assert.deepEqual(board.frontMatter, { start: 0, end: 7 });
    assert.deepEqual(
      board.scenes.map((scene) => [scene.index, scene.title, scene.prompt, scene.overrides, scene.range, scene.promptRange, scene.overridesLine]),
      [
        [0, 'The lantern', 'A paper lantern floating over a calm lake at night, slow camera push-in', {}, { start: 9, end: 12 }, { start: 10, end: 11 }, undefined],
        [1, 'It rises', 'The lantern rises into the stars as the camera tilts up to follow it', { model: 'veo3.1_fast', duration: '8s' }, { start: 13, end: 16 }, { start: 15, end: 15 }, 14],
        [2, 'Among the stars', 'The lantern becomes one more star in the sky', {}, { start: 17, end: 19 }, { start: 18, end: 18 }, undefined],
      ],
    );
    assert.deepEqual(sceneChoice(board, board.scenes[1]), { model: 'veo3.1_fast', aspectRatio: '16:9', duration: '8s', start: undefined });
    assert.deepEqual(board.scenes.map((scene) => sceneCredits(board, scene)), [8, 80, 8]);
    assert.deepEqual(checkStoryboard(board), []);
  });

  it('without headings, take the text between --- lines as scenes', () => {
    const board = parseStoryboard('---\npictory: storyboard\nmodel: veo3.1\naspectRatio: "9:16"\nduration: 4s\n---\nA fox in the snow, wide shot\n---\nThe fox runs toward the camera\n\n---\n');
    assert.deepEqual(board.scenes.map((scene) => [scene.prompt, scene.promptRange.start]), [
      ['A fox in the snow, wide shot', 6],
      ['The fox runs toward the camera', 8],
    ]);
    assert.equal(board.defaults.continuity, 'lastFrame', 'continuity defaults to lastFrame');
  });

  it('report what Pictory would refuse, on the lines concerned', () => {
    const board = parseStoryboard(`---
pictory: storyboard
model: veo3.1
aspectRatio: "1:1"
duration: 5s
continuity: lastFrame
colour: blue
---
## One
Tiny
## Two
<!-- start: https://cdn.example/a.png, aspectRatio: 9:16, speed: 2 -->
A long enough prompt for the second scene
`);
    const problems = checkStoryboard(board).map((problem) => `${problem.range.start}-${problem.range.end} ${problem.message}`);
    assert.deepEqual(problems, [
      '0-7 Unknown front matter field "colour": use pictory, model, aspectRatio, duration, continuity, transition.',
      '11-11 A film has one aspect ratio: set "aspectRatio" in the front matter, not in a scene.',
      '11-11 "speed: 2" is not a scene setting: use model, duration or start, as "key: value".',
      '9-9 The prompt is too short: 4 characters, at least 5 are needed.',
      '8-9 veo3.1 does not make 1:1 videos, the film\'s aspect ratio (it makes 16:9, 9:16).',
      '8-9 veo3.1 does not make 5s videos (it makes 4s, 6s, 8s).',
      '11-11 veo3.1 does not make 1:1 videos, the film\'s aspect ratio (it makes 16:9, 9:16).',
      '11-11 veo3.1 does not make 5s videos (it makes 4s, 6s, 8s).',
      '11-11 This scene has two start inputs: with "continuity: lastFrame" it starts from the last frame of the scene before. Remove "start", or set "continuity: none".',
    ]);
  });

  it('report a front matter that is not YAML, a missing aspect ratio, model or duration, and an unknown model', () => {
    const broken = checkStoryboard(parseStoryboard('---\npictory: storyboard\nmodel: [veo\n---\n## A\nA fox in the snow\n'));
    assert.match(broken[0].message, /^The front matter is not valid YAML/);
    const missing = checkStoryboard(parseStoryboard('---\npictory: storyboard\ncontinuity: always\n---\n## A\n<!-- model: sora -->\nA fox in the snow\n'));
    assert.deepEqual(missing.map((problem) => problem.message), [
      '"continuity" is "always": use lastFrame or none.',
      'A film has one aspect ratio: set "aspectRatio" in the front matter (for example "16:9").',
      'Unknown model "sora": use veo3.1, veo3.1_fast, pixverse5.5.',
      'No duration: set "duration" in the front matter, or in this scene.',
    ]);
  });

  it('take a start image for the first scene, or for any scene without continuity', () => {
    const text = (continuity: string) =>
      `---\npictory: storyboard\nmodel: pixverse5.5\naspectRatio: "16:9"\nduration: 5s\ncontinuity: ${continuity}\n---\n## A\n<!-- start: https://cdn.example/a.png -->\nA fox in the snow\n## B\n<!-- start: ftp://cdn.example/b.png -->\nThe fox runs\n`;
    assert.deepEqual(checkStoryboard(parseStoryboard(text('none'))).map((problem) => problem.message), ['"start" must be the https address of an image, not "ftp://cdn.example/b.png".']);
    assert.equal(checkStoryboard(parseStoryboard(text('lastFrame'))).length, 1);
  });
});
