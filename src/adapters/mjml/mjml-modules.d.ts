// The parts of mjml the template validator uses (mjml ships no types for them).
declare module 'mjml-validator' {
  export interface MjmlValidationError {
    line: number;
    message: string;
    tagName: string;
    formattedMessage: string;
  }
  export interface MjmlElement {
    tagName: string;
    line?: number;
    children?: MjmlElement[];
    attributes?: Record<string, string>;
  }
  type Rule = (
    element: MjmlElement,
    opts: Record<string, unknown>,
  ) => MjmlValidationError | MjmlValidationError[] | null | undefined;
  export const rulesCollection: Record<string, Rule>;
  export const dependencies: Record<string, unknown>;
}
declare module 'mjml-parser-xml' {
  import type { MjmlElement } from 'mjml-validator';
  export default function parse(xml: string, opts: Record<string, unknown>): MjmlElement;
}
