export const PROMPT_MIN_CHARACTERS = 5;
export const PROMPT_MAX_CHARACTERS = 5000;

export type PromptProblem =
  | { readonly kind: 'tooShort'; readonly length: number }
  | { readonly kind: 'tooLong'; readonly length: number };

/** Counts characters as a person does: an emoji is one, not two UTF-16 units. */
export function promptLength(prompt: string): number {
  return [...prompt].length;
}

export function checkPrompt(prompt: string): PromptProblem | undefined {
  const length = promptLength(prompt);
  if (length < PROMPT_MIN_CHARACTERS) return { kind: 'tooShort', length };
  if (length > PROMPT_MAX_CHARACTERS) return { kind: 'tooLong', length };
  return undefined;
}

/** Each selection, trimmed, is its own prompt; empty selections are dropped. */
export function promptsFromSelections(selectedTexts: readonly string[]): string[] {
  return selectedTexts.map((text) => text.trim()).filter((text) => text.length > 0);
}

/** How much of a prompt's start is read for a title of `maxLength` characters: runs of spaces shrink to one. */
const HEAD_LENGTHS = 2;

/**
 * One line, at most `maxLength` characters, for tooltips, titles and lists. Lists of
 * thousands of jobs call it for each: it reads only the start of a long prompt, and counts
 * characters without splitting the text when it has no surrogate pairs (each character is
 * then one UTF-16 unit); anything else is shortened the long way.
 */
export function shortenPrompt(prompt: string, maxLength = 40): string {
  const head = prompt.length > maxLength * HEAD_LENGTHS ? prompt.slice(0, maxLength * HEAD_LENGTHS) : prompt;
  const oneLine = head.replace(/\s+/g, ' ').trim();
  if (!/[\uD800-\uDFFF]/.test(oneLine)) {
    if (oneLine.length > maxLength) return oneLine.slice(0, maxLength - 1).trimEnd() + '…';
    if (head === prompt) return oneLine;
  }
  return shortenByCharacters(prompt, maxLength);
}

function shortenByCharacters(prompt: string, maxLength: number): string {
  const oneLine = prompt.replace(/\s+/g, ' ').trim();
  const characters = [...oneLine];
  if (characters.length <= maxLength) return oneLine;
  return characters.slice(0, maxLength - 1).join('').trimEnd() + '…';
}
