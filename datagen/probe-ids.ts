/**
 * Customer ids reserved for the checks' probe rows (short-lived rows a check inserts into demo.CUSTOMERS to watch a
 * change arrive), from `from` up to but not including `to`: never given to a customer, by the seed or by --changes.
 */
export const reservedProbeIds = { from: 2_000_000_000, to: 2_100_000_000 } as const;
