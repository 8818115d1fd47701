/** A message safe to show and to store: an Error's message (BackendErrors are already phrased for humans and
 *  carry no secrets), anything else as a string. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
