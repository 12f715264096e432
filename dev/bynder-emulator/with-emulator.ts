import { startEmulator, type EmulatorOptions, type RunningEmulator } from './server';

/** Runs `use` against an emulator started for it alone, and stops the emulator whatever happens. */
export async function withEmulator<T>(
  options: EmulatorOptions,
  use: (emulator: RunningEmulator) => Promise<T>,
): Promise<T> {
  const emulator = await startEmulator(options);
  try {
    return await use(emulator);
  } finally {
    await emulator.stop();
  }
}
