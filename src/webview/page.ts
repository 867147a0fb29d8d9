// What the panels' pages share, with no `vscode` import: a Content Security
// Policy that allows the web origins their clips come from and grows with them, and the
// document around their own markup (their words and data arrive by message).

export interface WebOrigins {
  readonly imageOrigins: readonly string[];
  readonly mediaOrigins: readonly string[];
}

export interface PagePolicy extends WebOrigins {
  /** `webview.cspSource`: the extension's files and the local copies. */
  readonly cspSource: string;
  readonly nonce: string;
}

/** Nothing but the page's own script (by its nonce), style and fonts, and images and media from `policy`'s origins. */
export function pageCsp(policy: PagePolicy): string {
  const sources = (origins: readonly string[]) => [policy.cspSource, ...origins].join(' ');
  return [
    "default-src 'none'",
    `img-src ${sources(policy.imageOrigins)}`,
    `media-src ${sources(policy.mediaOrigins)}`,
    `style-src ${policy.cspSource}`,
    `font-src ${policy.cspSource}`,
    `script-src 'nonce-${policy.nonce}'`,
  ].join('; ');
}

/** Whether a page allowed `allowed` may load everything `needed` names. */
export function originsCover(allowed: WebOrigins, needed: WebOrigins): boolean {
  return needed.imageOrigins.every((origin) => allowed.imageOrigins.includes(origin)) && needed.mediaOrigins.every((origin) => allowed.mediaOrigins.includes(origin));
}

/** Both sets of origins together. */
export function withOrigins(allowed: WebOrigins, needed: WebOrigins): WebOrigins {
  return {
    imageOrigins: [...new Set([...allowed.imageOrigins, ...needed.imageOrigins])],
    mediaOrigins: [...new Set([...allowed.mediaOrigins, ...needed.mediaOrigins])],
  };
}

export function attribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface PageShell {
  readonly csp: string;
  readonly nonce: string;
  /** The page's language (`vscode.env.language`). */
  readonly lang: string;
  /** Style sheets, in order (the codicons' first, when shipped). */
  readonly styles: readonly string[];
  /** Scripts, in order, each under the nonce. */
  readonly scripts: readonly string[];
  /** Buttons show codicons rather than words. */
  readonly codicons: boolean;
}

/** The document: its policy, style sheets and `title`, then `body` (markup of our own, no data), then its scripts. */
export function pageHtml(shell: PageShell, title: string, body: string): string {
  const styles = shell.styles.map((href) => `<link rel="stylesheet" href="${attribute(href)}">`).join('\n');
  const scripts = shell.scripts.map((src) => `<script nonce="${attribute(shell.nonce)}" src="${attribute(src)}"></script>`).join('\n');
  return `<!DOCTYPE html>
<html lang="${attribute(shell.lang)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attribute(shell.csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
<title>${title}</title>
</head>
<body class="${shell.codicons ? 'codicons' : 'no-codicons'}">
${body}
${scripts}
</body>
</html>`;
}
