import { parse as parseYaml } from 'yaml';

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

const FRONT_MATTER_KEYS = new Set(['pictory', 'model', 'aspectRatio', 'duration', 'continuity', 'transition']);
const OVERRIDE_KEYS = new Set(['model', 'duration', 'start']);
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const SEPARATOR = /^ {0,3}(?:-{3,}|\*{3,}|_{3,})\s*$/;
const OVERRIDE_COMMENT = /^\s*<!--(.*)-->\s*$/;

function frontMatterEnd(lines: readonly string[]): number | undefined {
  if (lines[0]?.trim() !== '---') return undefined;
  for (let line = 1; line < lines.length; line++) if (/^(---|\.\.\.)\s*$/.test(lines[line])) return line;
  return undefined;
}

/** Whether `text` is a storyboard, from its front matter alone (cheap: no YAML is parsed). */
export function isStoryboard(text: string): boolean {
  const lines = text.split(/\r?\n/, 50);
  const end = frontMatterEnd(lines);
  return end !== undefined && lines.slice(1, end).some((line) => /^pictory\s*:\s*["']?storyboard["']?\s*(#.*)?$/.test(line.trim()));
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function readDefaults(yamlText: string, range: LineRange, problems: StoryboardProblem[]): StoryboardDefaults {
  let value: unknown;
  try {
    value = parseYaml(yamlText);
  } catch (error) {
    problems.push({ range, message: `The front matter is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` });
    return { continuity: 'lastFrame' };
  }
  const fields = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!FRONT_MATTER_KEYS.has(key)) problems.push({ range, message: `Unknown front matter field "${key}": use ${[...FRONT_MATTER_KEYS].join(', ')}.` });
  }
  const continuity = asText(fields.continuity) ?? 'lastFrame';
  if (!(CONTINUITY as readonly string[]).includes(continuity)) {
    problems.push({ range, message: `"continuity" is "${continuity}": use lastFrame or none.` });
  }
  return {
    model: asText(fields.model),
    aspectRatio: asText(fields.aspectRatio),
    duration: asText(fields.duration),
    continuity: (CONTINUITY as readonly string[]).includes(continuity) ? (continuity as Continuity) : 'lastFrame',
    transition: asText(fields.transition),
  };
}

function readOverrides(comment: string, line: number, problems: StoryboardProblem[]): SceneOverrides {
  const overrides: Record<string, string> = {};
  for (const part of comment.split(',').map((item) => item.trim()).filter(Boolean)) {
    const match = /^(\w+)\s*:\s*(.+)$/.exec(part);
    if (match?.[1] === 'aspectRatio') {
      problems.push({ range: { start: line, end: line }, message: 'A film has one aspect ratio: set "aspectRatio" in the front matter, not in a scene.' });
      continue;
    }
    if (!match || !OVERRIDE_KEYS.has(match[1])) {
      problems.push({ range: { start: line, end: line }, message: `"${part}" is not a scene setting: use model, duration or start, as "key: value".` });
      continue;
    }
    overrides[match[1]] = match[2].trim();
  }
  return overrides;
}

interface Section {
  readonly start: number;
  readonly end: number;
  readonly title?: string;
  /** The first line of the section's body. */
  readonly bodyStart: number;
}

/** Sections by heading; without any heading, by `---` separators. */
function sections(lines: readonly string[], from: number): Section[] {
  const headings: number[] = [];
  for (let line = from; line < lines.length; line++) if (HEADING.test(lines[line])) headings.push(line);
  if (headings.length > 0) {
    return headings.map((start, index) => ({
      start,
      end: (headings[index + 1] ?? lines.length) - 1,
      title: HEADING.exec(lines[start])?.[2],
      bodyStart: start + 1,
    }));
  }
  const result: Section[] = [];
  let start = from;
  for (let line = from; line <= lines.length; line++) {
    if (line === lines.length || SEPARATOR.test(lines[line])) {
      result.push({ start, end: line - 1, bodyStart: start });
      start = line + 1;
    }
  }
  return result;
}

/** Reads a storyboard: its defaults, its scenes with their positions, and what is wrong with the file itself. */
export function parseStoryboard(text: string): Storyboard {
  const lines = text.split(/\r?\n/);
  const problems: StoryboardProblem[] = [];
  const end = frontMatterEnd(lines);
  const frontMatter = { start: 0, end: end ?? -1 };
  const defaults = end === undefined ? { continuity: 'lastFrame' as const } : readDefaults(lines.slice(1, end).join('\n'), frontMatter, problems);
  const scenes: Scene[] = [];
  for (const section of sections(lines, (end ?? -1) + 1)) {
    let overrides: SceneOverrides = {};
    let overridesLine: number | undefined;
    const promptLines: number[] = [];
    for (let line = section.bodyStart; line <= section.end; line++) {
      const comment = OVERRIDE_COMMENT.exec(lines[line]);
      if (comment && promptLines.length === 0 && overridesLine === undefined) {
        overridesLine = line;
        overrides = readOverrides(comment[1], line, problems);
        continue;
      }
      if (lines[line].trim() !== '') promptLines.push(line);
    }
    const prompt = promptLines.map((line) => lines[line].trim()).join(' ');
    if (!prompt && section.title === undefined) continue;
    const promptRange = promptLines.length ? { start: promptLines[0], end: promptLines[promptLines.length - 1] } : { start: section.start, end: section.start };
    scenes.push({ index: scenes.length, title: section.title, prompt, overrides, range: { start: section.start, end: section.end }, promptRange, overridesLine });
  }
  return { defaults, scenes, problems, frontMatter };
}
