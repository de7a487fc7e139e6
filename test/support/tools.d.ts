export type Tool = 'redis-server' | 'chromium' | 'codegen';
export function hasTool(name: Tool): boolean;
export function describeWith(name: Tool): jest.Describe;
export function missingTools(): string[];
export const CODEGEN_BIN: string;
