import { seededRandom } from '../../platform/random.ts'

/**
 * The simulated season's demand: a few hundred SKUs, each with its own level, weekly profile,
 * yearly season, trend and noise, drawn from one seed, so every run (and both scenarios of a run)
 * sees the same units on the same days.
 *
 * expected(d) = base · weekday[d mod 7] · (1 + amplitude · cos(2π (d − peak) / 365)) · (1 + trend · d / 365)
 * demand(d)   = Poisson(expected(d) · lognormal noise), so a day is never negative and small
 *               SKUs have the zero days real ones have.
 */

/** How one SKU is ordered, in both scenarios (the baseline ignores the service level). */
export interface SeasonPolicy {
  readonly leadTimeDays: number
  readonly reviewPeriodDays: number
  readonly serviceLevel: number
  readonly minimumOrderQuantity: number
  readonly packSize: number
}

export interface SkuProfile {
  readonly sku: string
  /** Mean units a day before season, weekday and trend. */
  readonly base: number
  /** Multipliers by day of the run mod 7, mean 1 (the run starts on a Monday: index 0 is Monday). */
  readonly weekday: readonly number[]
  /** Relative swing of the yearly season (0.4: ±40 %). */
  readonly amplitude: number
  /** The day of the simulated year the season peaks on. */
  readonly peakDay: number
  /** Relative change over a year (0.2: +20 % by day 365). */
  readonly trend: number
  /** σ of the day's lognormal noise on the expected rate. */
  readonly noise: number
  readonly policy: SeasonPolicy
}

/** Weekly shapes real shops show: weekday-heavy (B2B, office), weekend-heavy (leisure), flat-ish. */
const WEEKLY_SHAPES: readonly (readonly number[])[] = [
  [1.15, 1.1, 1.1, 1.05, 1.0, 0.8, 0.8],
  [0.85, 0.8, 0.85, 0.9, 1.1, 1.3, 1.2],
  [1.0, 0.95, 1.0, 1.0, 1.1, 1.0, 0.95],
]
const LEAD_TIMES = [3, 5, 7, 10, 14] as const
const SERVICE_LEVELS = [0.9, 0.95, 0.98] as const
const PACK_SIZES = [1, 6, 12, 24] as const

/** `count` SKUs (`SIM-0001` …) drawn from `seed`. */
export function skuProfiles(count: number, seed: number): SkuProfile[] {
  const random = seededRandom(seed)
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T
  return Array.from({ length: count }, (_, i): SkuProfile => {
    // a long tail: most SKUs sell a few units a day, some sell dozens
    const base = Math.round(Math.exp(Math.log(2) + random() * Math.log(30)) * 10) / 10
    const shape = pick(WEEKLY_SHAPES)
    const mean = shape.reduce((a, b) => a + b, 0) / 7
    const packSize = base < 4 ? 1 : pick(PACK_SIZES)
    return {
      sku: `SIM-${String(i + 1).padStart(4, '0')}`,
      base,
      weekday: shape.map((m) => m / mean),
      amplitude: 0.2 + random() * 0.4,
      // most SKUs peak in the last quarter (the holidays), a few in summer
      peakDay: random() < 0.7 ? 300 + Math.floor(random() * 60) : 150 + Math.floor(random() * 60),
      trend: -0.15 + random() * 0.45,
      noise: 0.1 + random() * 0.15,
      policy: {
        leadTimeDays: pick(LEAD_TIMES),
        reviewPeriodDays: pick([7, 7, 14] as const),
        serviceLevel: pick(SERVICE_LEVELS),
        minimumOrderQuantity: packSize * Math.max(1, Math.round((base * 3) / packSize)),
        packSize,
      },
    }
  })
}

/** The expected units of `profile` on day `day` of the run (0-based), before noise. */
export function expectedDemand(profile: SkuProfile, day: number): number {
  const weekday = profile.weekday[day % 7] as number
  const season = 1 + profile.amplitude * Math.cos((2 * Math.PI * (day - profile.peakDay)) / 365)
  const trend = 1 + (profile.trend * day) / 365
  return profile.base * weekday * season * trend
}

/** Units asked for, per SKU (outer, in `profiles` order) and day (inner), drawn from `seed`. */
export function demandMatrix(profiles: readonly SkuProfile[], days: number, seed: number): number[][] {
  return profiles.map((profile, i) => {
    // one stream per SKU: adding SKUs or days leaves the others' demand as it was
    const random = seededRandom(seed * 7919 + i + 1)
    return Array.from({ length: days }, (_, day) => poisson(expectedDemand(profile, day) * Math.exp(profile.noise * normal(random)), random))
  })
}

/** A standard normal draw (Box-Muller). */
function normal(random: () => number): number {
  const u = 1 - random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random())
}

/** A Poisson draw: Knuth's product of uniforms for small means, a rounded normal above 30. */
function poisson(mean: number, random: () => number): number {
  if (mean <= 0) return 0
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(random)))
  const limit = Math.exp(-mean)
  let k = 0
  for (let p = random(); p > limit; p *= random()) k++
  return k
}
