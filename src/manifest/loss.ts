// What a target cannot express, or what a Kubernetes file read as input cannot carry
// over (issue 12.2): reported once (stderr, or `losses` in --json), never silently dropped.
export interface Loss {
  // The service concerned; absent for the stack as a whole.
  service?: string;
  // The manifest feature that does not survive, e.g. `health.http`, `restart`, `startup`.
  feature: string;
  message: string;
}

export class LossList {
  private readonly items: Loss[] = [];
  private readonly seen = new Set<string>();

  add(service: string | undefined, feature: string, message: string): void {
    const key = `${service ?? ''}\u0000${feature}\u0000${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(service === undefined ? {feature, message} : {service, feature, message});
  }

  list(): Loss[] {
    return [...this.items];
  }
}

export function formatLoss(loss: Loss): string {
  return `${loss.service ? `${loss.service}: ` : ''}${loss.feature}: ${loss.message}`;
}

// What a Kubernetes file read as input does not carry over, as validate, up and run print it to stderr.
export function inputLossBlock(losses: readonly Loss[]): string {
  if (losses.length === 0) return '';
  return `not carried over from Kubernetes (${losses.length}):\n${losses.map((loss) => `  - ${formatLoss(loss)}\n`).join('')}`;
}
