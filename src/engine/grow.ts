/** A typed array at least `index + 1` long, its contents kept: doubled until it fits. */
export function grownToFit<T extends Int32Array | Float64Array>(array: T, index: number): T {
  if (index < array.length) return array;
  let size = Math.max(1, array.length);
  while (size <= index) size *= 2;
  const grown = new (array.constructor as new (n: number) => T)(size);
  grown.set(array);
  return grown;
}
