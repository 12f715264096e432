import { FormResult } from './FormResult';
import type { LifecycleSettingsResponse } from './LifecycleSettingsResult';

/** The answer to `onAuthorizationGrant`: always lands the user back on a settings section. */
export class AuthorizationGrantResult extends FormResult {
  public constructor(private readonly redirectSection: string) {
    super();
  }

  /** Records an error on a field of the redirect section (stored as `<section>.<field>`). */
  public addError(field: string, message: string): this {
    (this.errors[`${this.redirectSection}.${field}`] ??= []).push(message);
    return this;
  }

  /** @hidden */
  public getResponse(): LifecycleSettingsResponse {
    const errors: { [ref: string]: string[] } = {};
    for (const [ref, messages] of Object.entries(this.errors)) errors[ref] = [...messages];
    return { errors, toasts: [...this.toasts], redirect: this.redirectSection, redirectMode: 'settings' };
  }
}
