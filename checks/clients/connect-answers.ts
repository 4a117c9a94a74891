/** Kafka Connect's reason for an error answer (its REST API's ErrorMessage: {"error_code": …, "message": …}). */
export function connectReason(body: unknown): string {
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message !== '' ? `: ${message.split('\n')[0]?.slice(0, 200)}` : '';
}
