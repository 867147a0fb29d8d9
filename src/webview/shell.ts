import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { pageCsp, PageShell, WebOrigins } from './page';

/** The files of `media/` a page loads, besides the codicons. */
export interface PageFiles {
  readonly style: string;
  readonly scripts: readonly string[];
}

/**
 * What a panel's page loads: its files of `media/` (and the codicons, when the build copied
 * them), under a new nonce and a policy that allows `origins`.
 */
export function pageShell(webview: vscode.Webview, extensionUri: vscode.Uri, files: PageFiles, origins: WebOrigins): PageShell {
  const nonce = randomBytes(16).toString('base64');
  const codicons = vscode.Uri.joinPath(extensionUri, 'dist', 'codicons', 'codicon.css');
  const hasCodicons = codicons.scheme === 'file' && fs.existsSync(codicons.fsPath);
  const media = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', file)).toString();
  return {
    csp: pageCsp({ cspSource: webview.cspSource, nonce, ...origins }),
    nonce,
    lang: vscode.env.language,
    styles: [...(hasCodicons ? [webview.asWebviewUri(codicons).toString()] : []), media(files.style)],
    scripts: files.scripts.map(media),
    codicons: hasCodicons,
  };
}
