// Groups in order: `late` first (the name means nothing), then the folder, then `again` (a duplicate, loaded once).
export default {
  plugins: {
    late: ['./extra/zeta.ts#ZetaPlugin'],
    dir: './plugins',
    again: ['./plugins/alpha.ts#AlphaPlugin'],
  },
};
