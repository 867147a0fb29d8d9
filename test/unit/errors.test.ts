import assert from 'node:assert/strict';
import { describeError, PictoryApiError } from '../../src/pictory/errors';
import { formatMessage } from '../../src/pictory/text';

const say = (error: PictoryApiError) => describeError(error, formatMessage);

describe('error messages', () => {
  it('lists each rejected field of a 400 with its reason', () => {
    const message = say(
      new PictoryApiError('invalidRequest', {
        status: 400,
        fields: [
          { name: 'prompt', reason: 'must be at least 5 characters' },
          { name: 'aspectRatio', reason: 'not supported by veo3.1' },
        ],
      }),
    );
    assert.match(message, /HTTP 400/);
    assert.match(message, /prompt: must be at least 5 characters/);
    assert.match(message, /aspectRatio: not supported by veo3\.1/);
  });

  it('says a request refused before sending was not sent, without an HTTP status', () => {
    const message = say(new PictoryApiError('invalidRequest', { fields: [{ name: 'firstFrameImageUrl', reason: 'must be an https URL' }] }));
    assert.equal(message, 'The request was not sent, because Pictory would refuse it: firstFrameImageUrl: must be an https URL');
  });

  it('says a non-JSON answer is not JSON, with its status', () => {
    assert.match(say(new PictoryApiError('notJson', { status: 502 })), /not JSON.*HTTP 502/);
  });

  it('mentions a proxy or firewall on 403', () => {
    assert.match(say(new PictoryApiError('forbidden', { status: 403 })), /proxy or firewall/);
  });

  it('tells how to fix a rejected key', () => {
    assert.match(say(new PictoryApiError('unauthorized', { status: 401 })), /rejected the API key.*Set API Key/);
  });

  it('says a key that cannot be sent is invalid, through the translation', () => {
    const error = new PictoryApiError('invalidKey');
    assert.equal(
      say(error),
      'The API key contains characters that cannot be sent in a request. Enter a valid key with "Pictory: Set API Key".',
    );
    assert.equal(error.transient, false);
    const translated: string[] = [];
    describeError(error, (message, ...args) => {
      translated.push(message);
      return formatMessage(message, ...args);
    });
    assert.deepEqual(translated, [say(error)]);
  });

  it('warns that a lost POST may have created a job', () => {
    assert.match(say(new PictoryApiError('timeout', { maybeCreated: true })), /may have been created/);
    assert.doesNotMatch(say(new PictoryApiError('timeout')), /may have been created/);
  });

  it('says a 404 on submitting means a wrong endpoint, not an unknown job', () => {
    const message = say(new PictoryApiError('endpointNotFound', { status: 404 }));
    assert.match(message, /no such endpoint.*pictory\.apiBaseUrl/);
    assert.doesNotMatch(message, /job/);
    assert.equal(
      say(new PictoryApiError('endpointNotFound', { status: 404, url: 'https://api.example/pictoryapis/v1/aistudio/videos' })),
      'Pictory\'s API has no such endpoint: https://api.example/pictoryapis/v1/aistudio/videos answered 404. Check the "pictory.apiBaseUrl" setting.',
    );
  });

  it('says a 5xx that may have taken the job may have created it', () => {
    const message = say(new PictoryApiError('server', { status: 500, maybeCreated: true }));
    assert.match(message, /HTTP 500/);
    assert.match(message, /may have been created/);
    assert.doesNotMatch(say(new PictoryApiError('server', { status: 503, apiMessage: 'Busy' })), /may have been created/);
  });

  it('says a timeout before any connection sent nothing', () => {
    const message = say(new PictoryApiError('timeout', { cause: 'no connection was made' }));
    assert.match(message, /no connection was made.*pictory\.apiBaseUrl/);
    assert.doesNotMatch(message, /may have been created/);
  });

  it("quotes Pictory's own code and message", () => {
    assert.match(say(new PictoryApiError('server', { status: 500, code: 'E42', apiMessage: 'Try later' })), /E42: Try later/);
  });

  it('uses the error message for logs as well', () => {
    assert.equal(new PictoryApiError('rateLimited').message, say(new PictoryApiError('rateLimited')));
  });
});
