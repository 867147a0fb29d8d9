import assert from 'node:assert/strict';
import type { JobRecord, JobState, VideoJobRecord } from '../../src/jobs/jobRecord';
import type { LocalCopy } from '../../src/jobs/localCopies';
import { shortenPrompt } from '../../src/pictory/prompts';
import { buildGallery, CARD_TITLE_LENGTH, CardSources, cardTitle, FIRST_CARDS, galleryDeck, galleryHtml, galleryMessages, MORE_CARDS } from '../../src/studio/galleryCards';
import { originsCover, pageCsp, withOrigins } from '../../src/webview/page';
import { GALLERY_LABELS, GalleryLabels } from '../../src/studio/galleryProtocol';

const ENDPOINT = 'https://api.pictory.ai/pictoryapis';

function record(id: string, submittedAt: number, extra: Partial<VideoJobRecord> = {}, state: JobState = 'completed'): JobRecord {
  return {
    id,
    endpoint: ENDPOINT,
    request: { prompt: `A kite over the dunes, take ${id}`, model: 'veo3.1_fast', aspectRatio: '16:9', duration: '8s' },
    submittedAt,
    deadline: submittedAt + 1_800_000,
    state,
    updatedAt: submittedAt + 60_000,
    video:
      state === 'completed'
        ? {
            url: `https://cdn.pictory.example/videos/${id}.mp4`,
            duration: '8s',
            thumbnailImageUrl: `https://img.pictory.example/thumbs/${id}.jpg`,
            lastFrameImageUrl: `https://img.pictory.example/last/${id}.jpg`,
            aiCreditsUsed: 80,
          }
        : undefined,
    ...extra,
  };
}

function sources(copies: Record<string, LocalCopy> = {}): CardSources {
  return {
    toWebviewUri: (file) => `https://file+.vscode-resource.vscode-cdn.net${file}`,
    localCopy: (jobId) => copies[jobId],
    credits: (job) => job.video?.aiCreditsUsed,
  };
}

describe('gallery cards', () => {
  it('are the finished clips, newest first', () => {
    const records = [
      record('old', 1000),
      record('running', 5000, {}, 'running'),
      record('new', 3000),
      record('failed', 4000, {}, 'failed'),
      record('middle', 2000),
    ];
    const { clips } = buildGallery(records, sources());
    assert.deepEqual(
      clips.map((clip) => clip.jobId),
      ['new', 'middle', 'old'],
    );
  });

  it('play and show the local copy when there is one, Pictory\'s addresses otherwise', () => {
    const copies = { a: { video: '/copies/a/video.mp4', thumbnail: '/copies/a/thumbnail.jpg' }, b: { thumbnail: '/copies/b/thumbnail.png' } };
    const content = buildGallery([record('a', 2), record('b', 1), record('c', 0)], sources(copies));
    const [a, b, c] = content.clips;
    assert.equal(a.videoUrl, 'https://file+.vscode-resource.vscode-cdn.net/copies/a/video.mp4');
    assert.equal(a.thumbnailUrl, 'https://file+.vscode-resource.vscode-cdn.net/copies/a/thumbnail.jpg');
    assert.equal(a.hasRemoteVideo, true);
    assert.equal(b.videoUrl, 'https://cdn.pictory.example/videos/b.mp4');
    assert.equal(b.thumbnailUrl, 'https://file+.vscode-resource.vscode-cdn.net/copies/b/thumbnail.png');
    assert.equal(c.thumbnailUrl, 'https://img.pictory.example/thumbs/c.jpg');
    // Only the origins actually loaded from Pictory go into the page's policy.
    assert.deepEqual(content.mediaOrigins, ['https://cdn.pictory.example']);
    assert.deepEqual(content.imageOrigins, ['https://img.pictory.example']);
  });

  it('drop addresses that are not safe to load, and fall back to the preview image', () => {
    const unsafe = record('x', 1, {
      video: { url: 'javascript:alert(1)', thumbnailImageUrl: 'http://evil.example/t.jpg', lastFrameImageUrl: 'file:///etc/passwd' },
    });
    const preview = record('y', 0, { video: { url: 'https://cdn.pictory.example/y.mp4', previewImageUrl: 'https://img.pictory.example/y.jpg' } });
    const content = buildGallery([unsafe, preview], sources());
    const [x, y] = content.clips;
    assert.equal(x.videoUrl, undefined);
    assert.equal(x.thumbnailUrl, undefined);
    assert.equal(x.hasRemoteVideo, false);
    assert.equal(x.hasLastFrame, false);
    assert.equal(y.thumbnailUrl, 'https://img.pictory.example/y.jpg');
    assert.deepEqual(content.imageOrigins, ['https://img.pictory.example']);
    assert.deepEqual(content.mediaOrigins, ['https://cdn.pictory.example']);
  });

  it('carry what the card shows: a short prompt, model, duration, credits, ratio and age', () => {
    const long = record('long', 42, {
      request: { prompt: `  A very\nlong prompt ${'word '.repeat(100)}`, model: 'pixverse5.5', aspectRatio: '9:16', duration: '10s' },
      video: { url: 'https://cdn.pictory.example/long.mp4', aiCreditsUsed: 16 },
    });
    const [clip] = buildGallery([long], sources()).clips;
    assert.equal(clip.prompt, long.request.prompt);
    assert.ok([...clip.title].length <= 120);
    assert.ok(clip.title.startsWith('A very long prompt word'));
    assert.ok(clip.title.endsWith('…'));
    assert.equal(clip.model, 'pixverse5.5');
    assert.equal(clip.aspectRatio, '9:16');
    assert.equal(clip.duration, '10s', "the request's duration when Pictory gave none");
    assert.equal(clip.credits, 16);
    assert.equal(clip.submittedAt, 42);
    assert.equal(clip.hasLastFrame, false);
  });

  it('keep only ratios of the form w:h', () => {
    const ratio = (aspectRatio: string) =>
      buildGallery([record('r', 1, { request: { prompt: 'p', model: 'm', aspectRatio, duration: '8s' } })], sources()).clips[0].aspectRatio;
    assert.equal(ratio('16:9'), '16:9');
    assert.equal(ratio(' 4:3 '), '4:3');
    assert.equal(ratio('0:9'), '');
    assert.equal(ratio('16/9; background:url(x)'), '');
    assert.equal(ratio(''), '');
  });

  it('list each model once, for the filter', () => {
    const model = (id: string, name: string) => record(id, 1, { request: { prompt: 'p', model: name, aspectRatio: '16:9', duration: '8s' } });
    assert.deepEqual(buildGallery([model('1', 'veo3.1'), model('2', 'pixverse5.5'), model('3', 'veo3.1')], sources()).models, ['pixverse5.5', 'veo3.1']);
  });
});

