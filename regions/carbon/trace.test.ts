import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../scheduler/diagnostics/source-file.js';
import { parseTrace, parseUtc, splitCsv } from './trace.js';

const HEADER =
  'Datetime (UTC),Country,Zone Name,Zone Id,Carbon Intensity gCO₂eq/kWh (direct),Carbon Intensity gCO₂eq/kWh (LCA),Low Carbon Percentage,Renewable Percentage,Data Source,Data Estimated,Data Estimation Method';
const parse = (body: string) => parseTrace(new SourceFile('t.csv', `${HEADER}\n${body}`));

describe('parseTrace', () => {
  it('reads hourly rows, quoted fields, estimation flags, and skips gaps', () => {
    const { trace, diagnostics } = parse(
      [
        '2022-01-01 00:00:00,Spain,Spain,ES,133.64,175.54,76.35,42.94,entsoe.eu,false,',
        '2022-01-01 01:00:00,Spain,"Spain, mainland",ES,,,,,,false,',
        '2022-01-01 02:00:00,Spain,Spain,ES,2.86,27.29,99,99,,true,ESTIMATED_TIME_SLICER_AVERAGE',
      ].join('\n'),
    );
    expect(diagnostics).toEqual([]);
    expect(trace?.zone).toBe('ES');
    expect([...trace!.times]).toEqual([Date.UTC(2022, 0, 1, 0), Date.UTC(2022, 0, 1, 2)]);
    expect([...trace!.lifecycle]).toEqual([175.54, 27.29]);
    expect([...trace!.direct]).toEqual([133.64, 2.86]);
    expect([...trace!.estimated]).toEqual([0, 1]);
    expect(trace!.methods).toEqual([undefined, 'ESTIMATED_TIME_SLICER_AVERAGE']);
  });

  it('locates malformed rows, mixed zones and time going backwards', () => {
    const { trace, diagnostics } = parse(
      [
        '2022-01-01 00:00:00,Spain,Spain,ES,1,2,,,,false,',
        'yesterday,Spain,Spain,ES,1,2,,,,false,',
        '2022-01-01 01:00:00,Norway,Norway,NO,1,2,,,,false,',
        '2022-01-01 00:00:00,Spain,Spain,ES,1,2,,,,false,',
        '2022-01-01 03:00:00,Spain,Spain,ES,-5,2,,,,false,',
      ].join('\n'),
    );
    expect(trace).toBeUndefined();
    expect(diagnostics.map((d) => `${d.span.line} ${d.message}`)).toEqual([
      '3 "yesterday" is not a UTC time',
      '4 row is for zone "NO" but the trace is for "ES"',
      '5 hour 2022-01-01T00:00:00.000Z is not after the previous row',
      '6 carbon intensity is not a non-negative number',
    ]);
  });

  it('refuses a file that is not an Electricity Maps export', () => {
    const { diagnostics } = parseTrace(new SourceFile('t.csv', 'time,value\n2022-01-01,5\n'));
    expect(diagnostics[0]?.message).toBe('trace header has no datetime column');
  });

  it('parses the export time format and ISO times, and CSV quoting', () => {
    expect(parseUtc('2022-06-01 12:00:00')).toBe(Date.UTC(2022, 5, 1, 12));
    expect(parseUtc('2022-06-01T12:00:00+02:00')).toBe(Date.UTC(2022, 5, 1, 10));
    expect(parseUtc('2022-06-01T12:00:00')).toBe(Date.UTC(2022, 5, 1, 12)); // the column is UTC
    expect(parseUtc('01/06/2022 12:00')).toBeNaN();
    expect(splitCsv('a,"b, ""c""",d')).toEqual(['a', 'b, "c"', 'd']);
  });
});
