import * as path from 'path';
import * as vscode from 'vscode';
import { PictoryApp } from '../app';
import { readSettings } from '../config';
import { isImageJob } from '../jobs/jobRecord';
import { showError, withCancellableProgress } from '../notify';
import { checkSources, MAX_REFERENCE_IMAGES } from '../pictory/catalog';
import { describeError, PictoryApiError } from '../pictory/errors';
import { endpointProblem } from '../pictory/http';
import { shortenPrompt } from '../pictory/prompts';
import { checkFile, describeUploadError, imageContentType, uploadFile, UploadError } from '../pictory/upload';
import { safeMediaUrl } from '../pictory/urls';
import { generateVideo } from './generateVideo';
import { Item, pickOne } from './picker';

type SourceChoice = { readonly kind: 'url'; readonly url: string } | { readonly kind: 'askUrl' } | { readonly kind: 'askFiles' } | { readonly kind: 'done' };

/** This machine's finished images, newest first, as picks. */
async function generatedImages(app: PictoryApp, exclude: readonly string[]): Promise<Item<SourceChoice>[]> {
  const records = await app.jobs.list();
  return records.flatMap((record) => {
    const url = isImageJob(record) && record.state === 'completed' ? safeMediaUrl(record.video?.url, record.endpoint) : undefined;
    if (!url || exclude.includes(url) || !isImageJob(record)) return [];
    return [{ value: { kind: 'url', url } as const, label: `$(file-media) ${shortenPrompt(record.request.prompt, 60)}`, description: `${record.request.model} · ${record.request.aspectRatio}` }];
  });
}

/** An image address typed by the user, checked as the API would check it. */
async function askImageUrl(title: string): Promise<string | undefined> {
  const endpoint = readSettings().apiBaseUrl;
  const typed = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('The address of a PNG, JPEG or WebP image (https)'),
    placeHolder: 'https://…/picture.png',
    ignoreFocusOut: true,
    validateInput: (value) =>
      value.trim() === '' || checkSources({ firstFrameImageUrl: value.trim() }, endpoint) ? vscode.l10n.t('Enter an https address of an image.') : undefined,
  });
  return typed?.trim() || undefined;
}

async function askImageFiles(title: string, many: boolean): Promise<vscode.Uri[]> {
  const picked = await vscode.window.showOpenDialog({
    title,
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: many,
    openLabel: vscode.l10n.t('Use'),
    filters: { [vscode.l10n.t('Images')]: ['png', 'jpg', 'jpeg', 'webp'] },
  });
  return picked ?? [];
}

/**
 * Uploads a picture of this computer through Pictory's signed upload, with progress and
 * Cancel, and resolves its permanent address. The file is checked before anything is sent;
 * the key goes only to Pictory's API, never to the storage host.
 */
export async function uploadImage(app: PictoryApp, file: vscode.Uri): Promise<string | undefined> {
  const name = path.basename(file.fsPath);
  const contentType = file.scheme === 'file' ? imageContentType(file.fsPath) : undefined;
  try {
    if (!contentType) throw new UploadError('unsupportedType', { file: name, contentType: path.extname(name) || name });
    await checkFile(file.fsPath, contentType);
  } catch (error) {
    void showError(vscode.l10n.t('Pictory: {0}', error instanceof UploadError ? describeUploadError(error, vscode.l10n.t) : String(error)));
    return undefined;
  }
  const endpoint = readSettings().apiBaseUrl;
  const problem = endpointProblem(endpoint);
  if (problem) {
    void showError(describeError(new PictoryApiError('insecureEndpoint', { cause: problem }), vscode.l10n.t));
    return undefined;
  }
  const key = await app.keys.getOrAsk();
  if (!key) return undefined;
  const client = app.createClient(endpoint, key);
  return withCancellableProgress(vscode.l10n.t('Uploading {0}', name), async (progress, signal) => {
    try {
      const link = await client.createUploadUrl(name, contentType, signal);
      await uploadFile(link.signedUrl, file.fsPath, contentType, app.loadFetch, signal, (fraction) => progress.report({ increment: fraction * 100 }));
      app.logger.info(`Uploaded ${name} (${link.url})`);
      return link.url;
    } catch (error) {
      if (signal.aborted || (error instanceof UploadError && error.kind === 'cancelled')) return undefined;
      const reason = error instanceof UploadError ? describeUploadError(error, vscode.l10n.t) : error instanceof PictoryApiError ? describeError(error, vscode.l10n.t) : String(error);
      app.logger.error(`Uploading ${name} failed: ${app.logger.redact(reason)}`);
      void showError(vscode.l10n.t('Pictory: {0}', app.logger.redact(reason)));
      return undefined;
    }
  });
}

