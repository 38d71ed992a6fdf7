/**
 * Carbon intensity as the rest of shisa sees it, whatever the source. Times are epoch
 * milliseconds (UTC); intensity is gCO2eq/kWh.
 */

export type CarbonSourceKind = 'static' | 'electricitymaps' | 'replay';
export type EmissionFactor = 'lifecycle' | 'direct';

export interface CarbonReading {
  readonly zone: string;
  /** gCO2eq/kWh */
  readonly intensity: number;
  /** Start of the period the value is for. Staleness is measured from here. */
  readonly datetime: number;
  readonly isEstimated: boolean;
  readonly estimationMethod?: string;
  readonly emissionFactor: EmissionFactor;
  readonly source: CarbonSourceKind;
  /** How long a period the value describes: an hour of grid data, or a yearly average. */
  readonly granularity: 'hour' | 'year';
  /** Set when a live source failed and this is the last good reading, kept in memory. */
  readonly fallback?: { readonly reason: string };
}

export interface ForecastPoint {
  readonly datetime: number;
  readonly intensity: number;
}

export interface CarbonForecast {
  readonly zone: string;
  readonly points: readonly ForecastPoint[];
  readonly source: CarbonSourceKind;
  /**
   * `forecast`: the provider's prediction. `perfect-foresight`: recorded history replayed as
   * if it had been forecast. `flat-estimate`: a yearly average repeated.
   */
  readonly kind: 'forecast' | 'perfect-foresight' | 'flat-estimate';
}
