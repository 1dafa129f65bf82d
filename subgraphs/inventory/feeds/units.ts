/** What a partner counts a quantity in. Only `each` and `dozen` convert to units by themselves. */
export type UnitKind = 'each' | 'dozen' | 'pack' | 'weight'

/** Units per one of the unit; null when it takes a pack size (`pack`) or cannot convert (`weight`). */
export const UNIT_FACTOR: Readonly<Record<UnitKind, number | null>> = Object.freeze({ each: 1, dozen: 12, pack: null, weight: null })

const UNIT_WORDS: Readonly<Record<string, UnitKind>> = Object.freeze({
  each: 'each', ea: 'each', pcs: 'each', pc: 'each', piece: 'each', pieces: 'each', unit: 'each', units: 'each', eaches: 'each',
  dozen: 'dozen', dozens: 'dozen', doz: 'dozen', dz: 'dozen',
  case: 'pack', cases: 'pack', cs: 'pack', ctn: 'pack', ctns: 'pack', carton: 'pack', cartons: 'pack', pack: 'pack', packs: 'pack', pk: 'pack', box: 'pack', boxes: 'pack',
  kg: 'weight', kgs: 'weight', kilo: 'weight', kilos: 'weight', g: 'weight', gram: 'weight', grams: 'weight', lb: 'weight', lbs: 'weight',
})

/** The unit a word names (`cases`, `PCS`, `dz.`), or null. */
export function unitOfWord(word: string): UnitKind | null {
  return UNIT_WORDS[word.toLowerCase().replace(/\.$/, '')] ?? null
}
