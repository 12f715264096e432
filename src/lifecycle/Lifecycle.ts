import type { CanUninstallResult, LifecycleResult, Request, SubmittedFormData } from '@zaiusinc/app-sdk';
import {
  AuthorizationGrantResult,
  Lifecycle as AppLifecycle,
  LifecycleSettingsResult,
} from '@zaiusinc/app-sdk';

import { sdkDeps } from '../destinations/sdk-deps';
import { SECTION } from '../lib/config';
import { deleteAppKvRows } from '../lib/settings/app-kv-rows';
import { forgetBynderCaches } from '../lib/settings/forget-bynder-caches';
import { routeSettingsForm } from './settings/route-settings-form';

/** This app signs in with a permanent token or OAuth client credentials; it never sends people to Bynder to log in. */
const NO_AUTHORIZATION_CODE_FLOW =
  'This app does not offer signing in through Bynder (the OAuth authorization-code flow). In "Connect to Bynder", choose a permanent token or OAuth 2.0 client credentials, then test the connection and save.';

export class Lifecycle extends AppLifecycle {
  public async onInstall(): Promise<LifecycleResult> {
    // Nothing to create in Bynder: the app only updates existing assets once it is configured.
    sdkDeps().logger.info('Installed; waiting for the connection settings');
    return { success: true };
  }

  public async onSettingsForm(
    section: string,
    action: string,
    formData: SubmittedFormData,
  ): Promise<LifecycleSettingsResult> {
    const deps = sdkDeps();
    try {
      return await routeSettingsForm(section, action, { ...formData }, deps);
    } catch (error) {
      // Messages from src/lib name no secret; the error's name and message are enough to diagnose.
      deps.logger.error(`Settings: ${section}/${action} failed unexpectedly:`, describeError(error));
      return new LifecycleSettingsResult().addToast(
        'danger',
        'Something went wrong while handling this form, and it may not have been saved. Try again; if it keeps failing, the app logs have the details.',
      );
    }
  }

  public async onUpgrade(fromVersion: string): Promise<LifecycleResult> {
    // The cached Bynder data may have been written in an older layout: drop it (idempotent).
    const deps = sdkDeps();
    try {
      await forgetBynderCaches(deps.kvStore);
      deps.logger.info(`Upgrading from ${fromVersion}: cached Bynder data dropped`);
      return { success: true };
    } catch (error) {
      deps.logger.error(`Upgrade from ${fromVersion} could not clear the caches:`, describeError(error));
      return {
        success: false,
        retryable: true,
        message: 'Could not clear cached Bynder data; try the upgrade again.',
      };
    }
  }

  public async onFinalizeUpgrade(_fromVersion: string): Promise<LifecycleResult> {
    return { success: true };
  }

  public override async onAfterUpgrade(): Promise<LifecycleResult> {
    return { success: true };
  }

  public override async canUninstall(): Promise<CanUninstallResult> {
    // Nothing outside OCP depends on this install (no webhooks in Bynder), so it can always go.
    return { uninstallable: true };
  }

  public async onUninstall(): Promise<LifecycleResult> {
    const deps = sdkDeps();
    const { failed } = await deleteAppKvRows(deps.kvStore, deps.logger);
    if (failed.length > 0) {
      // Deleting is idempotent, so OCP may simply try again.
      return {
        success: false,
        retryable: true,
        message: `Could not delete the app's stored rows ${failed.join(', ')}; try again.`,
      };
    }
    deps.logger.info("Uninstalled: the app's kvStore rows are deleted");
    return { success: true };
  }

  public async onAuthorizationRequest(
    _section: string,
    _formData: SubmittedFormData,
  ): Promise<LifecycleSettingsResult> {
    return new LifecycleSettingsResult()
      .addError('auth_method', NO_AUTHORIZATION_CODE_FLOW)
      .addToast('danger', NO_AUTHORIZATION_CODE_FLOW);
  }

  public async onAuthorizationGrant(_request: Request): Promise<AuthorizationGrantResult> {
    // Lands the person on the connection section, where the supported methods are.
    return new AuthorizationGrantResult(SECTION.connection)
      .addError('auth_method', NO_AUTHORIZATION_CODE_FLOW)
      .addToast('danger', NO_AUTHORIZATION_CODE_FLOW);
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
