/** One JetStream delivery of an admitted message, as the bridge needs it (a seam for the consumer). */
export interface Delivery {
  /** 1 on the first delivery. */
  readonly deliveryCount: number;
  ack(): void;
  /** Resets the ack wait: the message is queued behind a running turn. */
  working(): void;
  nak(delayMs?: number): void;
  term(): void;
}
