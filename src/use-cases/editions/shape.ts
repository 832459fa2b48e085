/**
 * The secretariat's shape of a draft edition (title, period, foreword, sections, order, featured): read and
 * changed between compiles. It is stored beside the edition's content and applied by the next compile of
 * the draft (which keeps its number), so a change never re-renders behind the editor's back.
 */
import { applyShapePatch, EditionShape, type EditionShapePatch } from '../../domain/edition.ts';
import { InvalidStateError } from '../../domain/index.ts';
import type { BlobStore } from '../../ports/blob-store.ts';
import type { EditionRepo } from '../../ports/editions.ts';
import { shapeKey } from './compile.ts';
import { loadEdition } from './lifecycle.ts';

export function makeEditionShapes(d: { editions: EditionRepo; content: BlobStore }) {
  const read = async (n: number): Promise<EditionShape> =>
    (await d.content.exists(shapeKey(n)))
      ? EditionShape.parse(JSON.parse(await d.content.getText(shapeKey(n))))
      : {};
  return {
    async get(n: number): Promise<EditionShape> {
      await loadEdition(d.editions, n);
      return read(n);
    },
    async patch(n: number, patch: EditionShapePatch): Promise<EditionShape> {
      const e = await loadEdition(d.editions, n);
      if (e.status !== 'draft')
        throw new InvalidStateError(`edition ${n} is ${e.status}: only a draft can be reshaped`);
      const shape = applyShapePatch(await read(n), patch);
      await d.content.put(shapeKey(n), JSON.stringify(shape), 'application/json');
      return shape;
    },
  };
}
