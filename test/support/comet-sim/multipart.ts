/**
 * A small incremental multipart/form-data parser (RFC 7578): fed chunk by chunk as the request arrives, it
 * keeps only a delimiter-sized tail between chunks and enforces the size limit while reading, so a huge
 * upload is refused without being buffered first. Part bodies are kept (the simulator stores assets in
 * memory anyway).
 */
import { CometSimError, badRequest } from './errors';

export interface MultipartPart {
  name: string;
  /** The `filename` of Content-Disposition, or null for plain fields. */
  filename: string | null;
  contentType: string | null;
  data: Buffer;
}

export interface MultipartForm {
  /** In the order received. */
  parts: MultipartPart[];
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;

/** The boundary of a `multipart/form-data` Content-Type, or a 400. */
export function boundaryOf(contentType: string | undefined): string {
  const match = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const boundary = match?.[1] ?? match?.[2];
  if (boundary === undefined) {
    throw badRequest(`expected Content-Type multipart/form-data with a boundary, got '${contentType ?? ''}'`);
  }
  return boundary;
}

type Phase = 'preamble' | 'headers' | 'body' | 'done';

export class MultipartParser {
  readonly #delimiter: Buffer; // "--boundary"
  readonly #bodyDelimiter: Buffer; // "\r\n--boundary"
  readonly #maxBytes: number;
  #phase: Phase = 'preamble';
  #buf: Buffer = Buffer.alloc(0);
  #total = 0;
  #current: { name: string; filename: string | null; contentType: string | null; chunks: Buffer[] } | undefined;
  readonly #parts: MultipartPart[] = [];

  constructor(boundary: string, maxBytes: number) {
    this.#delimiter = Buffer.from(`--${boundary}`);
    this.#bodyDelimiter = Buffer.from(`\r\n--${boundary}`);
    this.#maxBytes = maxBytes;
  }

  write(chunk: Buffer): void {
    this.#total += chunk.length;
    if (this.#total > this.#maxBytes) {
      throw new CometSimError(413, `upload larger than ${this.#maxBytes} bytes`);
    }
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    while (this.#step()) {
      // each step consumes input or changes phase; loop until it needs more bytes
    }
  }

  end(): MultipartForm {
    if (this.#phase !== 'done') throw badRequest('malformed multipart body: missing closing boundary');
    return { parts: this.#parts };
  }

  /** Advances once; false when more input is needed. */
  #step(): boolean {
    switch (this.#phase) {
      case 'preamble': {
        const at = this.#buf.indexOf(this.#delimiter);
        if (at < 0) {
          this.#buf = this.#buf.subarray(Math.max(0, this.#buf.length - this.#delimiter.length));
          return false;
        }
        return this.#afterDelimiter(at + this.#delimiter.length);
      }
      case 'headers': {
        const at = this.#buf.indexOf(HEADER_END);
        if (at < 0) {
          if (this.#buf.length > MAX_HEADER_BYTES) throw badRequest('malformed multipart body: part headers too long');
          return false;
        }
        this.#current = { ...parsePartHeaders(this.#buf.subarray(0, at).toString('utf8')), chunks: [] };
        this.#buf = this.#buf.subarray(at + HEADER_END.length);
        this.#phase = 'body';
        return true;
      }
      case 'body': {
        const part = this.#current;
        if (part === undefined) throw new Error('multipart: body without a part');
        const at = this.#buf.indexOf(this.#bodyDelimiter);
        if (at < 0) {
          // Keep a tail that may hold the start of the delimiter; everything before it is part data.
          const keep = this.#bodyDelimiter.length - 1;
          if (this.#buf.length > keep) {
            part.chunks.push(this.#buf.subarray(0, this.#buf.length - keep));
            this.#buf = this.#buf.subarray(this.#buf.length - keep);
          }
          return false;
        }
        if (this.#buf.length < at + this.#bodyDelimiter.length + 2) return false; // need the 2 bytes after it
        part.chunks.push(this.#buf.subarray(0, at));
        this.#parts.push({ name: part.name, filename: part.filename, contentType: part.contentType, data: Buffer.concat(part.chunks) });
        this.#current = undefined;
        return this.#afterDelimiter(at + this.#bodyDelimiter.length);
      }
      case 'done':
        this.#buf = Buffer.alloc(0); // epilogue is ignored
        return false;
      default: {
        const unreachable: never = this.#phase;
        throw new Error(`multipart: unknown phase ${String(unreachable)}`);
      }
    }
  }

  /** After a delimiter: `--` closes the form, CRLF opens the next part's headers. */
  #afterDelimiter(offset: number): boolean {
    if (this.#buf.length < offset + 2) {
      this.#buf = this.#buf.subarray(offset - this.#delimiter.length);
      this.#phase = 'preamble';
      return false;
    }
    const next = this.#buf.subarray(offset, offset + 2);
    if (next.toString('latin1') === '--') {
      this.#phase = 'done';
      this.#buf = Buffer.alloc(0);
      return false;
    }
    if (!next.equals(CRLF)) throw badRequest('malformed multipart body: bad boundary line');
    this.#buf = this.#buf.subarray(offset + 2);
    this.#phase = 'headers';
    return true;
  }
}

function parsePartHeaders(block: string): { name: string; filename: string | null; contentType: string | null } {
  let disposition: string | undefined;
  let contentType: string | null = null;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) throw badRequest(`malformed multipart part header '${line.slice(0, 60)}'`);
    const header = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (header === 'content-disposition') disposition = value;
    else if (header === 'content-type') contentType = value;
  }
  if (disposition === undefined || !/^form-data\b/i.test(disposition)) {
    throw badRequest('malformed multipart part: expected Content-Disposition: form-data');
  }
  const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
  if (name === undefined) throw badRequest('malformed multipart part: Content-Disposition has no name');
  const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1] ?? null;
  return { name, filename, contentType };
}
