/** First line of an error's message, bounded (for page rows, events and logs). */
export function errorMessage(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 500);
}
