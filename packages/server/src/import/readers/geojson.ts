/**
 * Streams a GeoJSON FeatureCollection one feature at a time (stream-json tokens, assembled
 * here), so a 2 GB file never sits in memory. Integers too long for a double (16- and 17-digit
 * component ids written as numbers) stay strings instead of being rounded.
 */
import type { Readable } from 'node:stream';
import { getManyValues, isMany, none } from 'stream-chain/defs.js';
import { jsonParser } from 'stream-json/parser.js';
import { ImportFileError, type RawRow } from '../types.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Container = Json[] | { [k: string]: Json };

interface Token {
  name: string;
  value?: unknown;
}

const numberOf = (s: string): number | string => (/^-?\d{16,}$/.test(s) ? s : Number(s));

/** Builds one JSON value from tokens; `push` returns true when the value is complete. */
class ValueBuilder {
  private stack: Container[] = [];
  private keys: (string | null)[] = [];
  private key: string | null = null;
  value: Json = null;

  push(t: Token): boolean {
    switch (t.name) {
      case 'startObject':
      case 'startArray': {
        const c: Container = t.name === 'startObject' ? {} : [];
        this.stack.push(c);
        this.keys.push(this.key);
        this.key = null;
        return false;
      }
      case 'endObject':
      case 'endArray': {
        const done = this.stack.pop() as Container;
        this.key = this.keys.pop() ?? null;
        return this.add(done);
      }
      case 'keyValue':
        this.key = t.value as string;
        return false;
      case 'stringValue':
        return this.add(t.value as string);
      case 'numberValue':
        return this.add(numberOf(t.value as string));
      case 'nullValue':
        return this.add(null);
      case 'trueValue':
        return this.add(true);
      case 'falseValue':
        return this.add(false);
      default:
        return false;
    }
  }

  private add(v: Json): boolean {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      this.value = v;
      return true;
    }
    if (Array.isArray(top)) top.push(v);
    else top[this.key ?? ''] = v;
    return false;
  }
}

const isObj = (v: Json): v is { [k: string]: Json } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function toRow(feature: Json, row: number): RawRow {
  if (!isObj(feature)) return { row, properties: {}, problem: `feature ${row} is not an object` };
  const props = isObj(feature.properties ?? null) ? { ...(feature.properties as Record<string, Json>) } : {};
  if (feature.id !== undefined && props.id === undefined) props.id = feature.id;
  const problem =
    feature.type !== 'Feature'
      ? `feature ${row} has type "${String(feature.type)}", not "Feature"`
      : undefined;
  return { row, properties: props, geometry: feature.geometry ?? undefined, ...(problem ? { problem } : {}) };
}

/**
 * Tracks where the tokenizer is in the FeatureCollection and assembles each feature. Fed
 * synchronously with whole arrays of tokens: stream-json's tokenizer driven directly is about
 * twice as fast as its object-mode stream, which spends most of its time per token.
 */
class FeatureCollectionWalker {
  // depth counts open containers: the top-level object is 1, the features array 2.
  private depth = 0;
  private topKey: string | null = null;
  type: string | undefined;
  sawFeatures = false;
  private inFeatures = false;
  private builder: ValueBuilder | null = null;
  features = 0;

  /** Consumes tokens; complete features are appended to `out`. */
  feed(tokens: readonly Token[], out: RawRow[]) {
    for (const t of tokens) {
      if (this.builder) {
        if (this.builder.push(t)) this.emit(out);
        continue;
      }
      if (this.inFeatures) {
        if (t.name === 'endArray') {
          this.inFeatures = false;
          this.depth = 1;
        } else {
          this.builder = new ValueBuilder();
          if (this.builder.push(t)) this.emit(out);
        }
        continue;
      }
      if (this.depth === 0) {
        if (t.name !== 'startObject') {
          throw new ImportFileError('not a GeoJSON FeatureCollection: the file does not hold a JSON object');
        }
        this.depth = 1;
        continue;
      }
      if (this.depth === 1) {
        if (t.name === 'keyValue') {
          this.topKey = t.value as string;
          continue;
        }
        if (this.topKey === 'type' && t.name === 'stringValue') {
          this.type = t.value as string;
          if (this.type !== 'FeatureCollection') {
            throw new ImportFileError(`not a GeoJSON FeatureCollection: its type is "${this.type}"`);
          }
          continue;
        }
        if (this.topKey === 'features' && t.name === 'startArray') {
          this.sawFeatures = true;
          this.inFeatures = true;
          this.depth = 2;
          continue;
        }
      }
      // Anything else at the top (name, crs, bbox …) is skipped.
      if (t.name === 'startObject' || t.name === 'startArray') this.depth++;
      else if (t.name === 'endObject' || t.name === 'endArray') this.depth--;
    }
  }

  private emit(out: RawRow[]) {
    out.push(toRow(this.builder!.value, ++this.features));
    this.builder = null;
  }

  finish() {
    if (!this.sawFeatures)
      throw new ImportFileError('not a GeoJSON FeatureCollection: it has no "features" array');
    if (this.depth !== 0) throw new ImportFileError('malformed JSON: the file ends inside a value');
  }
}

function tokensOf(result: unknown): readonly Token[] {
  if (result === none) return [];
  return isMany(result) ? (getManyValues(result) as Token[]) : [result as Token];
}

export async function* readGeoJson(input: Readable): AsyncGenerator<RawRow> {
  // The tokenizer is flushed by passing `none`, which its declared type does not admit.
  const tokenize = jsonParser({ streamValues: false }) as unknown as (chunk: string | typeof none) => unknown;
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  const walker = new FeatureCollectionWalker();
  const fail = (e: unknown): never => {
    if (e instanceof ImportFileError) throw e;
    const where = walker.features > 0 ? ` (after feature ${walker.features})` : '';
    throw new ImportFileError(`malformed JSON${where}: ${(e as Error).message}`);
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      const out: RawRow[] = [];
      try {
        walker.feed(tokensOf(tokenize(decoder.decode(chunk, { stream: true }))), out);
      } catch (e) {
        fail(e);
      }
      yield* out;
    }
    const out: RawRow[] = [];
    try {
      walker.feed(tokensOf(tokenize(none)), out);
      walker.finish();
    } catch (e) {
      fail(e);
    }
    yield* out;
  } catch (e) {
    if (e instanceof ImportFileError) throw e;
    throw new ImportFileError(`cannot read the file: ${(e as Error).message}`);
  } finally {
    input.destroy();
  }
}
