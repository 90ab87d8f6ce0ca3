import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Persistence, type PersistenceOptions } from './persistence.js';

export const PERSISTENCE_OPTIONS = Symbol('PERSISTENCE_OPTIONS');

/** Closes Persistence (flushing the audit log) when the Nest application shuts down. */
class PersistenceCloser implements OnApplicationShutdown {
  constructor(@Inject(Persistence) private readonly persistence: Persistence) {}

  async onApplicationShutdown(): Promise<void> {
    await this.persistence.close();
  }
}

/** `PersistenceModule.forRoot(opts)` provides `Persistence` (opened asynchronously) to the whole application. */
@Module({})
export class PersistenceModule {
  static forRoot(opts: PersistenceOptions): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      providers: [
        { provide: PERSISTENCE_OPTIONS, useValue: opts },
        {
          provide: Persistence,
          inject: [PERSISTENCE_OPTIONS],
          useFactory: (o: PersistenceOptions) => Persistence.open(o),
        },
        PersistenceCloser,
      ],
      exports: [Persistence],
    };
  }
}