describe('a long gallery', () => {
  const labels = Object.fromEntries(GALLERY_LABELS.map((key) => [key, key])) as GalleryLabels;
  const many = (count: number) => Array.from({ length: count }, (_, index) => record(`clip-${index}`, index * 1000));

  it('gives the cards and origins of the whole gallery, made as asked for', () => {
    const records = [
      ...many(20),
      record('other-cdn', 50_000, { video: { url: 'https://media.other.example:8443/v.mp4', thumbnailImageUrl: 'https://IMG.other.example/t.jpg' } }),
      record('unsafe', 60_000, { video: { url: 'http://cdn.pictory.example/v.mp4', thumbnailImageUrl: 'https://user:secret@img.pictory.example/t.jpg' } }),
      record('disguised', 61_000, { video: { url: 'https://evil.example@cdn.pictory.example/v.mp4', thumbnailImageUrl: 'https://evil.example@img.pictory.example/t.jpg' } }),
      record('running', 70_000, {}, 'running'),
    ];
    const copies = { 'clip-3': { video: '/copies/3/video.mp4', thumbnail: '/copies/3/thumbnail.jpg' } };
    const whole = buildGallery(records, sources(copies));
    const deck = galleryDeck(records, sources(copies));
    assert.equal(deck.total, whole.clips.length);
    assert.deepEqual(deck.jobIds, whole.clips.map((clip) => clip.jobId));
    assert.deepEqual([...deck.cards(0, 5), ...deck.cards(5, deck.total)], whole.clips);
    assert.deepEqual(deck.models, whole.models);
    assert.deepEqual(deck.imageOrigins, whole.imageOrigins);
    assert.deepEqual(deck.mediaOrigins, whole.mediaOrigins);
    assert.deepEqual(deck.mediaOrigins, ['https://cdn.pictory.example', 'https://media.other.example:8443']);
    assert.deepEqual(deck.imageOrigins, ['https://img.other.example', 'https://img.pictory.example']);
  });

  it('goes to the page as its first cards with the count of all, then in parts that follow on', () => {
    const total = FIRST_CARDS + MORE_CARDS + 7;
    const deck = galleryDeck(many(total), sources());
    const messages = galleryMessages(deck, labels, 1234, 7).map((message) => message());
    assert.deepEqual(
      messages.map((message) => [message.type, message.type === 'moreClips' ? message.from : 0, message.clips.length, message.build]),
      [
        ['clips', 0, FIRST_CARDS, 7],
        ['moreClips', FIRST_CARDS, MORE_CARDS, 7],
        ['moreClips', FIRST_CARDS + MORE_CARDS, 7, 7],
      ],
    );
    const [first] = messages;
    assert.ok(first.type === 'clips' && first.total === total && first.now === 1234);
    assert.deepEqual(messages.flatMap((message) => message.clips.map((clip) => clip.jobId)), deck.jobIds);
  });

  it('goes to the page in one message when it is short, or empty', () => {
    const short = galleryMessages(galleryDeck(many(3), sources()), labels, 0, 1);
    assert.equal(short.length, 1);
    const empty = galleryMessages(galleryDeck([], sources()), labels, 0, 2).map((message) => message());
    assert.deepEqual(empty.map((message) => message.type === 'clips' && [message.clips.length, message.total]), [[0, 0]]);
  });

  it('makes each part once, when it is first sent', () => {
    let made = 0;
    const counting: CardSources = { ...sources(), credits: (job) => (made++, job.video?.aiCreditsUsed) };
    const [first, second] = galleryMessages(galleryDeck(many(FIRST_CARDS + 2), counting), labels, 0, 1);
    assert.equal(made, 0);
    first();
    assert.equal(made, FIRST_CARDS);
    assert.equal(second(), second());
    assert.equal(made, FIRST_CARDS + 2);
  });
});

