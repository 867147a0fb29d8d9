import * as vscode from 'vscode';
import { inertText } from './pictory/text';

export interface ShownNotification {
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly actions: readonly string[];
}

type Observer = (notification: ShownNotification) => void;
const observers = new Set<Observer>();

/** Every notification shown from now on (the test API records them: what the user saw). */
export function observeNotifications(observer: Observer): vscode.Disposable {
  observers.add(observer);
  return new vscode.Disposable(() => observers.delete(observer));
}

function shown(severity: ShownNotification['severity'], message: string, actions: string[]): string {
  const text = inertText(message);
  for (const observer of observers) observer({ severity, message: text, actions });
  return text;
}

/**
 * Notifications, with the text made inert first: messages carry prompts and Pictory's own
 * words, and VS Code turns Markdown links in notifications into clickable commands.
 */
export function showError(message: string, ...actions: string[]): Thenable<string | undefined> {
  return vscode.window.showErrorMessage(shown('error', message, actions), ...actions);
}

export function showWarning(message: string, ...actions: string[]): Thenable<string | undefined> {
  return vscode.window.showWarningMessage(shown('warning', message, actions), ...actions);
}

export function showInfo(message: string, ...actions: string[]): Thenable<string | undefined> {
  return vscode.window.showInformationMessage(shown('info', message, actions), ...actions);
}

/** A modal question; its detail is shown as plain text. */
export function askModal(message: string, detail: string, ...actions: string[]): Thenable<string | undefined> {
  return vscode.window.showWarningMessage(shown('warning', message, actions), { modal: true, detail: inertText(detail) }, ...actions);
}

/** What a progress notification takes: a message, and an increment out of 100. */
export type ProgressReporter = vscode.Progress<{ message?: string; increment?: number }>;

/** Work shown in a progress notification with a Cancel button, which aborts `signal`. */
export function withCancellableProgress<T>(title: string, task: (progress: ProgressReporter, signal: AbortSignal) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    try {
      return await task(progress, controller.signal);
    } finally {
      subscription.dispose();
    }
  });
}
