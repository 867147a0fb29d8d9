// What a storyboard file is, without parsing it: loaded with the extension (the YAML parser is not).

/**
 * A storyboard is a Markdown file whose front matter says `pictory: storyboard`:
 *
 * ```markdown
 * ---
 * pictory: storyboard
 * model: pixverse5.5        # defaults for every scene
 * aspectRatio: "16:9"       # one for the whole film
 * duration: 5s
 * continuity: lastFrame     # or none: each scene starts from the previous one's last frame
 * transition: fade          # optional, between scenes of the rendered film
 * ---
 *
 * ## The lantern
 * A paper lantern floating over a calm lake at night, slow camera push-in
 *
 * ## It rises
 * <!-- model: veo3.1_fast, duration: 8s -->
 * The lantern rises into the stars as the camera tilts up to follow it
 * ```
 *
 * Each heading starts a scene (without headings, `---` lines separate the scenes); the text
 * under it is the prompt. A scene may start with one HTML comment that overrides `model`,
 * `duration` or `start` (an image address the scene starts from), as `key: value` pairs
 * separated by commas.
 */
/** The front matter line that makes a Markdown file a storyboard: `pictory: storyboard`. */
export const STORYBOARD_MARKER = 'storyboard';

export const CONTINUITY = ['lastFrame', 'none'] as const;
export type Continuity = (typeof CONTINUITY)[number];

/** A place in the file, as 0-based lines (end inclusive). */
export interface LineRange {
  readonly start: number;
  readonly end: number;
}

export interface StoryboardDefaults {
  readonly model?: string;
  readonly aspectRatio?: string;
  readonly duration?: string;
  readonly continuity: Continuity;
  readonly transition?: string;
}

export interface SceneOverrides {
  readonly model?: string;
  readonly duration?: string;
  readonly start?: string;
}

export interface Scene {
  /** 0-based position among the scenes. */
  readonly index: number;
  /** The heading's text, when the scene has one. */
  readonly title?: string;
  readonly prompt: string;
  readonly overrides: SceneOverrides;
  /** The whole section, heading included. */
  readonly range: LineRange;
  /** The prompt's lines (where a problem with the prompt is shown). */
  readonly promptRange: LineRange;
  /** The override comment's line, when there is one. */
  readonly overridesLine?: number;
}

/** Something wrong with the file, and where. */
export interface StoryboardProblem {
  readonly range: LineRange;
  readonly message: string;
}

export interface Storyboard {
  readonly defaults: StoryboardDefaults;
  readonly scenes: readonly Scene[];
  /** Problems of the file itself (front matter, override comments), before any scene is checked. */
  readonly problems: readonly StoryboardProblem[];
  /** The front matter's lines, including its `---` fences. */
  readonly frontMatter: LineRange;
}

export function frontMatterEnd(lines: readonly string[]): number | undefined {
  if (lines[0]?.trim() !== '---') return undefined;
  for (let line = 1; line < lines.length; line++) if (/^(---|\.\.\.)\s*$/.test(lines[line])) return line;
  return undefined;
}

/** Whether `text` is a storyboard, from its front matter alone (cheap: no YAML is parsed). */
export function isStoryboard(text: string): boolean {
  const lines = text.split(/\r?\n/, 50);
  const end = frontMatterEnd(lines);
  return end !== undefined && lines.slice(1, end).some(isMarkerLine);
}

/** `pictory: storyboard` (quoted or not, with a comment or not). */
export function isMarkerLine(line: string): boolean {
  return /^pictory\s*:\s*["']?storyboard["']?\s*(#.*)?$/.test(line.trim());
}
