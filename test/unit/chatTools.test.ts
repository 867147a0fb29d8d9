import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { draftStoryboard, parseDraftScenes } from '../../src/chat/storyboardDraft';
import { checkImageInput, checkVideoInput, imageConfirmation, imageToolDescription, overBudget, prepareGeneration, videoConfirmation, videoToolDescription } from '../../src/chat/toolInput';
import { estimateCredits, IMAGE_MODELS, IMAGE_STYLES, VIDEO_MODELS } from '../../src/pictory/catalog';
import { checkStoryboard } from '../../src/storyboard/checkStoryboard';
import { parseStoryboard } from '../../src/storyboard/storyboard';

const API = 'https://api.pictory.ai/pictoryapis';
const PROMPT = 'A red fox running through fresh snow at sunrise, wide tracking shot';

interface Tool {
  name: string;
  modelDescription: string;
  when?: string;
  inputSchema: { properties: Record<string, { enum?: string[] }>; required?: string[] };
}

function manifestTools(): Tool[] {
  const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { contributes: { languageModelTools: Tool[] } };
  return manifest.contributes.languageModelTools;
}

describe('chat tools: what an agent may ask for', () => {
  it('prices every video model and duration, and names them in the confirmation', () => {
    for (const model of VIDEO_MODELS) {
      for (const duration of model.durations) {
        const checked = checkVideoInput({ prompt: PROMPT, model: model.id, aspectRatio: model.aspectRatios[0], duration }, {}, API);
        assert.ok(checked.ok, `${model.id} ${duration}`);
        if (!checked.ok) continue;
        assert.equal(checked.credits, estimateCredits(model, duration));
        const confirmation = videoConfirmation(checked.request, checked.credits, 21310);
        assert.equal(confirmation.title, `Generate a video of ${duration} with Pictory?`);
        assert.equal(confirmation.message, `"${PROMPT}"\n\n${model.label} · ${model.aspectRatios[0]} · ${duration}: about ${checked.credits} AI credits. Credits left: 21310.`);
      }
    }
  });

  it('prices every image model, and names it in the confirmation', () => {
    for (const model of IMAGE_MODELS) {
      const checked = checkImageInput({ prompt: PROMPT, model: model.id, style: 'vintage' });
      assert.ok(checked.ok, model.id);
      if (!checked.ok) continue;
      assert.equal(checked.credits, model.creditsPerImage);
      assert.equal(imageConfirmation(checked.request, checked.credits, undefined).message, `"${PROMPT}"\n\n${model.label} · ${checked.request.aspectRatio} · vintage: about ${model.creditsPerImage} AI credits.`);
    }
  });

  it('fills what is left out from the user’s defaults when the model supports them, else the model’s own', () => {
    const fromDefaults = checkVideoInput({ prompt: PROMPT }, { model: 'veo3.1_fast', aspectRatio: '9:16', duration: '8s' }, API);
    assert.deepEqual(fromDefaults.ok && fromDefaults.request, { prompt: PROMPT, model: 'veo3.1_fast', aspectRatio: '9:16', duration: '8s' });
    const fallback = checkVideoInput({ prompt: PROMPT }, {}, API);
    assert.deepEqual(fallback.ok && fallback.request, { prompt: PROMPT, model: 'pixverse5.5', aspectRatio: '16:9', duration: '5s' });
    const modelOnly = checkVideoInput({ prompt: PROMPT, model: 'veo3.1' }, { model: 'pixverse5.5', duration: '10s' }, API);
    assert.deepEqual(modelOnly.ok && [modelOnly.request.aspectRatio, modelOnly.request.duration], ['16:9', '4s']);
  });

  it('answers invalid input with what to change, in words a model can act on', () => {
    const message = (input: unknown) => {
      const checked = checkVideoInput(input, {}, API);
      return checked.ok ? 'ok' : checked.message;
    };
    assert.equal(message({ prompt: PROMPT, model: 'veo3.1', aspectRatio: '1:1' }), 'veo3.1 supports 16:9 and 9:16, not 1:1.');
    assert.equal(message({ prompt: PROMPT, model: 'pixverse5.5', duration: '4s' }), 'pixverse5.5 makes 5s, 8s, 10s videos, not 4s.');
    assert.equal(message({ prompt: PROMPT, model: 'pixverse5.5', aspectRatio: '2:1' }), 'pixverse5.5 supports 16:9, 9:16, 1:1, 3:4, 4:3, not 2:1.');
    assert.equal(message({ prompt: PROMPT, model: 'sora' }), 'Unknown model "sora": use veo3.1, veo3.1_fast, pixverse5.5.');
    assert.equal(message({ prompt: 'Fox' }), 'The prompt is too short (3 characters); write at least 5.');
    assert.equal(message({ prompt: PROMPT, colour: 'red' }), 'Unknown input "colour": use only prompt, model, aspectRatio, duration, firstFrameImageUrl.');
    assert.equal(message({ prompt: PROMPT, firstFrameImageUrl: 'http://example.com/a.png' }), '"firstFrameImageUrl" must be the https address of an image.');
    assert.equal(message('a fox'), 'The input must be an object with at least "prompt".');
    const image = checkImageInput({ prompt: PROMPT, model: 'nanobanana', aspectRatio: '16:9' });
    assert.equal(!image.ok && image.message, 'nanobanana supports 1:1, not 16:9.');
  });

  it('asks a person, naming the cost, before anything within the budget is sent; asks nobody and sends nothing otherwise', () => {
    const confirm = (request: { duration: string }, credits: number) => videoConfirmation(request as never, credits, undefined);
    for (const model of VIDEO_MODELS) {
      for (const duration of model.durations) {
        const input = { prompt: PROMPT, model: model.id, aspectRatio: model.aspectRatios[0], duration };
        const credits = estimateCredits(model, duration);
        const prepared = prepareGeneration(checkVideoInput(input, {}, API), 100, confirm);
        if (credits > 100) {
          assert.deepEqual(prepared.send, false, `${model.id} ${duration} is over the budget`);
          assert.match(!prepared.send ? prepared.message : '', new RegExp(`^Not sent: this costs about ${credits} AI credits`));
        } else {
          assert.ok(prepared.send, `${model.id} ${duration}`);
          if (prepared.send) assert.match(prepared.confirmation.message, new RegExp(`about ${credits} AI credits`));
        }
      }
    }
    const invalid = prepareGeneration(checkVideoInput({ prompt: PROMPT, model: 'veo3.1', aspectRatio: '1:1' }, {}, API), 100, confirm);
    assert.deepEqual(invalid, { send: false, message: 'veo3.1 supports 16:9 and 9:16, not 1:1.' });
  });

  it('checks the prompt as it would be sent, without its surrounding spaces', () => {
    const blank = checkVideoInput({ prompt: '      ' }, {}, API);
    assert.equal(!blank.ok && blank.message, 'The prompt is too short (0 characters); write at least 5.');
    const padded = checkVideoInput({ prompt: '  ab  ' }, {}, API);
    assert.equal(padded.ok, false);
    const blankModel = checkVideoInput({ prompt: PROMPT, model: '  ', aspectRatio: '' }, {}, API);
    assert.deepEqual(blankModel.ok && blankModel.request, { prompt: PROMPT, model: 'pixverse5.5', aspectRatio: '16:9', duration: '5s' }, 'blank fields count as left out');
  });

  it('refuses what costs more than the budget, saying how to fit in it', () => {
    assert.equal(overBudget(80, 100), undefined);
    assert.match(overBudget(160, 100) ?? '', /^Not sent: this costs about 160 AI credits, more than the 100 credits .*pictory\.agent\.maxCreditsPerRequest/);
    assert.ok(overBudget(0.6, 0), 'a budget of 0 lets nothing through');
  });

  it('describes in package.json exactly what the catalog offers, and hides the tools without a key', () => {
    const tools = manifestTools();
    const video = tools.find((tool) => tool.name === 'pictory_generate_video');
    const image = tools.find((tool) => tool.name === 'pictory_generate_image');
    assert.ok(video && image);
    assert.equal(video.modelDescription, videoToolDescription());
    assert.equal(image.modelDescription, imageToolDescription());
    assert.deepEqual(video.inputSchema.properties.model.enum, VIDEO_MODELS.map((model) => model.id));
    assert.deepEqual(new Set(video.inputSchema.properties.duration.enum), new Set(VIDEO_MODELS.flatMap((model) => model.durations)));
    assert.deepEqual(new Set(video.inputSchema.properties.aspectRatio.enum), new Set(VIDEO_MODELS.flatMap((model) => model.aspectRatios)));
    assert.deepEqual(image.inputSchema.properties.model.enum, IMAGE_MODELS.map((model) => model.id));
    assert.deepEqual(image.inputSchema.properties.style.enum, IMAGE_STYLES);
    assert.deepEqual(tools.map((tool) => tool.when), tools.map(() => 'pictory.hasApiKey'));
  });
});

