import { OTHER_CHANNEL } from '@switchboard/schema';
import type { ChannelDescriptor } from './channel.ts';
import { discoverManifests, type ConnectorManifest } from './modules.ts';

/** The descriptor readers use for a channel id no registered connector declares. */
export const OTHER_DESCRIPTOR: ChannelDescriptor = {
  id: OTHER_CHANNEL,
  label: { en: 'Other channel', zh: '其他渠道' },
  // A speech bubble with a question mark.
  icon: { color: '#64748b', path: 'M4 5h16v11H10l-4 4v-4H4z M10 8.5a2 2 0 1 1 2.5 2c-.5.2-.5.6-.5 1.2 M12 13.5h.01' },
  threading: 'Unknown to this deployment: shown and counted as `other`, stored under its own id.',
};

/** The registered channels: what the console, the reply API, the sink and the docs know of each. */
export class ChannelRegistry {
  private readonly byId: ReadonlyMap<string, ChannelDescriptor>;

  constructor(descriptors: readonly ChannelDescriptor[]) {
    this.byId = new Map(descriptors.map((d) => [d.id, d]));
  }

  static fromManifests(manifests: readonly ConnectorManifest[]): ChannelRegistry {
    return new ChannelRegistry(manifests.flatMap((m) => m.channels));
  }

  get(id: string): ChannelDescriptor | undefined {
    return this.byId.get(id);
  }

  /** The descriptor of `id`, or OTHER_DESCRIPTOR when it is not registered. */
  describe(id: string): ChannelDescriptor {
    return this.byId.get(id) ?? OTHER_DESCRIPTOR;
  }

  /** `id` when registered, else `other`: for metric labels and grouping, so an unknown id neither fails nor multiplies series. */
  known(id: string): string {
    return this.byId.has(id) ? id : OTHER_CHANNEL;
  }

  all(): ChannelDescriptor[] {
    return [...this.byId.values()];
  }

  /** Channels whose new tickets are acknowledged unless configured otherwise. */
  acknowledgedByDefault(): string[] {
    return this.all()
      .filter((d) => d.acknowledgeByDefault)
      .map((d) => d.id);
  }
}

/** The registry of every connector package under `<repoRoot>/services`. */
export async function loadChannelRegistry(repoRoot: string): Promise<ChannelRegistry> {
  return ChannelRegistry.fromManifests(await discoverManifests(repoRoot));
}
