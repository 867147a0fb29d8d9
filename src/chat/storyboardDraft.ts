// A storyboard file drafted from scenes a chat model wrote: read leniently, written in the
// documented storyboard form. No `vscode`.
import { AGENT_VIDEO_FALLBACK, VideoDefaults } from './toolInput';
import { findModel } from '../pictory/catalog';

export interface DraftScene {
  readonly title: string;
  readonly prompt: string;
}

const MAX_SCENES = 12;

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The scenes of a model's answer: a JSON list of `{title, prompt}` (in a code block or not), else `## Title` sections. */
export function parseDraftScenes(answer: string): DraftScene[] {
  const json = /\[[\s\S]*\]/.exec(answer)?.[0];
  if (json) {
    try {
      const value: unknown = JSON.parse(json);
      if (Array.isArray(value)) {
        const scenes = value.flatMap((item, index) => {
          const scene = item as { title?: unknown; prompt?: unknown };
          const prompt = typeof scene?.prompt === 'string' ? oneLine(scene.prompt) : '';
          const title = typeof scene?.title === 'string' && oneLine(scene.title) ? oneLine(scene.title) : `Scene ${index + 1}`;
          return prompt ? [{ title: title.replace(/^#+\s*/, ''), prompt }] : [];
        });
        if (scenes.length > 0) return scenes.slice(0, MAX_SCENES);
      }
    } catch {
      // Not JSON after all: read it as sections.
    }
  }
  return answer
    .split(/^#{1,6}\s+/m)
    .slice(1)
    .flatMap((section) => {
      const [title, ...body] = section.split('\n');
      const prompt = oneLine(body.join(' '));
      return prompt ? [{ title: oneLine(title), prompt }] : [];
    })
    .slice(0, MAX_SCENES);
}

/** The storyboard file: front matter from the user's defaults (else PixVerse, 16:9, 5 s), continuity from last frames. */
export function draftStoryboard(scenes: readonly DraftScene[], defaults: VideoDefaults): string {
  const model = defaults.model && findModel(defaults.model) ? findModel(defaults.model) : findModel(AGENT_VIDEO_FALLBACK.model);
  const id = model?.id ?? AGENT_VIDEO_FALLBACK.model;
  const aspectRatio = defaults.aspectRatio && model?.aspectRatios.includes(defaults.aspectRatio) ? defaults.aspectRatio : (model?.aspectRatios[0] ?? '16:9');
  const duration = defaults.duration && model?.durations.includes(defaults.duration) ? defaults.duration : (model?.durations[0] ?? '5s');
  const header = ['---', 'pictory: storyboard', `model: ${id}`, `aspectRatio: "${aspectRatio}"`, `duration: ${duration}`, 'continuity: lastFrame', '---', ''];
  // A prompt line must not read as a heading or a scene separator.
  const body = scenes.flatMap((scene) => [`## ${scene.title}`, scene.prompt.replace(/^[#\-*_\s]+/, ''), '']);
  return [...header, ...body].join('\n');
}
