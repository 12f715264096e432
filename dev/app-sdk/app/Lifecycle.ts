import type { AuthorizationGrantResult } from './lib/AuthorizationGrantResult';
import type { LifecycleSettingsResult } from './lib/LifecycleSettingsResult';
import type { Request } from './lib/Request';

export interface LifecycleResult {
  success: boolean;
  message?: string;
  retryable?: boolean;
}

export interface CanUninstallResult {
  uninstallable: boolean;
  message?: string;
}

/** A submitted form section: field key to a primitive value or a list of them. */
export type SubmittedFormValue = string | number | boolean | null;
export interface SubmittedFormData {
  [field: string]: SubmittedFormValue | SubmittedFormValue[];
}

/** Install, settings, upgrade, uninstall and OAuth hooks. Always loaded from `lifecycle/Lifecycle`. */
export abstract class Lifecycle {
  public abstract onInstall(): Promise<LifecycleResult>;

  /** One section was submitted; `action` is the button's action, `save` by default. Persist it yourself. */
  public abstract onSettingsForm(
    section: string,
    action: string,
    formData: SubmittedFormData,
  ): Promise<LifecycleSettingsResult>;

  public abstract onUpgrade(fromVersion: string): Promise<LifecycleResult>;

  public abstract onFinalizeUpgrade(fromVersion: string): Promise<LifecycleResult>;

  public async onAfterUpgrade(): Promise<LifecycleResult> {
    return { success: true };
  }

  public async canUninstall(): Promise<CanUninstallResult> {
    return { uninstallable: true };
  }

  public abstract onUninstall(): Promise<LifecycleResult>;

  public abstract onAuthorizationRequest(
    section: string,
    formData: SubmittedFormData,
  ): Promise<LifecycleSettingsResult>;

  public abstract onAuthorizationGrant(request: Request): Promise<AuthorizationGrantResult>;
}
