/** Work queue for the send fan-out: SQS on AWS, an in-process queue in the embedded runtime. */
export interface Queue<T> {
  sendBatch(messages: T[]): Promise<void>;
}

/** One unit of send work: a slice of recipients of one campaign. */
export interface SendBatchMessage {
  campaign: string;
  subscriberIds: string[];
}
