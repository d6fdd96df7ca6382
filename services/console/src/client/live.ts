/**
 * The live connection: server-sent events of every change this person may see. The browser reconnects by
 * itself and sends the last event id it had, so nothing in between is missed; the header shows the state.
 */
export interface LiveEvent {
  id: string;
  type: 'message' | 'message.changed' | 'ticket.opened' | 'ticket.changed';
  ticketId?: string;
  data: Record<string, unknown>;
}

export type LiveState = 'connecting' | 'live' | 'reconnecting';

const TYPES: LiveEvent['type'][] = ['message', 'message.changed', 'ticket.opened', 'ticket.changed'];

export class Live {
  private source: EventSource | undefined;
  private readonly listeners = new Set<(event: LiveEvent) => void>();
  private readonly stateListeners = new Set<(state: LiveState) => void>();
  private state: LiveState = 'connecting';
  private retry: ReturnType<typeof setTimeout> | undefined;
  /** For a connection made anew (not the browser's own reconnect, which sends it by itself). */
  private lastId: string | undefined;

  start(): void {
    if (this.source) return;
    const source = new EventSource(`/api/v1/events${this.lastId ? `?after=${this.lastId}` : ''}`);
    this.source = source;
    source.addEventListener('ready', (message) => {
      this.lastId ??= (JSON.parse((message as MessageEvent<string>).data) as { after: string }).after;
      this.setState('live');
    });
    source.onerror = () => {
      this.setState('reconnecting');
      // A refused connection (the server restarting, a proxy's error page) is not retried by the browser.
      if (source.readyState === EventSource.CLOSED) {
        this.source = undefined;
        this.retry = setTimeout(() => this.start(), 3_000);
      }
    };
    for (const type of TYPES) source.addEventListener(type, (message) => this.dispatch(JSON.parse((message as MessageEvent<string>).data) as LiveEvent));
  }

  stop(): void {
    clearTimeout(this.retry);
    this.source?.close();
    this.source = undefined;
    this.lastId = undefined;
    this.setState('connecting');
  }

  onEvent(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onState(listener: (state: LiveState) => void): () => void {
    this.stateListeners.add(listener);
    listener(this.state);
    return () => this.stateListeners.delete(listener);
  }

  private dispatch(event: LiveEvent): void {
    this.lastId = event.id;
    for (const listener of this.listeners) listener(event);
  }

  private setState(state: LiveState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

export const live = new Live();
