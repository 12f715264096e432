// Local stand-in for @zaiusinc/app-sdk 3.3.3, written from the SDK's public contract (its exports, types and documented behaviour; github.com/ZaiusInc/app-sdk).
// Only what this app uses. One module graph: the validator's instanceof checks need a single instance.

export * from './app/Destination';
export * from './app/DestinationSchemaFunction';
export * from './app/types/DestinationSchema';
export * from './app/Lifecycle';
export * from './app/Job';
export * from './app/jobs';
export * from './app/AppContext';
export * from './app/lib/Intent';
export * from './app/lib/FormResult';
export * from './app/lib/LifecycleSettingsResult';
export * from './app/lib/AuthorizationGrantResult';
export * from './app/lib/Headers';
export * from './app/lib/Request';
export * from './store/values';
export type { BaseKVStore } from './store/BaseKVStore';
export type { KVStore } from './store/KVStore';
export { LocalAsyncStoreBackend } from './store/LocalAsyncStoreBackend';
export { LocalStore } from './store/LocalStore';
export { LocalKVStore } from './store/LocalKVStore';
export * from './store/storage';
export * from './logging/LogLevel';
export * from './logging/Logger';
export * from './notifications/notifications';
