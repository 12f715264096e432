import type { Intent, Toast } from './Intent';

/** What a settings-form hook answers: field errors and toasts. */
export abstract class FormResult {
  protected errors: { [key: string]: string[] } = {};
  protected toasts: Toast[] = [];

  public addToast(intent: Intent, message: string): this {
    this.toasts.push({ intent, message });
    return this;
  }
}
