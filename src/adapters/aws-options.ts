/** How runtimes point adapters at AWS (region only) or at the local stand-ins (endpoint + dummy credentials). */
export interface AwsClientOptions {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}
