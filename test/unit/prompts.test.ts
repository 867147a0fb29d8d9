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

  it('shortens long prompts as if it read them whole', () => {
    const whole = (prompt: string, maxLength: number) => {
      const characters = [...prompt.replace(/\s+/g, ' ').trim()];
      return characters.length <= maxLength ? characters.join('') : characters.slice(0, maxLength - 1).join('').trimEnd() + '…';
    };
    const prompts = [
      'a fox in snow '.repeat(40),
      ' '.repeat(500) + 'a fox',
      '\n\n' + 'word '.repeat(10) + ' '.repeat(300) + 'end',
      '🎬 a clapper board '.repeat(30),
      'a'.repeat(59) + '🎬' + 'b'.repeat(400),
      'a'.repeat(239) + '🎬' + 'b'.repeat(400),
      'x'.repeat(60),
      'x'.repeat(61),
      'x'.repeat(59) + ' '.repeat(300) + 'y',
      'lone \uD800 surrogate '.repeat(20),
    ];
    for (const prompt of prompts) for (const maxLength of [40, 60, 120]) assert.equal(shortenPrompt(prompt, maxLength), whole(prompt, maxLength), JSON.stringify(prompt.slice(0, 30)));
  });
});
