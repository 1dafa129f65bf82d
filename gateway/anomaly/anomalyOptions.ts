/**
 * The detector's options come from the integrator (platform/config.ts already bounds the env
 * values): a bad one is a bug, so it throws, naming every problem at once.
 */
export function assertAnomalyOptions(threshold: number, throttleFactor: number, recoverySeconds: number, maxClients: number): void {
  const problems: string[] = []
  // a threshold of 1 or less would throttle a client for doing exactly what is normal
  if (!(threshold > 1) || !Number.isFinite(threshold)) problems.push(`threshold must be a finite number above 1, got ${threshold}`)
  if (!(throttleFactor > 0 && throttleFactor <= 1)) problems.push(`throttleFactor must be in (0, 1], got ${throttleFactor}`)
  if (!(recoverySeconds > 0) || !Number.isFinite(recoverySeconds)) problems.push(`recoverySeconds must be a positive number, got ${recoverySeconds}`)
  if (!Number.isInteger(maxClients) || maxClients < 1) problems.push(`maxClients must be a positive integer, got ${maxClients}`)
  if (problems.length) throw new RangeError(`Invalid anomaly detector options:\n- ${problems.join('\n- ')}`)
}
