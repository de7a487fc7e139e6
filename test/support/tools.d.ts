export type Tool = 'redis-server' | 'jq' | 'chromium' | 'codegen';
/** `it` when the tool is installed, `it.skip` otherwise. */
export function itWith(name: Tool): jest.It;
export function hasTool(name: Tool): boolean;
export function describeWith(name: Tool): jest.Describe;
export function missingTools(): string[];
export const CODEGEN_BIN: string;
