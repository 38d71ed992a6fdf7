import { z } from 'zod';

/** The parts of Electricity Maps v3 answers shisa reads; other fields are ignored. */

const iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO time');

export const readingSchema = z.looseObject({
  zone: z.string().optional(),
  carbonIntensity: z.number().nonnegative().nullable(),
  datetime: iso,
  updatedAt: iso.optional(),
  emissionFactorType: z.string().optional(),
  isEstimated: z.boolean().nullable().optional(),
  estimationMethod: z.string().nullable().optional(),
});

export const forecastSchema = z.looseObject({
  zone: z.string().optional(),
  forecast: z.array(z.looseObject({ carbonIntensity: z.number().nonnegative().nullable(), datetime: iso })),
  updatedAt: iso.optional(),
});

export const historySchema = z.looseObject({ history: z.array(readingSchema) });
export const pastRangeSchema = z.looseObject({ data: z.array(readingSchema) });

export type ReadingBody = z.infer<typeof readingSchema>;