describe('storyboards drafted in chat', () => {
  it('read the scenes from JSON, or from headings, and write a storyboard with no problem', () => {
    const fromJson = parseDraftScenes('Here you go:\n```json\n[{"title":"Dawn","prompt":"A lantern on a lake at dawn, slow push-in"},{"title":"Rise","prompt":"The lantern rises\\ninto the sky, camera tilts up"}]\n```');
    assert.deepEqual(fromJson, [
      { title: 'Dawn', prompt: 'A lantern on a lake at dawn, slow push-in' },
      { title: 'Rise', prompt: 'The lantern rises into the sky, camera tilts up' },
    ]);
    assert.deepEqual(parseDraftScenes('## One\nA fox in the snow, wide shot\n\n## Two\nThe fox runs to the camera'), [
      { title: 'One', prompt: 'A fox in the snow, wide shot' },
      { title: 'Two', prompt: 'The fox runs to the camera' },
    ]);
    assert.deepEqual(parseDraftScenes('I cannot help with that.'), []);
    const text = draftStoryboard([...fromJson, { title: 'End', prompt: '--- # A sky full of lanterns, wide shot' }], { model: 'veo3.1', duration: '5s' });
    const board = parseStoryboard(text);
    assert.deepEqual(board.defaults, { model: 'veo3.1', aspectRatio: '16:9', duration: '4s', continuity: 'lastFrame', transition: undefined });
    assert.deepEqual(board.scenes.map((scene) => scene.prompt), [fromJson[0].prompt, fromJson[1].prompt, 'A sky full of lanterns, wide shot']);
    assert.deepEqual(checkStoryboard(board), []);
  });
});
