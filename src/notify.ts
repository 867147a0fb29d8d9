import * as vscode from 'vscode';
import { inertText } from './pictory/text';

/**
 * Notifications, with the text made inert first: messages carry prompts and Pictory's own
 * words, and VS Code turns Markdown links in notifications into clickable commands.
 */
export function showError(message: string, ...actions: string[]): Thenable<string | undefined> {
  return vscode.window.showErrorMessage(inertText(message), ...actions);
}

export function showWarning(message: string, ...actions: string[]): Thenable<string | undefined> {
  return vscode.window.showWarningMessage(inertText(message), ...actions);
}

export function showInfo(message: string, ...actions: string[]): Thenable<string | undefined> {
  return vscode.window.showInformationMessage(inertText(message), ...actions);
}