/** One picture to start from: a generated image, an address, or a file of this computer (uploaded). */
async function pickImage(app: PictoryApp, title: string): Promise<string | undefined> {
  const items: Item<SourceChoice>[] = [
    ...(await generatedImages(app, [])),
    { value: { kind: 'askUrl' }, label: vscode.l10n.t('$(link) An image address…') },
    { value: { kind: 'askFiles' }, label: vscode.l10n.t('$(file) A file on this computer…') },
  ];
  const picked = await pickOne({ title, placeholder: vscode.l10n.t('Choose the picture the video starts from'), items });
  if (!picked || typeof picked === 'symbol') return undefined;
  if (picked.kind === 'url') return picked.url;
  if (picked.kind === 'askUrl') return askImageUrl(title);
  const [file] = await askImageFiles(title, false);
  return file ? uploadImage(app, file) : undefined;
}

/** "Pictory: Generate Video from Image…": from a picked picture, or the file given (Explorer, editor title). */
export async function generateVideoFromImage(app: PictoryApp, resource?: unknown): Promise<void> {
  const title = vscode.l10n.t('Generate Video from Image');
  const url = resource instanceof vscode.Uri ? await uploadImage(app, resource) : await pickImage(app, title);
  if (url) await generateVideo(app, { title, sources: { firstFrameImageUrl: url }, promptsFromSelection: true });
}

/**
 * "Pictory: Generate Video with Reference Images…": one to three pictures, added one by one
 * (generated images, addresses, files that are uploaded), then the usual prompt and picks.
 */
export async function generateVideoWithReferences(app: PictoryApp, resource?: unknown, selected?: unknown): Promise<void> {
  const title = vscode.l10n.t('Generate Video with Reference Images');
  const urls: string[] = [];
  const files = (Array.isArray(selected) ? selected : [resource]).filter((item): item is vscode.Uri => item instanceof vscode.Uri);
  if (files.length > MAX_REFERENCE_IMAGES) {
    void showError(vscode.l10n.t('A video takes at most {0} reference images; {1} were selected.', MAX_REFERENCE_IMAGES, files.length));
    return;
  }
  for (const file of files) {
    const url = await uploadImage(app, file);
    if (!url) return;
    urls.push(url);
  }
  while (files.length === 0 && urls.length < MAX_REFERENCE_IMAGES) {
    const items: Item<SourceChoice>[] = [
      ...(urls.length > 0 ? [{ value: { kind: 'done' } as const, label: vscode.l10n.t('$(check) Continue with {0} of {1} images', urls.length, MAX_REFERENCE_IMAGES) }] : []),
      ...(await generatedImages(app, urls)),
      { value: { kind: 'askUrl' }, label: vscode.l10n.t('$(link) An image address…') },
      { value: { kind: 'askFiles' }, label: vscode.l10n.t('$(file) Files on this computer…') },
    ];
    const placeholder = vscode.l10n.t('Add a reference image ({0} of at most {1} chosen)', urls.length, MAX_REFERENCE_IMAGES);
    const picked = await pickOne({ title, placeholder, items });
    if (!picked || typeof picked === 'symbol') return;
    if (picked.kind === 'done') break;
    if (picked.kind === 'url') urls.push(picked.url);
    if (picked.kind === 'askUrl') {
      const url = await askImageUrl(title);
      if (url) urls.push(url);
    }
    if (picked.kind === 'askFiles') {
      const chosen = await askImageFiles(title, true);
      if (urls.length + chosen.length > MAX_REFERENCE_IMAGES) {
        void showError(vscode.l10n.t('A video takes at most {0} reference images: choose at most {1} more.', MAX_REFERENCE_IMAGES, MAX_REFERENCE_IMAGES - urls.length));
        continue;
      }
      for (const file of chosen) {
        const url = await uploadImage(app, file);
        if (url) urls.push(url);
      }
    }
  }
  if (urls.length > 0) await generateVideo(app, { title, sources: { referenceImageUrls: urls }, promptsFromSelection: true });
}
