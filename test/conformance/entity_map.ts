import type { ChangeStream, ClientSession, Collection, Db, FindCursor, MongoClient } from 'mongodb';
import type { MatchEntities } from './matcher.js';
import { RunnerError } from './runner_error.js';

/** The entities a test can name (unified test format, "Supported Entity Types", the subset these suites use). */
export type Entity =
  | { kind: 'client'; client: MongoClient }
  | { kind: 'database'; db: Db; client: MongoClient }
  | { kind: 'collection'; collection: Collection; client: MongoClient }
  | { kind: 'session'; session: ClientSession; client: MongoClient }
  | { kind: 'changeStream'; stream: ChangeStream }
  | { kind: 'findCursor'; cursor: FindCursor }
  | { kind: 'bson'; value: unknown };

/** The kind tag of an entity. */
export type EntityKind = Entity['kind'];

/** The entity of one kind. */
export type EntityOf<K extends EntityKind> = Extract<Entity, { kind: K }>;

/**
 * The entity map of one test: unique names, typed look-ups, and the clean-up that the format requires at the end of
 * a test (end sessions, close cursors and change streams, close clients).
 */
export class EntityMap implements MatchEntities {
  private readonly entities = new Map<string, Entity>();

  /** Stores an entity; a name may be used only once per test. */
  set(name: string, entity: Entity): void {
    if (this.entities.has(name)) throw new RunnerError(`entity "${name}" is already defined`);
    this.entities.set(name, entity);
  }

  /** The entity called `name`, which must be of one of `kinds`. */
  get<K extends EntityKind>(name: string, ...kinds: K[]): EntityOf<K> {
    const entity = this.entities.get(name);
    if (entity === undefined) throw new RunnerError(`entity "${name}" is not defined`);
    if (kinds.length > 0 && !kinds.includes(entity.kind as K)) {
      throw new RunnerError(`entity "${name}" is a ${entity.kind}, expected ${kinds.join(' or ')}`);
    }
    return entity as EntityOf<K>;
  }

  /** The entity called `name` of any kind, or undefined. */
  find(name: string): Entity | undefined {
    return this.entities.get(name);
  }

  bsonEntity(name: string): unknown {
    return this.get(name, 'bson').value;
  }

  sessionLsid(name: string): unknown {
    const { session } = this.get(name, 'session');
    if (session.id === undefined) throw new RunnerError(`session "${name}" has no id`);
    return session.id;
  }

  /** Every client entity, for clean-up. */
  clients(): MongoClient[] {
    return [...this.entities.values()].flatMap((e) => (e.kind === 'client' ? [e.client] : []));
  }

  /**
   * Closes change streams and cursors, ends sessions, then closes clients, each step bounded by `stepTimeoutMs`
   * because a hung server must not hang the runner. Errors are ignored: the test's verdict is already made.
   */
  async close(stepTimeoutMs: number): Promise<void> {
    const bounded = (work: Promise<unknown>): Promise<unknown> =>
      Promise.race([work.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, stepTimeoutMs).unref())]);
    const all = [...this.entities.values()];
    await Promise.all(
      all.map((e) =>
        e.kind === 'changeStream'
          ? bounded(e.stream.close())
          : e.kind === 'findCursor'
            ? bounded(e.cursor.close())
            : e.kind === 'session'
              ? bounded(e.session.endSession())
              : undefined,
      ),
    );
    await Promise.all(this.clients().map((client) => bounded(client.close())));
    this.entities.clear();
  }
}
