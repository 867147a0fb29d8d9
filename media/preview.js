// @ts-check
// The preview panel's script. Everything shown comes from the extension by message and is
// written with textContent: nothing the API sends is ever parsed as HTML.
(function () {
  // @ts-ignore pictorySound is media/soundSync.js, loaded before this script.
  const pictorySound = window.pictorySound;
  // @ts-ignore acquireVsCodeApi is provided by the webview host.
  const vscode = acquireVsCodeApi();
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));
  // The page shows a video, or an image (then `video` is a detached element never shown).
  const image = /** @type {HTMLImageElement | null} */ (document.getElementById('image'));
  const video = /** @type {HTMLVideoElement} */ (document.getElementById('video') || document.createElement('video'));
  const playbackError = /** @type {HTMLElement} */ (document.getElementById('playback-error'));
  const audioNote = /** @type {HTMLElement} */ (document.getElementById('audio-note'));
  const facts = /** @type {HTMLElement} */ (document.getElementById('facts'));
  /** Actions that work without the video's address (the others are disabled without it). */
  const WITHOUT_URL = new Set(['regenerate', 'editPromptAndGenerate', 'insertLink', 'useAsReference']);
  const SEEK_SECONDS = 5;
  const SAVE_EVERY_MS = 1000;
  /** @type {Record<string, string>} */
  let labels = {};
  let playback = 'loading';
  let detail = '';
  let jobId = '';
  /** Where to seek once the video's metadata is loaded (kept across a window reload). */
  let resumeAt = 0;
  let savedAt = 0;
  /** `pictory.preview.decodeAudio`: auto, always or never. */
  let decodeAudio = 'auto';
  /** What the extension read of the file's audio track. */
  let audioInfo = undefined;
  let soundAsked = false;
  /** The sound the extension decoded, played in step with the muted video. */
  let sound = undefined;
  const level = /** @type {HTMLMeterElement} */ (document.getElementById('sound-level') || document.createElement('meter'));
  /** How long the video plays before its decoded audio is looked at (Chromium counts it). */
  const PROBE_AFTER_MS = 800;

  function format(template, value) {
    return template.replace('{0}', value);
  }

  function position() {
    return Number.isFinite(video.currentTime) ? Math.round(video.currentTime * 1000) / 1000 : 0;
  }

  function report() {
    app.dataset.playback = playback;
    const soundPosition = sound ? sound.sync.position() : undefined;
    vscode.postMessage({
      type: 'status',
      playback,
      audioNote: audioNote.hidden ? '' : audioNote.textContent,
      detail,
      position: position(),
      soundPosition,
      soundLevel: sound ? Number(level.value) : undefined,
    });
  }

  function note(text) {
    audioNote.textContent = text;
    audioNote.hidden = !text;
  }

  /** The extension restores the panel from `jobId`; `time` is where playback was. */
  function saveState() {
    savedAt = Date.now();
    if (jobId) vscode.setState({ jobId, time: position() });
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
    playbackError.textContent = format((image ? labels.imageFailed : labels.playbackFailed) || '{0}', reason);
    playbackError.hidden = false;
    video.hidden = true;
    if (image) image.hidden = true;
    report();
  }

  /** Width over height, from the clip's size or else its aspect ratio ("9:16"). */
  function ratioOf(data) {
    if (data.width > 0 && data.height > 0) return data.width / data.height;
    const [w, h] = String(data.aspectRatio).split(':').map(Number);
    return w > 0 && h > 0 ? w / h : 16 / 9;
  }

  function setRatio(ratio) {
    app.style.setProperty('--ratio', String(ratio));
  }

  function showButtons(data) {
    for (const element of document.querySelectorAll('button[data-action]')) {
      const button = /** @type {HTMLButtonElement} */ (element);
      const action = button.dataset.action || '';
      const label = /** @type {HTMLElement} */ (button.querySelector('.label'));
      label.textContent = labels[action] || action;
      const noFrame = action === 'continueFromLastFrame' && !data.hasLastFrame;
      const noUrl = action !== 'continueFromLastFrame' && !data.videoUrl && !WITHOUT_URL.has(action);
      button.disabled = noFrame || noUrl;
      button.title = (noFrame ? labels.noLastFrame : noUrl ? labels.unsafeUrl : '') || '';
    }
  }

  function show(data) {
    labels = data.labels;
    jobId = data.jobId;
    decodeAudio = data.decodeAudio || 'auto';
    level.title = labels.soundLevel || '';
    const saved = vscode.getState();
    resumeAt = saved && saved.jobId === jobId && saved.time > 0 ? saved.time : 0;
    vscode.setState({ jobId, time: resumeAt });
    showButtons(data);
    for (const element of document.querySelectorAll('[data-label]')) {
      element.textContent = labels[/** @type {HTMLElement} */ (element).dataset.label || ''] || '';
    }
    /** @type {HTMLElement} */ (document.getElementById('prompt')).textContent = data.prompt;
    facts.replaceChildren();
    addFact(labels.model, data.model);
    addFact(labels.aspectRatio, data.aspectRatio);
    addFact(labels.duration, data.duration);
    addFact(labels.style, data.style);
    if (data.width && data.height) addFact(labels.size, `${data.width} × ${data.height}`);
    addFact(labels.credits, data.aiCreditsUsed);
    if (data.source === 'local') addFact(labels.source, labels.playingLocal);
    addFact(labels.jobId, data.jobId);
    setRatio(ratioOf(data));
    if (!data.videoUrl) {
      showPlaybackError(labels.unsafeUrl);
      return;
    }
    if (image) {
      image.alt = data.prompt;
      image.src = data.videoUrl;
      return;
    }
    if (data.posterUrl) video.poster = data.posterUrl;
    video.src = data.videoUrl;
    if (audioInfo) showAudio(audioInfo);
  }

  if (image) {
    image.addEventListener('load', () => {
      playback = 'loaded';
      report();
    });
    image.addEventListener('error', () => showPlaybackError('not loaded'));
  }

  /** The file has sound the player cannot decode (or the setting asks): the extension decodes it, or the panel says so. */
  function cannotPlaySound() {
    if (!audioInfo || audioInfo.kind !== 'track' || soundAsked || sound) return;
    if (decodeAudio === 'never') {
      note(format(labels.silentHere, audioInfo.codec));
      report();
      return;
    }
    soundAsked = true;
    note(labels.decodingSound);
    report();
    vscode.postMessage({ type: 'needSound' });
  }

  function showAudio(audio) {
    audioInfo = audio;
    if (audio.kind !== 'track') return;
    // Some builds say they can play AAC and then decode none of it: playback itself tells (see probeSound).
    if (decodeAudio === 'always' || video.canPlayType(`audio/mp4; codecs="${audio.codec}"`) === '') cannotPlaySound();
    else report();
  }

  /** Once the video has played a moment: Chromium counts the audio bytes it decoded; none means silence. */
  function probeSound() {
    setTimeout(() => {
      if (video.paused || sound || soundAsked) return;
      const decoded = /** @type {{ webkitAudioDecodedByteCount?: number }} */ (/** @type {unknown} */ (video)).webkitAudioDecodedByteCount;
      if (typeof decoded === 'number' && decoded === 0) cannotPlaySound();
    }, PROBE_AFTER_MS);
  }

  /** Plays the decoded sound (PCM from the extension) through WebAudio, in step with the muted video. */
  function startSound(message) {
    const Context = window.AudioContext || /** @type {typeof AudioContext} */ (/** @type {any} */ (window).webkitAudioContext);
    const context = new Context();
    const channels = message.channels.map((samples) => (samples instanceof Float32Array ? samples : new Float32Array(samples)));
    const buffer = context.createBuffer(channels.length, channels[0].length, message.sampleRate);
    channels.forEach((samples, index) => buffer.copyToChannel(samples, index));
    const gain = context.createGain();
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    gain.connect(analyser);
    analyser.connect(context.destination);
    gain.gain.value = video.volume;
    /** @type {AudioBufferSourceNode | undefined} */
    let source;
    const player = {
      start(offset, rate) {
        if (context.state === 'suspended') context.resume().catch(() => undefined);
        source = context.createBufferSource();
        source.buffer = buffer;
        source.playbackRate.value = rate;
        source.connect(gain);
        source.start(0, offset);
      },
      stop() {
        if (!source) return;
        source.stop();
        source.disconnect();
        source = undefined;
      },
    };
    video.muted = true;
    const samples = new Float32Array(analyser.fftSize);
    // The level meter shows the sound is there (and silent while the video is paused).
    const meter = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      level.value = Math.sqrt(samples.reduce((sum, value) => sum + value * value, 0) / samples.length);
      level.dataset.soundTime = String(sound ? Math.round((sound.sync.position() ?? -1) * 1000) / 1000 : -1);
    }, 100);
    sound = { context, gain, meter, sync: new pictorySound.SoundSync(video, player, () => context.currentTime, buffer.duration) };
    level.hidden = false;
    note(labels.soundDecoded);
    report();
  }

  function soundFailed(reason) {
    note(format(labels.soundFailed, reason));
    report();
  }

  video.addEventListener('volumechange', () => {
    if (sound) sound.gain.gain.value = video.volume;
  });
  video.addEventListener('playing', probeSound);

  const errorNames = { 1: 'aborted', 2: 'network error', 3: 'cannot decode', 4: 'format not supported' };
  video.addEventListener('error', () => {
    const code = video.error ? video.error.code : 0;
    showPlaybackError(errorNames[code] || (video.error && video.error.message) || 'unknown error');
  });
  video.addEventListener('loadedmetadata', () => {
    if (video.videoWidth > 0 && video.videoHeight > 0) setRatio(video.videoWidth / video.videoHeight);
    if (resumeAt > 0) {
      // Where it was before the window reloaded; it stays paused. 'seeked' reports it.
      video.currentTime = Math.min(resumeAt, video.duration || resumeAt);
      resumeAt = 0;
    }
  });
  video.addEventListener('loadeddata', () => {
    if (playback === 'loading') playback = 'loaded';
    report();
  });
  video.addEventListener('playing', () => {
    playback = 'playing';
    report();
  });
  video.addEventListener('timeupdate', () => {
    if (resumeAt === 0 && Date.now() - savedAt >= SAVE_EVERY_MS) saveState();
  });
  for (const event of ['pause', 'seeked']) {
    video.addEventListener(event, () => {
      saveState();
      report();
    });
  }

  document.addEventListener('click', (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    const button = /** @type {HTMLButtonElement | null} */ (target.closest('button[data-action]'));
    if (button && !button.disabled) vscode.postMessage({ type: 'action', action: button.dataset.action });
  });

  // Space plays or pauses, Left and Right go 5 s back or forward; not while a control of the
  // page (or the video's own controls, which have their keys) has the focus.
  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.shiftKey) return;
    const target = event.target;
    if (target instanceof Element && target.closest('button, input, select, textarea, a, video, [contenteditable]')) return;
    if (video.hidden || !video.currentSrc) return;
    if (event.key === ' ') {
      if (video.paused) video.play().catch(() => undefined);
      else video.pause();
    } else if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      const step = event.key === 'ArrowLeft' ? -SEEK_SECONDS : SEEK_SECONDS;
      const end = Number.isFinite(video.duration) ? video.duration : Infinity;
      video.currentTime = Math.max(0, Math.min(end, video.currentTime + step));
    } else {
      return;
    }
    event.preventDefault();
  });

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message.type === 'show') show(message.data);
    else if (message.type === 'audio') {
      // It may come before the clip itself: it is acted on once the clip (and its settings) is shown.
      audioInfo = message.audio;
      if (jobId) showAudio(message.audio);
    }
    else if (message.type === 'sound' && Array.isArray(message.channels) && message.channels.length > 0 && message.sampleRate > 0) startSound(message);
    else if (message.type === 'soundFailed') soundFailed(String(message.reason));
  });

  vscode.postMessage({ type: 'ready' });
})();
