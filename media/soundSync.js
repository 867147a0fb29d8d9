// @ts-check
// Keeps a clip's sound, decoded by the extension, in step with its muted <video>: it starts,
// stops, seeks and changes speed with the video, and is put back in place when it drifts more
// than DRIFT_SECONDS from it. Used by the preview page; also loaded by the unit tests (Node),
// with a fake video, player and clock.
(function (root) {
  const DRIFT_SECONDS = 0.08;

  /**
   * @typedef {{ start(offset: number, rate: number): void, stop(): void }} SoundPlayer
   *   `start` plays from `offset` seconds at `rate`; `stop` silences it.
   * @typedef {{ currentTime: number, paused: boolean, ended: boolean, playbackRate: number, seeking: boolean,
   *   addEventListener(type: string, listener: () => void): void, removeEventListener(type: string, listener: () => void): void }} VideoLike
   */

  class SoundSync {
    /**
     * @param {VideoLike} video
     * @param {SoundPlayer} player
     * @param {() => number} clock seconds, as the player counts them
     * @param {number} duration the sound's length in seconds
     */
    constructor(video, player, clock, duration) {
      this.video = video;
      this.player = player;
      this.clock = clock;
      this.duration = duration;
      /** @type {{ offset: number, at: number, rate: number } | undefined} while the sound plays */
      this.playing = undefined;
      this.listeners = {
        playing: () => this.follow(),
        play: () => this.follow(),
        pause: () => this.silence(),
        ended: () => this.silence(),
        waiting: () => this.silence(),
        seeking: () => this.silence(),
        seeked: () => this.follow(),
        ratechange: () => this.restart(),
        timeupdate: () => this.correct(),
      };
      for (const [type, listener] of Object.entries(this.listeners)) video.addEventListener(type, listener);
      this.follow();
    }

    /** Where the sound is now, in seconds of the clip; undefined while silent. */
    position() {
      if (!this.playing) return undefined;
      return this.playing.offset + (this.clock() - this.playing.at) * this.playing.rate;
    }

    /** Plays along if the video plays, from where the video is. */
    follow() {
      const video = this.video;
      if (video.paused || video.ended || video.seeking) return this.silence();
      if (this.playing) return this.correct();
      const offset = video.currentTime;
      if (offset >= this.duration) return;
      this.player.start(offset, video.playbackRate);
      this.playing = { offset, at: this.clock(), rate: video.playbackRate };
    }

    silence() {
      if (!this.playing) return;
      this.player.stop();
      this.playing = undefined;
    }

    restart() {
      this.silence();
      this.follow();
    }

    /** Puts the sound back where the video is when they are more than DRIFT_SECONDS apart. */
    correct() {
      const position = this.position();
      if (position === undefined) return this.follow();
      if (Math.abs(position - this.video.currentTime) > DRIFT_SECONDS) this.restart();
    }

    dispose() {
      this.silence();
      for (const [type, listener] of Object.entries(this.listeners)) this.video.removeEventListener(type, listener);
    }
  }

  const api = { SoundSync, DRIFT_SECONDS };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.pictorySound = api;
})(typeof globalThis === 'object' ? globalThis : this);
