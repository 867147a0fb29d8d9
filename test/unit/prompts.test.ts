import assert from 'node:assert/strict';
import { checkPrompt, promptsFromSelections, shortenPrompt } from '../../src/pictory/prompts';

describe('prompt rules', () => {
  it('accepts 5 to 5,000 characters and says which limit was crossed', () => {
    assert.deepEqual(checkPrompt('abcd'), { kind: 'tooShort', length: 4 });
    assert.equal(checkPrompt('abcde'), undefined);
    assert.equal(checkPrompt('x'.repeat(5000)), undefined);
    assert.deepEqual(checkPrompt('x'.repeat(5001)), { kind: 'tooLong', length: 5001 });
  });

  it('counts an emoji as one character', () => {
    assert.deepEqual(checkPrompt('🎬🎬🎬🎬'), { kind: 'tooShort', length: 4 });
  });

  it('makes each non-empty selection, trimmed, its own prompt', () => {
    assert.deepEqual(promptsFromSelections(['  a fox in snow \n', '', '   ', 'a cat on a roof']), ['a fox in snow', 'a cat on a roof']);
    assert.deepEqual(promptsFromSelections(['', ' ']), []);
  });

  it('shortens prompts to one line for lists and tooltips', () => {
    assert.equal(shortenPrompt('a\n  fox'), 'a fox');
    const short = shortenPrompt('x'.repeat(100), 40);
    assert.equal([...short].length, 40);
    assert.ok(short.endsWith('…'));
  });
});
