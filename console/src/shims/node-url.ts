/** Browser stand-in for node:url's domainToASCII (punycode via the WHATWG URL parser); '' when invalid. */
export function domainToASCII(domain: string): string {
  try {
    return new URL(`http://${domain}`).hostname;
  } catch {
    return '';
  }
}
