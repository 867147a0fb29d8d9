// @ts-check
// The preview panel's script. Everything shown comes from the extension by message and is
// written with textContent: nothing the API sends is ever parsed as HTML.
(function () {
  // @ts-ignore acquireVsCodeApi is provided by the webview host.
  const vscode = acquireVsCodeApi();
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));
  const video = /** @type {HTMLVideoElement} */ (document.getElementById('video'));
  const playbackError = /** @type {HTMLElement} */ (document.getElementById('playback-error'));
  const audioNote = /** @type {HTMLElement} */ (document.getElementById('audio-note'));
  const facts = /** @type {HTMLElement} */ (document.getElementById('facts'));
  /** @type {Record<string, string>} */
  let labels = {};
  let playback = 'loading';
  let detail = '';

  function format(template, value) {
    return template.replace('{0}', value);
  }

  function report() {
    app.dataset.playback = playback;
    vscode.postMessage({ type: 'status', playback, audioNote: audioNote.hidden ? '' : audioNote.textContent, detail });
  }

  function addFact(label, value) {
    if (value === undefined || value === null || value === '') return;
    const term = document.createElement('dt');
    term.textContent = label;
    const description = document.createElement('dd');
    description.textContent = String(value);
    facts.append(term, description);
  }

  function showPlaybackError(reason) {
    playback = 'error';
    detail = reason;
    playbackError.textContent = format(labels.playbackFailed || '{0}', reason);
    playbackError.hidden = false;
    video.hidden = true;
    report();
  }

  function show(data) {
    labels = data.labels;
    vscode.setState({ jobId: data.jobId });
    for (const button of document.querySelectorAll('button[data-action]')) {
      const action = /** @type {HTMLElement} */ (button).dataset.action || '';
      button.textContent = labels[action] || action;
      /** @type {HTMLButtonElement} */ (button).disabled = !data.videoUrl && action !== 'insertLink';
    }
    /** @type {HTMLElement} */ (document.getElementById('prompt-label')).textContent = labels.prompt;
    /** @type {HTMLElement} */ (document.getElementById('prompt')).textContent = data.prompt;
    facts.replaceChildren();
    addFact(labels.model, data.model);
    addFact(labels.aspectRatio, data.aspectRatio);
    addFact(labels.duration, data.duration);
    if (data.width && data.height) addFact(labels.size, `${data.width} × ${data.height}`);
    addFact(labels.credits, data.aiCreditsUsed);
    addFact(labels.jobId, data.jobId);
    if (!data.videoUrl) {
      showPlaybackError(labels.unsafeUrl);
      return;
    }
    if (data.posterUrl) video.poster = data.posterUrl;
    video.src = data.videoUrl;
  }

  function showAudio(audio) {
    if (audio.kind !== 'track') return;
    const playable = video.canPlayType(`audio/mp4; codecs="${audio.codec}"`);
    if (playable === '') {
      audioNote.textContent = format(labels.silentHere, audio.codec);
      audioNote.hidden = false;
    }
    report();
  }

  const errorNames = { 1: 'aborted', 2: 'network error', 3: 'cannot decode', 4: 'format not supported' };
  video.addEventListener('error', () => {
    const code = video.error ? video.error.code : 0;
    showPlaybackError(errorNames[code] || (video.error && video.error.message) || 'unknown error');
  });
  video.addEventListener('loadeddata', () => {
    if (playback === 'loading') playback = 'loaded';
    report();
  });
  video.addEventListener('playing', () => {
    playback = 'playing';
    report();
  });

  document.addEventListener('click', (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    const button = target.closest('button[data-action]');
    if (button) vscode.postMessage({ type: 'action', action: /** @type {HTMLElement} */ (button).dataset.action });
  });

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message.type === 'show') show(message.data);
    else if (message.type === 'audio') showAudio(message.audio);
  });

  vscode.postMessage({ type: 'ready' });
})();
