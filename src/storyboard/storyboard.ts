import { parse as parseYaml } from 'yaml';
import { formatMessage, Translate } from '../pictory/text';
import { Continuity, CONTINUITY, frontMatterEnd, LineRange, Scene, SceneOverrides, Storyboard, StoryboardDefaults, StoryboardProblem } from './storyboardFormat';

export type { Continuity, LineRange, Scene, SceneOverrides, Storyboard, StoryboardDefaults, StoryboardProblem } from './storyboardFormat';
export { CONTINUITY, isStoryboard, STORYBOARD_MARKER } from './storyboardFormat';

const FRONT_MATTER_KEYS = new Set(['pictory', 'model', 'aspectRatio', 'duration', 'continuity', 'transition']);
const OVERRIDE_KEYS = new Set(['model', 'duration', 'start']);
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const SEPARATOR = /^ {0,3}(?:-{3,}|\*{3,}|_{3,})\s*$/;
const OVERRIDE_COMMENT = /^\s*<!--(.*)-->\s*$/;

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function readDefaults(yamlText: string, range: LineRange, problems: StoryboardProblem[], t: Translate): StoryboardDefaults {
  let value: unknown;
  try {
    value = parseYaml(yamlText);
  } catch (error) {
    problems.push({ range, message: t('The front matter is not valid YAML: {0}', error instanceof Error ? error.message.split('\n')[0] : String(error)) });
    return { continuity: 'lastFrame' };
  }
  const fields = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!FRONT_MATTER_KEYS.has(key)) problems.push({ range, message: t('Unknown front matter field "{0}": use {1}.', key, [...FRONT_MATTER_KEYS].join(', ')) });
  }
  const continuity = asText(fields.continuity) ?? 'lastFrame';
  if (!(CONTINUITY as readonly string[]).includes(continuity)) {
    problems.push({ range, message: t('"continuity" is "{0}": use lastFrame or none.', continuity) });
  }
  return {
    model: asText(fields.model),
    aspectRatio: asText(fields.aspectRatio),
    duration: asText(fields.duration),
    continuity: (CONTINUITY as readonly string[]).includes(continuity) ? (continuity as Continuity) : 'lastFrame',
    transition: asText(fields.transition),
  };
}

function readOverrides(comment: string, line: number, problems: StoryboardProblem[], t: Translate): SceneOverrides {
  const overrides: Record<string, string> = {};
  for (const part of comment.split(',').map((item) => item.trim()).filter(Boolean)) {
    const match = /^(\w+)\s*:\s*(.+)$/.exec(part);
    if (match?.[1] === 'aspectRatio') {
      problems.push({ range: { start: line, end: line }, message: t('A film has one aspect ratio: set "aspectRatio" in the front matter, not in a scene.') });
      continue;
    }
    if (!match || !OVERRIDE_KEYS.has(match[1])) {
      problems.push({ range: { start: line, end: line }, message: t('"{0}" is not a scene setting: use model, duration or start, as "key: value".', part) });
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
export function parseStoryboard(text: string, t: Translate = formatMessage): Storyboard {
  const lines = text.split(/\r?\n/);
  const problems: StoryboardProblem[] = [];
  const end = frontMatterEnd(lines);
  const frontMatter = { start: 0, end: end ?? -1 };
  const defaults = end === undefined ? { continuity: 'lastFrame' as const } : readDefaults(lines.slice(1, end).join('\n'), frontMatter, problems, t);
  const scenes: Scene[] = [];
  for (const section of sections(lines, (end ?? -1) + 1)) {
    let overrides: SceneOverrides = {};
    let overridesLine: number | undefined;
    const promptLines: number[] = [];
    for (let line = section.bodyStart; line <= section.end; line++) {
      const comment = OVERRIDE_COMMENT.exec(lines[line]);
      if (comment && promptLines.length === 0 && overridesLine === undefined) {
        overridesLine = line;
        overrides = readOverrides(comment[1], line, problems, t);
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
