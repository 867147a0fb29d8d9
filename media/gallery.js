// @ts-check
// The gallery's script. The clips and every word come from the extension by message and are
// written with textContent and attributes: nothing from the API is ever parsed as HTML.
// Cards are built once per message (the first cards, then the others in parts that follow);
// filtering only hides and shows them.
(function () {
  // @ts-ignore acquireVsCodeApi is provided by the webview host.
  const vscode = acquireVsCodeApi();

  /**
   * @typedef {{ jobId: string, prompt: string, title: string, model: string, aspectRatio: string,
   *   duration: string, credits?: number, submittedAt: number, thumbnailUrl?: string, videoUrl?: string,
   *   hasRemoteVideo: boolean, hasLastFrame: boolean }} Clip
   * @typedef {{ filter?: string, model?: string, scrollY?: number }} SavedState
   */

  /** @param {string} id */
  function byId(id) {
    return /** @type {HTMLElement} */ (document.getElementById(id));
  }

  const grid = byId('grid');
  const filterInput = /** @type {HTMLInputElement} */ (byId('filter'));
  const modelSelect = /** @type {HTMLSelectElement} */ (byId('model'));
  const count = byId('count');
  const empty = byId('empty');
  const noMatch = byId('no-match');
  const codicons = document.body.classList.contains('codicons');

  /** The card buttons, in order, with their icon (and a character when codicons are not shipped). */
  const ACTIONS = [
    { action: 'continueFromLastFrame', icon: 'arrow-right', glyph: '→' },
    { action: 'regenerate', icon: 'debug-restart', glyph: '↻' },
    { action: 'download', icon: 'cloud-download', glyph: '↓' },
    { action: 'copyUrl', icon: 'copy', glyph: '⧉' },
    { action: 'removeFromMachine', icon: 'trash', glyph: '✕' },
  ];
  const HOVER_DELAY_MS = 120;
  const FILTER_DELAY_MS = 100;

  /** @type {SavedState} */
  const saved = vscode.getState() || {};
  /** @type {Record<string, string>} */
  let labels = {};
  /** @type {Clip[]} */
  let clips = [];
  /** How many clips there are: the first ones come with `clips`, the others in `moreClips` parts. */
  let total = 0;
  /** The extension's build of the clips the page has: parts of another build are not for it. */
  let build = 0;
  /** @type {HTMLElement[]} */
  let cards = [];
  /** Lower-case prompts, parallel to `clips`. */
  /** @type {string[]} */
  let haystacks = [];
  /** @type {HTMLElement[]} */
  let ages = [];
  /** Host clock minus page clock. */
  let clockOffset = 0;
  let firstRender = true;
  /** Counts renders, so that the rest of an outdated one is never added. */
  let renders = 0;
  /** @type {number | undefined} */
  let filterTimer;
  /** Cards made but not in the grid yet: they join it once the first screenful is painted. */
  /** @type {DocumentFragment | null} */
  let waiting = null;
  /** Where the page was (when it is shown again, or its clips change), to go back to once those cards are here. */
  /** @type {{ scrollY: number, jobId: string | undefined }} */
  let restore = { scrollY: 0, jobId: undefined };

  /** The card under the mouse and its playing video, if any. */
  const hover = {
    /** @type {HTMLElement | null} */ card: null,
    /** @type {HTMLVideoElement | null} */ video: null,
    /** @type {number | undefined} */ timer: undefined,
  };

  /**
   * @param {string} template
   * @param {...(string | number)} values
   */
  function format(template, ...values) {
    return (template || '').replace(/\{(\d+)\}/g, (whole, index) => (values[Number(index)] === undefined ? whole : String(values[Number(index)])));
  }

  function saveState() {
    vscode.setState(saved);
  }

  /** @param {number} submittedAt */
  function age(submittedAt) {
    const minutes = Math.floor((Date.now() + clockOffset - submittedAt) / 60000);
    if (minutes < 1) return labels.justNow;
    if (minutes < 60) return format(labels.minutesAgo, minutes);
    const hours = Math.floor(minutes / 60);
    if (hours < 24) return format(labels.hoursAgo, hours);
    return format(labels.daysAgo, Math.floor(hours / 24));
  }

  /** @param {Clip} clip */
  function meta(clip) {
    const parts = [clip.model, clip.duration];
    if (typeof clip.credits === 'number') parts.push(format(labels.credits, clip.credits));
    return parts.filter(Boolean).join(' · ');
  }

  /** A card as first made: the element alone, its content added when it comes near the view. */
  const shellTemplate = (() => {
    const card = document.createElement('article');
    card.className = 'card';
    card.tabIndex = 0;
    card.setAttribute('role', 'listitem');
    return card;
  })();

  /** What every card holds, cloned for each (faster than creating the parts one by one). */
  const contentTemplate = (() => {
    const fragment = document.createDocumentFragment();
    const thumb = document.createElement('div');
    thumb.className = 'thumb';
    const info = document.createElement('div');
    info.className = 'info';
    for (const name of ['prompt', 'meta', 'age']) {
      const line = document.createElement('p');
      line.className = name;
      info.append(line);
    }
    fragment.append(thumb, info);
    return fragment;
  })();

  /**
   * Fills cards as they come within a screen of the view: 1,000 cards open as fast as the
   * few in view, and scrolling finds them filled.
   */
  const nearView = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) if (entry.isIntersecting) fill(/** @type {HTMLElement} */ (entry.target));
    },
    { rootMargin: '100% 0px' },
  );

  /**
   * @param {Clip} clip
   * @param {number} index
   */
  function makeCard(clip, index) {
    const card = /** @type {HTMLElement} */ (shellTemplate.cloneNode(false));
    card.dataset.index = String(index);
    card.dataset.jobId = clip.jobId;
    card.setAttribute('aria-label', clip.title);
    return card;
  }

  /** Gives a card its thumbnail and lines (once). */
  /** @param {HTMLElement} card */
  function fill(card) {
    if (card.firstChild) return;
    const index = Number(card.dataset.index);
    const clip = clips[index];
    if (!clip || cards[index] !== card) return;
    nearView.unobserve(card);
    const content = /** @type {DocumentFragment} */ (contentTemplate.cloneNode(true));
    const thumb = /** @type {HTMLElement} */ (content.firstChild);
    const ratio = clip.aspectRatio.split(':');
    if (ratio.length === 2) thumb.style.aspectRatio = `${ratio[0]} / ${ratio[1]}`;
    if (clip.thumbnailUrl) {
      const image = document.createElement('img');
      image.loading = 'lazy';
      image.decoding = 'async';
      image.alt = '';
      image.draggable = false;
      image.src = clip.thumbnailUrl;
      thumb.append(image);
    } else {
      const placeholder = document.createElement('span');
      placeholder.className = codicons ? 'placeholder codicon codicon-device-camera-video' : 'placeholder';
      placeholder.title = labels.noThumbnail;
      if (!codicons) placeholder.textContent = '▶';
      thumb.append(placeholder);
    }
    const info = /** @type {HTMLElement} */ (thumb.nextSibling);
    const prompt = /** @type {HTMLElement} */ (info.firstChild);
    prompt.textContent = clip.title;
    prompt.title = clip.prompt;
    const metaLine = /** @type {HTMLElement} */ (prompt.nextSibling);
    metaLine.textContent = meta(clip);
    const ageLine = /** @type {HTMLElement} */ (metaLine.nextSibling);
    ageLine.textContent = age(clip.submittedAt);
    ages[index] = ageLine;
    card.append(content);
  }

  /** How many cards a screen holds at most. */
  function firstScreenCount() {
    const across = Math.max(1, Math.floor((window.innerWidth + 12) / (220 + 12)));
    const down = Math.ceil(window.innerHeight / 140) + 1;
    return across * down;
  }

  /** Fills the first cards shown now, before the frame is painted. */
  function fillFirst() {
    let left = firstScreenCount();
    for (let i = 0; i < cards.length && left > 0; i++) {
      if (cards[i].hidden) continue;
      fill(cards[i]);
      left--;
    }
  }

  /** A card's buttons, made the first time it is hovered or focused (most cards never are). */
  /** @param {HTMLElement} card */
  function ensureActions(card) {
    if (card.querySelector('.actions')) return;
    const clip = clips[Number(card.dataset.index)];
    if (!clip) return;
    fill(card);
    const bar = document.createElement('div');
    bar.className = 'actions';
    for (const { action, icon, glyph } of ACTIONS) {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.action = action;
      button.title = labels[action] || action;
      button.setAttribute('aria-label', labels[action] || action);
      button.disabled =
        (action === 'continueFromLastFrame' && !clip.hasLastFrame) ||
        (action === 'copyUrl' && !clip.hasRemoteVideo) ||
        (action === 'download' && !clip.hasRemoteVideo);
      const iconSpan = document.createElement('span');
      iconSpan.setAttribute('aria-hidden', 'true');
      if (codicons) iconSpan.className = `codicon codicon-${icon}`;
      else iconSpan.textContent = glyph;
      button.append(iconSpan);
      bar.append(button);
    }
    card.append(bar);
  }

  function stopVideo() {
    clearTimeout(hover.timer);
    hover.timer = undefined;
    const video = hover.video;
    hover.video = null;
    if (!video) return;
    video.pause();
    video.removeAttribute('src');
    video.load();
    video.remove();
  }

  /** @param {HTMLElement} card */
  function playVideo(card) {
    const clip = clips[Number(card.dataset.index)];
    if (!clip || !clip.videoUrl || hover.card !== card) return;
    const video = document.createElement('video');
    video.className = 'preview';
    video.muted = true;
    video.defaultMuted = true;
    video.loop = true;
    video.playsInline = true;
    video.preload = 'auto';
    video.setAttribute('muted', '');
    video.setAttribute('playsinline', '');
    video.setAttribute('aria-hidden', 'true');
    video.addEventListener('playing', () => video.classList.add('playing'));
    video.addEventListener('error', () => {
      if (hover.video === video) stopVideo();
    });
    video.src = clip.videoUrl;
    const thumb = card.querySelector('.thumb');
    if (!thumb) return;
    thumb.append(video);
    hover.video = video;
    video.play().catch(() => undefined);
  }

  /** The mouse is now over `card` (or over no card). */
  /** @param {HTMLElement | null} card */
  function hoverCard(card) {
    if (card === hover.card) return;
    stopVideo();
    hover.card = card;
    if (!card) return;
    ensureActions(card);
    hover.timer = setTimeout(() => playVideo(card), HOVER_DELAY_MS);
  }

  /** @param {EventTarget | null} target */
  function cardOf(target) {
    const element = target instanceof Element ? target.closest('.card') : null;
    return element && grid.contains(element) ? /** @type {HTMLElement} */ (element) : null;
  }

  /** @param {HTMLElement} card */
  function jobIdOf(card) {
    const clip = clips[Number(card.dataset.index)];
    return clip ? clip.jobId : undefined;
  }

  function visibleCards() {
    return cards.filter((card) => !card.hidden);
  }

  function columns() {
    const template = getComputedStyle(grid).gridTemplateColumns;
    return Math.max(1, template.split(' ').filter(Boolean).length);
  }

  function applyFilter() {
    const terms = filterInput.value.toLowerCase().split(/\s+/).filter(Boolean);
    const model = modelSelect.value;
    let shown = 0;
    for (let i = 0; i < cards.length; i++) {
      const haystack = haystacks[i];
      const match = (!model || clips[i].model === model) && terms.every((term) => haystack.includes(term));
      if (cards[i].hidden === match) cards[i].hidden = !match;
      if (match) shown++;
    }
    if (hover.card && hover.card.hidden) hoverCard(null);
    fillFirst();
    const all = Math.max(total, clips.length);
    const filtering = terms.length > 0 || !!model;
    count.textContent = all === 0 ? '' : !filtering || shown === all ? (all === 1 ? labels.oneClip : format(labels.clips, all)) : format(labels.clipsFiltered, shown, all);
    empty.hidden = all > 0;
    noMatch.hidden = all === 0 || shown > 0;
  }

  function saveFilter() {
    saved.filter = filterInput.value;
    saved.model = modelSelect.value;
    saveState();
  }

  /** @param {readonly string[]} models */
  function fillModels(models) {
    const current = modelSelect.options.length ? modelSelect.value : saved.model || '';
    const all = document.createElement('option');
    all.value = '';
    all.textContent = labels.allModels;
    const options = [all];
    for (const model of models) {
      const option = document.createElement('option');
      option.value = model;
      option.textContent = model;
      options.push(option);
    }
    modelSelect.replaceChildren(...options);
    modelSelect.value = models.includes(current) ? current : '';
  }

  function applyLabels() {
    filterInput.placeholder = labels.filter;
    filterInput.setAttribute('aria-label', labels.filter);
    modelSelect.setAttribute('aria-label', labels.model);
    modelSelect.title = labels.model;
    byId('empty-text').textContent = labels.empty;
    byId('generate').textContent = labels.generate;
    byId('no-match-text').textContent = labels.noMatch;
    byId('clear-filter').textContent = labels.clearFilter;
  }

  /**
   * Makes the cards of `clips` from index `from` on, for the filter to search and the observer to fill.
   * @param {number} from
   */
  function makeCards(from) {
    for (let i = from; i < clips.length; i++) {
      haystacks[i] = clips[i].prompt.toLowerCase();
      cards[i] = makeCard(clips[i], i);
    }
    for (let i = from; i < cards.length; i++) if (!cards[i].firstChild) nearView.observe(cards[i]);
  }

  function addWaiting() {
    if (waiting) grid.append(waiting);
    waiting = null;
  }

  /** Goes back to where the page was, as far as the cards here allow; forgets it once all have come. */
  function restoreView() {
    if (restore.scrollY) window.scrollTo(0, restore.scrollY);
    const index = restore.jobId === undefined ? -1 : clips.findIndex((clip) => clip.jobId === restore.jobId);
    if (index >= 0) {
      restore.jobId = undefined;
      if (!cards[index].hidden) {
        fill(cards[index]);
        cards[index].focus({ preventScroll: true });
      }
    }
    if (clips.length >= total || window.scrollY >= restore.scrollY) restore.scrollY = 0;
    if (clips.length >= total) restore.jobId = undefined;
  }

  /**
   * @param {{ clips: Clip[], total?: number, models: string[], labels: Record<string, string>, now: number, build?: number }} message
   * @param {number} started
   */
  function render(message, started) {
    const focused = cardOf(document.activeElement);
    const focusedJob = focused ? jobIdOf(focused) : undefined;
    const scrollY = firstRender ? saved.scrollY || 0 : window.scrollY;
    labels = message.labels || {};
    clips = Array.isArray(message.clips) ? message.clips : [];
    total = typeof message.total === 'number' ? message.total : clips.length;
    build = typeof message.build === 'number' ? message.build : 0;
    clockOffset = typeof message.now === 'number' ? message.now - Date.now() : 0;
    hoverCard(null);
    applyLabels();
    if (firstRender && typeof saved.filter === 'string') filterInput.value = saved.filter;
    fillModels(Array.isArray(message.models) ? message.models : []);

    nearView.disconnect();
    cards = new Array(clips.length);
    haystacks = new Array(clips.length);
    ages = new Array(clips.length);
    makeCards(0);
    // The first screenful is laid out and painted first; the other cards join right after.
    const generation = ++renders;
    // (All at once when the page must scroll back to where it was.)
    const firstScreen = scrollY || focusedJob ? cards.length : Math.min(cards.length, firstScreenCount() * 2);
    grid.replaceChildren(...cards.slice(0, firstScreen));
    waiting = document.createDocumentFragment();
    for (let i = firstScreen; i < cards.length; i++) waiting.append(cards[i]);
    applyFilter();
    requestAnimationFrame(() =>
      setTimeout(() => {
        if (generation === renders) addWaiting();
      }, 0),
    );
    restore = { scrollY, jobId: focusedJob };
    restoreView();
    firstRender = false;
    const shown = clips.length;
    // After the frame that shows the cards has been painted.
    requestAnimationFrame(() => {
      setTimeout(() => vscode.postMessage({ type: 'rendered', count: shown, ms: performance.now() - started }), 0);
    });
  }

  /**
   * The next clips of the same build: their cards go after the others, filtered as they are.
   * @param {{ clips: Clip[], from: number, build: number }} message
   */
  function append(message) {
    if (message.build !== build || message.from !== clips.length || !Array.isArray(message.clips)) return;
    const from = clips.length;
    clips = clips.concat(message.clips);
    makeCards(from);
    // After the cards still waiting, if any.
    const added = cards.slice(from);
    if (waiting && waiting.firstChild) waiting.append(...added);
    else grid.append(...added);
    applyFilter();
    restoreView();
  }

  // The mouse: one listener for all cards.
  grid.addEventListener('mouseover', (event) => hoverCard(cardOf(event.target)));
  grid.addEventListener('mouseleave', () => hoverCard(null));

  grid.addEventListener('focusin', (event) => {
    const card = cardOf(event.target);
    if (card) ensureActions(card);
  });

  grid.addEventListener('click', (event) => {
    const card = cardOf(event.target);
    if (!card) return;
    const jobId = jobIdOf(card);
    if (!jobId) return;
    const button = /** @type {Element} */ (event.target).closest('button[data-action]');
    if (button) {
      if (!(/** @type {HTMLButtonElement} */ (button).disabled)) {
        vscode.postMessage({ type: 'action', action: /** @type {HTMLElement} */ (button).dataset.action, jobId });
      }
      return;
    }
    vscode.postMessage({ type: 'open', jobId });
  });

  grid.addEventListener('keydown', (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    if (!target.classList.contains('card')) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      const jobId = jobIdOf(target);
      if (jobId) vscode.postMessage({ type: 'open', jobId });
      return;
    }
    const steps = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns(), ArrowUp: -columns(), Home: -Infinity, End: Infinity };
    const step = steps[/** @type {keyof typeof steps} */ (event.key)];
    if (step === undefined) return;
    event.preventDefault();
    const shown = visibleCards();
    const here = shown.indexOf(target);
    const next = Math.min(shown.length - 1, Math.max(0, here + step));
    if (shown[next]) {
      fill(shown[next]);
      shown[next].focus();
    }
  });

  filterInput.addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => {
      applyFilter();
      saveFilter();
    }, FILTER_DELAY_MS);
  });
  filterInput.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') {
      const first = visibleCards()[0];
      if (first) {
        event.preventDefault();
        first.focus();
      }
    }
  });
  modelSelect.addEventListener('change', () => {
    applyFilter();
    saveFilter();
  });
  byId('clear-filter').addEventListener('click', () => {
    filterInput.value = '';
    modelSelect.value = '';
    applyFilter();
    saveFilter();
    filterInput.focus();
  });
  byId('generate').addEventListener('click', () => vscode.postMessage({ type: 'generate' }));

  let scrollQueued = false;
  window.addEventListener('scroll', () => {
    if (scrollQueued) return;
    scrollQueued = true;
    requestAnimationFrame(() => {
      scrollQueued = false;
      saved.scrollY = Math.round(window.scrollY);
      saveState();
    });
  });

  // Ages move on while the gallery is open.
  setInterval(() => {
    if (document.hidden) return;
    for (let i = 0; i < ages.length; i++) if (ages[i]) ages[i].textContent = age(clips[i].submittedAt);
  }, 60000);

  window.addEventListener('message', (event) => {
    const started = performance.now();
    const message = event.data;
    if (message && message.type === 'clips') render(message, started);
    else if (message && message.type === 'moreClips') append(message);
  });

  vscode.postMessage({ type: 'ready' });
})();
