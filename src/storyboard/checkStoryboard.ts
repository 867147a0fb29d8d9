import { checkSources, estimateCredits, findModel, VIDEO_MODELS } from '../pictory/catalog';
import { checkPrompt, PROMPT_MAX_CHARACTERS, PROMPT_MIN_CHARACTERS } from '../pictory/prompts';
import { formatMessage, Translate } from '../pictory/text';
import { Scene, Storyboard, StoryboardProblem } from './storyboardFormat';
import { isSceneTransition, SCENE_TRANSITIONS } from '../pictory/render';

/** What a scene asks for once the front matter's defaults and its own overrides are applied. */
export interface SceneChoice {
  readonly model?: string;
  readonly aspectRatio?: string;
  readonly duration?: string;
  /** An image the scene starts from, given in the scene itself. */
  readonly start?: string;
}

export function sceneChoice(board: Storyboard, scene: Scene): SceneChoice {
  return {
    model: scene.overrides.model ?? board.defaults.model,
    aspectRatio: board.defaults.aspectRatio,
    duration: scene.overrides.duration ?? board.defaults.duration,
    start: scene.overrides.start,
  };
}

/** The scene's estimated credits, when its model and duration are valid. */
export function sceneCredits(board: Storyboard, scene: Scene): number | undefined {
  const { model, duration } = sceneChoice(board, scene);
  const known = model ? findModel(model) : undefined;
  return known && duration && known.durations.includes(duration) ? estimateCredits(known, duration) : undefined;
}

function sceneProblems(board: Storyboard, scene: Scene, apiBaseUrl: string | undefined, t: Translate): StoryboardProblem[] {
  const problems: StoryboardProblem[] = [];
  const at = (message: string, range = scene.promptRange) => problems.push({ range, message });
  const settings = scene.overridesLine === undefined ? scene.range : { start: scene.overridesLine, end: scene.overridesLine };
  const prompt = checkPrompt(scene.prompt);
  if (prompt?.kind === 'tooShort') at(t('The prompt is too short: {0} characters, at least {1} are needed.', prompt.length, PROMPT_MIN_CHARACTERS));
  if (prompt?.kind === 'tooLong') at(t('The prompt is too long: {0} characters, at most {1} are allowed.', prompt.length, PROMPT_MAX_CHARACTERS));
  const choice = sceneChoice(board, scene);
  const model = choice.model ? findModel(choice.model) : undefined;
  if (!choice.model) at(t('No model: set "model" in the front matter, or in this scene.'), settings);
  else if (!model) at(t('Unknown model "{0}": use {1}.', choice.model, VIDEO_MODELS.map((known) => known.id).join(', ')), settings);
  if (model && choice.aspectRatio && !model.aspectRatios.includes(choice.aspectRatio)) {
    at(t('{0} does not make {1} videos, the film\'s aspect ratio (it makes {2}).', model.id, choice.aspectRatio, model.aspectRatios.join(', ')), settings);
  }
  if (!choice.duration) at(t('No duration: set "duration" in the front matter, or in this scene.'), settings);
  else if (model && !model.durations.includes(choice.duration)) {
    at(t('{0} does not make {1} videos (it makes {2}).', model.id, choice.duration, model.durations.join(', ')), settings);
  }
  if (choice.start !== undefined) {
    if (board.defaults.continuity === 'lastFrame' && scene.index > 0) {
      at(t('This scene has two start inputs: with "continuity: lastFrame" it starts from the last frame of the scene before. Remove "start", or set "continuity: none".'), settings);
    } else if (checkSources({ firstFrameImageUrl: choice.start }, apiBaseUrl)) {
      at(t('"start" must be the https address of an image, not "{0}".', choice.start), settings);
    }
  }
  return problems;
}

/** Everything Pictory would refuse, found before any credit is spent, with where it is. */
export function checkStoryboard(board: Storyboard, apiBaseUrl?: string, t: Translate = formatMessage): StoryboardProblem[] {
  const problems = [...board.problems];
  if (!board.defaults.aspectRatio) {
    problems.push({ range: board.frontMatter, message: t('A film has one aspect ratio: set "aspectRatio" in the front matter (for example "16:9").') });
  }
  if (board.defaults.transition !== undefined && !isSceneTransition(board.defaults.transition)) {
    problems.push({ range: board.frontMatter, message: t('"transition" is "{0}": use {1}.', board.defaults.transition, SCENE_TRANSITIONS.join(', ')) });
  }
  if (board.scenes.length === 0) problems.push({ range: board.frontMatter, message: t('No scenes yet: start each scene with a heading, and write its prompt below it.') });
  for (const scene of board.scenes) problems.push(...sceneProblems(board, scene, apiBaseUrl, t));
  return problems;
}