describe('the gallery page', () => {
  const policy = { cspSource: 'https://webview.example', nonce: 'abc123', imageOrigins: ['https://img.pictory.example'], mediaOrigins: [] };

  it('may load only its own files and the origins its cards use', () => {
    const csp = pageCsp(policy);
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /img-src https:\/\/webview\.example https:\/\/img\.pictory\.example;/);
    assert.match(csp, /media-src https:\/\/webview\.example;/);
    assert.match(csp, /script-src 'nonce-abc123'$/);
    assert.doesNotMatch(csp, /unsafe/);
  });

  it('is made again only when the cards need an origin its policy lacks', () => {
    assert.equal(originsCover(policy, { imageOrigins: ['https://img.pictory.example'], mediaOrigins: [] }), true);
    assert.equal(originsCover(policy, { imageOrigins: [], mediaOrigins: [] }), true);
    assert.equal(originsCover(policy, { imageOrigins: [], mediaOrigins: ['https://cdn.pictory.example'] }), false);
    const grown = withOrigins(policy, { imageOrigins: ['https://img.pictory.example'], mediaOrigins: ['https://cdn.pictory.example'] });
    assert.deepEqual(grown, { imageOrigins: ['https://img.pictory.example'], mediaOrigins: ['https://cdn.pictory.example'] });
  });

  it('holds no data and escapes what it is given', () => {
    const html = galleryHtml({
      csp: pageCsp(policy),
      nonce: 'abc123',
      lang: 'en"><script>',
      styles: ['https://webview.example/gallery.css?a=1&b="2"'],
      scripts: ['https://webview.example/gallery.js'],
      codicons: false,
    });
    assert.ok(html.includes('href="https://webview.example/gallery.css?a=1&amp;b=&quot;2&quot;"'));
    assert.ok(html.includes('lang="en&quot;&gt;&lt;script&gt;"'));
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.ok(html.includes('<script nonce="abc123" src="https://webview.example/gallery.js"></script>'));
    assert.ok(html.includes('class="no-codicons"'));
  });
});

describe('card titles', () => {
  it('are the prompt shortened to one line, even when only its start is read', () => {
    const prompts = [
      'short',
      'word '.repeat(30),
      'word '.repeat(300),
      `${' '.repeat(400)}late start ${'x'.repeat(50)}`,
      `${'a'.repeat(239)}😀${'b'.repeat(300)}`,
      `${'line\n\n\t'.repeat(60)}end`,
      'é'.repeat(119) + ' ' + 'f'.repeat(200),
      `${'x '.repeat(119)}y`,
      `${'x '.repeat(120)}`,
      'a'.repeat(240),
      'a'.repeat(241),
      'a'.repeat(120),
      'a'.repeat(121),
      ` ${'b'.repeat(119)} `,
      `${'😀'.repeat(130)}`,
      `${'c'.repeat(118)}😀😀 tail`,
      `${'d '.repeat(59)}d    ${'e'.repeat(300)}`,
      '\u00a0\u2003 wide spaces\u3000and more '.repeat(20),
    ];
    for (const prompt of prompts) assert.equal(cardTitle(prompt), shortenPrompt(prompt, CARD_TITLE_LENGTH), JSON.stringify(prompt.slice(0, 40)));
  });
});
