/** A stand-in for uPlot in jsdom: records construction, setData and destroy, draws nothing. */
export class FakeUplot {
  static instances: FakeUplot[] = [];
  readonly setDataCalls: unknown[][] = [];
  destroyed = false;
  width: number;

  constructor(
    readonly opts: { series: Array<{ label?: string }>; width: number },
    readonly data: unknown[],
    readonly el: HTMLElement,
  ) {
    this.width = opts.width;
    FakeUplot.instances.push(this);
  }

  setData(data: unknown[]): void {
    this.setDataCalls.push(data);
  }

  setSize({ width }: { width: number }): void {
    this.width = width;
  }

  destroy(): void {
    this.destroyed = true;
  }

  static live(): FakeUplot[] {
    return FakeUplot.instances.filter((i) => !i.destroyed);
  }
}
