// @tgwf/co2 ships no type declarations; this is the shape of its Electricity Maps yearly data.
declare module '@tgwf/co2/data/electricity-maps' {
  interface YearlyZone {
    readonly zone: { readonly zoneName: string; readonly countryName?: string };
    readonly carbonIntensity: { readonly value: number; readonly unit: string };
  }
  interface Yearly {
    readonly data: Readonly<Record<string, YearlyZone>>;
    readonly methodology: string;
  }
  const yearly: {
    readonly yearly2021: Yearly;
    readonly yearly2022: Yearly;
    readonly yearly2023: Yearly;
    readonly yearly2024: Yearly;
    readonly yearly2025: Yearly;
  };
  export default yearly;
}
