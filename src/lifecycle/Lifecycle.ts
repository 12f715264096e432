import type { LifecycleResult, Request, SubmittedFormData } from '@zaiusinc/app-sdk';
import { AuthorizationGrantResult, Lifecycle as AppLifecycle, LifecycleSettingsResult } from '@zaiusinc/app-sdk';

export class Lifecycle extends AppLifecycle {
  public async onInstall(): Promise<LifecycleResult> {
    return { success: true };
  }

  public async onSettingsForm(_section: string, _action: string, _formData: SubmittedFormData): Promise<LifecycleSettingsResult> {
    return new LifecycleSettingsResult().addToast('warning', 'Saving settings is not built yet in this version of the app.');
  }

  public async onUpgrade(_fromVersion: string): Promise<LifecycleResult> {
    return { success: true };
  }

  public async onFinalizeUpgrade(_fromVersion: string): Promise<LifecycleResult> {
    return { success: true };
  }

  public async onUninstall(): Promise<LifecycleResult> {
    return { success: true };
  }

  public async onAuthorizationRequest(_section: string, _formData: SubmittedFormData): Promise<LifecycleSettingsResult> {
    return new LifecycleSettingsResult().addToast('danger', 'This app does not use the OAuth authorization-code flow.');
  }

  public async onAuthorizationGrant(_request: Request): Promise<AuthorizationGrantResult> {
    return new AuthorizationGrantResult('connection').addToast('danger', 'This app does not use the OAuth authorization-code flow.');
  }
}
