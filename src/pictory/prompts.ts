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

/** One line, at most `maxLength` characters, for tooltips, titles and lists. */
export function shortenPrompt(prompt: string, maxLength = 40): string {
  const oneLine = prompt.replace(/\s+/g, ' ').trim();
  const characters = [...oneLine];
  if (characters.length <= maxLength) return oneLine;
  return characters.slice(0, maxLength - 1).join('').trimEnd() + '…';
}
