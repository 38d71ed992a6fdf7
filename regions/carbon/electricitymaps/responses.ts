import { z } from 'zod';

/** The parts of Electricity Maps v3 answers shisa reads; other fields are ignored. */

const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO time');

/**
 * Any JSON number, even a negative one or 1e309 (which parses as Infinity), and any datetime
 * text: whether the value is believable is the plausibility rule's call (../plausibility.ts),
 * which says exactly what is wrong, rather than "unexpected shape".
 */
const anyNumber = z.custom<number>((v) => typeof v === 'number', 'not a number');

export const readingSchema = z.looseObject({
  /** The zone the answer is for; absent means the zone asked for. */
  zone: z.string().optional(),
  carbonIntensity: anyNumber.nullable(),
  datetime: z.string(),
  updatedAt: iso.optional(),
  emissionFactorType: z.string().optional(),
  isEstimated: z.boolean().nullable().optional(),
  estimationMethod: z.string().nullable().optional(),
});

export const forecastSchema = z.looseObject({
  zone: z.string().optional(),
  forecast: z.array(z.looseObject({ carbonIntensity: anyNumber.nullable(), datetime: z.string() })),
  updatedAt: iso.optional(),
});

export const historySchema = z.looseObject({ zone: z.string().optional(), history: z.array(readingSchema) });
export const pastRangeSchema = z.looseObject({ zone: z.string().optional(), data: z.array(readingSchema) });

export type ReadingBody = z.infer<typeof readingSchema>;
