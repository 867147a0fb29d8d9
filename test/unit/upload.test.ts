import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { PictoryApiError } from '../../src/pictory/errors';
import { readUploadUrl } from '../../src/pictory/responses';
import { describeUploadError, imageContentType, MAX_UPLOAD_BYTES, uploadFile, UploadError } from '../../src/pictory/upload';
import { locateFixturesDir } from '../server/media';
import { PictoryServer, startPictoryServer } from '../server/pictoryServer';
import { FetchCall, loadFetch, makeClient, makeTempDir, recordingFetch, rejection, removeDir } from './support';

const IMAGE = path.join(locateFixturesDir(), 'image.png');
const imageBytes = fs.readFileSync(IMAGE);

/** The UploadError a call fails with (the test fails if it succeeds or throws anything else). */
async function uploadRejection(promise: Promise<unknown>): Promise<UploadError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UploadError, `expected an UploadError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the upload to fail');
}

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('uploading a file', () => {
  let server: PictoryServer;
  let folder: string;
  let calls: FetchCall[];
  let storageRequestsSeen = 0;
  const client = () => makeClient(server.baseUrl);
  const never = new AbortController().signal;

  function upload(signedUrl: string, file: string, contentType: string, options: { idleTimeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    return uploadFile(signedUrl, file, contentType, recordingFetch(calls), options.signal ?? never, () => {}, options);
  }

  function tempFile(name: string, bytes: Buffer | string = imageBytes): string {
    const file = path.join(folder, name);
    fs.writeFileSync(file, bytes);
    return file;
  }

  before(async () => {
    server = await startPictoryServer({ pollsUntilDone: 1 });
  });
  after(() => {
    assert.ok(storageRequestsSeen > 0, 'the storage server was used');
    return server.close();
  });
  beforeEach(() => {
    server.reset();
    calls = [];
    folder = makeTempDir('upload');
  });
  afterEach(() => {
    removeDir(folder);
    storageRequestsSeen += server.storage.requests.length;
    // The key goes to Pictory's API only, never to the storage host.
    assert.deepEqual(server.storage.requests.filter((request) => request.authorization !== undefined), [], 'the storage host saw an Authorization header');
    assert.ok(calls.every((call) => !Object.keys(call.init.headers).some((name) => name.toLowerCase() === 'authorization')));
  });

  describe('imageContentType', () => {
    it('maps PNG, JPEG and WebP extensions, in any case, and nothing else', () => {
      assert.equal(imageContentType('/a/b.png'), 'image/png');
      assert.equal(imageContentType('photo.JPG'), 'image/jpeg');
      assert.equal(imageContentType('photo.jpeg'), 'image/jpeg');
      assert.equal(imageContentType('c:\\pictures\\x.WebP'), 'image/webp');
      for (const name of ['a.gif', 'a.svg', 'png', 'a.png.txt', 'a.', '', 'a.constructor', 'a.__proto__']) assert.equal(imageContentType(name), undefined, name);
    });
  });

  describe('from generateurl to the stored file', () => {
    it('puts the bytes with only Content-Type and Content-Length, then serves them at the permanent url', async () => {
      const link = await client().createUploadUrl('image.png', 'image/png');
      assert.match(link.signedUrl, new RegExp(`^${server.storage.origin}/uploads/[0-9a-f-]{36}/image\\.png\\?`));
      assert.equal(link.url, link.signedUrl.replace(/\?.*$/, ''));
      assert.match(link.key ?? '', /^uploads\/[0-9a-f-]{36}\/image\.png$/);
      const [api] = server.requests;
      assert.equal(api.path, '/pictoryapis/v1/media/generateurl');
      assert.deepEqual(api.body, { fileName: 'image.png', contentType: 'image/png' });
      assert.equal(api.authorization, 'pictai_unit_tests');

      let progress = 0;
      await uploadFile(link.signedUrl, IMAGE, 'image/png', recordingFetch(calls), never, (share) => (progress += share));
      assert.ok(Math.abs(progress - 1) < 1e-9, `progress added up to ${progress}`);
      assert.equal(calls.length, 1);
      assert.equal(calls[0].url, link.signedUrl);
      assert.equal(calls[0].init.method, 'PUT');
      assert.equal(calls[0].init.redirect, 'manual');
      assert.deepEqual(calls[0].init.headers, { 'Content-Type': 'image/png', 'Content-Length': String(imageBytes.length) });
      const [put] = server.storage.requests;
      assert.equal(put.method, 'PUT');
      assert.equal(put.contentType, 'image/png');
      assert.equal(put.contentLength, String(imageBytes.length));
      assert.equal(put.transferEncoding, undefined, 'not chunked');
      assert.equal(put.size, imageBytes.length);

      const response = await fetch(link.url);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'image/png');
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), imageBytes);
    });

    it('uploads JPEG and WebP files, names with spaces and accents included', async () => {
      for (const [name, contentType] of [['a photo é.JPG', 'image/jpeg'], ['still.webp', 'image/webp'], ['x.jpeg', 'image/jpeg']]) {
        const bytes = Buffer.from(`not really ${contentType}, but the storage host does not look`);
        const file = tempFile(name, bytes);
        const link = await client().createUploadUrl(name, contentType);
        await upload(link.signedUrl, file, contentType);
        const response = await fetch(link.url);
        assert.equal(response.headers.get('content-type'), contentType);
        assert.deepEqual(Buffer.from(await response.arrayBuffer()), bytes, name);
      }
    });

    it('gives a url that image and video requests take as an input', async () => {
      const link = await client().createUploadUrl('image.png', 'image/png');
      await upload(link.signedUrl, IMAGE, 'image/png');
      assert.ok(await client().createImage({ prompt: 'The same scene at night', model: 'seedream3.0', aspectRatio: '1:1', referenceImageUrl: link.url }));
      assert.ok(await client().createVideo({ prompt: 'The scene comes alive', model: 'pixverse5.5', aspectRatio: '16:9', duration: '5s', firstFrameImageUrl: link.url }));
    });

    it('uploads a file of exactly the size limit', async () => {
      const file = path.join(folder, 'big.png');
      fs.writeFileSync(file, '');
      fs.truncateSync(file, MAX_UPLOAD_BYTES);
      const link = await client().createUploadUrl('big.png', 'image/png');
      await upload(link.signedUrl, file, 'image/png');
      assert.equal(server.storage.files().get(link.key ?? '')?.bytes.length, MAX_UPLOAD_BYTES);
    });
  });

  describe('refused by the storage host', () => {
    it('refuses a Content-Type other than the one signed, saying the link was refused', async () => {
      const link = await client().createUploadUrl('image.png', 'image/png');
      const file = tempFile('image.jpg');
      const error = await uploadRejection(upload(link.signedUrl, file, 'image/jpeg'));
      assert.equal(error.kind, 'linkRefused');
      assert.equal(error.details.status, 403);
      assert.equal(error.details.code, 'SignatureDoesNotMatch');
      assert.match(error.message, /^The upload link expired or was refused \(HTTP 403\)\. Try the upload again: a new link will be made\. The storage host says: SignatureDoesNotMatch: /);
      assert.equal(server.storage.files().size, 0);
      assert.equal((await fetch(link.url)).status, 404);
    });

    it('says an expired link expired or was refused, and to try again', async () => {
      server.storage.urlLifetimeMs = 0;
      const link = await client().createUploadUrl('image.png', 'image/png');
      const error = await uploadRejection(upload(link.signedUrl, IMAGE, 'image/png'));
      assert.equal(error.kind, 'linkRefused');
      assert.equal(error.transient, false, 'the same link will not do');
      assert.equal(
        error.message,
        'The upload link expired or was refused (HTTP 403). Try the upload again: a new link will be made. The storage host says: AccessDenied: Request has expired.',
      );
      assert.doesNotMatch(error.message, /Signature=|Expires=/, 'the signature is not shown');
    });

    it('refuses a tampered signature', async () => {
      const link = await client().createUploadUrl('image.png', 'image/png');
      const tampered = link.signedUrl.replace(/Signature=([0-9a-f])/, (_, digit: string) => `Signature=${digit === '0' ? '1' : '0'}`);
      assert.equal((await uploadRejection(upload(tampered, IMAGE, 'image/png'))).kind, 'linkRefused');
    });

    it('reports a server error with its status, as worth another try', async () => {
      const link = await client().createUploadUrl('image.png', 'image/png');
      server.storage.addFault({ method: 'PUT', fault: { kind: 'html', status: 503 } });
      const error = await uploadRejection(upload(link.signedUrl, IMAGE, 'image/png'));
      assert.equal(error.kind, 'storageError');
      assert.equal(error.transient, true);
      assert.match(error.message, new RegExp(`^The storage host ${server.storage.origin.replace('http://', '')} did not take the upload \\(HTTP 503\\)\\.$`));
    });

    it('does not follow a redirect, which would carry the file elsewhere', async () => {
      const other = await startPictoryServer();
      try {
        const elsewhere = other.storage.sign('image.png', 'image/png');
        const link = await client().createUploadUrl('image.png', 'image/png');
        server.storage.addFault({ method: 'PUT', fault: { kind: 'status', status: 307, body: '', headers: { Location: elsewhere.signedUrl } } });
        const error = await uploadRejection(upload(link.signedUrl, IMAGE, 'image/png'));
        assert.equal(error.kind, 'storageError');
        assert.match(error.message, /redirected to 127\.0\.0\.1:\d+\)/);
        assert.doesNotMatch(error.message, /Signature/);
        assert.equal(other.storage.requests.length, 0);
      } finally {
        await other.close();
      }
    });
  });

  describe('refused before anything is sent', () => {
    async function refusedLocally(file: string, contentType: string): Promise<UploadError> {
      const link = server.storage.sign(path.basename(file), 'image/png');
      const error = await uploadRejection(upload(link.signedUrl, file, contentType));
      assert.equal(calls.length, 0, 'nothing was fetched');
      assert.equal(server.storage.requests.length, 0);
      return error;
    }

    it('refuses a file over the size limit, naming both sizes', async () => {
      const file = path.join(folder, 'huge.png');
      fs.writeFileSync(file, '');
      fs.truncateSync(file, 25 * 1024 * 1024);
      const error = await refusedLocally(file, 'image/png');
      assert.equal(error.kind, 'tooLarge');
      assert.equal(error.message, 'huge.png is too large to upload: it is 25 MB, and the limit is 20 MB.');
      fs.truncateSync(file, MAX_UPLOAD_BYTES + 1);
      const justOver = await refusedLocally(file, 'image/png');
      assert.equal(justOver.message, `huge.png is too large to upload: it is ${MAX_UPLOAD_BYTES + 1} bytes, and the limit is ${MAX_UPLOAD_BYTES} bytes.`);
    });

    it('refuses a file that is not a PNG, JPEG or WebP image, or a type that is none of them', async () => {
      const gif = await refusedLocally(tempFile('anim.gif'), 'image/gif');
      assert.equal(gif.kind, 'unsupportedType');
      assert.equal(gif.message, 'Only PNG, JPEG and WebP images can be uploaded, not .gif.');
      const noExtension = await refusedLocally(tempFile('README'), 'image/png');
      assert.equal(noExtension.kind, 'unsupportedType');
      const gifType = await refusedLocally(tempFile('a.png'), 'image/gif');
      assert.equal(gifType.kind, 'unsupportedType');
      assert.match(gifType.message, /not image\/gif/);
    });

    it('refuses a Content-Type that is not the one the extension names', async () => {
      const error = await refusedLocally(tempFile('a.png'), 'image/jpeg');
      assert.equal(error.kind, 'typeMismatch');
      assert.match(error.message, /a\.png cannot be uploaded as image\/jpeg/);
    });

    it('refuses a missing file, a folder and an empty file', async () => {
      assert.equal((await refusedLocally(path.join(folder, 'gone.png'), 'image/png')).kind, 'fileNotFound');
      fs.mkdirSync(path.join(folder, 'folder.png'));
      assert.equal((await refusedLocally(path.join(folder, 'folder.png'), 'image/png')).kind, 'notAFile');
      const empty = await refusedLocally(tempFile('empty.png', ''), 'image/png');
      assert.equal(empty.kind, 'empty');
      assert.equal(empty.message, 'The file empty.png is empty.');
    });

    it('refuses a signed URL that is not https, and one with credentials', async () => {
      for (const url of ['http://storage.example/uploads/a.png?Signature=x', 'ftp://127.0.0.1/a.png', 'not a url', 'https://user:pw@storage.example/a.png']) {
        const error = await uploadRejection(upload(url, IMAGE, 'image/png'));
        assert.equal(error.kind, 'invalidUrl', url);
      }
      assert.equal(calls.length, 0);
    });

    it('stops when cancelled before starting', async () => {
      const controller = new AbortController();
      controller.abort();
      const link = await client().createUploadUrl('image.png', 'image/png');
      assert.equal((await uploadRejection(upload(link.signedUrl, IMAGE, 'image/png', { signal: controller.signal }))).kind, 'cancelled');
      assert.equal(calls.length, 0);
    });
  });

  describe('when the storage host cannot be reached', () => {
    it('says the connection was refused', async () => {
      const port = await closedPort();
      const error = await uploadRejection(upload(`http://127.0.0.1:${port}/uploads/x/image.png?Expires=1&Signature=00`, IMAGE, 'image/png'));
      assert.equal(error.kind, 'unreachable');
      assert.equal(error.transient, true);
      assert.equal(error.message, `Could not reach the storage host 127.0.0.1:${port} (connection refused). Check the network, then try again.`);
    });

    it('says the host was not found', async () => {
      const error = await uploadRejection(upload('https://storage.pictory.invalid/uploads/x/image.png?Signature=00', IMAGE, 'image/png'));
      assert.equal(error.kind, 'unreachable');
      assert.match(error.message, /storage\.pictory\.invalid \(host not found\)/);
    });

    it('gives up when the storage host stops answering', async () => {
      const link = await client().createUploadUrl('image.png', 'image/png');
      server.storage.addFault({ method: 'PUT', fault: { kind: 'hang' } });
      const started = Date.now();
      const error = await uploadRejection(upload(link.signedUrl, IMAGE, 'image/png', { idleTimeoutMs: 200 }));
      assert.equal(error.kind, 'timeout');
      assert.match(error.message, /stopped answering/);
      assert.ok(Date.now() - started < 2000);
    });

    it('says the connection was lost when it drops without an answer', async () => {
      const link = await client().createUploadUrl('image.png', 'image/png');
      server.storage.addFault({ method: 'PUT', fault: { kind: 'reset' } });
      const error = await uploadRejection(upload(link.signedUrl, IMAGE, 'image/png'));
      assert.equal(error.kind, 'connectionLost');
      assert.match(error.message, /was lost during the upload \(connection reset\)/);
    });

    it('stops at once when cancelled during the upload', async () => {
      const link = await client().createUploadUrl('image.png', 'image/png');
      server.storage.addFault({ method: 'PUT', fault: { kind: 'hang' } });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const error = await uploadRejection(upload(link.signedUrl, IMAGE, 'image/png', { signal: controller.signal }));
      assert.equal(error.kind, 'cancelled');
    });
  });

  describe('createUploadUrl', () => {
    it('refuses a type Pictory does not sign, or a name with a folder, sending nothing', async () => {
      for (const [fileName, contentType, field] of [
        ['a.gif', 'image/gif', 'contentType'],
        ['a.png', 'image/PNG', 'contentType'],
        ['pictures/a.png', 'image/png', 'fileName'],
        ['', 'image/png', 'fileName'],
      ]) {
        const error = await rejection(client().createUploadUrl(fileName, contentType));
        assert.equal(error.kind, 'invalidRequest');
        assert.equal(error.status, undefined);
        assert.deepEqual(error.details.fields?.map((f) => f.name), [field], `${fileName} ${contentType}`);
      }
      assert.equal(server.requests.length, 0);
    });

    it('asks again after a gateway error or a reset, since nothing is charged', async () => {
      server.addFault({ method: 'POST', path: /generateurl/, fault: { kind: 'html', status: 502 } });
      assert.ok((await client().createUploadUrl('image.png', 'image/png')).signedUrl);
      server.addFault({ method: 'POST', path: /generateurl/, fault: { kind: 'reset' } });
      assert.ok((await client().createUploadUrl('image.png', 'image/png')).url);
      assert.equal(server.requests.length, 4);
    });

    it('does not say a job may exist when it fails', async () => {
      server.addFault({ method: 'POST', path: /generateurl/, times: 2, fault: { kind: 'status', status: 500, body: '{"message":"Internal server error"}' } });
      const error = await rejection(client().createUploadUrl('image.png', 'image/png'));
      assert.equal(error.kind, 'server');
      assert.ok(!error.details.maybeCreated);
      assert.doesNotMatch(error.message, /may have been created/);
      assert.equal(server.requests.length, 2);
    });

    it('refuses an answer whose URLs are not https or are missing', async () => {
      const answers = [
        { signedUrl: 'http://storage.example/a.png?Signature=1', url: 'https://cdn.example/a.png' },
        { signedUrl: 'https://storage.example/a.png?Signature=1', url: 'javascript:alert(1)' },
        { signedUrl: 'https://storage.example/a.png?Signature=1' },
        { url: 'https://cdn.example/a.png' },
        { signedUrl: 42, url: 'https://cdn.example/a.png' },
      ];
      for (const data of answers) {
        server.reset();
        server.addFault({ method: 'POST', path: /generateurl/, fault: { kind: 'status', status: 200, body: JSON.stringify({ success: true, data }) } });
        const error = await rejection(client().createUploadUrl('image.png', 'image/png'));
        assert.equal(error.kind, 'unexpectedResponse', JSON.stringify(data));
      }
    });

    it('takes https URLs as Pictory wrote them, without re-encoding a signature', async () => {
      const signedUrl = 'https://storage.example/uploads/a%20b.png?X-Amz-Signature=abc%2Fdef&X-Amz-Expires=86400';
      server.addFault({ method: 'POST', path: /generateurl/, fault: { kind: 'status', status: 200, body: JSON.stringify({ success: true, data: { signedUrl, url: 'https://cdn.example/a%20b.png' } }) } });
      assert.deepEqual(await client().createUploadUrl('a b.png', 'image/png'), { signedUrl, url: 'https://cdn.example/a%20b.png' });
    });

    it('takes loopback http URLs only from an API on this computer', () => {
      const body = { success: true, data: { signedUrl: 'http://127.0.0.1:9/uploads/a.png?Signature=1', url: 'http://127.0.0.1:9/uploads/a.png' } };
      assert.deepEqual(readUploadUrl(body, 'http://127.0.0.1:8/pictoryapis'), body.data);
      assert.throws(() => readUploadUrl(body, 'https://api.pictory.ai/pictoryapis'), (error: unknown) => error instanceof PictoryApiError && error.kind === 'unexpectedResponse');
    });

    it('reads success:false as a failure with its code', async () => {
      server.addFault({
        method: 'POST',
        path: /generateurl/,
        fault: { kind: 'status', status: 200, body: '{"success":false,"error":{"error_code":"QUOTA","error_message":"Storage full"}}' },
      });
      const error = await rejection(client().createUploadUrl('image.png', 'image/png'));
      assert.ok(error instanceof PictoryApiError);
      assert.equal(error.kind, 'rejected');
      assert.match(error.message, /QUOTA: Storage full/);
    });

    it('needs the key', async () => {
      const error = await rejection(makeClient(server.baseUrl, { apiKey: 'pictai_wrong' }).createUploadUrl('image.png', 'image/png'));
      assert.equal(error.kind, 'unauthorized');
    });
  });

  it('words every kind through the translation it is given', () => {
    const shout = (message: string, ...args: Array<string | number | boolean>) => message.toUpperCase() + args.join('|');
    assert.equal(describeUploadError(new UploadError('empty', { file: 'a.png' }), shout), 'THE FILE {0} IS EMPTY.a.png');
  });

  it('uses the loader it is given for the fetch bundle', async () => {
    const link = await client().createUploadUrl('image.png', 'image/png');
    let loaded = 0;
    await uploadFile(link.signedUrl, IMAGE, 'image/png', async () => (loaded++, loadFetch()), never, () => {});
    assert.equal(loaded, 1);
  });
});
