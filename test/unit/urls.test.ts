import assert from 'node:assert/strict';
import { endpointProblem, parseRetryAfter } from '../../src/pictory/http';
import { inertText } from '../../src/pictory/text';
import { safeMediaUrl, videoFileName } from '../../src/pictory/urls';

describe('URLs from API answers', () => {
  const PICTORY = 'https://api.pictory.ai/pictoryapis';
  const LOCAL = 'http://127.0.0.1:8080/pictoryapis';

  it('accepts https, and loopback http only from a loopback API', () => {
    assert.equal(safeMediaUrl('https://cdn.pictory.ai/v/a.mp4', PICTORY), 'https://cdn.pictory.ai/v/a.mp4');
    assert.equal(safeMediaUrl('http://127.0.0.1:8080/media/a.mp4', LOCAL), 'http://127.0.0.1:8080/media/a.mp4');
    assert.equal(safeMediaUrl('http://localhost/a.mp4', LOCAL), 'http://localhost/a.mp4');
    assert.equal(safeMediaUrl('http://127.0.0.1:8080/admin', PICTORY), undefined, 'the real API cannot point at local services');
    for (const unsafe of [
      'javascript:alert(1)',
      'data:video/mp4;base64,AAAA',
      'file:///etc/passwd',
      'command:workbench.action.terminal.new',
      'vscode://settings',
      'http://cdn.example.com/a.mp4',
      'https://user:pass@cdn.example.com/a.mp4',
      'not a url',
      '',
      undefined,
    ]) {
      assert.equal(safeMediaUrl(unsafe, LOCAL), undefined, String(unsafe));
    }
  });

  it('names a download after the video file, safely', () => {
    assert.equal(videoFileName('https://cdn.example/videos/u/abc-123.mp4', 'fallback'), 'abc-123.mp4');
    assert.equal(videoFileName('https://cdn.example/videos/..%2F..%2Fevil.mp4', 'fallback'), '.._.._evil.mp4');
    assert.equal(videoFileName('https://cdn.example/stream', 'pictory-job'), 'pictory-job.mp4');
    assert.equal(videoFileName('https://cdn.example/%zz.mp4', 'pictory-job'), '_zz.mp4');
  });
});

describe('where the key may go', () => {
  it('allows HTTPS and loopback HTTP, and says why anything else is refused', () => {
    assert.equal(endpointProblem('https://api.pictory.ai/pictoryapis'), undefined);
    assert.equal(endpointProblem('http://127.0.0.1:3000/pictoryapis'), undefined);
    assert.equal(endpointProblem('http://[::1]:3000/pictoryapis'), undefined);
    assert.match(endpointProblem('http://api.pictory.ai/pictoryapis') ?? '', /neither HTTPS nor a loopback/);
    assert.match(endpointProblem('http://127.0.0.1.evil.example/x') ?? '', /neither HTTPS nor a loopback/);
    assert.match(endpointProblem('https://key@api.pictory.ai') ?? '', /credentials/);
    assert.match(endpointProblem('pictory') ?? '', /not a URL/);
  });

  it('reads Retry-After as seconds or as a date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(null), undefined);
    assert.equal(parseRetryAfter('Wed, 25 Nov 2026 00:00:10 GMT', Date.parse('Wed, 25 Nov 2026 00:00:00 GMT')), 10_000);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});

describe('text from outside in notifications', () => {
  it('cannot form a Markdown link, so no command can be clicked', () => {
    assert.equal(inertText('Oops [click](command:workbench.action.terminal.new)'), 'Oops [click] (command:workbench.action.terminal.new)');
    assert.equal(inertText('[a] ( b)'), '[a] ( b)');
    assert.equal(inertText('plain text'), 'plain text');
  });
});
