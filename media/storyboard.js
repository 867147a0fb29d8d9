// @ts-check
// The storyboard panel's script: plays a storyboard's scene clips back to back as one film.
// The film and every word come from the extension by message and are written with
// textContent and attributes: nothing from the API is ever parsed as HTML.
//
// Two <video> elements are stacked: while one plays, the next scene's clip loads in the other
// (hidden); when the first ends, the other is shown and played at once, so there is no gap.
(function () {
  // @ts-ignore acquireVsCodeApi is provided by the webview host.
  const vscode = acquireVsCodeApi();

  /**
   * @typedef {{ jobId: string, src: string, poster?: string, seconds?: number }} Clip
   * @typedef {{ index: number, title: string, prompt: string, status: string, statusText: string, clip?: Clip }} Scene
   * @typedef {{ title: string, aspectRatio: string, scenes: Scene[] }} Film
   * @typedef {{ item: HTMLElement, card: HTMLElement, image: HTMLImageElement, placeholder: HTMLElement,
   *   placeholderText: HTMLElement, title: HTMLElement, status: HTMLElement, statusIcon: HTMLElement,
   *   statusText: HTMLElement, prompt: HTMLElement, regenerate: HTMLButtonElement }} SceneView
   */

  /** @param {string} id */
  function byId(id) {
    return /** @type {HTMLElement} */ (document.getElementById(id));
  }

  const filmElement = byId('film');
  const playButton = /** @type {HTMLButtonElement} */ (byId('play-film'));
  const generateAllButton = /** @type {HTMLButtonElement} */ (byId('generate-all'));
  const renderButton = /** @type {HTMLButtonElement} */ (byId('render-film'));
  const nowPlaying = byId('now-playing');
  const stage = byId('stage');
  const player = byId('player');
  const playerEmpty = byId('player-empty');
  const unmuteButton = /** @type {HTMLButtonElement} */ (byId('unmute'));
  const strip = byId('scenes');
  const noScenes = byId('no-scenes');
  const codicons = document.body.classList.contains('codicons');
  const videos = /** @type {HTMLVideoElement[]} */ ([...document.querySelectorAll('video.film-video')]);
  const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');
  const STATUS_ICONS = /** @type {Record<string, string>} */ ({ generating: 'loading codicon-modifier-spin', outdated: 'warning', failed: 'error' });

  /** @type {Record<string, string>} */
  let labels = {};
  /** @type {Scene[]} */
  let scenes = [];
  /** @type {SceneView[]} */
  let views = [];
  /** The video shown, and the one the next clip loads in. */
  let active = videos[0];
  let standby = videos[1];
  /** The scene in the player, -1 before the film is first played. */
  let current = -1;
  let playing = false;
  /** Clip addresses that failed to play: the film skips them. */
  const broken = new Set();

  /**
   * @param {string} template
   * @param {...(string | number)} values
   */
  function format(template, ...values) {
    return (template || '').replace(/\{(\d+)\}/g, (whole, index) => (values[Number(index)] === undefined ? whole : String(values[Number(index)])));
  }

  /** "Scene 2 · The lantern", or "Scene 2" when the scene has no heading. */
  /** @param {Scene} scene */
  function sceneName(scene) {
    const plain = format(labels.scene, scene.index + 1);
    return scene.title && scene.title !== plain ? format(labels.sceneOf, scene.index + 1, scene.title) : plain;
  }

  /** @param {number} index */
  function playableClip(index) {
    const clip = scenes[index] && scenes[index].clip;
    return clip && !broken.has(clip.src) ? clip : undefined;
  }

  /** The first scene from `from` on with a clip to play, or -1. */
  /** @param {number} from */
  function nextWithClip(from) {
    for (let index = Math.max(0, from); index < scenes.length; index++) if (playableClip(index)) return index;
    return -1;
  }

  // --- The player ---

  /**
   * @param {HTMLVideoElement} video
   * @param {number} index
   */
  function isLoaded(video, index) {
    const clip = playableClip(index);
    return !!clip && video.dataset.scene === String(index) && video.dataset.src === clip.src;
  }

  /**
   * Loads scene `index`'s clip in `video`, from its start.
   * @param {HTMLVideoElement} video
   * @param {number} index
   */
  function load(video, index) {
    const clip = playableClip(index);
    if (!clip) return;
    video.dataset.scene = String(index);
    if (video.dataset.src === clip.src) {
      if (video.currentTime !== 0) video.currentTime = 0;
      return;
    }
    video.dataset.src = clip.src;
    if (clip.poster) video.poster = clip.poster;
    else video.removeAttribute('poster');
    video.preload = 'auto';
    video.src = clip.src;
    video.load();
  }

  /** @param {HTMLVideoElement} video */
  function unload(video) {
    delete video.dataset.scene;
    delete video.dataset.src;
    video.removeAttribute('poster');
    video.removeAttribute('src');
    video.load();
  }

  /** Shows the standby video instead of the active one, at once. */
  function swapVideos() {
    const shown = standby;
    standby = active;
    active = shown;
    active.classList.add('active');
    active.controls = true;
    active.removeAttribute('aria-hidden');
    standby.classList.remove('active');
    standby.controls = false;
    standby.pause();
    standby.setAttribute('aria-hidden', 'true');
  }

  /** Loads the clip that follows scene `index` in the hidden video. */
  /** @param {number} index */
  function preloadAfter(index) {
    const next = nextWithClip(index + 1);
    if (next >= 0) load(standby, next);
  }

  /** @param {boolean} muted */
  function setMuted(muted) {
    for (const video of videos) video.muted = muted;
    unmuteButton.hidden = !muted;
  }

  function start() {
    const video = active;
    setPlaying(true);
    video.play().catch((/** @type {unknown} */ error) => {
      if (video !== active) return;
      const name = error instanceof Error ? error.name : '';
      // A new source replaced this one: whoever set it plays it.
      if (name === 'AbortError') return;
      // The autoplay policy may refuse sound without a click in the page: play muted instead.
      if (name === 'NotAllowedError' && !video.muted) {
        setMuted(true);
        video.play().catch(() => setPlaying(!video.paused));
        return;
      }
      setPlaying(!video.paused);
    });
  }

  /**
   * Plays the film from scene `index` (or the next one with a clip). False when there is none.
   * @param {number} index
   */
  function playScene(index) {
    const next = nextWithClip(index);
    if (next < 0) return false;
    if (isLoaded(standby, next)) swapVideos();
    // (Only rewinds a clip that is already loaded.)
    load(active, next);
    setCurrent(next);
    preloadAfter(next);
    start();
    vscode.postMessage({ type: 'playing', scene: next });
    return true;
  }

  function finish() {
    setPlaying(false);
    vscode.postMessage({ type: 'ended' });
  }

  function togglePlay() {
    if (playing) {
      active.pause();
      return;
    }
    if (current >= 0 && isLoaded(active, current) && !active.ended) {
      if (active.currentTime === 0) vscode.postMessage({ type: 'playing', scene: current });
      start();
      return;
    }
    playScene(0);
  }

  /** Shows the first clip's first frame before the film is played. */
  function prepare() {
    const first = nextWithClip(0);
    if (first >= 0 && !isLoaded(active, first)) load(active, first);
  }

  /** @param {Event} event */
  function onEnded(event) {
    if (event.target !== active) return;
    if (!playScene(current + 1)) finish();
  }

  /** @param {Event} event */
  function onError(event) {
    const video = /** @type {HTMLVideoElement} */ (event.target);
    const src = video.dataset.src;
    if (!src) return;
    broken.add(src);
    const index = Number(video.dataset.scene);
    delete video.dataset.scene;
    delete video.dataset.src;
    if (views[index] && scenes[index]) fillScene(views[index], scenes[index]);
    if (video !== active) return;
    if (playing) {
      if (!playScene(index + 1)) finish();
    } else {
      prepare();
    }
    if (!playing && scenes[index]) nowPlaying.textContent = format(labels.cannotPlay, sceneName(scenes[index]));
  }

  /** @param {Event} event */
  function onPlayOrPause(event) {
    const video = /** @type {HTMLVideoElement} */ (event.target);
    // A clip that reached its end pauses before it ends: the next one is about to play.
    if (video !== active || (event.type === 'pause' && video.ended)) return;
    setPlaying(!video.paused);
  }

  /** @param {Event} event */
  function onVolumeChange(event) {
    if (event.target !== active) return;
    standby.muted = active.muted;
    standby.volume = active.volume;
    if (!active.muted) unmuteButton.hidden = true;
  }

  for (const video of videos) {
    video.addEventListener('ended', onEnded);
    video.addEventListener('error', onError);
    video.addEventListener('play', onPlayOrPause);
    video.addEventListener('pause', onPlayOrPause);
    video.addEventListener('volumechange', onVolumeChange);
  }
  active.controls = true;

  // --- What the page shows ---

  /** @param {boolean} value */
  function setPlaying(value) {
    playing = value;
    const label = value ? labels.pause : labels.playFilm;
    setButton(playButton, value ? 'debug-pause' : 'play', label);
  }

  /**
   * @param {HTMLButtonElement} button
   * @param {string} icon
   * @param {string} label
   */
  function setButton(button, icon, label) {
    const iconSpan = /** @type {HTMLElement} */ (button.querySelector('.icon'));
    if (codicons) iconSpan.className = `icon codicon codicon-${icon}`;
    /** @type {HTMLElement} */ (button.querySelector('.label')).textContent = label || '';
    button.title = label || '';
    button.setAttribute('aria-label', label || '');
  }

  /** @param {number} index */
  function setCurrent(index) {
    const moved = index !== current;
    current = index;
    views.forEach((view, i) => {
      const isCurrent = i === index;
      if (view.card.classList.contains('current') === isCurrent) return;
      view.card.classList.toggle('current', isCurrent);
      if (isCurrent) view.card.setAttribute('aria-current', 'true');
      else view.card.removeAttribute('aria-current');
    });
    const view = views[index];
    if (view && moved) view.card.scrollIntoView({ block: 'nearest', inline: 'nearest', behavior: reducedMotion.matches ? 'auto' : 'smooth' });
    showNowPlaying();
  }

  function showNowPlaying() {
    const scene = scenes[current];
    nowPlaying.textContent = scene ? format(labels.nowPlaying, sceneName(scene)) : '';
  }

  /**
   * @param {string} tag
   * @param {string} className
   * @param {HTMLElement} [parent]
   */
  function element(tag, className, parent) {
    const made = document.createElement(tag);
    made.className = className;
    if (parent) parent.append(made);
    return made;
  }

  /** A scene's card (the part that plays the film from it) and its Regenerate button. */
  /** @param {number} index */
  function makeScene(index) {
    const item = element('li', 'scene');
    const card = element('div', 'scene-card', item);
    card.tabIndex = 0;
    card.setAttribute('role', 'button');
    card.dataset.scene = String(index);
    const thumb = element('div', 'thumb', card);
    const image = /** @type {HTMLImageElement} */ (element('img', '', thumb));
    image.alt = '';
    image.decoding = 'async';
    image.draggable = false;
    const placeholder = element('span', 'placeholder', thumb);
    const placeholderIcon = element('span', codicons ? 'codicon codicon-device-camera-video' : '', placeholder);
    placeholderIcon.setAttribute('aria-hidden', 'true');
    if (!codicons) placeholderIcon.textContent = '▶';
    const placeholderText = element('span', 'placeholder-text', placeholder);
    const title = element('p', 'scene-title', card);
    const status = element('p', 'scene-status', card);
    status.id = `scene-status-${index}`;
    card.setAttribute('aria-describedby', status.id);
    const statusIcon = element('span', 'status-icon', status);
    statusIcon.setAttribute('aria-hidden', 'true');
    const statusText = element('span', '', status);
    const prompt = element('p', 'scene-prompt', card);
    const regenerate = /** @type {HTMLButtonElement} */ (element('button', 'scene-regenerate', item));
    regenerate.type = 'button';
    regenerate.dataset.scene = String(index);
    const icon = element('span', 'icon', regenerate);
    icon.setAttribute('aria-hidden', 'true');
    if (codicons) icon.className = 'icon codicon codicon-refresh';
    else icon.textContent = '↻';
    element('span', 'label', regenerate);
    return { item, card, image, placeholder, placeholderText, title, status, statusIcon, statusText, prompt, regenerate };
  }

  /**
   * @param {SceneView} view
   * @param {Scene} scene
   */
  function fillScene(view, scene) {
    const name = sceneName(scene);
    const clip = scene.clip;
    const unplayable = !!clip && broken.has(clip.src);
    view.item.dataset.status = scene.status;
    view.item.classList.toggle('unplayable', unplayable);
    view.card.setAttribute('aria-label', format(labels.playFromScene, name));
    const poster = clip && clip.poster;
    if (poster && view.image.getAttribute('src') !== poster) view.image.src = poster;
    view.image.hidden = !poster;
    view.placeholder.hidden = !!poster;
    view.placeholderText.textContent = clip ? '' : labels.noClip;
    view.title.textContent = name;
    view.title.title = name;
    view.statusText.textContent = unplayable ? format(labels.cannotPlay, name) : scene.statusText;
    const icon = STATUS_ICONS[scene.status];
    view.statusIcon.className = codicons && icon ? `status-icon codicon codicon-${icon}` : 'status-icon';
    view.prompt.textContent = scene.prompt;
    view.prompt.title = scene.prompt;
    const fresh = scene.status === 'none';
    const label = fresh ? labels.generate : labels.regenerate;
    /** @type {HTMLElement} */ (view.regenerate.querySelector('.label')).textContent = label;
    view.regenerate.title = label;
    view.regenerate.setAttribute('aria-label', format(fresh ? labels.generateScene : labels.regenerateScene, name));
    view.regenerate.disabled = scene.status === 'generating';
  }

  /** Updates the cards in place, so that focus and scrolling survive a refresh. */
  function renderScenes() {
    for (let index = 0; index < scenes.length; index++) {
      if (!views[index]) {
        views[index] = makeScene(index);
        strip.append(views[index].item);
      }
      fillScene(views[index], scenes[index]);
    }
    for (const view of views.splice(scenes.length)) view.item.remove();
  }

  /** @param {string} aspectRatio */
  function setRatio(aspectRatio) {
    const [width, height] = String(aspectRatio).split(':').map(Number);
    const ratio = width > 0 && height > 0 ? width / height : 16 / 9;
    player.style.setProperty('--ratio', String(ratio));
  }

  function applyLabels() {
    setPlaying(playing);
    setButton(generateAllButton, 'sparkle', labels.generateAll);
    setButton(renderButton, 'export', labels.renderFilm);
    setButton(unmuteButton, 'unmute', labels.unmute);
    strip.setAttribute('aria-label', labels.scenes);
    noScenes.textContent = labels.noScenes;
    playerEmpty.textContent = labels.noClips;
  }

  function stopAll() {
    for (const video of videos) {
      video.pause();
      unload(video);
    }
    setPlaying(false);
    setCurrent(-1);
  }

  /** After a new film: the player keeps playing what it plays, and follows the new scenes from there. */
  function updatePlayer() {
    const hasClips = nextWithClip(0) >= 0;
    playerEmpty.hidden = hasClips;
    for (const video of videos) video.hidden = !hasClips;
    playButton.disabled = !hasClips;
    renderButton.disabled = !hasClips;
    generateAllButton.disabled = scenes.length === 0;
    if (!hasClips) {
      if (current >= 0 || active.dataset.src) stopAll();
      return;
    }
    if (!playing && current >= scenes.length) current = -1;
    if (playing) preloadAfter(current);
    else if (current >= 0 && playableClip(current)) {
      if (!isLoaded(active, current)) load(active, current);
    } else prepare();
    setCurrent(current);
  }

  /** @param {{ storyboardUri: string, film: Film, labels: Record<string, string> }} message */
  function showFilm(message) {
    vscode.setState({ storyboardUri: message.storyboardUri });
    labels = message.labels || {};
    const film = message.film;
    scenes = Array.isArray(film.scenes) ? film.scenes : [];
    filmElement.setAttribute('aria-label', film.title || '');
    applyLabels();
    setRatio(film.aspectRatio);
    stage.hidden = scenes.length === 0;
    noScenes.hidden = scenes.length > 0;
    renderScenes();
    updatePlayer();
  }

  // --- The user ---

  /** @param {EventTarget | null} target */
  function sceneOf(target) {
    const found = target instanceof Element ? target.closest('[data-scene]') : null;
    return found && strip.contains(found) ? /** @type {HTMLElement} */ (found) : null;
  }

  strip.addEventListener('click', (event) => {
    const target = sceneOf(event.target);
    if (!target) return;
    const index = Number(target.dataset.scene);
    if (target.classList.contains('scene-regenerate')) {
      if (!(/** @type {HTMLButtonElement} */ (target).disabled)) vscode.postMessage({ type: 'regenerate', scene: index });
      return;
    }
    playScene(index);
  });

  strip.addEventListener('keydown', (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    if (!target.classList.contains('scene-card')) return;
    const index = Number(target.dataset.scene);
    const moves = /** @type {Record<string, number>} */ ({ ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: views.length - 1 });
    if (event.key === 'Enter') {
      event.preventDefault();
      playScene(index);
    } else if (event.key in moves) {
      const view = views[moves[event.key]];
      if (!view) return;
      event.preventDefault();
      view.card.focus();
    }
  });

  playButton.addEventListener('click', togglePlay);
  generateAllButton.addEventListener('click', () => vscode.postMessage({ type: 'generateAll' }));
  renderButton.addEventListener('click', () => vscode.postMessage({ type: 'renderFilm' }));
  unmuteButton.addEventListener('click', () => setMuted(false));

  // Space plays or pauses, but not while a control that has its own use for it has the focus.
  document.addEventListener('keydown', (event) => {
    if (event.key !== ' ' || event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.shiftKey) return;
    const target = event.target;
    if (target instanceof Element && target.closest('button, input, select, textarea, a, video, [contenteditable]')) return;
    if (playButton.disabled) return;
    event.preventDefault();
    togglePlay();
  });

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (!message || typeof message !== 'object') return;
    if (message.type === 'film' && message.film) showFilm(message);
    else if (message.type === 'play' && Number.isInteger(message.from)) playScene(message.from);
  });

  vscode.postMessage({ type: 'ready' });
})();
