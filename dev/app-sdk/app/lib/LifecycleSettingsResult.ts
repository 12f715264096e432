import { FormResult } from './FormResult';
import type { Toast } from './Intent';

export interface LifecycleSettingsResponse {
  errors?: { [ref: string]: string[] };
  toasts?: Toast[];
  redirect?: string;
  redirectMode?: 'url' | 'settings';
}

/** The answer to `onSettingsForm` / `onAuthorizationRequest`. */
export class LifecycleSettingsResult extends FormResult {
  private redirectTarget?: string;
  private redirectMode?: 'url' | 'settings';

  /** Records an error on a field of the submitted section; chainable. */
  public addError(field: string, message: string): this {
    (this.errors[field] ??= []).push(message);
    return this;
  }

  /** Sends the browser to an external URL (e.g. an OAuth page). The last redirect call wins. */
  public redirect(url: string): this {
    this.redirectTarget = url;
    this.redirectMode = 'url';
    return this;
  }

  /** Opens another settings section. The last redirect call wins. */
  public redirectToSettings(section: string): this {
    this.redirectTarget = section;
    this.redirectMode = 'settings';
    return this;
  }

  /** @hidden What the platform sends to the UI: error keys become `<section>.<field>`. */
  public getResponse(section: string): LifecycleSettingsResponse {
    const errors: { [ref: string]: string[] } = {};
    for (const [field, messages] of Object.entries(this.errors)) {
      errors[`${section}.${field}`] = [...messages];
    }
    return {
      errors,
      toasts: [...this.toasts],
      redirect: this.redirectTarget,
      redirectMode: this.redirectMode,
    };
  }
}
