import { expect } from "chai";
import { busyNote } from "../../bench/report";

describe("bench/report: a report whose machine was busy says so at the top", () => {
  const cases: Array<{ cores: number; loadStart: number[]; loadEnd: number[]; busy: boolean }> = [
    { cores: 2, loadStart: [0.2, 0.3, 0.4], loadEnd: [1.1, 0.5, 0.4], busy: false },
    { cores: 2, loadStart: [1.5, 0.3, 0.4], loadEnd: [0.4, 0.5, 0.4], busy: false },
    { cores: 2, loadStart: [1.51, 0.3, 0.4], loadEnd: [0.4, 0.5, 0.4], busy: true },
    { cores: 2, loadStart: [0.2, 0.3, 0.4], loadEnd: [6.6, 6.2, 3.9], busy: true },
    { cores: 8, loadStart: [5.9, 1, 1], loadEnd: [5.9, 1, 1], busy: false },
  ];
  for (const c of cases) {
    it(`${c.cores} cores, 1-minute load ${c.loadStart[0]} then ${c.loadEnd[0]}: ${c.busy ? "busy" : "quiet"}`, () => {
      const note = busyNote(c);
      if (c.busy)
        expect(note)
          .to.match(/machine was busy/)
          .and.include(`on ${c.cores} cores`);
      else expect(note).to.equal(undefined);
    });
  }
});
